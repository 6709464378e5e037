-- +goose Up
-- The lease epochs under which nodes wrote this file (issue 15): a node
-- that is granted the commune's lease adds its row before its first
-- write, so the file itself tells which node last wrote it and under
-- which epoch (a node whose local copy is not the last epoch's restores
-- from the replica), and its history shows the epochs only grow.
CREATE TABLE node_epochs (
    epoch      INTEGER NOT NULL PRIMARY KEY,
    node       TEXT    NOT NULL,
    granted_at TEXT    NOT NULL
);

-- +goose Down
DROP TABLE node_epochs;
