-- +goose Up
-- Places held by a prepaid order between "Valider" and its payment.
-- "Valider" checks each demande once (capacity, exclusive group, deadlines,
-- not already booked) and holds it here for the life of the order: the
-- place is counted in slot_counts.booked at once (from now on "booked"
-- counts validated reservations and held places), so every later check,
-- by any path, sees it taken. A payment turns the order's holds into
-- validated reservations without checking again; an expired, abandoned,
-- refused or replaced order deletes its holds and gives the places back.
-- An annulation of the cart is held too (no place), so that the payment
-- settles exactly what the order listed.
CREATE TABLE holds (
    id             INTEGER PRIMARY KEY,
    order_ref      TEXT NOT NULL,              -- billing's order
    cart_line_id   INTEGER NOT NULL,           -- the cart line it came from (may be gone since)
    family_id      INTEGER NOT NULL REFERENCES families(id),
    regie_id       INTEGER NOT NULL REFERENCES regies(id),
    child_id       INTEGER NOT NULL REFERENCES children(id),
    prestation_id  INTEGER NOT NULL REFERENCES prestations(id),
    site_id        INTEGER NOT NULL DEFAULT 0, -- the child's school, as on the reservation
    day            TEXT NOT NULL,
    forfait_from   TEXT,
    forfait_until  TEXT,
    action         TEXT NOT NULL CHECK (action IN ('add', 'cancel')),
    price_cents    INTEGER NOT NULL CHECK (price_cents >= 0),
    reservation_id INTEGER,                    -- annulations: the reservation to cancel
    exclusive_group TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL
);
CREATE INDEX holds_order ON holds(order_ref);
-- One held place per child, prestation and day, and one per exclusive
-- group and day: two orders can never hold the same child's meal.
CREATE UNIQUE INDEX holds_one ON holds(child_id, prestation_id, day) WHERE action = 'add';
CREATE UNIQUE INDEX holds_group ON holds(child_id, exclusive_group, day) WHERE action = 'add' AND exclusive_group <> '';
CREATE INDEX holds_child_day ON holds(child_id, day);

-- Why a line of the cart could not be held at "Valider" ('' when held):
-- the order keeps it to show it before the payment page.
ALTER TABLE order_lines ADD COLUMN refusal TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE order_lines DROP COLUMN refusal;
DROP TABLE holds;
