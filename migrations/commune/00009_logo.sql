-- +goose Up
-- The commune's logo, shown in the header of its pages and served at
-- /logo. At most one row. Only PNG and JPEG are stored, after content
-- sniffing and decoding by the back office (SVG is refused: it can carry
-- scripts). sha256 (hex) versions the URL and is the ETag.
CREATE TABLE commune_logo (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    content_type TEXT NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg')),
    data         BLOB NOT NULL,
    sha256       TEXT NOT NULL,
    size         INTEGER NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    updated_at   TEXT NOT NULL
);

-- Pages memoise whether there is a logo by configuration version (00008).
-- +goose StatementBegin
CREATE TRIGGER config_logo_insert AFTER INSERT ON commune_logo BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER config_logo_update AFTER UPDATE ON commune_logo BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER config_logo_delete AFTER DELETE ON commune_logo BEGIN UPDATE config_version SET version = version + 1 WHERE id = 1; END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER config_logo_delete;
DROP TRIGGER config_logo_update;
DROP TRIGGER config_logo_insert;
DROP TABLE commune_logo;
