package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"espacefamille/app/apptest"
	"espacefamille/app/calendar"
	"espacefamille/app/demo"
)

// freeMeal is the first réservable "REPAS CLASSIQUE ENFANT" of the agenda.
const freeMeal = `button.cell-button[aria-label^="REPAS CLASSIQUE ENFANT,"][aria-label$=": réservable"]`

// paidLineRE is the memento's line in "Factures payées": "Facture du
// 01/12/2017 pour M FAMILLE X Y payée le 28/11/2017 10:08:14 (ref.:
// 2017-GM-00019) 15,30 €" (spaces collapsed).
var paidLineRE = regexp.MustCompile(`^Facture du (\d\d/\d\d/\d{4}) pour M FAMILLE X Y payée le \d\d/\d\d/\d{4} \d\d:\d\d:\d\d \(ref\.: (\d{4}-GM-\d{5})\) 15,30 €`)

// The memento's end of the journey (issue 5): three meals for each child
// in the Vue Agenda, "Total à payer : 15,30 €", "Valider", the simulator's
// test payment page: first a refused card (phone) or "Abandonner"
// (desktop), with a clear message and the cart kept, then the test card
// that pays; "le
// résumé de votre paiement" and its copy by email; the meals in "Demande
// validée" (✓); "Mes factures", "Factures payées", "Détail" and the PDF.
func TestPaymentJourney(t *testing.T) {
	asNewParent(t, "parent.paiement", func(t *testing.T, h *Harness, tab *Tab, _ string) {

		// "Mes réservations": three meals for each child.
		tab.Click("Mes réservations")
		for _, child := range []string{"Fille FAMILLE X", "Garçon FAMILLE X"} {
			tab.Click(child + " (28/11/2017 - Sans classe)")
			for _, want := range []string{"1 REPAS CLASSIQUE ENFANT", "2 REPAS CLASSIQUE ENFANT", "3 REPAS CLASSIQUE ENFANT"} {
				tab.ClickSel(freeMeal)
				tab.See(want)
			}
		}
		tab.See("Total à payer : 15,30 €")
		tab.Shot("01-panier")

		// A failure first, nothing validated and the cart kept: a refused
		// card on the phone, "Abandonner" on the desktop (each path has
		// its own HTTP test too).
		if tab.size.Mobile {
			payWith(tab, "4000 0000 0000 0002")
			tab.See("Paiement refusé")
			tab.See("Votre paiement a été refusé par votre banque.")
			tab.Shot("03-paiement-refuse")
		} else {
			tab.Click("Valider")
			tab.See("Paiement de test — aucune somme ne sera prélevée.")
			tab.Shot("02-page-de-paiement")
			tab.Click("Abandonner")
			tab.See("Paiement abandonné")
			tab.Shot("03-paiement-abandonne")
		}
		tab.See("vos demandes restent dans votre panier")
		tab.Click("Retour à mon panier")
		tab.See("Total à payer : 15,30 €")
		if n := validatedCells(tab); n != 0 {
			t.Errorf("a failed payment validated %d cells", n)
		}

		// The test card that pays: "le résumé de votre paiement".
		payWith(tab, "4242 4242 4242 4242")
		tab.See("Le résumé de votre paiement")
		tab.See("1 copie de ce ticket vous est envoyée par mail.")
		tab.See("Commune de Malemort du Comtat")
		tab.See("REGIE CANTINE - prépaiement")
		tab.See("15,30 €")
		tab.See("Numéro d'autorisation")
		tab.See("Fille FAMILLE X : REPAS CLASSIQUE ENFANT le")
		tab.See("Garçon FAMILLE X : REPAS CLASSIQUE ENFANT le")
		ref, auth := receiptField(tab, "Référence"), receiptField(tab, "Numéro d'autorisation")
		if !regexp.MustCompile(`^EF\d{8}[A-Z0-9]{8}$`).MatchString(ref) || auth == "" {
			t.Errorf("receipt: reference %q, authorisation %q", ref, auth)
		}
		if when := receiptField(tab, "Date et heure"); !strings.HasPrefix(when, calendar.Today(time.Now()).FR()) {
			t.Errorf("receipt date and time %q", when)
		}
		tab.Shot("05-resume-paiement")

		// "Les réservations se modifient alors en « Demande validée »".
		tab.Click("Retour à mes réservations")
		for _, child := range []string{"Fille FAMILLE X", "Garçon FAMILLE X"} {
			tab.Click(child + " (28/11/2017 - Sans classe)")
			tab.See("Votre panier est vide.")
			if n := validatedCells(tab); n != 3 {
				t.Errorf("%s: %d cells in « demande validée », want 3", child, n)
			}
		}
		tab.Shot("06-demande-validee")

		// "Mes factures" → "Factures payées" → "Détail" → PDF.
		tab.Click("Mes factures")
		tab.See("Factures en cours")
		tab.See("Factures payées")
		var line string
		tab.Eval(`(document.querySelector('section[aria-labelledby=payees] li') || {}).innerText || ''`, &line)
		line = strings.Join(strings.Fields(line), " ")
		m := paidLineRE.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("paid invoice line %q does not read like the memento's", line)
		}
		if m[1] != calendar.Today(time.Now()).FR() {
			t.Errorf("invoice dated %s", m[1])
		}
		number := m[2]
		tab.Shot("07-factures-payees")
		tab.ClickSel(`section[aria-labelledby=payees] a[href*="/famille/factures/"]`)
		tab.See("Facture " + number)
		tab.See("REPAS CLASSIQUE ENFANT")
		tab.See("Garçon FAMILLE X")
		tab.See("Payée le")
		tab.See("Carte bancaire (paiement de test)")
		tab.Shot("08-detail-facture")
		pdf := fetch(tab, `a[href$="/pdf"]`)
		if pdf.Status != 200 || !strings.HasPrefix(pdf.Type, "application/pdf") || !strings.HasPrefix(pdf.Body, "%PDF-") {
			t.Errorf("PDF: %d %q %.8q", pdf.Status, pdf.Type, pdf.Body)
		}
		text := apptest.PDFText(t, pdf.Bytes())
		for _, want := range []string{number, "15,30 €", "Commune de Malemort du Comtat", "Garçon FAMILLE X", "REPAS CLASSIQUE ENFANT"} {
			if !strings.Contains(text, want) {
				t.Errorf("the PDF lacks %q:\n%s", want, text)
			}
		}

		// "1 copie de ce ticket vous est envoyée par mail".
		tab.Go(Commune + "/boite-mail-demo")
		tab.See("Le résumé de votre paiement – référence " + ref)
		tab.See("Numéro d'autorisation : " + auth)
		tab.Shot("09-courriel-resume")
		mail, err := h.LastMail(demo.Slug, "payment_receipt", demo.FamilyEmail)
		if err != nil {
			t.Fatal(err)
		}
		if mail.FromName != "Commune de Malemort du Comtat" {
			t.Errorf("receipt sent as %q", mail.FromName)
		}
		for _, part := range []string{mail.Text, mail.HTML} {
			for _, want := range []string{"résumé de votre paiement", ref, auth, "REGIE CANTINE - prépaiement",
				"Fille FAMILLE X", "Garçon FAMILLE X", "REPAS CLASSIQUE ENFANT", "15,30"} {
				if !strings.Contains(part, want) {
					t.Errorf("the receipt email lacks %q:\n%s", want, part)
				}
			}
		}

		// Issue 9 §3: cancelling a paid meal is confirmed without any
		// payment page, in words that say what happened.
		tab.Go(Commune + "/famille/reservations")
		tab.Click("Fille FAMILLE X (28/11/2017 - Sans classe)")
		tab.ClickSel(`button.cell-button[aria-label^="REPAS CLASSIQUE ENFANT,"][aria-label$=": demande validée"]`)
		tab.See("Avoir à recevoir : 2,55 €")
		tab.NotSee("Total à payer")
		tab.Click("Valider")
		tab.See("Annulation confirmée : un avoir de 2,55 € est ajouté à votre compte.")
		tab.See("1 copie de ce résumé vous est envoyée par mail.")
		tab.NotSee("Montant payé")
		tab.NotSee("Paiement de test")
		tab.Shot("10-annulation-confirmee")
	})
}

