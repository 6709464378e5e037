package booking

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"espacefamille/app/calendar"
	"espacefamille/tenants"
)

// The commune's catalogue: its settings, its régies with their payment
// settings, its prestations and their price grids. This package is the
// only writer of the settings, regies, regie_payment_settings, prestations
// and price_brackets tables (app/ownership_test.go checks it): they are
// what configures booking (the config_version triggers count their
// changes), and the back office, billing and the demo call the functions
// below, each inside the caller's write transaction.

// ErrDuplicateRegie: two régies cannot share a name.
var ErrDuplicateRegie = errors.New("Une régie porte déjà ce nom.")

// SaveRegie creates the régie (r.ID == 0) or updates it, and returns its
// id. Its payment settings are written by SetPaymentProvider.
func SaveRegie(ctx context.Context, tx *sql.Tx, r Regie, now time.Time) (int64, error) {
	if r.Provider == "" {
		r.Provider = ProviderSimulator
	}
	if r.ID == 0 {
		res, err := tx.ExecContext(ctx, `INSERT INTO regies (name, mode, invoice_prefix, payment_provider, legal_mentions, position, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, r.Name, r.Mode, r.InvoicePrefix, r.Provider, r.LegalMentions, r.Position, tenants.FormatTime(now))
		if tenants.IsUnique(err) {
			return 0, ErrDuplicateRegie
		}
		if err != nil {
			return 0, fmt.Errorf("booking: create regie: %w", err)
		}
		return res.LastInsertId()
	}
	err := tenants.ExecOne(ctx, tx, ErrNotFound, `UPDATE regies SET name = ?, mode = ?, invoice_prefix = ?, payment_provider = ?, legal_mentions = ?, position = ?
		WHERE id = ?`, r.Name, r.Mode, r.InvoicePrefix, r.Provider, r.LegalMentions, r.Position, r.ID)
	if tenants.IsUnique(err) {
		return 0, ErrDuplicateRegie
	}
	if err != nil {
		return 0, fmt.Errorf("booking: update regie %d: %w", r.ID, err)
	}
	return r.ID, nil
}

// SetPaymentProvider chooses a régie's payment provider and its settings.
func SetPaymentProvider(ctx context.Context, tx *sql.Tx, regieID int64, provider string, s PaymentSettings) error {
	if provider != ProviderSimulator && provider != ProviderPayFiP {
		return fmt.Errorf("booking: unknown payment provider %q", provider)
	}
	if s.Saisie == "" {
		s.Saisie = "T"
	}
	if _, err := tx.ExecContext(ctx, `UPDATE regies SET payment_provider = ? WHERE id = ?`, provider, regieID); err != nil {
		return fmt.Errorf("booking: set provider: %w", err)
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO regie_payment_settings (regie_id, numcli, saisie, endpoint, payment_url) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (regie_id) DO UPDATE SET numcli = excluded.numcli, saisie = excluded.saisie,
		       endpoint = excluded.endpoint, payment_url = excluded.payment_url`,
		regieID, s.Numcli, s.Saisie, s.Endpoint, s.PaymentURL)
	if err != nil {
		return fmt.Errorf("booking: set provider settings: %w", err)
	}
	return nil
}

// Surcharge is the majoration of a child present without a booking.
type Surcharge struct {
	Kind  string // "", "percent" or "fixed"
	Value int64  // percent, or cents
}

// PrestationSurcharge reads a prestation's surcharge, ErrNotFound when
// there is no such prestation.
func PrestationSurcharge(ctx context.Context, q tenants.Querier, id int64) (Surcharge, error) {
	var s Surcharge
	err := q.QueryRowContext(ctx, `SELECT surcharge_kind, surcharge_value FROM prestations WHERE id = ?`, id).Scan(&s.Kind, &s.Value)
	if errors.Is(err, sql.ErrNoRows) {
		return s, ErrNotFound
	}
	return s, err
}

// SetSurcharge changes a prestation's surcharge.
func SetSurcharge(ctx context.Context, tx *sql.Tx, id int64, s Surcharge) error {
	if _, err := tx.ExecContext(ctx, `UPDATE prestations SET surcharge_kind = ?, surcharge_value = ? WHERE id = ?`, s.Kind, s.Value, id); err != nil {
		return fmt.Errorf("booking: set surcharge: %w", err)
	}
	return nil
}

// Setting reads one of the commune's settings, "" when unset.
func Setting(ctx context.Context, q tenants.Querier, key string) (string, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// SetSetting writes one of the commune's settings.
func SetSetting(ctx context.Context, tx *sql.Tx, key, value string) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value); err != nil {
		return fmt.Errorf("booking: setting %s: %w", key, err)
	}
	return nil
}

