-- +goose Up
CREATE TABLE communes (
    id          INTEGER PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    zone        TEXT NOT NULL DEFAULT 'B' CHECK (zone IN ('A', 'B', 'C', 'Corse')),
    node        TEXT NOT NULL DEFAULT '',
    admin_email TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);

CREATE TABLE commune_hosts (
    host       TEXT PRIMARY KEY,
    commune_id INTEGER NOT NULL REFERENCES communes(id) ON DELETE CASCADE
);
CREATE INDEX commune_hosts_commune ON commune_hosts(commune_id);

-- Installation-wide secrets (CSRF and signing keys), generated at first start.
CREATE TABLE secrets (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
);

-- +goose Down
DROP TABLE secrets;
DROP TABLE commune_hosts;
DROP TABLE communes;
