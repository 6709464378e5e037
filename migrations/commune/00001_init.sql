-- +goose Up
-- The commune's own settings (name, zone, contact email, sender name...).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE schools (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

-- A family ("FAMILLE X") as the commune knows it. Quotient familial with
-- its validity dates chooses bracket prices.
CREATE TABLE families (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL,
    email          TEXT NOT NULL DEFAULT '',
    phone          TEXT NOT NULL DEFAULT '',
    address        TEXT NOT NULL DEFAULT '',
    postal_code    TEXT NOT NULL DEFAULT '',
    city           TEXT NOT NULL DEFAULT '',
    external_ref   TEXT UNIQUE,
    qf_value       INTEGER CHECK (qf_value IS NULL OR qf_value >= 0),
    qf_valid_from  TEXT,
    qf_valid_until TEXT,
    invited_at     TEXT,
    created_at     TEXT NOT NULL
);

-- Legal guardians of a family, as registered by the commune.
CREATE TABLE guardians (
    id          INTEGER PRIMARY KEY,
    family_id   INTEGER NOT NULL REFERENCES families(id) ON DELETE CASCADE,
    civility    TEXT NOT NULL DEFAULT '',
    last_name   TEXT NOT NULL,
    first_name  TEXT NOT NULL,
    email       TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);
CREATE INDEX guardians_family ON guardians(family_id);

-- Children. class_name '' reads "Sans classe". PAI and home basket are
-- yes/no flags only: never a diagnosis.
CREATE TABLE children (
    id          INTEGER PRIMARY KEY,
    family_id   INTEGER NOT NULL REFERENCES families(id) ON DELETE CASCADE,
    first_name  TEXT NOT NULL,
    last_name   TEXT NOT NULL,
    birth_date  TEXT NOT NULL,
    school_id   INTEGER REFERENCES schools(id),
    class_name  TEXT NOT NULL DEFAULT '',
    pai         INTEGER NOT NULL DEFAULT 0 CHECK (pai IN (0, 1)),
    home_basket INTEGER NOT NULL DEFAULT 0 CHECK (home_basket IN (0, 1)),
    diet        TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);
CREATE INDEX children_family ON children(family_id);

-- Adhesion codes link a platform account to a family. Stored hashed; one
-- row per issued code (one per guardian if the commune wishes), so a used
-- code can be re-issued as a new row while the old one stays as history.
CREATE TABLE adhesion_codes (
    id          INTEGER PRIMARY KEY,
    family_id   INTEGER NOT NULL REFERENCES families(id) ON DELETE CASCADE,
    code_hash   TEXT NOT NULL UNIQUE,
    label       TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'used', 'revoked')),
    account_id  INTEGER,
    used_at     TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX adhesion_codes_family ON adhesion_codes(family_id);

-- Régies: the commune's billing units ("REGIE CANTINE - prépaiement").
CREATE TABLE regies (
    id               INTEGER PRIMARY KEY,
    name             TEXT NOT NULL UNIQUE,
    mode             TEXT NOT NULL CHECK (mode IN ('prepaid', 'postpaid')),
    invoice_prefix   TEXT NOT NULL DEFAULT '',
    payment_provider TEXT NOT NULL DEFAULT 'simulator',
    legal_mentions   TEXT NOT NULL DEFAULT '',
    position         INTEGER NOT NULL DEFAULT 0,
    created_at       TEXT NOT NULL
);

-- Prestations sold by a régie. weekdays is a bit set, Monday = bit 0 …
-- Sunday = bit 6 (27 = Monday, Tuesday, Thursday, Friday). Deadlines are
-- rules in the text form of app/calendar. capacity 0 means unlimited.
CREATE TABLE prestations (
    id               INTEGER PRIMARY KEY,
    regie_id         INTEGER NOT NULL REFERENCES regies(id),
    name             TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('daily', 'forfait')),
    forfait_period   TEXT NOT NULL DEFAULT '' CHECK (forfait_period IN ('', 'month', 'school_period', 'school_year')),
    weekdays         INTEGER NOT NULL DEFAULT 27 CHECK (weekdays BETWEEN 0 AND 127),
    exclusive_group  TEXT NOT NULL DEFAULT '',
    price_cents      INTEGER NOT NULL DEFAULT 0 CHECK (price_cents >= 0),
    capacity         INTEGER NOT NULL DEFAULT 0 CHECK (capacity >= 0),
    booking_deadline TEXT NOT NULL DEFAULT '',
    cancel_deadline  TEXT NOT NULL DEFAULT '',
    valid_from       TEXT,
    valid_until      TEXT,
    position         INTEGER NOT NULL DEFAULT 0,
    created_at       TEXT NOT NULL,
    UNIQUE (regie_id, name)
);

-- Price brackets by quotient familial; max_qf NULL is the open last bracket.
CREATE TABLE price_brackets (
    id            INTEGER PRIMARY KEY,
    prestation_id INTEGER NOT NULL REFERENCES prestations(id) ON DELETE CASCADE,
    max_qf        INTEGER,
    price_cents   INTEGER NOT NULL CHECK (price_cents >= 0)
);
CREATE INDEX price_brackets_prestation ON price_brackets(prestation_id);

-- School holidays of the commune's zone: first_day_off inclusive,
-- resume_day (the day classes resume) exclusive.
CREATE TABLE school_holidays (
    id            INTEGER PRIMARY KEY,
    zone          TEXT NOT NULL,
    school_year   TEXT NOT NULL,
    description   TEXT NOT NULL,
    first_day_off TEXT NOT NULL,
    resume_day    TEXT,
    source        TEXT NOT NULL DEFAULT 'bundled',
    UNIQUE (zone, school_year, description)
);

-- Days the commune closes its services (strike, bridge day).
CREATE TABLE closures (
    day        TEXT PRIMARY KEY,
    reason     TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- "L'actualité Famille".
CREATE TABLE news (
    id              INTEGER PRIMARY KEY,
    title           TEXT NOT NULL,
    body            TEXT NOT NULL,
    published_from  TEXT NOT NULL,
    published_until TEXT,
    created_at      TEXT NOT NULL
);
CREATE INDEX news_published ON news(published_from);

-- Emails caused by this commune's actions, sent by app/mail.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,
    to_addr         TEXT NOT NULL,
    to_name         TEXT NOT NULL DEFAULT '',
    from_name       TEXT NOT NULL DEFAULT '',
    subject         TEXT NOT NULL,
    text_body       TEXT NOT NULL,
    html_body       TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    sent_at         TEXT
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);

-- Who changed what, when.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL DEFAULT '',
    before    TEXT,
    after     TEXT
);
CREATE INDEX audit_log_at ON audit_log(at);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE outbox;
DROP TABLE news;
DROP TABLE closures;
DROP TABLE school_holidays;
DROP TABLE price_brackets;
DROP TABLE prestations;
DROP TABLE regies;
DROP TABLE adhesion_codes;
DROP TABLE children;
DROP TABLE guardians;
DROP TABLE families;
DROP TABLE schools;
DROP TABLE settings;
