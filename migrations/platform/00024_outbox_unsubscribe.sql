-- +goose Up
-- The same column as the communes' outboxes (commune migration 00061), so
-- that both outboxes keep one definition: a notification's one-click
-- unsubscribe URL (RFC 8058), '' for other emails.
ALTER TABLE outbox ADD COLUMN unsubscribe_url TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE outbox DROP COLUMN unsubscribe_url;
