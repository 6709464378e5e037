-- +goose Up
-- Absences declared by a family ("Absent(e) aujourd'hui / demain",
-- app/absences). One row per reservation the absence cancelled; the rank
-- of the day in the child's absence (consecutive booked days) decides the
-- jours de carence. billable = 1: the day stays due (a jour de carence,
-- or no medical certificate where the commune requires one): a post-paid
-- régie still invoices it; credit_cents is the avoir issued (prepaid).
CREATE TABLE absence_certificates (
    id           INTEGER PRIMARY KEY,
    family_id    INTEGER NOT NULL REFERENCES families(id) ON DELETE CASCADE,
    content_type TEXT NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    size         INTEGER NOT NULL CHECK (size > 0),
    data         BLOB NOT NULL,
    uploaded_at  TEXT NOT NULL
);
CREATE INDEX absence_certificates_family ON absence_certificates(family_id);

CREATE TABLE absences (
    id             INTEGER PRIMARY KEY,
    family_id      INTEGER NOT NULL REFERENCES families(id) ON DELETE CASCADE,
    child_id       INTEGER NOT NULL REFERENCES children(id) ON DELETE CASCADE,
    reservation_id INTEGER NOT NULL UNIQUE REFERENCES reservations(id),
    prestation_id  INTEGER NOT NULL REFERENCES prestations(id),
    regie_id       INTEGER NOT NULL REFERENCES regies(id),
    day            TEXT NOT NULL,
    rank           INTEGER NOT NULL CHECK (rank >= 1),
    billable       INTEGER NOT NULL CHECK (billable IN (0, 1)),
    credit_cents   INTEGER NOT NULL DEFAULT 0 CHECK (credit_cents >= 0),
    certificate_id INTEGER REFERENCES absence_certificates(id) ON DELETE SET NULL,
    declared_by    TEXT NOT NULL DEFAULT '',
    declared_at    TEXT NOT NULL
);
CREATE INDEX absences_child_day ON absences(child_id, day);
CREATE INDEX absences_day ON absences(day, prestation_id);

-- +goose Down
DROP TABLE absences;
DROP TABLE absence_certificates;
