-- +goose Up
-- Medical certificates are health data (RGPD): each is deleted once the
-- commune's retention period (setting absence_certificate_months, 12 by
-- default) has passed after the last day of absence it justifies. The
-- absence keeps the fact that it had one (its refund was decided on it):
-- certificate_purged_at is when it was deleted.
ALTER TABLE absences ADD COLUMN certificate_purged_at TEXT;

-- +goose Down
ALTER TABLE absences DROP COLUMN certificate_purged_at;
