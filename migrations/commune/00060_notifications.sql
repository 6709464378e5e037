-- +goose Up
-- The commune's email notifications (issue 14), written by app/notify.
-- One row: each notification on or off, when the booking cut-off reminder
-- goes out (reminder_days_before days before the cut-off's day, at
-- reminder_time, Europe/Paris), and the random key that signs the
-- one-click unsubscribe links of this commune's emails (RFC 8058).
CREATE TABLE notification_settings (
    id                   INTEGER PRIMARY KEY CHECK (id = 1),
    cutoff_reminder      INTEGER NOT NULL DEFAULT 1 CHECK (cutoff_reminder IN (0, 1)),
    new_invoice          INTEGER NOT NULL DEFAULT 1 CHECK (new_invoice IN (0, 1)),
    payment_failed       INTEGER NOT NULL DEFAULT 1 CHECK (payment_failed IN (0, 1)),
    reminder_time        TEXT    NOT NULL DEFAULT '18:00',
    reminder_days_before INTEGER NOT NULL DEFAULT 1 CHECK (reminder_days_before BETWEEN 0 AND 14),
    link_key             BLOB    NOT NULL
);
INSERT INTO notification_settings (id, link_key) VALUES (1, randomblob(32));

-- The notifications an address no longer wants, one row per address and
-- kind (Mon compte, or the unsubscribe link of an email).
CREATE TABLE notification_optouts (
    email      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (email, kind)
) WITHOUT ROWID;

-- The cut-off reminders already handled: one per child and week (the
-- week's Monday), so that a child is reminded once about a week.
CREATE TABLE cutoff_reminders (
    child_id   INTEGER NOT NULL,
    week       TEXT    NOT NULL,
    sent_at    TEXT    NOT NULL,
    recipients INTEGER NOT NULL,
    PRIMARY KEY (child_id, week)
) WITHOUT ROWID;

-- +goose Down
DROP TABLE cutoff_reminders;
DROP TABLE notification_optouts;
DROP TABLE notification_settings;
