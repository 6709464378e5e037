-- +goose Up
-- Back office (issue 6). Times are UTC, fixed-width
-- "2006-01-02T15:04:05Z", comparable as text.

-- Staff sessions: the cookie "ef_staff" holds a random token; only its
-- SHA-256 is stored. A session ends after idle inactivity or at expires_at.
CREATE TABLE staff_sessions (
    token_hash   TEXT PRIMARY KEY,
    staff_id     INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX staff_sessions_staff ON staff_sessions(staff_id);

-- One-time set-password links of staff invitations, stored hashed.
CREATE TABLE staff_tokens (
    token_hash TEXT PRIMARY KEY,
    staff_id   INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX staff_tokens_staff ON staff_tokens(staff_id);

-- Failed staff log-ins per key ("email:…", "ip:…"), for rate limiting.
CREATE TABLE staff_login_failures (
    key          TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    window_start TEXT NOT NULL,
    locked_until TEXT
);

-- Attendance ("pointage"): one row per child, prestation and day.
-- unbooked marks a child present without a booking (majoration);
-- justified marks an absence covered by a medical certificate.
CREATE TABLE attendance (
    day           TEXT NOT NULL,
    prestation_id INTEGER NOT NULL REFERENCES prestations(id),
    child_id      INTEGER NOT NULL REFERENCES children(id) ON DELETE CASCADE,
    status        TEXT NOT NULL CHECK (status IN ('present', 'absent')),
    unbooked      INTEGER NOT NULL DEFAULT 0 CHECK (unbooked IN (0, 1)),
    justified     INTEGER NOT NULL DEFAULT 0 CHECK (justified IN (0, 1)),
    recorded_by   INTEGER REFERENCES staff(id) ON DELETE SET NULL,
    recorded_at   TEXT NOT NULL,
    PRIMARY KEY (day, prestation_id, child_id)
);

CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);

-- Majoration of a child present without a booking: a percentage of the
-- prestation's price, or a fixed amount in cents.
ALTER TABLE prestations ADD COLUMN surcharge_kind TEXT NOT NULL DEFAULT '' CHECK (surcharge_kind IN ('', 'percent', 'fixed'));
ALTER TABLE prestations ADD COLUMN surcharge_value INTEGER NOT NULL DEFAULT 0 CHECK (surcharge_value >= 0);

-- +goose Down
ALTER TABLE prestations DROP COLUMN surcharge_value;
ALTER TABLE prestations DROP COLUMN surcharge_kind;
DROP INDEX audit_log_entity;
DROP TABLE attendance;
DROP TABLE staff_login_failures;
DROP TABLE staff_tokens;
DROP TABLE staff_sessions;
