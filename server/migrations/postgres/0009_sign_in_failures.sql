-- Wrong passwords, counted per username so that guessing at one account stops after a few
-- tries on every instance alike. The username is kept only as its SHA-256: people type their
-- password into the username field now and then, and unknown names count too (so a refusal
-- says nothing about whether the account exists).
CREATE TABLE sign_in_failures (
    username_hash BYTEA NOT NULL,
    at            BIGINT NOT NULL
);

CREATE INDEX sign_in_failures_by_username ON sign_in_failures (username_hash, at);
CREATE INDEX sign_in_failures_by_time ON sign_in_failures (at);
