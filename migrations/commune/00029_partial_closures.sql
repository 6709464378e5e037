-- +goose Up
-- Closures of some prestations, some schools, or some prestations at some
-- schools (a canteen strike does not close the garderie; a school's
-- closure concerns its children only). A closure of the whole commune
-- stays in closures: only it changes the calendar's open days.
CREATE TABLE partial_closures (
    id         INTEGER PRIMARY KEY,
    day        TEXT NOT NULL,
    reason     TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX partial_closures_day ON partial_closures(day);

CREATE TABLE partial_closure_prestations (
    closure_id    INTEGER NOT NULL REFERENCES partial_closures(id) ON DELETE CASCADE,
    prestation_id INTEGER NOT NULL REFERENCES prestations(id) ON DELETE CASCADE,
    PRIMARY KEY (closure_id, prestation_id)
);

CREATE TABLE partial_closure_schools (
    closure_id INTEGER NOT NULL REFERENCES partial_closures(id) ON DELETE CASCADE,
    school_id  INTEGER NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
    PRIMARY KEY (closure_id, school_id)
);

-- The agenda's cache is keyed on the configuration's version (00008).
-- +goose StatementBegin
CREATE TRIGGER config_partial_closures_insert AFTER INSERT ON partial_closures BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER config_partial_closures_update AFTER UPDATE ON partial_closures BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER config_partial_closures_delete AFTER DELETE ON partial_closures BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER config_partial_closure_prestations_change AFTER INSERT ON partial_closure_prestations BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER config_partial_closure_schools_change AFTER INSERT ON partial_closure_schools BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER config_partial_closure_schools_change;
DROP TRIGGER config_partial_closure_prestations_change;
DROP TRIGGER config_partial_closures_delete;
DROP TRIGGER config_partial_closures_update;
DROP TRIGGER config_partial_closures_insert;
DROP TABLE partial_closure_schools;
DROP TABLE partial_closure_prestations;
DROP TABLE partial_closures;
