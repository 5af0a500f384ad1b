// The highlight worker: Shiki tokenizes off the page's main thread, so a long code block or a
// grammar compiling for the first time never stalls scrolling or the token stream.
import { highlightHere, warmHighlighter } from '../utils/shiki'

export type HighlightJob = { code: string, lang: string } | { warm: true }
export type HighlightRequest = HighlightJob & { id: number }
export interface HighlightReply { id: number, html: string | null }

/** The worker's side of the channel, typed with this worker's messages. */
const scope: { onmessage: ((event: MessageEvent<HighlightRequest>) => void) | null, postMessage: (reply: HighlightReply) => void } = self

scope.onmessage = async ({ data }) => {
  if ('warm' in data) {
    await warmHighlighter()
    scope.postMessage({ id: data.id, html: null })
    return
  }
  const html = await highlightHere(data.code, data.lang).catch(() => null)
  scope.postMessage({ id: data.id, html })
}
