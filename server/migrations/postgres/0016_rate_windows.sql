-- The rate limits that have no table of their own to count (link lookups, approval starts,
-- passkey sign-in starts, checks of codes by people not signed in): one fixed window for each
-- thing counted, in the database, so every instance on it counts together. A window that has
-- ended starts again at the next hit; ended ones are swept (`limits::RateLimiter`).
CREATE TABLE rate_windows (
    bucket TEXT PRIMARY KEY,
    ends_at BIGINT NOT NULL,
    hits BIGINT NOT NULL
);
CREATE INDEX rate_windows_by_end ON rate_windows (ends_at);
