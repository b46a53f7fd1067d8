-- Signing in with a passkey no longer starts from a username: the phone offers the passkeys it
-- holds for Kapok and says whose the chosen one is. So a sign-in ceremony belongs to nobody
-- until it is answered, and every other ceremony still belongs to the account that began it.
-- SQLite cannot drop NOT NULL in place, so the table is made again; ceremonies live five
-- minutes, and any begun before this change are dropped with the old table.
DROP TABLE webauthn_ceremonies;

CREATE TABLE webauthn_ceremonies (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('register', 'sign_in', 'approve')),
    user_id      TEXT REFERENCES users (id) ON DELETE CASCADE,
    subject      TEXT,
    subject_hash BLOB,
    state        TEXT NOT NULL,
    expires_at   INTEGER NOT NULL,
    CHECK ((kind = 'sign_in') = (user_id IS NULL))
);

CREATE INDEX webauthn_ceremonies_by_expiry ON webauthn_ceremonies (expires_at);
