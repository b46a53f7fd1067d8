-- The user handle WebAuthn stores with a passkey: random, so it reveals nothing about the account.
ALTER TABLE users ADD COLUMN webauthn_id TEXT;
CREATE UNIQUE INDEX users_by_webauthn_id ON users (webauthn_id);

-- A credential id belongs to one account only (WebAuthn §7.1 step 22).
CREATE TABLE passkeys (
    credential_id TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    label         TEXT NOT NULL,
    -- webauthn-rs's Passkey as JSON: the public key and the signature counter, no secret.
    passkey       TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT
);

CREATE INDEX passkeys_by_user ON passkeys (user_id);

-- A started WebAuthn ceremony. Its state never leaves the server, and it is deleted on first
-- use, so an answer cannot be replayed. An approval also records which request, and the hash
-- of that request as it was shown, so a request changed in between cannot be approved.
CREATE TABLE webauthn_ceremonies (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('register', 'sign_in', 'approve')),
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    subject      TEXT,
    subject_hash BYTEA,
    state        TEXT NOT NULL,
    expires_at   BIGINT NOT NULL
);
