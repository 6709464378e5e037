-- +goose Up
-- The one-click unsubscribe URL of a notification email (RFC 8058): the
-- sender writes it in the List-Unsubscribe header, with
-- List-Unsubscribe-Post. '' for an email that is not a notification.
-- The platform's outbox gets the same column (platform migration 00024).
ALTER TABLE outbox ADD COLUMN unsubscribe_url TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE outbox DROP COLUMN unsubscribe_url;
