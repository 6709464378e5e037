package billing_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"espacefamille/app/apptest"
	"espacefamille/app/billing"
)

func (e *env) payWithSimulator(card string, abandon bool) apptest.Response {
	e.t.Helper()
	return e.payWithSimulatorAt(e.checkout(), card, abandon)
}

// payWithSimulatorAt is payWithSimulator after the checkout r.
func (e *env) payWithSimulatorAt(r apptest.Response, card string, abandon bool) apptest.Response {
	e.t.Helper()
	if r.Status != http.StatusSeeOther || !strings.Contains(r.Location, "/paiement/simulateur/") {
		e.t.Fatalf("checkout: %d %s %s", r.Status, r.Location, r.Body)
	}
	page := e.do(http.MethodGet, r.Location[len("/malemort-du-comtat"):], nil, e.family)
	mustContain(e.t, page.Body, "Paiement de test — aucune somme ne sera prélevée", "Abandonner", "7,65")
	form := url.Values{"numero": {card}, "expiration": {"12/40"}, "cryptogramme": {"123"}, "action": {"payer"}}
	if abandon {
		form.Set("action", "abandonner")
	}
	post := e.do(http.MethodPost, r.Location[len("/malemort-du-comtat"):], form, e.family)
	return e.follow(post, e.family)
}

func TestSimulatorSuccessValidatesAndInvoices(t *testing.T) {
	e := newEnv(t)
	e.book(e.children[0], 3)
	page := e.payWithSimulator("4242 4242 4242 4242", false)
	mustContain(t, page.Body, "Le résumé de votre paiement", "1 copie de ce ticket vous est envoyée par mail",
		"Commune de Malemort du Comtat", "REGIE CANTINE - prépaiement", "Numéro d'autorisation", "Fille FAMILLE X", "7,65")
	o := e.lastOrder()
	if o.Status != billing.OrderPaid || o.AmountCents != 765 {
		t.Fatalf("order = %+v", o)
	}
	mustContain(t, page.Body, o.Ref)
	if n := e.count(`SELECT COUNT(*) FROM reservations WHERE state = 'validated' AND order_ref = ?`, o.Ref); n != 3 {
		t.Errorf("validated reservations = %d, want 3", n)
	}
	if e.cartLines() != 0 {
		t.Errorf("cart not emptied")
	}
	if n := e.count(`SELECT COUNT(*) FROM outbox WHERE kind = 'payment_receipt'`); n != 1 {
		t.Errorf("receipts queued = %d", n)
	}
	// The copy by email: from the commune, in French, text and HTML.
	var to, from, subject, text, html string
	if err := e.db.Reader().QueryRowContext(context.Background(), `SELECT to_addr, from_name, subject, text_body, html_body FROM outbox WHERE kind = 'payment_receipt'`).
		Scan(&to, &from, &subject, &text, &html); err != nil {
		t.Fatal(err)
	}
	if to != "famille.x@example.org" || from != "Commune de Malemort du Comtat" || subject != "Le résumé de votre paiement – référence "+o.Ref {
		t.Errorf("receipt email to %q from %q: %q", to, from, subject)
	}
	for _, part := range []string{text, html} {
		mustContain(t, part, "Voici le résumé de votre paiement", "Commune de Malemort du Comtat", "REGIE CANTINE - prépaiement",
			o.Ref, "7,65", "autorisation", "Date et heure", "Fille FAMILLE X", "REPAS CLASSIQUE ENFANT", "il vaut ticket de paiement")
	}
	list := e.do(http.MethodGet, "/famille/factures", nil, e.family)
	year := e.clock.Now().Year()
	mustContain(t, list.Body, "Factures en cours", "Factures payées", "pour M FAMILLE X Y payée le",
		"(ref.: "+itoa(year)+"-GM-00001)", "Détail")
	agenda := e.do(http.MethodGet, "/famille/reservations?regie="+itoa(int(e.cantine)), nil, e.family)
	mustContain(t, agenda.Body, "demande validée")
}

