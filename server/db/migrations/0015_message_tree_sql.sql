-- Messages form a tree (messages.parent_id) with one active path per chat (messages.active).
-- Chats stored before were single lines: each message follows the one before it in its chat, and
-- all are on the active path (the column's default), so nothing is lost or hidden.
UPDATE messages m SET parent_id = p.previous
FROM (SELECT id, lag(id) OVER (PARTITION BY chat_id ORDER BY id) AS previous FROM messages) p
WHERE m.id = p.id AND p.previous IS NOT NULL AND m.parent_id IS NULL;
--> statement-breakpoint
-- The chat's active path becomes the one from its first message down to p_leaf (null: none).
-- A path's ids ascend (a message is stored after the one it follows).
CREATE FUNCTION set_active_path(p_chat_id integer, p_leaf integer) RETURNS void LANGUAGE sql AS $$
  WITH RECURSIVE up(id, parent_id) AS (
    SELECT id, parent_id FROM messages WHERE id = p_leaf AND chat_id = p_chat_id
    UNION ALL
    SELECT m.id, m.parent_id FROM messages m JOIN up ON m.id = up.parent_id
  )
  UPDATE messages SET active = messages.id IN (SELECT id FROM up)
  WHERE chat_id = p_chat_id AND (active OR messages.id IN (SELECT id FROM up)) AND active IS DISTINCT FROM (messages.id IN (SELECT id FROM up))
$$;
--> statement-breakpoint
-- The end of the branch below p_message_id: at each step its newest version.
CREATE FUNCTION branch_leaf(p_message_id integer) RETURNS integer LANGUAGE sql STABLE AS $$
  WITH RECURSIVE down(id, depth) AS (
    SELECT p_message_id, 0
    UNION ALL
    SELECT (SELECT c.id FROM messages c WHERE c.parent_id = down.id ORDER BY c.id DESC LIMIT 1), depth + 1 FROM down WHERE down.id IS NOT NULL
  )
  SELECT id FROM down WHERE id IS NOT NULL ORDER BY depth DESC LIMIT 1
$$;
--> statement-breakpoint
-- SHA-256 of each message's role and text, in id order: how a client's history is compared with
-- the stored path without sending the stored text back.
CREATE FUNCTION message_hashes(p_ids integer[]) RETURNS text[] LANGUAGE sql STABLE AS $$
  SELECT coalesce(array_agg(encode(sha256(convert_to(m.role || ':' || m.content, 'UTF8')), 'hex') ORDER BY m.id), '{}')
  FROM messages m WHERE m.id = ANY(p_ids)
$$;
--> statement-breakpoint
DROP FUNCTION IF EXISTS start_turn(integer, integer, text, text, text, text, text, integer, integer, bigint);
--> statement-breakpoint
-- start_turn (migration 0009) on the tree. Where the question goes:
-- - p_parent_given: after p_parent_id (null: as a new first message), a message of this chat
--   ('no_parent' otherwise);
-- - else p_history (hashes of the messages the client sent before the question, as
--   message_hashes) is matched against the active path: the question follows the newest message
--   where the path ends with that history; a history that matches nowhere, or none, continues the
--   path (clients that send only the new question).
-- When the path already goes on from there with this very question (a regenerated answer, a
-- retry), that question is answered again instead of stored twice. Otherwise the question is a
-- new version beside the message that followed there. The old versions stay; the new turn's path
-- becomes the active one. Outcomes, locks and limits as in 0009.
CREATE FUNCTION start_turn(
  p_user_id integer, p_chat_id integer, p_content text, p_title text, p_default_title text,
  p_generation_id text, p_model text, p_max_answers integer, p_stale_ms integer, p_quota_bytes bigint,
  p_history text[], p_parent_id integer, p_parent_given boolean)
RETURNS TABLE (outcome text, user_message_id integer, assistant_message_id integer, superseded text)
LANGUAGE plpgsql AS $$
DECLARE
  v_title text;
  v_path integer[];
  v_hashes text[];
  v_n integer;
  v_k integer := coalesce(array_length(p_history, 1), 0);
  v_j integer;
  v_parent integer;
  v_next record;
  v_reuse boolean;
  v_answering record;
  v_live_since timestamptz := now() - p_stale_ms * interval '1 millisecond';
  v_generating integer;
  v_superseded text;
  v_user_id integer;
  v_answer_id integer;
  v_sequence text := pg_get_serial_sequence('messages', 'id');
BEGIN
  SELECT title INTO v_title FROM chats WHERE id = p_chat_id AND user_id = p_user_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  v_path := array(SELECT id FROM messages WHERE chat_id = p_chat_id AND active ORDER BY id);
  v_n := coalesce(array_length(v_path, 1), 0);
  IF p_parent_given THEN
    IF p_parent_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM messages WHERE id = p_parent_id AND chat_id = p_chat_id) THEN
      RETURN QUERY SELECT 'no_parent'::text, NULL::integer, NULL::integer, NULL::text;
      RETURN;
    END IF;
    v_parent := p_parent_id;
  ELSE
    v_j := v_n;
    -- The usual turn (the history is the path's end) hashes only that end.
    IF v_k > 0 AND v_k <= v_n AND p_history IS DISTINCT FROM message_hashes(v_path[v_n - v_k + 1:v_n]) THEN
      v_hashes := message_hashes(v_path);
      v_j := NULL;
      FOR i IN REVERSE v_n - 1 .. v_k LOOP
        IF v_hashes[i - v_k + 1:i] = p_history THEN
          v_j := i;
          EXIT;
        END IF;
      END LOOP;
      v_j := coalesce(v_j, v_n);
    END IF;
    -- The path ends with this very question, unanswered (a retry) or being answered (the same
    -- question twice at once): that question is the one asked.
    IF v_j = v_n AND v_n > 0 AND EXISTS (SELECT 1 FROM messages WHERE id = v_path[v_n] AND role = 'user' AND content = p_content) THEN
      v_j := v_n - 1;
    ELSIF v_j = v_n AND v_n > 1
      AND EXISTS (SELECT 1 FROM messages WHERE id = v_path[v_n] AND status = 'streaming' AND checkpoint_at >= v_live_since)
      AND EXISTS (SELECT 1 FROM messages WHERE id = v_path[v_n - 1] AND role = 'user' AND content = p_content) THEN
      v_j := v_n - 2;
    END IF;
    v_parent := CASE WHEN v_j = 0 THEN NULL ELSE v_path[v_j] END;
  END IF;
  SELECT id, role, content INTO v_next FROM messages
  WHERE chat_id = p_chat_id AND active AND parent_id IS NOT DISTINCT FROM v_parent LIMIT 1;
  v_reuse := coalesce(v_next.role = 'user' AND v_next.content = p_content, false);
  SELECT id, parent_id, generation_id, checkpoint_at INTO v_answering FROM messages
  WHERE chat_id = p_chat_id AND status = 'streaming' ORDER BY id DESC LIMIT 1;
  IF v_reuse AND v_answering.parent_id = v_next.id AND v_answering.checkpoint_at >= v_live_since THEN
    RETURN QUERY SELECT 'joined'::text, v_next.id, v_answering.id, v_answering.generation_id;
    RETURN;
  END IF;
  IF p_max_answers > 0 THEN
    PERFORM pg_advisory_xact_lock(727073691, p_user_id);
    -- This chat's answer in progress does not count: the new question stops it.
    SELECT count(*) INTO v_generating FROM messages m JOIN chats c ON c.id = m.chat_id
    WHERE c.user_id = p_user_id AND m.status = 'streaming' AND m.checkpoint_at >= v_live_since AND m.chat_id <> p_chat_id;
    IF v_generating >= p_max_answers THEN
      RETURN QUERY SELECT 'busy'::text, NULL::integer, NULL::integer, NULL::text;
      RETURN;
    END IF;
  END IF;
  IF p_quota_bytes > 0 AND NOT v_reuse
     AND (SELECT stored_bytes FROM users WHERE id = p_user_id) + octet_length(p_content) > p_quota_bytes THEN
    RETURN QUERY SELECT 'over_quota'::text, NULL::integer, NULL::integer, NULL::text;
    RETURN;
  END IF;
  -- A new question supersedes the chat's answer in progress: it is kept as aborted (as error when
  -- its server stopped writing it long ago), and its generation is told to stop.
  IF v_answering.id IS NOT NULL THEN
    IF v_answering.checkpoint_at >= v_live_since THEN
      v_superseded := v_answering.generation_id;
    END IF;
    UPDATE messages SET status = CASE WHEN v_superseded IS NULL THEN 'error' ELSE 'aborted' END, seen = true WHERE id = v_answering.id;
  END IF;
  -- Only a chat's first message writes the chat row (its title); later turns leave it alone.
  IF v_n = 0 AND v_title = p_default_title THEN
    UPDATE chats SET title = p_title WHERE id = p_chat_id;
  END IF;
  -- Ids come from the sequence in order, so the answer sorts right after its question.
  IF v_reuse THEN
    v_user_id := v_next.id;
    v_answer_id := nextval(v_sequence);
    INSERT INTO messages (id, chat_id, role, content, status, model, generation_id, checkpoint_at, seen, parent_id)
    VALUES (v_answer_id, p_chat_id, 'assistant', '', 'streaming', p_model, p_generation_id, now(), false, v_user_id);
  ELSE
    v_user_id := nextval(v_sequence);
    v_answer_id := nextval(v_sequence);
    INSERT INTO messages (id, chat_id, role, content, status, model, generation_id, checkpoint_at, seen, parent_id)
    VALUES (v_user_id, p_chat_id, 'user', p_content, 'complete', NULL, NULL, NULL, true, v_parent),
           (v_answer_id, p_chat_id, 'assistant', '', 'streaming', p_model, p_generation_id, now(), false, v_user_id);
  END IF;
  -- A turn that continues the path changes nothing on it; one that branches makes its path the active one.
  IF (v_reuse AND v_next.id IS DISTINCT FROM v_path[v_n]) OR (NOT v_reuse AND v_parent IS DISTINCT FROM v_path[v_n]) THEN
    PERFORM set_active_path(p_chat_id, v_answer_id);
  END IF;
  RETURN QUERY SELECT 'started'::text, v_user_id, v_answer_id, v_superseded;
END
$$;