// payWith validates the cart and pays on the simulator's page with a test
// card, a future expiry and a 3-digit code.
func payWith(tab *Tab, card string) {
	tab.t.Helper()
	tab.Click("Valider")
	tab.See("Montant à payer : 15,30 €")
	fillTestCard(tab, card)
	if strings.HasPrefix(card, "4000") {
		tab.Shot("02-page-de-paiement")
	}
	tab.Click("Payer 15,30 €")
}

// receiptField reads a value of the receipt's list ("Référence").
func receiptField(tab *Tab, name string) string {
	tab.t.Helper()
	var v string
	tab.Eval(`(() => { const dt = [...document.querySelectorAll('.receipt dt')].find(d => d.textContent.trim() === `+
		jsString(name)+`); return dt ? dt.nextElementSibling.textContent.trim() : ''; })()`, &v)
	return v
}

// validatedCells counts the agenda's cells in « demande validée » (✓).
func validatedCells(tab *Tab) int {
	tab.t.Helper()
	var n int
	tab.Eval(`[...document.querySelectorAll('td.cell')].filter(td => td.textContent.includes('✓') &&
		(td.querySelector('[aria-label$=": demande validée"]') || (td.querySelector('.visually-hidden') || {}).textContent?.endsWith(': demande validée'))).length`, &n)
	return n
}

// fetched is a response read by the page itself (with its cookies).
type fetched struct {
	Status int    `json:"status"`
	Type   string `json:"type"`
	Body   string `json:"body"` // bytes as Latin-1 characters
}

// fetch GETs the href of the first element matching css from the page.
// Bytes is the body as the server sent it (fetch reads each byte as one
// character).
func (f fetched) Bytes() []byte {
	b := make([]byte, 0, len(f.Body))
	for _, r := range f.Body {
		b = append(b, byte(r))
	}
	return b
}

func fetch(tab *Tab, css string) fetched {
	tab.t.Helper()
	var f fetched
	tab.Eval(`(() => { const a = document.querySelector(`+jsString(css)+`); if (!a) return {status: 0, type: '', body: ''};
		const x = new XMLHttpRequest(); x.open('GET', a.href, false);
		x.overrideMimeType('text/plain; charset=x-user-defined'); x.send();
		let body = ''; for (let i = 0; i < x.responseText.length; i++) body += String.fromCharCode(x.responseText.charCodeAt(i) & 0xff);
		return {status: x.status, type: x.getResponseHeader('Content-Type') || '', body: body}; })()`, &f)
	return f
}
