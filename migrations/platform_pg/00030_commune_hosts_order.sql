-- +goose Up
-- PostgreSQL twin of platform/00030_commune_hosts_order.sql: the order of
-- a commune's host names, the first being its address in links.
ALTER TABLE commune_hosts ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE commune_hosts DROP COLUMN seq;
