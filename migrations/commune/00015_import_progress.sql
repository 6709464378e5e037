-- +goose Up
-- A confirmed families import is applied in batches of families, each its
-- own transaction; the preview row records how far it got, so that an
-- import stopped by a restart resumes where it stopped, once.
ALTER TABLE import_previews ADD COLUMN applied_groups INTEGER NOT NULL DEFAULT 0;
ALTER TABLE import_previews ADD COLUMN total_groups INTEGER NOT NULL DEFAULT 0;
ALTER TABLE import_previews ADD COLUMN summary TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE import_previews DROP COLUMN summary;
ALTER TABLE import_previews DROP COLUMN total_groups;
ALTER TABLE import_previews DROP COLUMN applied_groups;
