package e2e

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"

	"espacefamille/app/demo"
	"espacefamille/tenants"
)

// Journey steps shared by several tests: each is what a person does
// through the pages, failing through its tab like any other action.

// fillSignUp fills the "Créer mon compte" form for M FAMILLE X Y, of the
// given address and password.
func fillSignUp(tab *Tab, email, password string) {
	tab.t.Helper()
	tab.Check("Monsieur")
	tab.Fill("Nom", "FAMILLE X")
	tab.Fill("Prénom", "Y")
	tab.Fill("Adresse email", email)
	tab.Fill("Confirmation de l'adresse email", email)
	tab.Fill("Mot de passe", password)
	tab.Fill("Confirmation du mot de passe", password)
	tab.Fill("Téléphone", "06 12 34 56 78")
	tab.Fill("Adresse", "1 chemin des Écoliers")
	tab.Fill("Code postal", "84570")
	tab.Fill("Commune", "Malemort-du-Comtat")
}

// signUpFamilyX creates a parent's account through the pages and links it
// to FAMILLE X with the demo's code d'adhésion, ending in the personal
// space (the journey of accounts_test.go, without its screenshots). The
// code works once: one call per Harness.
func signUpFamilyX(tab *Tab, h *Harness, email string) {
	tab.t.Helper()
	signUpAndJoin(tab, Commune, email, "une phrase de passe solide", demo.AdhesionCode)
}

// asNewParent runs journey once per screen size (Sizes), in parallel, each
// on a server of its own (the family's code works once) where a parent
// "<who>.<size>@example.org" has signed up and joined FAMILLE X
// and is in the personal space.
func asNewParent(t *testing.T, who string, journey func(t *testing.T, h *Harness, tab *Tab, email string)) {
	asDemoParent(t, who, demo.AdhesionCode, Sizes, journey)
}

// asDemoParent is asNewParent for the demo family of code (a code
// d'adhésion of the demo: FAMILLE X's, or the second guardian's) and the
// given screen sizes.
func asDemoParent(t *testing.T, who, code string, sizes []Size, journey func(t *testing.T, h *Harness, tab *Tab, email string)) {
	t.Parallel()
	for _, size := range sizes {
		t.Run(size.Name, func(t *testing.T) {
			t.Parallel()
			h := New(t)
			tab := h.Tab(t, size)
			email := who + "." + size.Name + "@example.org"
			signUpAndJoin(tab, Commune, email, "une phrase de passe solide", code)
			journey(t, h, tab, email)
		})
	}
}

// signUpAndJoin creates a parent's account in the commune at prefix
// ("/malemort-du-comtat") through the pages, confirms it from the demo
// mailbox, logs in and joins the family of the code d'adhésion, ending in
// the personal space.
func signUpAndJoin(tab *Tab, prefix, email, password, code string) {
	tab.t.Helper()
	tab.Go(prefix + "/")
	tab.Click("Je me connecte")
	tab.Click("Je n'ai pas de compte")
	tab.Click("Non")
	fillSignUp(tab, email, password)
	tab.Click("Enregistrer")
	tab.Click("boîte mail de démonstration")
	tab.Go(mailLink(tab, email, "/confirmation/"))
	tab.Fill("Identifiant", email)
	tab.Fill("Mot de passe", password)
	tab.Click("Se connecter")
	tab.Fill("Code d'adhésion", code)
	tab.Click("Valider")
	tab.Click("Fermer")
	tab.See("Mes réservations")
}

// fillTestCard fills the test payment page (the simulator's card form)
// with card, an expiry three years ahead and a cryptogram.
func fillTestCard(tab *Tab, card string) {
	tab.t.Helper()
	tab.See("Paiement de test — aucune somme ne sera prélevée.")
	tab.Fill("Numéro de carte", card)
	tab.Fill("Date d'expiration (MM/AA)", fmt.Sprintf("12/%02d", (time.Now().Year()+3)%100))
	tab.Fill("Cryptogramme (3 chiffres)", "123")
}

// mailLink returns the newest link holding part in the demo mailbox's
// emails to addr (the tab must show the mailbox page).
func mailLink(tab *Tab, addr, part string) string {
	tab.t.Helper()
	var href string
	tab.Eval(fmt.Sprintf(`(() => {
		for (const m of document.querySelectorAll('.mailbox article')) {
			if (!m.textContent.includes(%s)) continue;
			const a = m.querySelector('a[href*=' + JSON.stringify(%s) + ']');
			if (a) return a.getAttribute('href');
		}
		return '';
	})()`, jsString(addr), jsString(part)), &href)
	if href == "" {
		tab.t.Fatalf("no link with %q in the mailbox for %s", part, addr)
	}
	return href
}

// Mail is one email of a commune's outbox, as queued.
type Mail struct {
	Kind, To, FromName, Subject, Text, HTML string
}

// ErrNoMail: the outbox holds no email of that kind to that address.
var ErrNoMail = errors.New("e2e: no such email in the outbox")

// LastMail returns the newest email of kind (e.g. "payment_receipt") to
// addr in the commune's outbox (slug: demo.Slug for the demo commune),
// with both its parts: the mailbox page shows the text part only.
func (h *Harness) LastMail(slug, kind, addr string) (Mail, error) {
	m := Mail{Kind: kind, To: addr}
	err := h.Registry.WithCommune(context.Background(), slug, func(db *tenants.DB) error {
		return db.Reader().QueryRowContext(context.Background(), `SELECT from_name, subject, text_body, html_body FROM outbox
			WHERE kind = ? AND to_addr = ? ORDER BY id DESC LIMIT 1`, kind, addr).Scan(&m.FromName, &m.Subject, &m.Text, &m.HTML)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return m, ErrNoMail
	}
	return m, err
}
