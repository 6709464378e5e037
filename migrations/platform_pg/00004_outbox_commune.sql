-- +goose Up
-- PostgreSQL twin of platform/00004_outbox_commune.sql (same version, same final schema;
-- migrations/README.md).
-- The commune a platform email belongs to (an account's confirmation or
-- password reset asked from that commune's pages), so that a commune's
-- demo mailbox shows its own mail only. '' for rows written before.
-- The communes' outboxes get the same column (commune migration 00020),
-- so that both outboxes keep one definition.
ALTER TABLE outbox ADD COLUMN commune TEXT COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX outbox_commune ON outbox(commune, id);

-- +goose Down
DROP INDEX outbox_commune;
ALTER TABLE outbox DROP COLUMN commune;
