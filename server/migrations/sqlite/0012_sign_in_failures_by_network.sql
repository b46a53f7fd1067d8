-- Wrong passwords at sign-in are also counted per network (an IPv4 address, or an IPv6 /64),
-- so that a script trying a password or two on each of many accounts from one place stops
-- too. The network is kept only as its SHA-256 (which hides an IPv4 address from a glance,
-- not from someone trying all 2^32), and the row goes with the first wrong password anyone
-- types after its 15 minutes. A wrong password typed to confirm who is at a signed-in device
-- (adding a passkey, changing the password) has no network: it counts for its account only.
ALTER TABLE sign_in_failures ADD COLUMN network_hash BLOB;

CREATE INDEX sign_in_failures_by_network ON sign_in_failures (network_hash, at);
