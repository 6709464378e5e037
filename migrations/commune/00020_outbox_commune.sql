-- +goose Up
-- The same column as the platform's outbox (platform migration 00004), so
-- that both outboxes keep one definition: the commune an email belongs to.
-- In a commune's own file every row is that commune's; '' is accepted.
ALTER TABLE outbox ADD COLUMN commune TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE outbox DROP COLUMN commune;
