-- A chat's model is its last turn's, written when the turn starts, where start_turn holds the
-- chat's row already. It was written with the answer's final write, which then locked the
-- answer's row before the chat's: a question superseding that answer locks them the other way
-- round, and the two could deadlock. (The final write's other locks follow one order too:
-- the day's usage row, then the user's row; see usageWrites.)
CREATE OR REPLACE FUNCTION start_turn(
  p_user_id integer, p_chat_id integer, p_content text, p_title text, p_default_title text,
  p_generation_id text, p_model text, p_max_answers integer, p_stale_ms integer, p_quota_bytes bigint,
  p_history text[], p_parent_id integer, p_parent_given boolean)
RETURNS TABLE (outcome text, user_message_id integer, assistant_message_id integer, superseded text)
LANGUAGE plpgsql AS $$
DECLARE
  v_title text;
  v_model text;
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
  SELECT title, model INTO v_title, v_model FROM chats WHERE id = p_chat_id AND user_id = p_user_id FOR UPDATE;
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
  -- The chat row is written only when something changes: its title (its first message) or its
  -- model (the model of its last turn).
  IF (v_n = 0 AND v_title = p_default_title) OR v_model IS DISTINCT FROM p_model THEN
    UPDATE chats SET title = CASE WHEN v_n = 0 AND v_title = p_default_title THEN p_title ELSE title END, model = p_model
    WHERE id = p_chat_id;
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
