-- +goose Up
-- A family's calendar feed ("Ajouter à mon agenda"): a secret URL whose
-- token is stored hashed (app/auth). One per family; revoking deletes it,
-- a new link replaces it.
CREATE TABLE family_feeds (
    family_id  INTEGER PRIMARY KEY REFERENCES families(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

-- +goose Down
DROP TABLE family_feeds;
