-- +goose Up
-- Shared custody (issue 14). A child stays in its family (children.family_id,
-- "le foyer principal"); a second household (the other guardian's own family,
-- with its own account, quotient familial, cart, orders, invoices and credits)
-- is linked to the child here, by the mairie or by the invitation the first
-- guardian sends. Written by app/families.
CREATE TABLE child_households (
    child_id  INTEGER NOT NULL REFERENCES children(id) ON DELETE CASCADE,
    family_id INTEGER NOT NULL REFERENCES families(id) ON DELETE CASCADE,
    linked_at TEXT NOT NULL,
    PRIMARY KEY (child_id, family_id)
) WITHOUT ROWID;
CREATE INDEX child_households_family ON child_households(family_id);

-- The custody calendar of a shared child: which household books and pays
-- each day. An alternation gives even and odd ISO weeks (Monday to Sunday)
-- to one household each; explicit periods (holidays, arrangements) win over
-- it. Without either, the foyer principal books every day. Written by
-- app/custody.
CREATE TABLE custody_alternations (
    child_id       INTEGER PRIMARY KEY REFERENCES children(id) ON DELETE CASCADE,
    even_family_id INTEGER NOT NULL REFERENCES families(id) ON DELETE CASCADE,
    odd_family_id  INTEGER NOT NULL REFERENCES families(id) ON DELETE CASCADE,
    updated_at     TEXT NOT NULL
);

CREATE TABLE custody_periods (
    id         INTEGER PRIMARY KEY,
    child_id   INTEGER NOT NULL REFERENCES children(id) ON DELETE CASCADE,
    family_id  INTEGER NOT NULL REFERENCES families(id) ON DELETE CASCADE,
    first_day  TEXT NOT NULL,
    last_day   TEXT NOT NULL CHECK (last_day >= first_day),
    created_at TEXT NOT NULL
);
CREATE INDEX custody_periods_child ON custody_periods(child_id, first_day);

-- +goose Down
DROP TABLE custody_periods;
DROP TABLE custody_alternations;
DROP TABLE child_households;
