-- E-licences. A licence is held by a person or by an enterprise, never both.
CREATE TABLE licences (
    id                   TEXT PRIMARY KEY,
    licence_type         TEXT NOT NULL,
    holder_user_id       TEXT REFERENCES users (id),
    holder_enterprise_id TEXT REFERENCES enterprises (id),
    holder_name          TEXT NOT NULL,
    number               TEXT NOT NULL,
    -- JSON array of {key, value, sensitive}: the card face, in the order it is printed.
    fields               TEXT NOT NULL,
    issued_on            TEXT NOT NULL,
    valid_until          TEXT,
    issuing_authority    TEXT NOT NULL,
    revoked_at           BIGINT,
    CHECK ((holder_user_id IS NULL) <> (holder_enterprise_id IS NULL))
);

CREATE INDEX licences_by_user ON licences (holder_user_id);
CREATE INDEX licences_by_enterprise ON licences (holder_enterprise_id);

-- Keys that sign presentation tokens. Verifiers trust the public halves; the newest
-- unretired key signs. (A deployment would keep the secret half in an HSM or KMS.)
CREATE TABLE issuer_keys (
    key_id     TEXT PRIMARY KEY,
    public_key BYTEA NOT NULL,
    secret_key BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    retired_at BIGINT
);

-- Every online check of a presented code. The first check of a nonce is the one that counts;
-- any later one is kept too, marked as a replay, so the holder sees it.
CREATE TABLE verifications (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    licence_id       TEXT NOT NULL REFERENCES licences (id),
    nonce            BYTEA NOT NULL,
    verifier_user_id TEXT REFERENCES users (id),
    place            TEXT,
    verified_at      BIGINT NOT NULL,
    replay           BIGINT NOT NULL DEFAULT 0
);

CREATE UNIQUE INDEX verifications_first_use ON verifications (nonce) WHERE replay = 0;
CREATE INDEX verifications_by_licence ON verifications (licence_id, verified_at);
