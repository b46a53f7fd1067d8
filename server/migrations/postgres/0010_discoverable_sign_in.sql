-- Signing in with a passkey no longer starts from a username: the phone offers the passkeys it
-- holds for Kapok and says whose the chosen one is. So a sign-in ceremony belongs to nobody
-- until it is answered, and every other ceremony still belongs to the account that began it.
-- Ceremonies live five minutes; sign-in ceremonies begun before this change are dropped.
DELETE FROM webauthn_ceremonies WHERE kind = 'sign_in';

ALTER TABLE webauthn_ceremonies ALTER COLUMN user_id DROP NOT NULL;

ALTER TABLE webauthn_ceremonies
    ADD CONSTRAINT webauthn_ceremonies_owner CHECK ((kind = 'sign_in') = (user_id IS NULL));

CREATE INDEX webauthn_ceremonies_by_expiry ON webauthn_ceremonies (expires_at);
