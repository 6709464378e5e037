package admin

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"espacefamille/tenants"
)

// Regie is a régie as the back office edits it (the provider's settings
// belong to billing and are written through billing.SetProvider).
type Regie struct {
	ID            int64
	Name          string
	Mode          string // prepaid or postpaid
	InvoicePrefix string
	Provider      string // simulator or payfip
	LegalMentions string
	Position      int
}

// ModeLabel is the mode in French.
func (r Regie) ModeLabel() string {
	if r.Mode == "postpaid" {
		return "post-paiement"
	}
	return "prépaiement"
}

func regies(ctx context.Context, q querier) ([]Regie, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, name, mode, invoice_prefix, payment_provider, legal_mentions, position
		FROM regies ORDER BY position, name`)
	if err != nil {
		return nil, fmt.Errorf("admin: regies: %w", err)
	}
	return tenants.Collect(rows, func(row interface{ Scan(...any) error }) (Regie, error) {
		var r Regie
		err := row.Scan(&r.ID, &r.Name, &r.Mode, &r.InvoicePrefix, &r.Provider, &r.LegalMentions, &r.Position)
		return r, err
	})
}

func regieByID(ctx context.Context, q querier, id int64) (Regie, error) {
	var r Regie
	err := q.QueryRowContext(ctx, `SELECT id, name, mode, invoice_prefix, payment_provider, legal_mentions, position
		FROM regies WHERE id = ?`, id).Scan(&r.ID, &r.Name, &r.Mode, &r.InvoicePrefix, &r.Provider, &r.LegalMentions, &r.Position)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	return r, err
}

var errDuplicateRegie = errInvalid("Une régie porte déjà ce nom.")

func saveRegieTx(ctx context.Context, tx *sql.Tx, r Regie, now time.Time) (int64, error) {
	if r.ID == 0 {
		res, err := tx.ExecContext(ctx, `INSERT INTO regies (name, mode, invoice_prefix, payment_provider, legal_mentions, position, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, r.Name, r.Mode, r.InvoicePrefix, r.Provider, r.LegalMentions, r.Position, ts(now))
		if err != nil && strings.Contains(err.Error(), "UNIQUE") {
			return 0, errDuplicateRegie
		}
		if err != nil {
			return 0, fmt.Errorf("admin: create regie: %w", err)
		}
		return res.LastInsertId()
	}
	_, err := tx.ExecContext(ctx, `UPDATE regies SET name = ?, mode = ?, invoice_prefix = ?, payment_provider = ?, legal_mentions = ?, position = ?
		WHERE id = ?`, r.Name, r.Mode, r.InvoicePrefix, r.Provider, r.LegalMentions, r.Position, r.ID)
	if err != nil && strings.Contains(err.Error(), "UNIQUE") {
		return 0, errDuplicateRegie
	}
	return r.ID, err
}

// Surcharge is the majoration of a child present without a booking.
type Surcharge struct {
	Kind  string // "", "percent" or "fixed"
	Value int64  // percent, or cents
}

func prestationSurcharge(ctx context.Context, q querier, id int64) (Surcharge, error) {
	var s Surcharge
	err := q.QueryRowContext(ctx, `SELECT surcharge_kind, surcharge_value FROM prestations WHERE id = ?`, id).Scan(&s.Kind, &s.Value)
	if errors.Is(err, sql.ErrNoRows) {
		return s, ErrNotFound
	}
	return s, err
}

func setSurcharge(ctx context.Context, tx *sql.Tx, id int64, s Surcharge) error {
	_, err := tx.ExecContext(ctx, `UPDATE prestations SET surcharge_kind = ?, surcharge_value = ? WHERE id = ?`, s.Kind, s.Value, id)
	return err
}

// setting reads one of the commune's settings, "" when unset.
func setting(ctx context.Context, q querier, key string) (string, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

func setSetting(ctx context.Context, tx *sql.Tx, key, value string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}
