-- The policy library: support measures for companies. Titles and summaries are written by hand
-- in each locale (never machine-converted from one Chinese script to the other), so each has a
-- column of its own.
CREATE TABLE policies (
    id                   TEXT PRIMARY KEY,
    title_zh_cn          TEXT NOT NULL,
    title_zh_hk          TEXT NOT NULL,
    title_en             TEXT NOT NULL,
    summary_zh_cn        TEXT NOT NULL,
    summary_zh_hk        TEXT NOT NULL,
    summary_en           TEXT NOT NULL,
    -- Who issued it, in its own words (e.g. 广州市人力资源和社会保障局).
    issuer               TEXT NOT NULL,
    -- YYYY-MM-DD, in China Standard Time.
    published_on         TEXT NOT NULL,
    -- The official who published it in Kapok; NULL for the policies the library started with.
    published_by_user_id TEXT REFERENCES users (id),
    -- The six texts above, lower-cased and separated by line breaks, written with them: a search
    -- word must appear in one of them, and lower-casing both sides in Rust folds every script's
    -- case alike (the databases' lower() differ outside ASCII).
    search_text          TEXT NOT NULL,
    created_at           BIGINT NOT NULL,
    -- Insertion order, as SQLite's rowid: the library breaks ties between equal dates on it.
    rowid                BIGINT GENERATED ALWAYS AS IDENTITY
);

CREATE INDEX policies_newest ON policies (published_on, created_at);

-- The tags a policy carries (the contract's PolicyTag wire names): at least one level tag,
-- any number of the others.
CREATE TABLE policy_tags (
    policy_id TEXT NOT NULL REFERENCES policies (id),
    tag       TEXT NOT NULL CHECK (tag IN ('national', 'provincial', 'city',
                                           'catering', 'retail', 'technology', 'manufacturing',
                                           'founding', 'first_hire', 'expansion', 'export')),
    PRIMARY KEY (policy_id, tag)
);

CREATE INDEX policy_tags_by_tag ON policy_tags (tag, policy_id);

-- The tags a company follows. They belong to the company (the tenant), not to the person who
-- chose them: its legal representative and staff with the policies scope keep one list, and a
-- new policy with any of its tags reaches every one of its members.
CREATE TABLE policy_subscriptions (
    enterprise_id TEXT NOT NULL REFERENCES enterprises (id),
    tag           TEXT NOT NULL CHECK (tag IN ('national', 'provincial', 'city',
                                               'catering', 'retail', 'technology', 'manufacturing',
                                               'founding', 'first_hire', 'expansion', 'export')),
    PRIMARY KEY (enterprise_id, tag)
);

CREATE INDEX policy_subscriptions_by_tag ON policy_subscriptions (tag, enterprise_id);
