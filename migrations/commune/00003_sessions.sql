-- +goose Up
-- Parents' sessions in this commune (accounts live in the platform
-- database). The cookie holds a random token; only its hash is stored.
-- Times are UTC, fixed-width, comparable as text.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    account_id   INTEGER NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX sessions_account ON sessions(account_id);
CREATE INDEX sessions_expires ON sessions(expires_at);

-- The link between a platform account and a family of this commune, made
-- by an adhesion code.
CREATE TABLE family_accounts (
    family_id  INTEGER NOT NULL REFERENCES families(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL,
    code_id    INTEGER REFERENCES adhesion_codes(id) ON DELETE SET NULL,
    linked_at  TEXT NOT NULL,
    PRIMARY KEY (family_id, account_id)
);
CREATE INDEX family_accounts_account ON family_accounts(account_id);

-- +goose Down
DROP TABLE family_accounts;
DROP TABLE sessions;
