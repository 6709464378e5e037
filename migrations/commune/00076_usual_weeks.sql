-- +goose Up
-- "Ma semaine habituelle" (issue 14): the days a household usually books
-- for a child, per prestation. parity 'all' is every week; 'even' and 'odd'
-- are the two weeks of an alternating custody (ISO week numbers). weekdays
-- is a bit set like prestations.weekdays (Monday = bit 0). A shared child
-- has one usual week per household. Written by app/booking.
CREATE TABLE usual_weeks (
    family_id     INTEGER NOT NULL REFERENCES families(id) ON DELETE CASCADE,
    child_id      INTEGER NOT NULL REFERENCES children(id) ON DELETE CASCADE,
    prestation_id INTEGER NOT NULL REFERENCES prestations(id) ON DELETE CASCADE,
    parity        TEXT NOT NULL CHECK (parity IN ('all', 'even', 'odd')),
    weekdays      INTEGER NOT NULL CHECK (weekdays BETWEEN 1 AND 127),
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (family_id, child_id, prestation_id, parity)
) WITHOUT ROWID;
CREATE INDEX usual_weeks_child ON usual_weeks(child_id);

-- +goose Down
DROP TABLE usual_weeks;
