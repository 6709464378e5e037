-- +goose Up
-- Why a line held at "Valider" was not booked when the payment arrived
-- ('' when booked, or not settled yet): "fermé" for a day closed
-- meanwhile, "déjà réservé"… Its amount became credit; the receipt page
-- and email list the line with that reason.
ALTER TABLE order_lines ADD COLUMN not_booked TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE order_lines DROP COLUMN not_booked;
