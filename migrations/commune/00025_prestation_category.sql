-- +goose Up
-- What a prestation sold by the day is, for the back office's form (issue
-- 13): a meal ('meal': one meal a day in its exclusive group) or a
-- garderie or activity paid by the session ('session'). Forfaits keep ''.
-- Existing daily prestations are meals when they belong to an exclusive
-- group, sessions otherwise.
ALTER TABLE prestations ADD COLUMN category TEXT NOT NULL DEFAULT '' CHECK (category IN ('', 'meal', 'session'));
UPDATE prestations SET category = CASE WHEN exclusive_group <> '' THEN 'meal' ELSE 'session' END WHERE kind = 'daily';

-- +goose Down
ALTER TABLE prestations DROP COLUMN category;
