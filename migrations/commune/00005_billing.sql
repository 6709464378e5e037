-- +goose Up
-- Billing: payment provider settings, orders, payments, invoices, credits.
-- Money is integer cents; instants are UTC RFC 3339 text (fixed width,
-- comparable as text); civil dates are YYYY-MM-DD.

-- Settings of a régie's payment provider (regies.payment_provider says
-- which: 'simulator' or 'payfip'). saisie: T test, X activation, W production.
CREATE TABLE regie_payment_settings (
    regie_id    INTEGER PRIMARY KEY REFERENCES regies(id) ON DELETE CASCADE,
    numcli      TEXT NOT NULL DEFAULT '',
    saisie      TEXT NOT NULL DEFAULT 'T' CHECK (saisie IN ('T', 'X', 'W')),
    endpoint    TEXT NOT NULL DEFAULT '',
    payment_url TEXT NOT NULL DEFAULT ''
);

-- Gap-free invoice numbers: one counter row per régie and year, incremented
-- inside the (BEGIN IMMEDIATE) transaction that creates the invoice.
CREATE TABLE invoice_counters (
    regie_id INTEGER NOT NULL REFERENCES regies(id),
    year     INTEGER NOT NULL,
    last     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (regie_id, year)
);

-- Invoices. status 'open' reads "en cours", 'paid' reads "payée".
-- period_key is the month of a post-paid run ('2026-11'), '' for the
-- invoice of a prepaid order; it makes the monthly run idempotent.
CREATE TABLE invoices (
    id            INTEGER PRIMARY KEY,
    regie_id      INTEGER NOT NULL REFERENCES regies(id),
    family_id     INTEGER NOT NULL REFERENCES families(id),
    number        TEXT NOT NULL,
    year          INTEGER NOT NULL,
    seq           INTEGER NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('open', 'paid')),
    payer_name    TEXT NOT NULL DEFAULT '',
    issued_on     TEXT NOT NULL,
    due_on        TEXT,
    period_start  TEXT NOT NULL,
    period_end    TEXT NOT NULL,
    period_key    TEXT NOT NULL DEFAULT '',
    total_cents   INTEGER NOT NULL,
    credit_cents  INTEGER NOT NULL DEFAULT 0,
    paid_cents    INTEGER NOT NULL DEFAULT 0,
    paid_at       TEXT,
    payment_means TEXT NOT NULL DEFAULT '',
    order_id      INTEGER,
    created_at    TEXT NOT NULL,
    UNIQUE (regie_id, year, seq),
    UNIQUE (regie_id, number)
);
CREATE INDEX invoices_family ON invoices(family_id, status);
CREATE UNIQUE INDEX invoices_period ON invoices(regie_id, family_id, period_key) WHERE period_key <> '';

CREATE TABLE invoice_lines (
    id             INTEGER PRIMARY KEY,
    invoice_id     INTEGER NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
    child_name     TEXT NOT NULL,
    prestation     TEXT NOT NULL,
    day            TEXT NOT NULL,
    label          TEXT NOT NULL DEFAULT '',
    quantity       INTEGER NOT NULL,
    unit_cents     INTEGER NOT NULL,
    amount_cents   INTEGER NOT NULL,
    reservation_id INTEGER
);
CREATE INDEX invoice_lines_invoice ON invoice_lines(invoice_id);

-- Orders: a prepaid cart being paid (kind 'cart') or an open invoice being
-- paid (kind 'invoice'). amount = total - credit; expires 30 minutes after
-- creation. provider_ref is the provider's operation id (PayFiP idOp).
-- 'credited': a payment arrived after the order had expired or been
-- replaced and its bookings could not be restored; the amount is a credit.
CREATE TABLE orders (
    id            INTEGER PRIMARY KEY,
    ref           TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL CHECK (kind IN ('cart', 'invoice')),
    family_id     INTEGER NOT NULL REFERENCES families(id),
    regie_id      INTEGER NOT NULL REFERENCES regies(id),
    invoice_id    INTEGER REFERENCES invoices(id),
    email         TEXT NOT NULL DEFAULT '',
    total_cents   INTEGER NOT NULL,
    credit_cents  INTEGER NOT NULL DEFAULT 0 CHECK (credit_cents >= 0),
    amount_cents  INTEGER NOT NULL CHECK (amount_cents >= 0),
    status        TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'refused', 'abandoned', 'expired', 'cancelled', 'credited')),
    provider      TEXT NOT NULL,
    provider_ref  TEXT,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    closed_at     TEXT,
    outcome       TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX orders_provider_ref ON orders(provider, provider_ref) WHERE provider_ref IS NOT NULL;
