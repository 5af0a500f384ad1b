-- A share's snapshot counts towards the owner's storage quota (users.stored_bytes, migration
-- 0006) as message text and thinking do: its title, and each shared message's text and thinking.
CREATE FUNCTION share_text_bytes(p_title text, p_messages jsonb) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
  SELECT octet_length(p_title)::bigint + coalesce((
    SELECT sum(octet_length(coalesce(m->>'content', '')) + octet_length(coalesce(m->>'reasoning', '')))
    FROM jsonb_array_elements(p_messages) m
  ), 0)::bigint
$$;
--> statement-breakpoint
CREATE FUNCTION shares_stored_bytes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_change bigint := 0;
BEGIN
  IF TG_OP <> 'DELETE' THEN
    v_change := v_change + share_text_bytes(NEW.title, NEW.messages);
  END IF;
  IF TG_OP <> 'INSERT' THEN
    v_change := v_change - share_text_bytes(OLD.title, OLD.messages);
  END IF;
  IF v_change <> 0 THEN
    UPDATE users SET stored_bytes = greatest(stored_bytes + v_change, 0) WHERE id = coalesce(NEW.user_id, OLD.user_id);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER shares_stored_bytes AFTER INSERT OR UPDATE OR DELETE ON shares
  FOR EACH ROW EXECUTE FUNCTION shares_stored_bytes();
