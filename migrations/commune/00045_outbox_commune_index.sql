-- +goose Up
-- The platform's outbox has this index (platform migration 00004); the
-- communes' outboxes get it too, so that both stores keep one definition of
-- the outbox, which app/mail reads and writes in either.
-- TestBothOutboxesHaveOneDefinition compares the two schemas.
CREATE INDEX outbox_commune ON outbox(commune, id);

-- +goose Down
DROP INDEX outbox_commune;
