-- users.stored_bytes (migration 0006) counts images too: their bytes are the user's stored data,
-- like message text. Images are written a few at a time, so row-level triggers are enough; an
-- image removed with its chat or message (cascade) is subtracted by the delete trigger while its
-- owner's row still exists (a deleted user's rows go with it and need no count).
CREATE FUNCTION images_stored_bytes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE users SET stored_bytes = stored_bytes + NEW.byte_size WHERE id = NEW.user_id;
  ELSE
    UPDATE users SET stored_bytes = greatest(stored_bytes - OLD.byte_size, 0) WHERE id = OLD.user_id;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER images_stored_bytes AFTER INSERT OR DELETE ON images
  FOR EACH ROW EXECUTE FUNCTION images_stored_bytes();