CREATE INDEX orders_family ON orders(family_id, regie_id, status);
CREATE INDEX orders_pending ON orders(status, expires_at);

-- The order's lines: a snapshot of the cart (or of the invoice) at "Valider".
CREATE TABLE order_lines (
    id             INTEGER PRIMARY KEY,
    order_id       INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    cart_line_id   INTEGER,
    reservation_id INTEGER,
    child_name     TEXT NOT NULL,
    prestation     TEXT NOT NULL,
    day            TEXT NOT NULL,
    label          TEXT NOT NULL DEFAULT '',
    quantity       INTEGER NOT NULL,
    unit_cents     INTEGER NOT NULL,
    amount_cents   INTEGER NOT NULL
);
CREATE INDEX order_lines_order ON order_lines(order_id);

-- A confirmed payment: at most one per order. late = 1 when it arrived after
-- the order had expired or been replaced.
CREATE TABLE payments (
    id           INTEGER PRIMARY KEY,
    order_id     INTEGER NOT NULL UNIQUE REFERENCES orders(id),
    provider     TEXT NOT NULL,
    provider_ref TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    auth_number  TEXT NOT NULL DEFAULT '',
    paid_at      TEXT NOT NULL,
    late         INTEGER NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),
    created_at   TEXT NOT NULL
);

-- Every notification, redirect return and reconciliation answer, accepted
-- or refused, for the record.
CREATE TABLE payment_events (
    id           INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    provider     TEXT NOT NULL,
    provider_ref TEXT NOT NULL DEFAULT '',
    order_id     INTEGER,
    source       TEXT NOT NULL,
    outcome      TEXT NOT NULL,
    detail       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX payment_events_order ON payment_events(order_id);

-- Credits (avoirs): a ledger per family and régie. Positive rows grant a
-- credit (a cancellation, a closure, a late payment that could not be
-- turned into bookings), negative rows use it (an order) or refund it; the
-- balance is the sum. An order's use is released by a positive 'release' row
-- if the order fails.
CREATE TABLE credits (
    id             INTEGER PRIMARY KEY,
    family_id      INTEGER NOT NULL REFERENCES families(id),
    regie_id       INTEGER NOT NULL REFERENCES regies(id),
    kind           TEXT NOT NULL CHECK (kind IN ('cancel', 'closure', 'late', 'restore', 'rejected', 'order', 'release', 'refund', 'manual')),
    amount_cents   INTEGER NOT NULL,
    label          TEXT NOT NULL DEFAULT '',
    order_id       INTEGER REFERENCES orders(id),
    reservation_id INTEGER,
    created_at     TEXT NOT NULL
);
CREATE INDEX credits_family ON credits(family_id, regie_id);
CREATE UNIQUE INDEX credits_order_kind ON credits(order_id, kind) WHERE order_id IS NOT NULL;
CREATE UNIQUE INDEX credits_reservation_kind ON credits(reservation_id, kind) WHERE reservation_id IS NOT NULL;

-- The built-in payment simulator's own record of its operations (what a real
-- provider keeps on its side), read back by its Fetch.
CREATE TABLE simulator_operations (
    id_op        TEXT PRIMARY KEY,
    order_ref    TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'refused', 'abandoned')),
    auth_number  TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    finished_at  TEXT
);

-- +goose Down
DROP TABLE simulator_operations;
DROP TABLE credits;
DROP TABLE payment_events;
DROP TABLE payments;
DROP TABLE order_lines;
DROP TABLE orders;
DROP TABLE invoice_lines;
DROP TABLE invoices;
DROP TABLE invoice_counters;
DROP TABLE regie_payment_settings;
