-- When the account's password was last changed (Unix seconds; 0: never since this column came).
-- A device cookie written before it no longer counts (device_cookie.rs): a browser that
-- signed in with the old password, an intruder's included, loses its own count of wrong
-- passwords, and shares the name's again.
ALTER TABLE users ADD COLUMN password_changed_at INTEGER NOT NULL DEFAULT 0;
