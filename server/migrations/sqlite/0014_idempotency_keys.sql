-- The key a client sends with a new application or delegation request, the same on each try
-- of one submission: a try repeated because its answer was lost (a proxy's 502, a dropped
-- connection) finds what the first made instead of making it twice. Unique per person; a
-- request without one (NULL) is never taken for another.
ALTER TABLE applications ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX applications_by_idempotency_key
    ON applications (applicant_user_id, idempotency_key);

ALTER TABLE delegation_requests ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX delegation_requests_by_idempotency_key
    ON delegation_requests (requester_user_id, idempotency_key);
