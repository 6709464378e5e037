-- +goose Up
-- PostgreSQL twin of platform/00025: commune_work's kinds are no longer
-- fixed by a CHECK (tenants.Work names them), so that a new kind needs no
-- schema change. PostgreSQL changes the constraint in place.
ALTER TABLE commune_work DROP CONSTRAINT commune_work_kind_check;
ALTER TABLE commune_work ADD CONSTRAINT commune_work_kind_check CHECK (kind <> '');

-- +goose Down
DELETE FROM commune_work WHERE kind NOT IN ('mail', 'orders', 'housekeeping');
ALTER TABLE commune_work DROP CONSTRAINT commune_work_kind_check;
ALTER TABLE commune_work ADD CONSTRAINT commune_work_kind_check CHECK (kind IN ('mail', 'orders', 'housekeeping'));
