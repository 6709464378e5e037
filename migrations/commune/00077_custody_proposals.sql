-- +goose Up
-- A custody calendar agreed by both parents (issue 14): one household
-- proposes an alternation (which household keeps the even ISO weeks) or a
-- period; the other household accepts it (it then becomes the calendar,
-- as if the mairie had set it) or refuses it. Written by app/custody.
CREATE TABLE custody_proposals (
    id             INTEGER PRIMARY KEY,
    child_id       INTEGER NOT NULL REFERENCES children(id) ON DELETE CASCADE,
    proposed_by    INTEGER NOT NULL REFERENCES families(id) ON DELETE CASCADE,
    kind           TEXT NOT NULL CHECK (kind IN ('alternation', 'period')),
    even_family_id INTEGER REFERENCES families(id) ON DELETE CASCADE, -- alternation: the household of even weeks
    family_id      INTEGER REFERENCES families(id) ON DELETE CASCADE, -- period: the household that keeps it
    first_day      TEXT,
    last_day       TEXT,
    status         TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'refused', 'withdrawn')),
    created_at     TEXT NOT NULL,
    decided_at     TEXT
);
CREATE INDEX custody_proposals_child ON custody_proposals(child_id, status);

-- +goose Down
DROP TABLE custody_proposals;
