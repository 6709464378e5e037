-- +goose Up
-- The order of a commune's host names, the first being its address in
-- links (web.Server's commune URL). It was the rows' rowid, which
-- PostgreSQL has no equivalent of (platform_pg/00030): now a column, the
-- rows written before keeping their order.
ALTER TABLE commune_hosts ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
UPDATE commune_hosts SET seq = rowid;

-- +goose Down
ALTER TABLE commune_hosts DROP COLUMN seq;
