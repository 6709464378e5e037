-- +goose Up
-- holds_child_day duplicated what holds_one (child_id, prestation_id, day,
-- for held demandes) already gives the two queries on a child's holds
-- (booking's "already held" check and the cart's prefetch, both on held
-- demandes): the child's few holds are found by holds_one and filtered by
-- day. Every held meal wrote this index twice (held at "Valider", deleted
-- at payment) inside the commune's one writer (issue 10).
DROP INDEX holds_child_day;

-- +goose Down
CREATE INDEX holds_child_day ON holds(child_id, day);
