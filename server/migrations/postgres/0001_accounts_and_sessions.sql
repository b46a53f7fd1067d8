-- People who can sign in. The persona picks the shell they land in.
CREATE TABLE users (
    id                   TEXT PRIMARY KEY,
    username             TEXT NOT NULL UNIQUE,
    password_hash        TEXT NOT NULL,
    display_name         TEXT NOT NULL,
    persona              TEXT NOT NULL CHECK (persona IN ('resident', 'enterprise', 'official')),
    preferred_locale     TEXT NOT NULL CHECK (preferred_locale IN ('zh-CN', 'zh-HK', 'en')),
    prefers_elderly_mode BIGINT NOT NULL DEFAULT 0,
    department           TEXT,
    created_at           BIGINT NOT NULL
);

-- The enterprise register: what a business licence says.
CREATE TABLE enterprises (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    uscc TEXT NOT NULL UNIQUE
);

CREATE TABLE enterprise_members (
    enterprise_id TEXT NOT NULL REFERENCES enterprises (id),
    user_id       TEXT NOT NULL REFERENCES users (id),
    role          TEXT NOT NULL CHECK (role IN ('legal_representative', 'staff')),
    PRIMARY KEY (enterprise_id, user_id)
);

-- The register names exactly one legal representative; delegation approvals are routed to them.
CREATE UNIQUE INDEX enterprise_one_legal_representative
    ON enterprise_members (enterprise_id) WHERE role = 'legal_representative';

-- Only the SHA-256 of a session token is stored, so a copy of the database opens no session.
CREATE TABLE sessions (
    token_hash   BYTEA PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);

CREATE INDEX sessions_by_user ON sessions (user_id);
