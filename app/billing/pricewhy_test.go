package billing_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"espacefamille/app/billing"
	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/demo"
)

// "Pourquoi ce prix ?" reads the price the cart applies: when the
// commune changes its grid, the next demande's price and its explanation
// change together, a line added before says what it was priced at, and
// the paid invoice's line explains the same bracket, with the credit the
// payment deducted.
func TestPourquoiCePrixFollowsTheGridTheCartApplies(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	meal := e.prestations["REPAS CLASSIQUE ENFANT"]
	setGrid := func(middle int64) {
		t.Helper()
		err := e.db.Tx(ctx, func(tx *sql.Tx) error {
			return booking.SetPriceBrackets(ctx, tx, meal, []calendar.Bracket{{MaxQF: 500, Cents: 150}, {MaxQF: 900, Cents: middle}, {Cents: 380}})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	agenda := func() string {
		t.Helper()
		// Amounts read "2,55 €" with a no-break space.
		return strings.ReplaceAll(e.do(http.MethodGet, fmt.Sprintf("/famille/reservations?regie=%d&enfant=%d", e.cantine, e.children[0]), nil, e.family).Body, "\u00a0", " ")
	}
	setGrid(255)
	day := e.book(e.children[0], 1)[0]
	page := agenda()
	mustContain(t, page, "Pourquoi ce prix ?", "Votre quotient familial (650) : tranche « QF de 501 à 900 », 2,55 € par jour.",
		"QF jusqu&#39;à 500", "1,50 €", "QF au-delà de 900, ou sans quotient familial à jour", "3,80 €", "(votre tarif)")

	// The grid changes: the line already in the cart keeps its price and
	// says so; a new demande is priced, and explained, by the new grid.
	setGrid(270)
	page = agenda()
	mustContain(t, page, "Prix enregistré lors de la demande : 2,55 €", "ce jour coûterait aujourd&#39;hui 2,70 €")
	if _, err := booking.ToggleCell(ctx, e.db, booking.Click{FamilyID: e.family, RegieID: e.cantine, ChildID: e.children[0],
		PrestationID: meal, Day: day, Intent: booking.IntentRemove}, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	e.book(e.children[0], 1)
	var price int64
	e.scalar(`SELECT price_cents FROM cart_lines WHERE family_id = ?`, &price, e.family)
	page = agenda()
	if price != 270 || !strings.Contains(page, "tranche « QF de 501 à 900 », 2,70 € par jour.") || strings.Contains(page, "coûterait") {
		t.Fatalf("cart line priced %d; explanation:\n%s", price, between(page, "Pourquoi ce prix ?", "</details>"))
	}

	// A credit is named, then deducted by the payment; the invoice's line
	// explains the same bracket and the credit.
	e.Exec(demo.Slug, `INSERT INTO credits (family_id, regie_id, kind, amount_cents, label, created_at) VALUES (?, ?, 'manual', 100, 'Geste', '2026-01-01T00:00:00Z')`,
		e.family, e.cantine)
	mustContain(t, agenda(), "Votre avoir de 1,00 € sera déduit du total au paiement.")
	r := e.checkout()
	if !strings.Contains(r.Location, "/paiement/simulateur/") {
		t.Fatalf("checkout: %d %s", r.Status, r.Location)
	}
	path := r.Location[len("/"+demo.Slug):]
	e.do(http.MethodGet, path, nil, e.family)
	e.follow(e.do(http.MethodPost, path, url.Values{"numero": {"4242 4242 4242 4242"}, "expiration": {"12/40"}, "cryptogramme": {"123"}, "action": {"payer"}}, e.family), e.family)
	var inv int64
	e.scalar(`SELECT id FROM invoices WHERE family_id = ? ORDER BY id DESC LIMIT 1`, &inv, e.family)
	page = strings.ReplaceAll(e.do(http.MethodGet, fmt.Sprintf("/famille/factures/%d", inv), nil, e.family).Body, "\u00a0", " ")
	mustContain(t, page, "Pourquoi ce prix ?", "tranche « QF de 501 à 900 », 2,70 € par jour.", "Avoir déduit sur cette facture : 1,00 €")
}

func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	j := strings.Index(s[i:], to)
	if j < 0 {
		return s[i:]
	}
	return s[i : i+j]
}

// An invoice line's "Pourquoi ce prix ?" separates the day's price from
// the majoration of a child present without a booking (as the monthly
// run priced it, with the commune's rule), says a cancellation gives the
// price paid back, and names the credit the invoice deducted; a line
// whose amount the current rule does not give (the rule changed since)
// shows no majoration it cannot account for.
func TestInvoiceLineExplainsTheMajorationTheCancellationAndTheCredit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.majorationRules()
	day := calendar.DateOf(2026, time.November, 2)
	line := func(prestation, label string, unit int64) billing.Line {
		return billing.Line{ChildName: "Fille FAMILLE X", Prestation: prestation, Day: day, Label: label, Quantity: 1, UnitCents: unit, AmountCents: unit}
	}
	const (
		percentRule = "Majoration : + 0,21 € (présent sans réservation, règle de la commune : 10 %)."
		fixedRule   = "Majoration : + 1,00 € (présent sans réservation, règle de la commune : 1,00 €)."
		cancelled   = "Annulation : le prix payé à la réservation vous est rendu."
	)
	for _, tc := range []struct {
		name    string
		line    billing.Line
		credit  int64
		applied string   // a part of the bracket's sentence
		notes   []string // exactly, in order ("\u00a0" written as a space)
	}{
		{"QF 650 present without a booking: 2,10 € and 10 % of it", line("REPAS CLASSIQUE ENFANT", "Présent sans réservation (majoration 0,21 €)", 231), 0,
			"tranche « QF de 601 à 1000 », 2,10 € par jour.", []string{percentRule}},
		{"a fixed majoration of 1,00 € on the vegetarian meal", line("REPAS VEGETARIEN", "Présent sans réservation (majoration 1,00 €)", 355), 0,
			"2,55 €", []string{fixedRule}},
		{"no majoration configured: the day's price alone, no majoration note", line("GARDERIE MATIN ET SOIR", "Présent sans réservation", 2500), 0,
			"25,00 €", nil},
		{"the rule changed since the invoice: the amount is explained as recorded, without a majoration", line("REPAS CLASSIQUE ENFANT", "Présent sans réservation (majoration 0,30 €)", 240), 0,
			"2,10 €", []string{"Prix enregistré lors de la demande : 2,40 €. Le tarif ou votre quotient familial a changé depuis : ce jour coûterait aujourd'hui 2,10 €."}},
		{"a cancellation gives back the price paid", line("REPAS CLASSIQUE ENFANT", "Annulation", -210), 0,
			"2,10 €", []string{cancelled}},
		{"a booked day of an invoice that deducted a credit", line("REPAS CLASSIQUE ENFANT", "", 210), 150,
			"2,10 €", []string{"Avoir déduit sur cette facture : 1,50 € (sur le total)."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv := billing.Invoice{FamilyID: e.family, RegieID: e.cantine, CreditCents: tc.credit, Lines: []billing.Line{tc.line}}
			if tc.line.Prestation == "GARDERIE MATIN ET SOIR" {
				inv.RegieID = e.garderie
			}
			if err := billing.ExplainInvoice(ctx, e.db.Reader(), &inv); err != nil {
				t.Fatal(err)
			}
			w := inv.Lines[0].Why
			if w == nil {
				t.Fatal("line left unexplained")
			}
			nbsp := func(s string) string { return strings.ReplaceAll(s, "\u00a0", " ") }
			var notes []string
			for _, n := range w.Notes {
				notes = append(notes, nbsp(n))
			}
			if !strings.Contains(nbsp(w.Applied), tc.applied) || strings.Join(notes, "\n") != strings.Join(tc.notes, "\n") {
				t.Fatalf("applied %q, notes:\n%s\nwant %q and:\n%s", nbsp(w.Applied), strings.Join(notes, "\n"), tc.applied, strings.Join(tc.notes, "\n"))
			}
		})
	}
}
