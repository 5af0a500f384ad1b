-- Chats from before titles were generated keep the title they have: only a chat still called
-- 'New chat' (the default title) may be named by the small model after its first answer.
UPDATE chats SET title_source = 'user' WHERE title <> 'New chat';
--> statement-breakpoint
-- users.stored_bytes (migration 0006) counts feedback comments too: they are the user's stored
-- text. One feedback row is written at a time, so row-level triggers are enough; a comment
-- removed with its message or chat (cascade) is subtracted by the delete trigger.
CREATE FUNCTION message_feedback_stored_bytes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_bytes bigint := 0;
  v_user_id integer;
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    v_bytes := v_bytes + coalesce(octet_length(NEW.comment), 0);
    v_user_id := NEW.user_id;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    v_bytes := v_bytes - coalesce(octet_length(OLD.comment), 0);
    v_user_id := OLD.user_id;
  END IF;
  IF v_bytes <> 0 THEN
    UPDATE users SET stored_bytes = greatest(stored_bytes + v_bytes, 0) WHERE id = v_user_id;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER message_feedback_stored_bytes AFTER INSERT OR UPDATE OR DELETE ON message_feedback
  FOR EACH ROW EXECUTE FUNCTION message_feedback_stored_bytes();
