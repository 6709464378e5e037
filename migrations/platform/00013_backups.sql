-- +goose Up
-- The last backup of each commune (target = its slug) and of the platform
-- database (target = ':platform'), written by the backup job and the
-- command line. A failed attempt keeps the last good backup's columns.
CREATE TABLE backups (
    target          TEXT PRIMARY KEY,
    attempted_at    TEXT NOT NULL,          -- last attempt (RFC 3339, UTC)
    error           TEXT NOT NULL DEFAULT '', -- '' when the last attempt succeeded
    ok_at           TEXT NOT NULL DEFAULT '', -- last successful backup
    covered_at      TEXT NOT NULL DEFAULT '', -- last time the last good backup was known current (backed up, or unchanged since)
    path            TEXT NOT NULL DEFAULT '', -- file of the last successful backup
    bytes           INTEGER NOT NULL DEFAULT 0,
    source_stamp    TEXT NOT NULL DEFAULT ''  -- size and mtime of the source files when it was taken
);

-- +goose Down
DROP TABLE backups;
