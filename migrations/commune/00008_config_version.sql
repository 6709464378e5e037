-- +goose Up
-- A counter of the changes to what configures booking (régies,
-- prestations, price brackets, school holidays, closures, and the
-- commune's settings such as its zone, which are rare): the server
-- keeps each commune's configuration in memory and reads this one row to
-- know whether its copy is current. Triggers bump it in the transaction of
-- the change itself, whatever code made it (domain API, back office,
-- calendar import, a script).
CREATE TABLE config_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO config_version (id, version) VALUES (1, 1);

-- +goose StatementBegin
CREATE TRIGGER config_regies_insert AFTER INSERT ON regies BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER config_regies_update AFTER UPDATE ON regies BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER config_regies_delete AFTER DELETE ON regies BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER config_prestations_insert AFTER INSERT ON prestations BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER config_prestations_update AFTER UPDATE ON prestations BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER config_prestations_delete AFTER DELETE ON prestations BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER config_brackets_insert AFTER INSERT ON price_brackets BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER config_brackets_update AFTER UPDATE ON price_brackets BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER config_brackets_delete AFTER DELETE ON price_brackets BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER config_holidays_insert AFTER INSERT ON school_holidays BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER config_holidays_update AFTER UPDATE ON school_holidays BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER config_holidays_delete AFTER DELETE ON school_holidays BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER config_closures_insert AFTER INSERT ON closures BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER config_closures_update AFTER UPDATE ON closures BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER config_closures_delete AFTER DELETE ON closures BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER config_settings_insert AFTER INSERT ON settings BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER config_settings_update AFTER UPDATE ON settings BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER config_settings_delete AFTER DELETE ON settings BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER config_settings_delete;
DROP TRIGGER config_settings_update;
DROP TRIGGER config_settings_insert;
DROP TRIGGER config_closures_delete;
DROP TRIGGER config_closures_update;
DROP TRIGGER config_closures_insert;
DROP TRIGGER config_holidays_delete;
DROP TRIGGER config_holidays_update;
DROP TRIGGER config_holidays_insert;
DROP TRIGGER config_brackets_delete;
DROP TRIGGER config_brackets_update;
DROP TRIGGER config_brackets_insert;
DROP TRIGGER config_prestations_delete;
DROP TRIGGER config_prestations_update;
DROP TRIGGER config_prestations_insert;
DROP TRIGGER config_regies_delete;
DROP TRIGGER config_regies_update;
DROP TRIGGER config_regies_insert;
DROP TABLE config_version;
