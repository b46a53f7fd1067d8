-- The resident ID number (or HKID) each person registered with: shown masked to the other
-- side of a delegation, so an approver can tell two people of the same name apart.
ALTER TABLE users ADD COLUMN id_number TEXT;

-- The household register, from each person's side: whom they may ask for authority.
-- Both directions are rows of their own (a mother's "child" is her child's "mother").
CREATE TABLE relatives (
    user_id          TEXT NOT NULL REFERENCES users (id),
    relative_user_id TEXT NOT NULL REFERENCES users (id),
    relation         TEXT NOT NULL CHECK (relation IN ('mother', 'father', 'spouse', 'child')),
    PRIMARY KEY (user_id, relative_user_id),
    CHECK (user_id <> relative_user_id)
);

-- A request for authority. The approver is resolved by the server from the registers when the
-- request is made (never named by the requester). Only the SHA-256 of the link's secret is
-- kept, so a copy of the database opens no link. A request past its link's lifetime is
-- "expired" by its age alone: the row stays, so a late use of the link is told 410, not 404.
CREATE TABLE delegation_requests (
    id                      TEXT PRIMARY KEY,
    kind                    TEXT NOT NULL CHECK (kind IN ('enterprise', 'family')),
    principal_enterprise_id TEXT REFERENCES enterprises (id),
    principal_user_id       TEXT REFERENCES users (id),
    requester_user_id       TEXT NOT NULL REFERENCES users (id),
    approver_user_id        TEXT NOT NULL REFERENCES users (id),
    -- Scope names, sorted and separated by single spaces.
    scopes                  TEXT NOT NULL,
    valid_from              TEXT NOT NULL,
    valid_until             TEXT NOT NULL,
    note                    TEXT NOT NULL,
    binding_code            TEXT NOT NULL,
    link_hash               BLOB NOT NULL UNIQUE,
    status                  TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'declined', 'cancelled')),
    created_at              INTEGER NOT NULL,
    decided_at              INTEGER,
    CHECK ((kind = 'enterprise') = (principal_enterprise_id IS NOT NULL)),
    CHECK ((principal_user_id IS NULL) <> (principal_enterprise_id IS NULL))
);

CREATE INDEX delegation_requests_by_requester ON delegation_requests (requester_user_id, created_at);
CREATE INDEX delegation_requests_by_approver ON delegation_requests (approver_user_id, status);

-- Authority given: a copy of exactly what the approver approved (scopes and dates are taken
-- from the version whose hash the passkey ceremony was bound to). One grant per request.
CREATE TABLE grants (
    id                      TEXT PRIMARY KEY,
    request_id              TEXT NOT NULL UNIQUE REFERENCES delegation_requests (id),
    kind                    TEXT NOT NULL CHECK (kind IN ('enterprise', 'family')),
    principal_enterprise_id TEXT REFERENCES enterprises (id),
    principal_user_id       TEXT REFERENCES users (id),
    grantee_user_id         TEXT NOT NULL REFERENCES users (id),
    approver_user_id        TEXT NOT NULL REFERENCES users (id),
    scopes                  TEXT NOT NULL,
    valid_from              TEXT NOT NULL,
    valid_until             TEXT NOT NULL,
    created_at              INTEGER NOT NULL,
    revoked_at              INTEGER,
    revoked_by_user_id      TEXT REFERENCES users (id),
    CHECK ((kind = 'enterprise') = (principal_enterprise_id IS NOT NULL)),
    CHECK ((principal_user_id IS NULL) <> (principal_enterprise_id IS NULL))
);

CREATE INDEX grants_by_grantee ON grants (grantee_user_id);
CREATE INDEX grants_by_approver ON grants (approver_user_id);
CREATE INDEX grants_by_principal_enterprise ON grants (principal_enterprise_id);
CREATE INDEX grants_by_principal_user ON grants (principal_user_id);

-- Every request, view of a link, decision, revocation and use of a grant. Append-only: the
-- server has no path that changes or deletes a row. Whom an entry concerns is kept with it
-- (the requester or grantee, and the approver), so each person's trail is one indexed query.
CREATE TABLE audit_log (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    at                INTEGER NOT NULL,
    actor_user_id     TEXT REFERENCES users (id),
    action            TEXT NOT NULL CHECK (action IN ('requested', 'link_viewed', 'approved', 'declined',
                                                      'cancelled', 'revoked', 'grant_used')),
    request_id        TEXT REFERENCES delegation_requests (id),
    grant_id          TEXT REFERENCES grants (id),
    requester_user_id TEXT REFERENCES users (id),
    approver_user_id  TEXT REFERENCES users (id),
    detail            TEXT NOT NULL DEFAULT ''
);

CREATE INDEX audit_log_by_actor ON audit_log (actor_user_id);
CREATE INDEX audit_log_by_requester ON audit_log (requester_user_id);
CREATE INDEX audit_log_by_approver ON audit_log (approver_user_id);
CREATE INDEX audit_log_by_grant ON audit_log (grant_id);
CREATE INDEX audit_log_by_request ON audit_log (request_id);

-- Append-only in the database too, so a bug (or a hand-written UPDATE) cannot rewrite history.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
