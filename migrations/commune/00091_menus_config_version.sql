-- +goose Up
-- The menus count as configuration (migration 00008): every change of a
-- dish moves config_version, so the agenda may keep the weeks' menus in
-- memory under that version (issue 10: reading and rendering four weeks
-- of menus was a sixth of the Vue Agenda's time) and drop them at once
-- when the mairie edits or imports a menu.
-- +goose StatementBegin
CREATE TRIGGER config_menu_dishes_insert AFTER INSERT ON menu_dishes BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER config_menu_dishes_update AFTER UPDATE ON menu_dishes BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER config_menu_dishes_delete AFTER DELETE ON menu_dishes BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER config_menu_dishes_delete;
DROP TRIGGER config_menu_dishes_update;
DROP TRIGGER config_menu_dishes_insert;
