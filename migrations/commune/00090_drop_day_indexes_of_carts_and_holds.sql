-- +goose Up
-- Two indexes that every meal of the deadline rush wrote twice (issue 10:
-- a meal written at the Vue Période, held at "Valider", booked at the
-- payment, each inside the commune's one writer) and that no hot query
-- needs:
--   - cart_lines_child_day: a child's cart lines over some days are found
--     by the UNIQUE (child_id, prestation_id, day, action) index on its
--     child_id (a cart holds a few weeks of a child's demandes at most);
--   - holds_day: holds live only while their order waits for its payment,
--     so the closure of a day (releaseClosedHolds, PendingOrdersOn) and
--     the reminder's children booked between two days read them all;
--     a child's holds are found by holds_one.
-- The query plans were checked with EXPLAIN QUERY PLAN.
DROP INDEX cart_lines_child_day;
DROP INDEX holds_day;

-- +goose Down
CREATE INDEX holds_day ON holds(day);
CREATE INDEX cart_lines_child_day ON cart_lines(child_id, day);
