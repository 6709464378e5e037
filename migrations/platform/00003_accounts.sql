-- +goose Up
-- Parents' accounts: one identity for the whole platform, whatever the
-- communes their children use. email is normalised (trimmed, lower-cased).
-- Times are UTC, fixed-width "2006-01-02T15:04:05.000000000Z" so that they
-- compare as text. password_changed_at is the session epoch: a session
-- opened before it is over, in every commune.
CREATE TABLE accounts (
    id                  INTEGER PRIMARY KEY,
    email               TEXT NOT NULL UNIQUE,
    password_hash       TEXT NOT NULL,
    civility            TEXT NOT NULL DEFAULT '',
    last_name           TEXT NOT NULL,
    first_name          TEXT NOT NULL,
    phone               TEXT NOT NULL DEFAULT '',
    address             TEXT NOT NULL DEFAULT '',
    postal_code         TEXT NOT NULL DEFAULT '',
    city                TEXT NOT NULL DEFAULT '',
    consent_invoices    INTEGER NOT NULL DEFAULT 0 CHECK (consent_invoices IN (0, 1)),
    consent_family      INTEGER NOT NULL DEFAULT 0 CHECK (consent_family IN (0, 1)),
    email_confirmed_at  TEXT,
    password_changed_at TEXT NOT NULL,
    created_at          TEXT NOT NULL
);

-- The communes an account has an adhesion in (the "adhésion" window).
CREATE TABLE memberships (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    commune_id INTEGER NOT NULL REFERENCES communes(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (account_id, commune_id)
);
CREATE INDEX memberships_commune ON memberships(commune_id);

-- One-time tokens sent by email (address confirmation, password reset),
-- stored hashed.
CREATE TABLE account_tokens (
    token_hash TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('confirm', 'reset')),
    commune_id INTEGER REFERENCES communes(id) ON DELETE SET NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX account_tokens_account ON account_tokens(account_id, purpose);

-- Failure counters for rate limiting (log-in, adhesion codes, reset mails),
-- keyed by what is limited: "login:email:…", "code:ip:…".
CREATE TABLE throttles (
    key          TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL DEFAULT 0,
    window_start TEXT NOT NULL,
    locked_until TEXT NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE throttles;
DROP TABLE account_tokens;
DROP TABLE memberships;
DROP TABLE accounts;
