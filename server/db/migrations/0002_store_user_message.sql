-- A chat turn stores its user message in one round trip instead of a six-statement transaction
-- (on PGlite every statement runs on the server's only thread). Inside a plpgsql function each
-- statement still takes a fresh snapshot under READ COMMITTED, so after the row lock the last
-- message is read as committed by whoever held the lock: concurrent retries of the same message
-- still store it once. No row means the chat is not the user's.
CREATE OR REPLACE FUNCTION store_user_message(p_user_id integer, p_chat_id integer, p_content text, p_title text, p_default_title text)
RETURNS TABLE (user_message_id integer, assistant_message_id integer)
LANGUAGE plpgsql AS $$
DECLARE
  v_title text;
  v_last record;
  v_id integer;
BEGIN
  SELECT title INTO v_title FROM chats WHERE id = p_chat_id AND user_id = p_user_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  SELECT id, role, content INTO v_last FROM messages WHERE chat_id = p_chat_id ORDER BY id DESC LIMIT 1;
  -- Only a chat's first message writes the chat row (its title); later turns leave it alone.
  IF v_last.id IS NULL AND v_title = p_default_title THEN
    UPDATE chats SET title = p_title WHERE id = p_chat_id;
  END IF;
  IF v_last.role = 'user' AND v_last.content = p_content THEN
    v_id := v_last.id;
  ELSE
    INSERT INTO messages (chat_id, role, content) VALUES (p_chat_id, 'user', p_content) RETURNING id INTO v_id;
  END IF;
  -- The answer's id is taken now, so it sorts right after its question even if stored late.
  RETURN QUERY SELECT v_id, nextval(pg_get_serial_sequence('messages', 'id'))::integer;
END
$$;
