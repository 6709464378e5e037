-- +goose Up
-- Nodes that share this platform store (issue 15): each commune file is
-- written by exactly one node at a time, the holder of its lease.
--
-- nodes: every node's internal address (where the others forward the
-- requests of the communes it owns), refreshed with its leases.
CREATE TABLE nodes (
    id         TEXT NOT NULL PRIMARY KEY,
    url        TEXT NOT NULL,
    started_at TEXT NOT NULL,
    seen_at    TEXT NOT NULL
);

-- leases: one row per commune ('commune:<slug>') or platform-wide job
-- ('job:<name>'). node is the holder ('' once released); epoch grows by
-- one at every grant, so that a write carrying an older epoch is refused
-- (fencing); expires_at (UTC, tenants.TimeLayout) is renewed by the
-- holder every few seconds. move_to asks the holder to hand the commune
-- over to that node; ready_epoch is the epoch at which the holder has the
-- file in place and serves it.
CREATE TABLE leases (
    name        TEXT   NOT NULL PRIMARY KEY,
    node        TEXT   NOT NULL,
    epoch       BIGINT NOT NULL,
    expires_at  TEXT   NOT NULL,
    move_to     TEXT   NOT NULL DEFAULT '',
    ready_epoch BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX leases_node ON leases(node);

-- lease_grants: every grant, kept: one row per (name, epoch), so that no
-- epoch can ever be granted to two nodes, and the history of who wrote a
-- commune when can be read back (the rehearsal checks it).
CREATE TABLE lease_grants (
    name       TEXT   NOT NULL,
    epoch      BIGINT NOT NULL,
    node       TEXT   NOT NULL,
    granted_at TEXT   NOT NULL,
    reason     TEXT   NOT NULL,
    PRIMARY KEY (name, epoch)
);

-- +goose Down
DROP TABLE lease_grants;
DROP TABLE leases;
DROP TABLE nodes;
