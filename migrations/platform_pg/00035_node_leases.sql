-- +goose Up
-- PostgreSQL twin of platform/00035: nodes that share this platform store
-- and the leases by which each commune file is written by one node at a
-- time (issue 15; see the SQLite file for the meaning of each column).
CREATE TABLE nodes (
    id         TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    url        TEXT COLLATE "C" NOT NULL,
    started_at TEXT COLLATE "C" NOT NULL,
    seen_at    TEXT COLLATE "C" NOT NULL
);

CREATE TABLE leases (
    name        TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    node        TEXT COLLATE "C" NOT NULL,
    epoch       BIGINT NOT NULL,
    expires_at  TEXT COLLATE "C" NOT NULL,
    move_to     TEXT COLLATE "C" NOT NULL DEFAULT '',
    ready_epoch BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX leases_node ON leases(node);

CREATE TABLE lease_grants (
    name       TEXT COLLATE "C" NOT NULL,
    epoch      BIGINT NOT NULL,
    node       TEXT COLLATE "C" NOT NULL,
    granted_at TEXT COLLATE "C" NOT NULL,
    reason     TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (name, epoch)
);

-- +goose Down
DROP TABLE lease_grants;
DROP TABLE leases;
DROP TABLE nodes;
