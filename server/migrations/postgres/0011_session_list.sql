-- Each session as its owner sees it in the list of devices signed in: an id to end it by (the
-- token's hash never leaves the server), the browser and system it was opened in (named from
-- the User-Agent at sign-in, not the header itself) and how its owner signed in.
ALTER TABLE sessions ADD COLUMN id TEXT;
ALTER TABLE sessions ADD COLUMN device TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN signed_in_with TEXT NOT NULL DEFAULT 'password'
    CHECK (signed_in_with IN ('password', 'passkey'));

UPDATE sessions SET id = md5(random()::text || encode(token_hash, 'hex'));
ALTER TABLE sessions ALTER COLUMN id SET NOT NULL;

CREATE UNIQUE INDEX sessions_by_id ON sessions (id);
