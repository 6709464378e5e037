package billing_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"espacefamille/app/apptest"
	"espacefamille/app/calendar"
	"espacefamille/app/demo"
	"espacefamille/app/mail/smtptest"
	"espacefamille/app/notify"
	"espacefamille/tenants"
)

func (e *env) notifications(t *testing.T, change func(*notify.Settings)) {
	t.Helper()
	e.Tx(demo.Slug, func(tx *sql.Tx) error {
		s, err := notify.LoadSettings(context.Background(), tx)
		if err != nil {
			return err
		}
		change(&s)
		return notify.SaveSettings(context.Background(), tx, s)
	})
}

// A refused or abandoned online payment is told to the family, through
// real SMTP, with the one-click unsubscribe headers; a paid one is not; an
// address that unsubscribed, or a commune that turned it off, gets none.
func TestPaymentFailedNotice(t *testing.T) {
	const refusedCard, paidCard = "4000 0000 0000 0002", "4242 4242 4242 4242"
	tests := []struct {
		name    string
		card    string
		abandon bool
		setup   func(t *testing.T, e *env)
		want    string // "" for no notice
	}{
		{"refused by the bank", refusedCard, false, nil, "refusé"},
		{"abandoned on the payment page", "", true, nil, "abandonné"},
		{"paid: no notice", paidCard, false, nil, ""},
		{"the family's address unsubscribed from it", refusedCard, false, func(t *testing.T, e *env) {
			e.Tx(demo.Slug, func(tx *sql.Tx) error {
				return notify.Unsubscribe(context.Background(), tx, demo.FamilyEmail, notify.PaymentFailed, e.clock.Now())
			})
		}, ""},
		{"the commune turned it off", refusedCard, false, func(t *testing.T, e *env) {
			e.notifications(t, func(s *notify.Settings) { s.PaymentFailed = false })
		}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			if tc.setup != nil {
				tc.setup(t, e)
			}
			e.book(e.children[0], 3)
			e.payWithSimulator(tc.card, tc.abandon)
			o := e.lastOrder()
			var failed []smtptest.Message
			for _, m := range e.SendMail(t, demo.Slug) {
				if strings.HasPrefix(m.Subject, "Paiement ") {
					failed = append(failed, m)
				}
			}
			if tc.want == "" {
				if len(failed) != 0 {
					t.Fatalf("%d payment notices, want none: %q", len(failed), failed[0].Subject)
				}
				return
			}
			if len(failed) != 1 || failed[0].EnvelopeTo[0] != demo.FamilyEmail {
				t.Fatalf("%d notices, want 1 to %s", len(failed), demo.FamilyEmail)
			}
			m := failed[0]
			if m.Subject != "Paiement "+tc.want+" – référence "+o.Ref {
				t.Errorf("subject %q", m.Subject)
			}
			for _, w := range []string{"a été " + tc.want, "7,65", "Aucune des réservations demandées n'est validée",
				"http://ef.test/" + demo.Slug + "/famille/reservations", "Ne plus recevoir les emails « Paiement refusé ou abandonné »"} {
				if !strings.Contains(m.Text, w) {
					t.Errorf("text lacks %q:\n%s", w, m.Text)
				}
			}
			if strings.Contains(m.Text, "La place proposée") || strings.Contains(m.Text, "liste d'attente") {
				t.Errorf("no waiting-list offer, yet the text speaks of one:\n%s", m.Text)
			}
			lu := strings.Join(strings.Fields(m.Header.Get("List-Unsubscribe")), "")
			if !strings.HasPrefix(lu, "<http://ef.test/"+demo.Slug+notify.UnsubscribePath+"?jeton=") ||
				m.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
				t.Errorf("headers %q / %q", lu, m.Header.Get("List-Unsubscribe-Post"))
			}
		})
	}
}

// The new invoice notice follows the notification choices: not to an
// address that unsubscribed (the others still get it), not at all when
// the commune turned it off.
func TestNewInvoiceNoticeFollowsChoices(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, e *env)
		want  string
	}{
		{"the linked parent unsubscribed", func(t *testing.T, e *env) {
			e.Tx(demo.Slug, func(tx *sql.Tx) error {
				return notify.Unsubscribe(context.Background(), tx, "parent.lie@example.org", notify.NewInvoice, e.clock.Now())
			})
		}, demo.FamilyEmail},
		{"the commune turned it off", func(t *testing.T, e *env) {
			e.notifications(t, func(s *notify.Settings) { s.NewInvoice = false })
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.ParentAccount(demo.Slug, e.family, "parent.lie@example.org", apptest.ParentPassword)
			tc.setup(t, e)
			to := e.invoiceNoticeRecipients(t)
			if strings.Join(to, " ") != tc.want {
				t.Errorf("notice sent to %v, want %q", to, tc.want)
			}
		})
	}
}

// invoiceNoticeRecipients books next month's garderie for FAMILLE X, runs
// the monthly invoicing once the month is over, and returns the addresses
// the "nouvelle facture" notice was queued to, in order.
func (e *env) invoiceNoticeRecipients(t *testing.T) []string {
	t.Helper()
	ctx := context.Background()
	first := e.bookGarderieNextMonth()
	after := first.AddMonths(1)
	e.clock.Set(time.Date(after.Year(), after.Month(), 2, 9, 0, 0, 0, calendar.Paris()))
	if rep, err := e.h.Service().RunMonth(ctx, e.db, e.com, first.Year(), first.Month(), "http://ef.test/"+demo.Slug+"/famille/factures"); err != nil || rep.Created != 1 {
		t.Fatalf("run: %+v, %v", rep, err)
	}
	rows, err := e.db.Reader().QueryContext(ctx, `SELECT to_addr FROM outbox WHERE kind = 'invoice_available' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	to, err := tenants.Column[string](rows)
	if err != nil {
		t.Fatal(err)
	}
	return to
}
