-- +goose Up
-- The child's record ("fiche de renseignements"), completed by a parent and
-- validated by the mairie (app/records). One row per version: at most one
-- 'pending' change per child; the newest 'validated' row is the record in
-- force (an older one becomes 'replaced'); a refused change stays as
-- history with its reason. Health is yes/no only (CNIL guidance on school
-- catering: never a diagnosis, no free-text medical field). The PAI flag
-- itself stays children.pai (one source of truth): validating a change
-- writes it there; pai_until is the validity date of the PAI document.
-- pickups and emergency are JSON arrays of {name, phone, relationship}.
CREATE TABLE child_records (
    id           INTEGER PRIMARY KEY,
    child_id     INTEGER NOT NULL REFERENCES children(id) ON DELETE CASCADE,
    family_id    INTEGER NOT NULL REFERENCES families(id) ON DELETE CASCADE,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'validated', 'refused', 'replaced')),
    allergies    INTEGER NOT NULL CHECK (allergies IN (0, 1)),
    pai          INTEGER NOT NULL CHECK (pai IN (0, 1)),
    pai_until    TEXT,
    doctor_name  TEXT NOT NULL DEFAULT '',
    doctor_phone TEXT NOT NULL DEFAULT '',
    pickups      TEXT NOT NULL DEFAULT '[]',
    emergency    TEXT NOT NULL DEFAULT '[]',
    image_rights INTEGER NOT NULL CHECK (image_rights IN (0, 1)),
    submitted_by TEXT NOT NULL DEFAULT '',
    submitted_at TEXT NOT NULL,
    decided_by   TEXT NOT NULL DEFAULT '',
    decided_at   TEXT,
    refusal      TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX child_records_one_pending ON child_records(child_id) WHERE status = 'pending';
CREATE INDEX child_records_child ON child_records(child_id, status);
CREATE INDEX child_records_status ON child_records(status, submitted_at);

-- +goose Down
DROP TABLE child_records;
