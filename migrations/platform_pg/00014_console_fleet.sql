-- +goose Up
-- PostgreSQL twin of platform/00014_console_fleet.sql (same version, same final schema;
-- migrations/README.md).
-- Figures of the provider's console list kept in the registry (issue 12),
-- so that the list of 10,000 communes opens no file. bookings_7d counts
-- the reservations validated in the seven days before activity_at, when
-- it was read; last_activity_at is the commune's last write transaction
-- as this node saw it. Both are refreshed at most hourly while the commune
-- writes, when its handle closes, and by the daily audit (bookings only).
ALTER TABLE communes ADD COLUMN bookings_7d      BIGINT NOT NULL DEFAULT 0;
ALTER TABLE communes ADD COLUMN activity_at      TEXT COLLATE "C"    NOT NULL DEFAULT '';
ALTER TABLE communes ADD COLUMN last_activity_at TEXT COLLATE "C"    NOT NULL DEFAULT '';
-- The last failed migration of the commune's file ('' once it migrated):
-- the commune is in maintenance until it migrates.
ALTER TABLE communes ADD COLUMN migrate_error    TEXT COLLATE "C"    NOT NULL DEFAULT '';
ALTER TABLE communes ADD COLUMN migrate_error_at TEXT COLLATE "C"    NOT NULL DEFAULT '';
-- Archived communes (status 'suspended' too, so that no job visits them):
-- archived_at when it stopped being served, purge_at when its files, its
-- backups and this row are deleted (the retention), archive_path its
-- final backup, file_deleted_at when its live file was deleted (`commune
-- delete`; '' when only archived).
ALTER TABLE communes ADD COLUMN archived_at      TEXT COLLATE "C"    NOT NULL DEFAULT '';
ALTER TABLE communes ADD COLUMN purge_at         TEXT COLLATE "C"    NOT NULL DEFAULT '';
ALTER TABLE communes ADD COLUMN archive_path     TEXT COLLATE "C"    NOT NULL DEFAULT '';
ALTER TABLE communes ADD COLUMN file_deleted_at  TEXT COLLATE "C"    NOT NULL DEFAULT '';
CREATE INDEX communes_purge ON communes(purge_at) WHERE purge_at <> '';

-- RGPD: when an account was told it is linked to no commune any more and
-- will be deleted 30 days later unless it joins one ('' otherwise).
ALTER TABLE accounts ADD COLUMN orphaned_at TEXT COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX accounts_orphaned ON accounts(orphaned_at) WHERE orphaned_at <> '';

-- +goose Down
DROP INDEX accounts_orphaned;
ALTER TABLE accounts DROP COLUMN orphaned_at;
DROP INDEX communes_purge;
ALTER TABLE communes DROP COLUMN file_deleted_at;
ALTER TABLE communes DROP COLUMN archive_path;
ALTER TABLE communes DROP COLUMN purge_at;
ALTER TABLE communes DROP COLUMN archived_at;
ALTER TABLE communes DROP COLUMN migrate_error_at;
ALTER TABLE communes DROP COLUMN migrate_error;
ALTER TABLE communes DROP COLUMN last_activity_at;
ALTER TABLE communes DROP COLUMN activity_at;
ALTER TABLE communes DROP COLUMN bookings_7d;
