-- +goose Up
-- Commune staff: administrators configure, agents read lists and take
-- attendance. Per commune; password hashed with bcrypt.
CREATE TABLE staff (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL CHECK (role IN ('admin', 'agent')),
    password_hash TEXT NOT NULL DEFAULT '',
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    TEXT NOT NULL
);

-- +goose Down
DROP TABLE staff;
