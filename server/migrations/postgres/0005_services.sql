-- Applications for services. A person files for themself (enterprise_id NULL), or someone
-- files for a company: its legal representative, or staff under a grant with the
-- applications scope. The department is copied from the catalogue when the application is
-- made, so the officials' inbox is one indexed query.
CREATE TABLE applications (
    id                TEXT PRIMARY KEY,
    service           TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'accepted', 'under_review',
                                                      'approved', 'returned', 'rejected', 'issued')),
    department        TEXT NOT NULL CHECK (department IN ('market_regulation', 'service_centre')),
    applicant_user_id TEXT NOT NULL REFERENCES users (id),
    enterprise_id     TEXT REFERENCES enterprises (id),
    -- The form as the contract's ApplicationForm JSON (tagged by service).
    form              TEXT NOT NULL,
    -- 1, then 2 after a return and a new submission, and so on.
    round             BIGINT NOT NULL DEFAULT 1 CHECK (round >= 1),
    -- The official who claimed it; kept after the decision, cleared when it is sent again.
    handler_user_id   TEXT REFERENCES users (id),
    issued_licence_id TEXT REFERENCES licences (id),
    -- When the current round was sent: the inbox is worked oldest first.
    submitted_at      BIGINT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    -- Insertion order, as SQLite's rowid: the lists break ties between equal times on it.
    rowid             BIGINT GENERATED ALWAYS AS IDENTITY,
    CHECK (status <> 'under_review' OR handler_user_id IS NOT NULL),
    CHECK (status = 'issued' OR issued_licence_id IS NULL)
);

CREATE INDEX applications_by_applicant ON applications (applicant_user_id, created_at);
CREATE INDEX applications_by_enterprise ON applications (enterprise_id, created_at);
CREATE INDEX applications_inbox ON applications (department, status, submitted_at);

-- Each application's timeline: every step it took, by whom, in which round. Append-only,
-- like the audit log, so what an applicant was told cannot be rewritten later.
CREATE TABLE application_events (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id),
    status         TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'accepted', 'under_review',
                                                   'approved', 'returned', 'rejected', 'issued')),
    round          BIGINT NOT NULL,
    at             BIGINT NOT NULL,
    -- NULL for the system (acceptance, issuing).
    actor_user_id  TEXT REFERENCES users (id),
    -- The official's reason for a return or a rejection.
    reason         TEXT
);

CREATE INDEX application_events_by_application ON application_events (application_id, id);

CREATE TRIGGER application_events_no_update BEFORE UPDATE ON application_events
    FOR EACH ROW EXECUTE FUNCTION kapok_append_only('application_events is append-only');

CREATE TRIGGER application_events_no_delete BEFORE DELETE ON application_events
    FOR EACH ROW EXECUTE FUNCTION kapok_append_only('application_events is append-only');

-- One inbox for every persona. Kept on the server, so it survives sign-out and follows the
-- person to another device. A notice that must come at most once (a licence's expiry, a
-- grant's use on one day) carries a dedupe key; NULL keys are distinct.
CREATE TABLE notifications (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    -- The contract's NotificationKind JSON (tagged by kind).
    kind       TEXT NOT NULL,
    dedupe_key TEXT,
    at         BIGINT NOT NULL,
    read_at    BIGINT,
    -- Insertion order, as SQLite's rowid: the inbox breaks ties between equal times on it.
    rowid      BIGINT GENERATED ALWAYS AS IDENTITY
);

CREATE UNIQUE INDEX notifications_once ON notifications (user_id, dedupe_key);
CREATE INDEX notifications_by_user ON notifications (user_id, at);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;
