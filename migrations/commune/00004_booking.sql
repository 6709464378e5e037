-- +goose Up
-- Capacity of a prestation counts per day ('day') or per day and school
-- ('site': each school gets the full capacity).
ALTER TABLE prestations ADD COLUMN capacity_scope TEXT NOT NULL DEFAULT 'day'
    CHECK (capacity_scope IN ('day', 'site'));

-- Reservations: what the commune has confirmed for a child. A daily
-- prestation has one row per day; a forfait has one row per forfait period,
-- keyed by the period's first day (day = forfait_from), shown on every open
-- day up to forfait_until. price_cents is copied at booking time, so later
-- price changes never touch it. A cancelled row stays as history (and for
-- billing's credits); at most one validated row per child, prestation, day.
CREATE TABLE reservations (
    id               INTEGER PRIMARY KEY,
    family_id        INTEGER NOT NULL REFERENCES families(id),
    child_id         INTEGER NOT NULL REFERENCES children(id),
    prestation_id    INTEGER NOT NULL REFERENCES prestations(id),
    regie_id         INTEGER NOT NULL REFERENCES regies(id),
    site_id          INTEGER NOT NULL DEFAULT 0, -- the child's school at booking (0: none)
    day              TEXT NOT NULL,
    forfait_from     TEXT,
    forfait_until    TEXT,
    state            TEXT NOT NULL CHECK (state IN ('validated', 'cancelled')),
    price_cents      INTEGER NOT NULL CHECK (price_cents >= 0),
    order_ref        TEXT,  -- billing's order that paid or confirmed it
    cancel_order_ref TEXT,  -- billing's order that confirmed its cancellation
    created_at       TEXT NOT NULL,
    validated_at     TEXT NOT NULL,
    cancelled_at     TEXT
);
CREATE UNIQUE INDEX reservations_one_validated ON reservations(child_id, prestation_id, day) WHERE state = 'validated';
CREATE INDEX reservations_child_day ON reservations(child_id, day);
CREATE INDEX reservations_family_regie_day ON reservations(family_id, regie_id, day);
CREATE INDEX reservations_prestation_day ON reservations(prestation_id, day) WHERE state = 'validated';

-- Booked places per prestation, day (forfait: period's first day) and
-- site, maintained in the same transaction as every validation and
-- cancellation: capacity checks read one row instead of counting
-- thousands, and the writer's BEGIN IMMEDIATE serialises them.
CREATE TABLE slot_counts (
    prestation_id INTEGER NOT NULL REFERENCES prestations(id),
    day           TEXT NOT NULL,
    site_id       INTEGER NOT NULL DEFAULT 0,
    booked        INTEGER NOT NULL DEFAULT 0 CHECK (booked >= 0),
    PRIMARY KEY (prestation_id, day, site_id)
) WITHOUT ROWID;

-- The family's cart ("Mes réservations"), shared by every guardian and
-- device: demandes en cours (action 'add') and annulations en cours
-- (action 'cancel', reservation_id set). price_cents is positive; a
-- cancellation counts negative in totals.
CREATE TABLE cart_lines (
    id             INTEGER PRIMARY KEY,
    family_id      INTEGER NOT NULL REFERENCES families(id) ON DELETE CASCADE,
    regie_id       INTEGER NOT NULL REFERENCES regies(id),
    child_id       INTEGER NOT NULL REFERENCES children(id) ON DELETE CASCADE,
    prestation_id  INTEGER NOT NULL REFERENCES prestations(id) ON DELETE CASCADE,
    day            TEXT NOT NULL,
    forfait_from   TEXT,
    forfait_until  TEXT,
    action         TEXT NOT NULL CHECK (action IN ('add', 'cancel')),
    price_cents    INTEGER NOT NULL CHECK (price_cents >= 0),
    reservation_id INTEGER REFERENCES reservations(id) ON DELETE CASCADE,
    created_at     TEXT NOT NULL,
    UNIQUE (child_id, prestation_id, day, action)
);
CREATE INDEX cart_lines_family_regie ON cart_lines(family_id, regie_id);
CREATE INDEX cart_lines_child_day ON cart_lines(child_id, day);

-- +goose Down
DROP TABLE cart_lines;
DROP TABLE slot_counts;
DROP TABLE reservations;
ALTER TABLE prestations DROP COLUMN capacity_scope;
