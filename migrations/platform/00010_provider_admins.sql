-- +goose Up
-- The hosting provider's administrators (the console at /plateforme/).
-- email is normalised (trimmed, lower-cased). password_hash is '' until
-- the set-password link is used. totp_secret is the enrolled RFC 6238
-- secret (base32), '' until enrolment; totp_pending the secret being
-- enrolled. totp_last_step is the last accepted time step, so a code is
-- never accepted twice.
CREATE TABLE provider_admins (
    id             INTEGER PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE,
    password_hash  TEXT NOT NULL DEFAULT '',
    totp_secret    TEXT NOT NULL DEFAULT '',
    totp_pending   TEXT NOT NULL DEFAULT '',
    totp_last_step INTEGER NOT NULL DEFAULT 0,
    disabled       INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at     TEXT NOT NULL
);

-- One-time set-password links, stored hashed.
CREATE TABLE provider_tokens (
    token_hash TEXT PRIMARY KEY,
    admin_id   INTEGER NOT NULL REFERENCES provider_admins(id) ON DELETE CASCADE,
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX provider_tokens_admin ON provider_tokens(admin_id);

-- Console sessions, stored hashed. stage: 'password' (the password was
-- right, the second factor is still to come) or 'full'.
CREATE TABLE provider_sessions (
    token_hash   TEXT PRIMARY KEY,
    admin_id     INTEGER NOT NULL REFERENCES provider_admins(id) ON DELETE CASCADE,
    stage        TEXT NOT NULL CHECK (stage IN ('password', 'full')),
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX provider_sessions_admin ON provider_sessions(admin_id);

-- Recovery codes of the second factor, stored hashed, each usable once.
CREATE TABLE provider_recovery_codes (
    admin_id  INTEGER NOT NULL REFERENCES provider_admins(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   TEXT,
    PRIMARY KEY (admin_id, code_hash)
);

-- Every action of a provider administrator, shown in the console.
CREATE TABLE platform_audit (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    commune TEXT NOT NULL DEFAULT '',
    detail  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX platform_audit_at ON platform_audit(at);

-- +goose Down
DROP TABLE platform_audit;
DROP TABLE provider_recovery_codes;
DROP TABLE provider_sessions;
DROP TABLE provider_tokens;
DROP TABLE provider_admins;
