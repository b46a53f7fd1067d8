-- Wrong passwords are counted under a keyed hash (HMAC-SHA-256) of the username or the
-- network, with a random key made on first start and kept here, shared by every instance: a
-- row no longer gives away an IPv4 address (an unkeyed hash of one is undone by trying all
-- 2^32) or a name tried, to anyone who reads the table without the key.
CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY,
    value BYTEA NOT NULL
);

-- Counted under the unkeyed hash, they would never match again; they lasted 15 minutes.
DELETE FROM sign_in_failures;