func TestSimulatorRefusalAndAbandonKeepTheCart(t *testing.T) {
	for _, tc := range []struct {
		name, card string
		abandon    bool
		want       string
		status     string
	}{
		{"refused card", "4000 0000 0000 0002", false, "Paiement refusé", billing.OrderRefused},
		{"abandon button", "", true, "Paiement abandonné", billing.OrderAbandoned},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.book(e.children[0], 3)
			page := e.payWithSimulator(tc.card, tc.abandon)
			mustContain(t, page.Body, tc.want, "vos demandes restent dans votre panier", "Retour à mon panier")
			if o := e.lastOrder(); o.Status != tc.status {
				t.Errorf("order status = %s", o.Status)
			}
			if e.cartLines() != 3 || e.count(`SELECT COUNT(*) FROM reservations`) != 0 || e.count(`SELECT COUNT(*) FROM invoices`) != 0 {
				t.Errorf("something was validated: cart %d", e.cartLines())
			}
		})
	}
}

func TestSimulatorCardErrors(t *testing.T) {
	e := newEnv(t)
	e.book(e.children[0], 1)
	r := e.checkout()
	path := r.Location[len("/malemort-du-comtat"):]
	e.do(http.MethodGet, path, nil, e.family)
	bad := e.do(http.MethodPost, path, url.Values{"numero": {"1234"}, "expiration": {"01/20"}, "cryptogramme": {"1"}, "action": {"payer"}}, e.family)
	if bad.Status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", bad.Status)
	}
	mustContain(t, bad.Body, "Carte de test inconnue", "Cette carte est expirée", "3 chiffres")
	if o := e.lastOrder(); o.Status != billing.OrderPending {
		t.Errorf("order = %s", o.Status)
	}
}

func TestDuplicateNotificationMakesOnePayment(t *testing.T) {
	e := newEnv(t)
	e.book(e.children[0], 3)
	e.payWithSimulator("4242424242424242", false)
	o := e.lastOrder()
	for i := 0; i < 3; i++ {
		r := e.do(http.MethodPost, "/paiement/notification/simulator", url.Values{"idop": {o.ProviderRef}}, 0)
		if r.Status != http.StatusOK {
			t.Fatalf("replayed notification: %d %s", r.Status, r.Body)
		}
	}
	if n := e.count(`SELECT COUNT(*) FROM payments`); n != 1 {
		t.Errorf("payments = %d", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM invoices`); n != 1 {
		t.Errorf("invoices = %d", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM outbox WHERE kind = 'payment_receipt'`); n != 1 {
		t.Errorf("receipts = %d", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM payment_events WHERE outcome = 'duplicate'`); n < 3 {
		t.Errorf("duplicates logged = %d", n)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// The simulator keeps its operations in the commune's database and waits
// on nothing: "Valider" writes the order, its holds and the simulator's
// operation in one write transaction (it took three: the order, the
// operation, its reference), and the card form records the operation's
// outcome and applies the payment in one (it took two).
func TestSimulatorValiderAndCardAreOneWriteTransactionEach(t *testing.T) {
	e := newEnv(t)
	e.book(e.children[0], 3)
	writes := func() (n int64) {
		for _, st := range e.db.WriterStats() {
			n += st.Count
		}
		return n
	}
	w0 := writes()
	r := e.checkout()
	if r.Status != http.StatusSeeOther || !strings.Contains(r.Location, "/paiement/simulateur/") {
		t.Fatalf("checkout: %d %s %s", r.Status, r.Location, r.Body)
	}
	w1 := writes()
	o := e.lastOrder()
	if o.Status != billing.OrderPending || o.ProviderRef == "" || !strings.HasSuffix(r.Location, o.ProviderRef) {
		t.Fatalf("order after Valider = %+v, sent to %s", o, r.Location)
	}
	form := url.Values{"numero": {"4242 4242 4242 4242"}, "expiration": {"12/40"}, "cryptogramme": {"123"}, "action": {"payer"}}
	post := e.do(http.MethodPost, r.Location[len("/malemort-du-comtat"):], form, e.family)
	w2 := writes()
	if post.Status != http.StatusSeeOther {
		t.Fatalf("card: %d %s", post.Status, post.Body)
	}
	if got := e.lastOrder(); got.Status != billing.OrderPaid {
		t.Fatalf("order after the card = %s", got.Status)
	}
	if n := e.count(`SELECT COUNT(*) FROM simulator_operations WHERE id_op = ? AND status = 'paid'`, o.ProviderRef); n != 1 {
		t.Errorf("simulator's operation paid: %d", n)
	}
	if w1-w0 != 1 || w2-w1 != 1 {
		t.Errorf("write transactions: Valider %d, card %d; want 1 and 1", w1-w0, w2-w1)
	}
}
