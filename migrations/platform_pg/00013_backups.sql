-- +goose Up
-- PostgreSQL twin of platform/00013_backups.sql (same version, same final schema;
-- migrations/README.md).
-- The last backup of each commune (target = its slug) and of the platform
-- database (target = ':platform'), written by the backup job and the
-- command line. A failed attempt keeps the last good backup's columns.
CREATE TABLE backups (
    target          TEXT COLLATE "C" PRIMARY KEY,
    attempted_at    TEXT COLLATE "C" NOT NULL,          -- last attempt (RFC 3339, UTC)
    error           TEXT COLLATE "C" NOT NULL DEFAULT '', -- '' when the last attempt succeeded
    ok_at           TEXT COLLATE "C" NOT NULL DEFAULT '', -- last successful backup
    covered_at      TEXT COLLATE "C" NOT NULL DEFAULT '', -- last time the last good backup was known current (backed up, or unchanged since)
    path            TEXT COLLATE "C" NOT NULL DEFAULT '', -- file of the last successful backup
    bytes           BIGINT NOT NULL DEFAULT 0,
    source_stamp    TEXT COLLATE "C" NOT NULL DEFAULT ''  -- size and mtime of the source files when it was taken
);

-- +goose Down
DROP TABLE backups;
