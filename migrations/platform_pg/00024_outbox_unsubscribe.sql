-- +goose Up
-- PostgreSQL twin of platform/00024_outbox_unsubscribe.sql (same version, same final schema;
-- migrations/README.md).
-- The same column as the communes' outboxes (commune migration 00061), so
-- that both outboxes keep one definition: a notification's one-click
-- unsubscribe URL (RFC 8058), '' for other emails.
ALTER TABLE outbox ADD COLUMN unsubscribe_url TEXT COLLATE "C" NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE outbox DROP COLUMN unsubscribe_url;
