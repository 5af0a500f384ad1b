import { and, eq, inArray, sql } from 'drizzle-orm'
import { SEARCH_LIMITS, type ChatSearchHit, type HighlightPart } from '#shared/contract'

const { chats } = tables

/** Marks ts_headline puts around the words found: control characters, taken out of the text first. */
const START = '\u0002'
const STOP = '\u0003'

interface RankedRow {
  chat_id: number
  rank: number
  message_id: number | null
  role: 'user' | 'assistant' | null
  headline: string | null
}

/**
 * The user's chats that match `q` (PostgreSQL full-text search, websearch syntax: words, "a
 * phrase", -not, or), best first, at most SEARCH_LIMITS.results. A chat matches by its title (its
 * words, or `q` anywhere in it) or by the text of the messages on its active path (an old version
 * of a message is not what the chat says now); a matching title ranks it
 * first, then the sum of its messages' ts_rank. Each hit carries a snippet of its best matching
 * message with the words found highlighted.
 *
 * The message condition repeats the predicate of the GIN index on `messages.search`
 * (server/db/schema.ts), so the planner finds the matching messages through it.
 *
 * @example const hits = await searchChats(user.id, 'neptune rings')
 */
export async function searchChats(userId: number, q: string): Promise<ChatSearchHit[]> {
  const db = await useDb()
  const query = sql`websearch_to_tsquery('simple', ${q})`
  const ranked = await queryRows<RankedRow>(db, sql`
    with found as (
      select m.chat_id, m.id, ts_rank(m.search, ${query}) as rank
      from messages m join chats c on c.id = m.chat_id
      where c.user_id = ${userId} and m.active and m.status <> 'streaming' and m.search @@ ${query}
    ), per_chat as (
      select distinct on (chat_id) chat_id, id as message_id, sum(rank) over (partition by chat_id) as rank
      from found order by chat_id, rank desc, id desc
    ), top as (
      select c.id as chat_id, p.message_id,
        (case when to_tsvector('simple', c.title) @@ ${query} or strpos(lower(c.title), lower(${q})) > 0 then 1 else 0 end) + coalesce(p.rank, 0) as rank
      from chats c left join per_chat p on p.chat_id = c.id
      where c.user_id = ${userId}
        and (p.chat_id is not null or to_tsvector('simple', c.title) @@ ${query} or strpos(lower(c.title), lower(${q})) > 0)
      order by rank desc, c.id desc
      limit ${SEARCH_LIMITS.results}
    )
    select top.chat_id, top.rank::float8 as rank, top.message_id, m.role,
      ts_headline('simple', translate(m.content, ${START + STOP}, ''), ${query},
        ${`StartSel=${START}, StopSel=${STOP}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "`}) as headline
    from top left join messages m on m.id = top.message_id
    order by top.rank desc, top.chat_id desc`)
  if (!ranked.length) return []
  const summaries = await db.select({ ...chatColumns, updatedAt: lastActivity, ...answerFlags(serverConfig().answerStaleMs) })
    .from(chats).where(and(eq(chats.userId, userId), inArray(chats.id, ranked.map(row => row.chat_id))))
  const byId = new Map(summaries.map(row => [row.id, row]))
  return ranked.flatMap((row) => {
    const summary = byId.get(row.chat_id)
    if (!summary) return []
    const snippet = row.message_id !== null && row.role !== null && row.headline !== null
      ? { messageId: row.message_id, role: row.role, parts: highlightParts(row.headline) }
      : null
    return [{ ...toSummary(summary), rank: Number(row.rank), snippet }]
  })
}

/**
 * ts_headline's text, its marks turned into parts: the client shows each part as text, the
 * highlighted ones inside a mark element, so no stored text is ever read as HTML.
 *
 * @example highlightParts('a \u0002b\u0003 c') // [{text:'a ',highlight:false},{text:'b',highlight:true},{text:' c',highlight:false}]
 */
export function highlightParts(headline: string): HighlightPart[] {
  const parts: HighlightPart[] = []
  for (const [index, piece] of headline.split(START).entries()) {
    const [inside, after] = index === 0 ? [undefined, piece] : splitOnce(piece, STOP)
    if (inside) parts.push({ text: inside, highlight: true })
    if (after) parts.push({ text: after, highlight: false })
  }
  return parts
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator)
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + separator.length)]
}
