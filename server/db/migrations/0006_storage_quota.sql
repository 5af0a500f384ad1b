-- users.stored_bytes follows the UTF-8 size of the user's message text and the answers' thinking
-- (messages.reasoning), whichever path writes
-- it (a chat turn, a saved conversation, truncation, deleting a chat): the storage quota reads
-- one row instead of summing a user's messages. Statement-level triggers see all rows of a
-- multi-row insert or delete at once, so a saved conversation updates the user row once.
CREATE FUNCTION messages_add_stored_bytes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE users u SET stored_bytes = u.stored_bytes + s.bytes
  FROM (SELECT c.user_id, sum(octet_length(n.content) + coalesce(octet_length(n.reasoning), 0)) AS bytes FROM new_messages n JOIN chats c ON c.id = n.chat_id GROUP BY c.user_id) s
  WHERE u.id = s.user_id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- Messages removed with their chat are subtracted by chats_subtract_stored_bytes: by the time
-- this runs, their chat row is gone and the join finds nothing, so nothing counts twice.
CREATE FUNCTION messages_subtract_stored_bytes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE users u SET stored_bytes = greatest(u.stored_bytes - s.bytes, 0)
  FROM (SELECT c.user_id, sum(octet_length(o.content) + coalesce(octet_length(o.reasoning), 0)) AS bytes FROM old_messages o JOIN chats c ON c.id = o.chat_id GROUP BY c.user_id) s
  WHERE u.id = s.user_id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION chats_subtract_stored_bytes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE users SET stored_bytes = greatest(stored_bytes - coalesce((SELECT sum(octet_length(content) + coalesce(octet_length(reasoning), 0)) FROM messages WHERE chat_id = OLD.id), 0), 0)
  WHERE id = OLD.user_id;
  RETURN OLD;
END
$$;
--> statement-breakpoint
CREATE TRIGGER messages_stored_bytes_insert AFTER INSERT ON messages REFERENCING NEW TABLE AS new_messages
  FOR EACH STATEMENT EXECUTE FUNCTION messages_add_stored_bytes();
--> statement-breakpoint
CREATE TRIGGER messages_stored_bytes_delete AFTER DELETE ON messages REFERENCING OLD TABLE AS old_messages
  FOR EACH STATEMENT EXECUTE FUNCTION messages_subtract_stored_bytes();
--> statement-breakpoint
CREATE TRIGGER chats_stored_bytes_delete BEFORE DELETE ON chats
  FOR EACH ROW EXECUTE FUNCTION chats_subtract_stored_bytes();
--> statement-breakpoint
UPDATE users u SET stored_bytes = coalesce((SELECT sum(octet_length(m.content) + coalesce(octet_length(m.reasoning), 0)) FROM messages m JOIN chats c ON c.id = m.chat_id WHERE c.user_id = u.id), 0);
--> statement-breakpoint
-- store_user_message (migration 0002) with the storage quota: a new message that would take the
-- user past p_quota_bytes (0: no quota) is not stored and over_quota is true. A retry that reuses
-- the stored row adds nothing, so it is let through.
DROP FUNCTION store_user_message(integer, integer, text, text, text);
--> statement-breakpoint
CREATE FUNCTION store_user_message(p_user_id integer, p_chat_id integer, p_content text, p_title text, p_default_title text, p_quota_bytes bigint)
RETURNS TABLE (user_message_id integer, assistant_message_id integer, over_quota boolean)
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
  IF v_last.role = 'user' AND v_last.content = p_content THEN
    v_id := v_last.id;
  ELSE
    IF p_quota_bytes > 0 AND (SELECT stored_bytes FROM users WHERE id = p_user_id) + octet_length(p_content) > p_quota_bytes THEN
      RETURN QUERY SELECT NULL::integer, NULL::integer, true;
      RETURN;
    END IF;
    INSERT INTO messages (chat_id, role, content) VALUES (p_chat_id, 'user', p_content) RETURNING id INTO v_id;
  END IF;
  -- Only a chat's first message writes the chat row (its title); later turns leave it alone.
  IF v_last.id IS NULL AND v_title = p_default_title THEN
    UPDATE chats SET title = p_title WHERE id = p_chat_id;
  END IF;
  -- The answer's id is taken now, so it sorts right after its question even if stored late.
  RETURN QUERY SELECT v_id, nextval(pg_get_serial_sequence('messages', 'id'))::integer, false;
END
$$;
