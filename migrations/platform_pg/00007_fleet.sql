-- +goose Up
-- PostgreSQL twin of platform/00007_fleet.sql (same version, same final schema;
-- migrations/README.md).
-- What fleet commands and background jobs need to know of each commune
-- without opening its file (issue 16), kept up to date as communes change:
-- the schema version last seen in the file, its size and a few counts
-- (refreshed when the file is created, migrated, closed or audited), and
-- why it cannot be served ('' while it is healthy).
ALTER TABLE communes ADD COLUMN schema_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE communes ADD COLUMN size_bytes     BIGINT NOT NULL DEFAULT 0;
ALTER TABLE communes ADD COLUMN families       BIGINT NOT NULL DEFAULT 0;
ALTER TABLE communes ADD COLUMN children       BIGINT NOT NULL DEFAULT 0;
ALTER TABLE communes ADD COLUMN stats_at       TEXT COLLATE "C"    NOT NULL DEFAULT '';
ALTER TABLE communes ADD COLUMN audited_at     TEXT COLLATE "C"    NOT NULL DEFAULT '';
ALTER TABLE communes ADD COLUMN broken         TEXT COLLATE "C"    NOT NULL DEFAULT '';
ALTER TABLE communes ADD COLUMN broken_at      TEXT COLLATE "C"    NOT NULL DEFAULT '';
-- Size and modification time of the file when this node last closed it
-- cleanly: a file found otherwise was touched elsewhere (a crash, a copy,
-- a restore) and is quick-checked when next opened.
ALTER TABLE communes ADD COLUMN file_stamp     TEXT COLLATE "C"    NOT NULL DEFAULT '';
CREATE INDEX communes_audited ON communes(audited_at);

-- Work waiting in a commune's file for a background job: mail in its
-- outbox, orders waiting for their payment provider, rows for the
-- housekeeping. A row is written before the commune's transaction that
-- creates the work commits, and removed by the job once the work is done,
-- so that start-up and periodic jobs open only the communes listed here.
-- due_at (UTC, "2006-01-02T15:04:05Z") is when the job should look next.
CREATE TABLE commune_work (
    commune_id BIGINT NOT NULL REFERENCES communes(id) ON DELETE CASCADE,
    kind       TEXT COLLATE "C"    NOT NULL CHECK (kind IN ('mail', 'orders', 'housekeeping')),
    due_at     TEXT COLLATE "C"    NOT NULL,
    PRIMARY KEY (commune_id, kind)
);
CREATE INDEX commune_work_due ON commune_work(kind, due_at);

-- +goose Down
DROP TABLE commune_work;
DROP INDEX communes_audited;
ALTER TABLE communes DROP COLUMN file_stamp;
ALTER TABLE communes DROP COLUMN broken_at;
ALTER TABLE communes DROP COLUMN broken;
ALTER TABLE communes DROP COLUMN audited_at;
ALTER TABLE communes DROP COLUMN stats_at;
ALTER TABLE communes DROP COLUMN children;
ALTER TABLE communes DROP COLUMN families;
ALTER TABLE communes DROP COLUMN size_bytes;
ALTER TABLE communes DROP COLUMN schema_version;
