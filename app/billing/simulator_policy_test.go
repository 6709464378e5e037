package billing_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"espacefamille/app/billing"
)

// Outside the demo (and without the operator's opt-in) a régie set on the
// simulator refuses checkout with a French message: nothing is validated
// without money, no order is created, the cart is kept.
func TestSimulatorClosedRefusesCheckout(t *testing.T) {
	e := newEnvWith(t, func(d *billing.Deps) { d.RefuseSimulator = true })
	e.book(e.children[0], 2)
	r := e.checkout()
	if r.Status != http.StatusSeeOther || strings.Contains(r.Location, "/paiement/simulateur/") {
		t.Fatalf("checkout: %d %s", r.Status, r.Location)
	}
	page := e.follow(r, e.family)
	mustContain(t, page.Body, "Le paiement en ligne n&#39;est pas encore ouvert pour ce service, contactez la mairie")
	if n := e.count(`SELECT COUNT(*) FROM orders`); n != 0 {
		t.Errorf("orders = %d, want none", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM simulator_operations`); n != 0 {
		t.Errorf("simulator operations = %d, want none", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM reservations WHERE state = 'validated'`); n != 0 {
		t.Errorf("validated reservations = %d", n)
	}
	if e.cartLines() != 2 {
		t.Errorf("cart lines = %d, want 2", e.cartLines())
	}
	// The simulator's pages do not exist either.
	if r := e.do(http.MethodGet, "/paiement/simulateur/SIMAAAAAAAAAAAAAAAA", nil, e.family); r.Status != http.StatusNotFound {
		t.Errorf("simulator page: %d, want 404", r.Status)
	}
}

// The simulator's page belongs to the family that started the order:
// another family gets 404 and cannot finish the operation; nobody logged
// in is sent to the log-in.
func TestSimulatorPageBoundToFamily(t *testing.T) {
	e := newEnv(t)
	e.book(e.children[0], 1)
	r := e.checkout()
	if !strings.Contains(r.Location, "/paiement/simulateur/") {
		t.Fatalf("checkout: %d %s", r.Status, r.Location)
	}
	path := r.Location[len("/malemort-du-comtat"):]
	other := e.family + 1000
	if got := e.do(http.MethodGet, path, nil, other); got.Status != http.StatusNotFound {
		t.Errorf("another family's GET: %d, want 404", got.Status)
	}
	e.do(http.MethodGet, "/famille/factures", nil, e.family) // CSRF token
	form := url.Values{"action": {"abandonner"}}
	if got := e.do(http.MethodPost, path, form, other); got.Status != http.StatusNotFound {
		t.Errorf("another family's POST: %d, want 404", got.Status)
	}
	if got := e.do(http.MethodGet, path, nil, 0); got.Status != http.StatusSeeOther || !strings.Contains(got.Location, "connexion") {
		t.Errorf("no session: %d %s, want the log-in", got.Status, got.Location)
	}
	if o := e.lastOrder(); o.Status != billing.OrderPending {
		t.Errorf("order = %s, want still pending", o.Status)
	}
	if got := e.do(http.MethodGet, path, nil, e.family); got.Status != http.StatusOK {
		t.Errorf("own family: %d, want 200", got.Status)
	}
}

// "1 copie de ce ticket vous est envoyée par mail": to the paying
// account's address and to the family's contact address when different.
func TestReceiptGoesToPayerAndFamily(t *testing.T) {
	for _, tc := range []struct {
		name, payer string
		want        []string
	}{
		{"payer with their own address", "parent.y@example.net", []string{"parent.y@example.net", "famille.x@example.org"}},
		{"payer is the family's contact", "Famille.X@example.org", []string{"Famille.X@example.org"}},
		{"no account known: the family's address", "", []string{"famille.x@example.org"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			if tc.payer != "" {
				// The test session's account id is the family's id.
				if _, err := e.reg.Platform().W.Exec(`INSERT INTO accounts (id, email, password_hash, last_name, first_name,
					password_changed_at, created_at) VALUES (?, ?, 'x', 'FAMILLE X', 'Y', '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z')`,
					e.family, tc.payer); err != nil {
					t.Fatal(err)
				}
			}
			e.book(e.children[0], 3)
			e.payWithSimulator("4242 4242 4242 4242", false)
			if o := e.lastOrder(); o.Status != billing.OrderPaid {
				t.Fatalf("order = %s", o.Status)
			}
			rows, err := e.db.Reader().QueryContext(context.Background(), `SELECT to_addr FROM outbox WHERE kind = 'payment_receipt' ORDER BY id`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var got []string
			for rows.Next() {
				var a string
				rows.Scan(&a)
				got = append(got, a)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("receipts to %q, want %q", got, tc.want)
			}
		})
	}
}
