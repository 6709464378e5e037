-- +goose Up
-- A day closed while an order waits for its payment (a closure of the
-- whole commune, or of the held prestation or the child's school): the
-- closure wins. Creating the closure releases the held place at once
-- (closed_at set, the place given back in slot_counts); when the order is
-- paid, that line is not booked and its amount becomes credit.
ALTER TABLE holds ADD COLUMN closed_at TEXT;

-- A released hold no longer takes the child's day: the day may be held
-- again once the closure is lifted.
DROP INDEX holds_one;
DROP INDEX holds_group;
CREATE UNIQUE INDEX holds_one ON holds(child_id, prestation_id, day) WHERE action = 'add' AND closed_at IS NULL;
CREATE UNIQUE INDEX holds_group ON holds(child_id, exclusive_group, day) WHERE action = 'add' AND exclusive_group <> '' AND closed_at IS NULL;
CREATE INDEX holds_day ON holds(day);

-- +goose Down
DROP INDEX holds_day;
DROP INDEX holds_group;
DROP INDEX holds_one;
DELETE FROM holds WHERE closed_at IS NOT NULL;
CREATE UNIQUE INDEX holds_one ON holds(child_id, prestation_id, day) WHERE action = 'add';
CREATE UNIQUE INDEX holds_group ON holds(child_id, exclusive_group, day) WHERE action = 'add' AND exclusive_group <> '';
ALTER TABLE holds DROP COLUMN closed_at;
