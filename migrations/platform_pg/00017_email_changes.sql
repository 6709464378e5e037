-- +goose Up
-- PostgreSQL twin of platform/00017_email_changes.sql (same version, same final schema;
-- migrations/README.md).
-- A parent's request to change the log-in address (Mon compte): the new
-- address gets a one-time link (token stored hashed, app/auth); the
-- account's email changes only when the link is followed. The link belongs
-- to the platform, not to a commune: any commune the parent uses opens it.
CREATE TABLE email_changes (
    token_hash TEXT COLLATE "C" PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    new_email  TEXT COLLATE "C" NOT NULL,
    expires_at TEXT COLLATE "C" NOT NULL,
    used_at    TEXT COLLATE "C",
    created_at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX email_changes_account ON email_changes(account_id);

-- +goose Down
DROP TABLE email_changes;
