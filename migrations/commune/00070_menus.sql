-- +goose Up
-- The canteen's menus (issue 14): one row per dish of a day, in the
-- order of the meal (course, then position). allergens is a bit set of
-- the 14 allergens of regulation (EU) 1169/2011, annex II (app/menus:
-- bit 0 = gluten … bit 13 = mollusques). A menu is information for
-- families, never a diagnosis.
CREATE TABLE menu_dishes (
    id         INTEGER PRIMARY KEY,
    day        TEXT NOT NULL,
    course     TEXT NOT NULL CHECK (course IN ('entree', 'plat', 'accompagnement', 'laitage', 'dessert', 'gouter')),
    position   INTEGER NOT NULL DEFAULT 0,
    name       TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    allergens  INTEGER NOT NULL DEFAULT 0 CHECK (allergens BETWEEN 0 AND 16383),
    created_at TEXT NOT NULL
);
CREATE INDEX menu_dishes_day ON menu_dishes(day, course, position);

-- +goose Down
DROP TABLE menu_dishes;
