// Package simulator is the built-in test payment provider of the demo: its
// own record of operations (what a real provider keeps on its side) and the
// rules of its test card form. It never moves money.
package simulator

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"espacefamille/tenants"
)

// Test cards: the first succeeds, the second is refused; any other number
// is a form error.
const (
	CardSuccess = "4242424242424242"
	CardRefused = "4000000000000002"
)

// Operation statuses.
const (
	Pending   = "pending"
	Paid      = "paid"
	Refused   = "refused"
	Abandoned = "abandoned"
)

// Operation is one simulated payment.
type Operation struct {
	IDOp        string
	OrderRef    string
	AmountCents int64
	Status      string
	AuthNumber  string
	CreatedAt   time.Time
	FinishedAt  time.Time
}

// ErrNotFound: no such operation.
var ErrNotFound = tenants.NotFound("simulator: unknown operation")

// ErrFinished: the operation already has its outcome.
var ErrFinished = errors.New("simulator: operation already finished")

// Create records a new pending operation and returns it.
func Create(ctx context.Context, tx *sql.Tx, orderRef string, amountCents int64, now time.Time) (Operation, error) {
	op := Operation{IDOp: "SIM" + randomCode(16), OrderRef: orderRef, AmountCents: amountCents, Status: Pending, CreatedAt: now}
	_, err := tx.ExecContext(ctx, `INSERT INTO simulator_operations (id_op, order_ref, amount_cents, status, created_at)
		VALUES (?, ?, ?, 'pending', ?)`, op.IDOp, orderRef, amountCents, tenants.FormatTime(now))
	if err != nil {
		return Operation{}, fmt.Errorf("simulator: create: %w", err)
	}
	return op, nil
}

// Get reads an operation.
func Get(ctx context.Context, q tenants.Querier, idOp string) (Operation, error) {
	var op Operation
	var created string
	var finished sql.NullString
	err := q.QueryRowContext(ctx, `SELECT id_op, order_ref, amount_cents, status, auth_number, created_at, finished_at
		FROM simulator_operations WHERE id_op = ?`, idOp).Scan(&op.IDOp, &op.OrderRef, &op.AmountCents, &op.Status,
		&op.AuthNumber, &created, &finished)
	if errors.Is(err, sql.ErrNoRows) {
		return Operation{}, ErrNotFound
	}
	if err != nil {
		return Operation{}, fmt.Errorf("simulator: get: %w", err)
	}
	op.CreatedAt = tenants.StoredTime(created)
	if finished.Valid {
		op.FinishedAt = tenants.StoredTime(finished.String)
	}
	return op, nil
}

// Finish records the outcome of a pending operation (paid, refused or
// abandoned); a paid one gets an authorisation number.
func Finish(ctx context.Context, tx *sql.Tx, idOp, status string, now time.Time) error {
	return FinishWithAuth(ctx, tx, idOp, status, AuthNumber(), now)
}

// AuthNumber draws an authorisation number (six digits).
func AuthNumber() string { return randomDigits(6) }

// FinishWithAuth is Finish with the authorisation number a paid
// operation gets (drawn beforehand, so that the receipt can be prepared
// before the transaction); other outcomes get none.
func FinishWithAuth(ctx context.Context, tx *sql.Tx, idOp, status, auth string, now time.Time) error {
	if status != Paid {
		auth = ""
	}
	res, err := tx.ExecContext(ctx, `UPDATE simulator_operations SET status = ?, auth_number = ?, finished_at = ?
		WHERE id_op = ? AND status = 'pending'`, status, auth, tenants.FormatTime(now), idOp)
	if err != nil {
		return fmt.Errorf("simulator: finish: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := Get(ctx, tx, idOp); err != nil {
			return err
		}
		return ErrFinished
	}
	return nil
}

// Card is the test card form.
type Card struct {
	Number string // spaces allowed
	Expiry string // MM/AA
	CVC    string
}

// FieldErrors maps a form field to its French message.
type FieldErrors map[string]string

// Check validates the card form at now and returns the outcome it leads to
// (Paid or Refused), or the field errors.
func (c Card) Check(now time.Time) (string, FieldErrors) {
	errs := FieldErrors{}
	number := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, c.Number)
	outcome := ""
	switch number {
	case CardSuccess:
		outcome = Paid
	case CardRefused:
		outcome = Refused
	case "":
		errs["number"] = "Saisissez le numéro de la carte."
	default:
		errs["number"] = "Carte de test inconnue : utilisez 4242 4242 4242 4242 (paiement accepté) ou 4000 0000 0000 0002 (paiement refusé)."
	}
	if msg := checkExpiry(strings.TrimSpace(c.Expiry), now); msg != "" {
		errs["expiry"] = msg
	}
	cvc := strings.TrimSpace(c.CVC)
	if len(cvc) != 3 || !digits(cvc) {
		errs["cvc"] = "Le cryptogramme est composé de 3 chiffres."
	}
	if len(errs) > 0 {
		return "", errs
	}
	return outcome, nil
}

func checkExpiry(s string, now time.Time) string {
	mm, yy, ok := strings.Cut(s, "/")
	mm, yy = strings.TrimSpace(mm), strings.TrimSpace(yy)
	if !ok || len(mm) != 2 || len(yy) != 2 || !digits(mm) || !digits(yy) {
		return "Saisissez la date d'expiration au format MM/AA."
	}
	m, _ := strconv.Atoi(mm)
	y, _ := strconv.Atoi(yy)
	if m < 1 || m > 12 {
		return "Le mois d'expiration doit être compris entre 01 et 12."
	}
	y += 2000
	if y < now.Year() || y == now.Year() && m < int(now.Month()) {
		return "Cette carte est expirée."
	}
	return ""
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

const alnum = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

func randomCode(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alnum[int(b[i])%len(alnum)]
	}
	return string(b)
}

func randomDigits(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = '0' + b[i]%10
	}
	return string(b)
}
