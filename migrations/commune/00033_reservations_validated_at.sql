-- +goose Up
-- The provider's console counts the reservations validated in the last
-- seven days (tenants: registry figures), hourly for a busy commune: an
-- index keeps that a range read instead of a scan of every reservation.
CREATE INDEX reservations_validated_at ON reservations(validated_at);

-- +goose Down
DROP INDEX reservations_validated_at;
