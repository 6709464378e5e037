-- +goose Up
-- commune_work's kinds were fixed by a CHECK; the booking cut-off
-- reminders (app/reminder) need their own kind, 'reminders', whose due_at
-- is when the commune's next reminder goes out. The kinds are now the
-- ones tenants.Work names, without a CHECK, so that a new kind needs no
-- table rebuild. Nothing refers to commune_work: a plain rebuild.
CREATE TABLE commune_work_new (
    commune_id INTEGER NOT NULL REFERENCES communes(id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL CHECK (kind <> ''),
    due_at     TEXT    NOT NULL,
    PRIMARY KEY (commune_id, kind)
) WITHOUT ROWID;
INSERT INTO commune_work_new (commune_id, kind, due_at) SELECT commune_id, kind, due_at FROM commune_work;
DROP TABLE commune_work;
ALTER TABLE commune_work_new RENAME TO commune_work;
CREATE INDEX commune_work_due ON commune_work(kind, due_at);

-- +goose Down
DELETE FROM commune_work WHERE kind NOT IN ('mail', 'orders', 'housekeeping');
CREATE TABLE commune_work_old (
    commune_id INTEGER NOT NULL REFERENCES communes(id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL CHECK (kind IN ('mail', 'orders', 'housekeeping')),
    due_at     TEXT    NOT NULL,
    PRIMARY KEY (commune_id, kind)
) WITHOUT ROWID;
INSERT INTO commune_work_old (commune_id, kind, due_at) SELECT commune_id, kind, due_at FROM commune_work;
DROP TABLE commune_work;
ALTER TABLE commune_work_old RENAME TO commune_work;
CREATE INDEX commune_work_due ON commune_work(kind, due_at);