func init() { tenants.OnCommuneCreated(initCommune) }

// initCommune writes a new commune's identity into its settings (name,
// zone, contact email, creation time); tenants.CreateCommune runs it first
// in the creating transaction of every commune.
func initCommune(ctx context.Context, tx *sql.Tx, c tenants.Commune) error {
	for _, kv := range [][2]string{{"name", c.Name}, {"zone", c.Zone}, {"contact_email", c.AdminEmail},
		{"created_at", tenants.FormatTime(c.CreatedAt)}} {
		if err := SetSetting(ctx, tx, kv[0], kv[1]); err != nil {
			return err
		}
	}
	return nil
}

// DefaultCatalog writes a new commune's starting catalogue: a canteen
// régie in prépaiement (the built-in simulator until PayFiP is
// configured) selling REPAS CLASSIQUE ENFANT and REPAS VEGETARIEN (one or
// the other a day, Monday, Tuesday, Thursday and Friday) at mealCents,
// booked and cancelled until 10:00 two working days before.
func DefaultCatalog(ctx context.Context, tx *sql.Tx, mealCents int64, now time.Time) error {
	if mealCents < 0 {
		return fmt.Errorf("booking: default catalogue: negative meal price")
	}
	regie, err := SaveRegie(ctx, tx, Regie{Name: "REGIE CANTINE - prépaiement", Mode: ModePrepaid, InvoicePrefix: "CA",
		Provider: ProviderSimulator, Position: 1}, now)
	if err != nil {
		return err
	}
	deadline, err := calendar.ParseDeadline("workdays:2@10:00")
	if err != nil {
		return err
	}
	for i, name := range []string{"REPAS CLASSIQUE ENFANT", "REPAS VEGETARIEN"} {
		if _, err := CreatePrestation(ctx, tx, PrestationInput{RegieID: regie, Name: name, Kind: KindDaily,
			Weekdays: calendar.WeekdaysOf(time.Monday, time.Tuesday, time.Thursday, time.Friday), ExclusiveGroup: "repas",
			PriceCents: mealCents, Booking: deadline, Cancel: deadline, Position: i + 1}, now); err != nil {
			return err
		}
	}
	return nil
}

// catalogCopyTables are the tables of this package a copied configuration
// carries (see CopyCatalogRows), in an order that respects references.
var catalogCopyTables = []string{"regies", "prestations", "price_brackets", "closures",
	"partial_closures", "partial_closure_prestations", "partial_closure_schools"}

// CatalogCopyTables lists them, for the code that reads a configuration
// to copy.
func CatalogCopyTables() []string { return slices.Clone(catalogCopyTables) }

// CopyCatalogRows writes rows read from another commune's table (one of
// CatalogCopyTables, with their ids) into a new commune's creating
// transaction. Call UseSimulatorEverywhere once every table is copied.
func CopyCatalogRows(ctx context.Context, tx *sql.Tx, table string, columns []string, rows [][]any) error {
	if !slices.Contains(catalogCopyTables, table) {
		return fmt.Errorf("booking: %s is not a catalogue table", table)
	}
	if err := tenants.InsertRows(ctx, tx, `INSERT INTO `+table+` (`+strings.Join(columns, ", ")+`)`, "", rows); err != nil {
		return fmt.Errorf("booking: copy %s: %w", table, err)
	}
	return nil
}

// UseSimulatorEverywhere puts every régie on the built-in simulator: a
// copied configuration never carries another commune's payment settings.
func UseSimulatorEverywhere(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `UPDATE regies SET payment_provider = 'simulator'`); err != nil {
		return fmt.Errorf("booking: simulator everywhere: %w", err)
	}
	return nil
}
