-- +goose Up
-- A forfait held by an order waiting for its payment, over a day closed
-- meanwhile: the closure wins. The forfait is booked whole at payment and
-- the closed day's share of its price (booking.ForfaitClosureShares)
-- becomes the family's credit in the payment's transaction; each share is
-- recorded here, with its order line, so that the receipt page and email
-- list it under "Non réservé" ("fermé le 08/11, 1 jour sur 19 du
-- forfait : 2,10 € en avoir").
CREATE TABLE order_closed_days (
    id            INTEGER PRIMARY KEY,
    order_id      INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    order_line_id INTEGER NOT NULL REFERENCES order_lines(id) ON DELETE CASCADE,
    day           TEXT NOT NULL,
    days          INTEGER NOT NULL CHECK (days > 0),
    amount_cents  INTEGER NOT NULL CHECK (amount_cents >= 0),
    UNIQUE (order_line_id, day)
);
CREATE INDEX order_closed_days_order ON order_closed_days(order_id);

-- +goose Down
DROP TABLE order_closed_days;
