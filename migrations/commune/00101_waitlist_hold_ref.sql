-- +goose Up
-- The order whose "Valider" took a waiting-list entry (its offered place,
-- or the day it waited for): if that order ends without payment
-- (abandoned, refused, expired, replaced), the place goes back to the
-- entry (an offer still running keeps it until its own expiry; a waiting
-- entry is back in line), not to the next in line.
ALTER TABLE waitlist ADD COLUMN hold_ref TEXT;
CREATE INDEX waitlist_hold ON waitlist(hold_ref) WHERE hold_ref IS NOT NULL;

-- +goose Down
DROP INDEX waitlist_hold;
ALTER TABLE waitlist DROP COLUMN hold_ref;
