-- A chat turn starts in one round trip: the question and its answer's row (status 'streaming',
-- named by its generation) are stored together, under the per-user cap on answers generating at
-- once. Inside a plpgsql function each statement takes a fresh snapshot under READ COMMITTED, so
-- after the chat's row lock the last message, and after the user's advisory lock the count, are
-- read as committed by whoever held the lock before: concurrent turns can neither store a retried
-- question twice nor pass the cap together.
-- outcome: 'started'; 'joined' when the question is the one the chat is answering right now (a
-- double click, a retry after a dropped connection): the caller reads that answer instead of
-- starting another (its ids, and its generation in superseded); 'busy' when the user already has
-- p_max_answers answers generating (0: no cap); 'over_quota' when a new question would take the
-- user past p_quota_bytes of stored text and thinking (0: no quota), as in store_user_message,
-- which this replaces; a retry that reuses the stored question adds nothing, so it is let through.
-- superseded: the generation id of the chat's answer in progress, which the new question stops.
-- No row means the chat is not the user's.
CREATE OR REPLACE FUNCTION start_turn(
  p_user_id integer, p_chat_id integer, p_content text, p_title text, p_default_title text,
  p_generation_id text, p_model text, p_max_answers integer, p_stale_ms integer, p_quota_bytes bigint)
RETURNS TABLE (outcome text, user_message_id integer, assistant_message_id integer, superseded text)
LANGUAGE plpgsql AS $$
DECLARE
  v_title text;
  v_last record;
  v_asked record;
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
  SELECT id, role, content, status, generation_id, checkpoint_at INTO v_last FROM messages WHERE chat_id = p_chat_id ORDER BY id DESC LIMIT 1;
  IF v_last.status = 'streaming' AND v_last.checkpoint_at >= v_live_since THEN
    SELECT id, role, content INTO v_asked FROM messages WHERE chat_id = p_chat_id AND id < v_last.id ORDER BY id DESC LIMIT 1;
    IF v_asked.role = 'user' AND v_asked.content = p_content THEN
      RETURN QUERY SELECT 'joined'::text, v_asked.id, v_last.id, v_last.generation_id;
      RETURN;
    END IF;
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
  IF p_quota_bytes > 0 AND NOT coalesce(v_last.role = 'user' AND v_last.content = p_content, false)
     AND (SELECT stored_bytes FROM users WHERE id = p_user_id) + octet_length(p_content) > p_quota_bytes THEN
    RETURN QUERY SELECT 'over_quota'::text, NULL::integer, NULL::integer, NULL::text;
    RETURN;
  END IF;
  -- A new question supersedes the chat's answer in progress: it is kept as aborted (as error when
  -- its server stopped writing it long ago), and its generation is told to stop.
  IF v_last.status = 'streaming' THEN
    IF v_last.checkpoint_at >= v_live_since THEN
      v_superseded := v_last.generation_id;
    END IF;
    UPDATE messages SET status = CASE WHEN v_superseded IS NULL THEN 'error' ELSE 'aborted' END, seen = true WHERE id = v_last.id;
  END IF;
  -- Only a chat's first message writes the chat row (its title); later turns leave it alone.
  IF v_last.id IS NULL AND v_title = p_default_title THEN
    UPDATE chats SET title = p_title WHERE id = p_chat_id;
  END IF;
  -- Ids come from the sequence in order, so the answer sorts right after its question.
  IF v_last.role = 'user' AND v_last.content = p_content THEN
    v_user_id := v_last.id;
    v_answer_id := nextval(v_sequence);
    INSERT INTO messages (id, chat_id, role, content, status, model, generation_id, checkpoint_at, seen)
    VALUES (v_answer_id, p_chat_id, 'assistant', '', 'streaming', p_model, p_generation_id, now(), false);
  ELSE
    v_user_id := nextval(v_sequence);
    v_answer_id := nextval(v_sequence);
    INSERT INTO messages (id, chat_id, role, content, status, model, generation_id, checkpoint_at, seen)
    VALUES (v_user_id, p_chat_id, 'user', p_content, 'complete', NULL, NULL, NULL, true),
           (v_answer_id, p_chat_id, 'assistant', '', 'streaming', p_model, p_generation_id, now(), false);
  END IF;
  RETURN QUERY SELECT 'started'::text, v_user_id, v_answer_id, v_superseded;
END
$$;
--> statement-breakpoint
DROP FUNCTION IF EXISTS store_user_message(integer, integer, text, text, text, bigint);
--> statement-breakpoint
-- stored_bytes (migration 0006) follows updates too: an answer's row is inserted empty as
-- 'streaming' and written by its checkpoints and its final write, so each update adds the change
-- in size, and the answer counts once, at its stored size, however often it was written.
CREATE FUNCTION messages_update_stored_bytes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE users u SET stored_bytes = greatest(u.stored_bytes + s.bytes, 0)
  FROM (
    SELECT c.user_id, sum(octet_length(n.content) + coalesce(octet_length(n.reasoning), 0) - octet_length(o.content) - coalesce(octet_length(o.reasoning), 0)) AS bytes
    FROM new_messages n JOIN old_messages o ON o.id = n.id JOIN chats c ON c.id = n.chat_id GROUP BY c.user_id
  ) s
  WHERE u.id = s.user_id AND s.bytes <> 0;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER messages_stored_bytes_update AFTER UPDATE ON messages REFERENCING OLD TABLE AS old_messages NEW TABLE AS new_messages
  FOR EACH STATEMENT EXECUTE FUNCTION messages_update_stored_bytes();
