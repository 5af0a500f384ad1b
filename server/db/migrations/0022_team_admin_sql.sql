-- The first account is an admin, however it is created (sign-up, an admin, single sign-on): the
-- database decides on insert. Concurrent first sign-ups are serialised by an advisory lock, so
-- exactly one of them is first; later inserts skip the lock once a user exists.
CREATE FUNCTION users_first_is_admin() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM users) THEN
    PERFORM pg_advisory_xact_lock(hashtext('neptun:first-admin'));
    IF NOT EXISTS (SELECT 1 FROM users) THEN
      NEW.is_admin := true;
    END IF;
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER users_first_is_admin BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION users_first_is_admin();
--> statement-breakpoint
-- Installations from before admins existed: their first account becomes the admin.
UPDATE users SET is_admin = true WHERE id = (SELECT min(id) FROM users) AND NOT EXISTS (SELECT 1 FROM users WHERE is_admin);
--> statement-breakpoint
-- Deletes a user and everything that is theirs. Chats go first, while the user's row still
-- exists: their delete trigger (storage quota) updates it, which it could not do from inside
-- the cascade of the user's own delete. Rows keyed by the user without a foreign key
-- (generation stops, rate-limit windows) go by hand; every other table cascades.
CREATE FUNCTION delete_user(p_user_id integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  v_email text;
BEGIN
  SELECT lower(email) INTO v_email FROM users WHERE id = p_user_id FOR UPDATE;
  IF NOT FOUND THEN RETURN; END IF;
  DELETE FROM shares WHERE user_id = p_user_id;
  DELETE FROM chats WHERE user_id = p_user_id;
  DELETE FROM generation_stops WHERE user_id = p_user_id;
  DELETE FROM rate_limits WHERE key IN ('api:' || p_user_id, 'chat:' || p_user_id, 'chats:create:' || p_user_id, 'login:account:' || v_email);
  DELETE FROM users WHERE id = p_user_id;
END
$$;
