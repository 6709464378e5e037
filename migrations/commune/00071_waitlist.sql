-- +goose Up
-- The waiting list of a full day (issue 14). A child waits for a place of
-- a prestation on a day (a forfait: its period's first day); the first in
-- line (lowest id) of a slot gets the next place that frees up: the entry
-- becomes 'offered' and takes that place at once in slot_counts (counted
-- on site_id, the child's school, like a hold), so nobody else can book
-- it; the family is emailed (mailed_at) and has until offered_until to
-- book it through the agenda and the cart. Booking it ('booked') turns
-- the offered place into the booking's own; an unused offer ('expired')
-- or a family leaving ('left') gives the place to the next in line.
CREATE TABLE waitlist (
    id            INTEGER PRIMARY KEY,
    family_id     INTEGER NOT NULL REFERENCES families(id) ON DELETE CASCADE,
    child_id      INTEGER NOT NULL REFERENCES children(id) ON DELETE CASCADE,
    prestation_id INTEGER NOT NULL REFERENCES prestations(id) ON DELETE CASCADE,
    regie_id      INTEGER NOT NULL REFERENCES regies(id),
    site_id       INTEGER NOT NULL DEFAULT 0,
    day           TEXT NOT NULL,
    state         TEXT NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'offered', 'booked', 'expired', 'left')),
    offered_at    TEXT,
    mailed_at     TEXT,
    offered_until TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX waitlist_one ON waitlist(child_id, prestation_id, day) WHERE state IN ('waiting', 'offered');
CREATE INDEX waitlist_slot ON waitlist(prestation_id, day, id) WHERE state IN ('waiting', 'offered');
CREATE INDEX waitlist_family ON waitlist(family_id, day);
CREATE INDEX waitlist_offers ON waitlist(offered_until) WHERE state = 'offered';

-- +goose Down
DROP TABLE waitlist;
