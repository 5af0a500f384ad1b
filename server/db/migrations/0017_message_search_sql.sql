-- messages.search is parsed once, when a message stops streaming: an answer's checkpoints rewrite
-- its growing text every second, and a generated column parsed all of it each time (and changed an
-- indexed column, so no checkpoint could be a HOT update). While streaming it stays null, which the
-- search skips anyway (messages_search_idx leaves streaming rows out).
CREATE FUNCTION messages_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status = 'streaming' THEN
    NEW.search := NULL;
  ELSIF TG_OP = 'INSERT' OR OLD.status = 'streaming' OR NEW.content IS DISTINCT FROM OLD.content OR OLD.search IS NULL THEN
    NEW.search := to_tsvector('simple', NEW.content);
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER messages_search BEFORE INSERT OR UPDATE OF content, status ON messages
  FOR EACH ROW EXECUTE FUNCTION messages_search();
--> statement-breakpoint
UPDATE messages SET search = NULL WHERE status = 'streaming';
