-- +goose Up
-- Schools and classes a prestation is offered to (issue 6): a
-- comma-separated list of schools.id, and one of class names (compared
-- without case); '' means every school, every class.
ALTER TABLE prestations ADD COLUMN allowed_schools TEXT NOT NULL DEFAULT '';
ALTER TABLE prestations ADD COLUMN allowed_classes TEXT NOT NULL DEFAULT '';

-- Family import previews (back office): the uploaded file is kept until
-- the administrator confirms it or it expires, so that a preview survives
-- a restart of the server. Nothing of the file is applied before then.
CREATE TABLE import_previews (
    id         TEXT PRIMARY KEY,
    staff_id   INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    filename   TEXT NOT NULL,
    data       BLOB NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- +goose Down
DROP TABLE import_previews;
ALTER TABLE prestations DROP COLUMN allowed_classes;
ALTER TABLE prestations DROP COLUMN allowed_schools;
