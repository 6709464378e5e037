package billing_test

import (
	"strings"
	"testing"
	"time"

	"espacefamille/app/apptest"
	"espacefamille/app/billing"
	"espacefamille/app/booking"
	"espacefamille/app/calendar"
)

// An open invoice's PDF says what is left to pay and by when (credit
// already deducted, shown), how to pay it, and that the comptable public
// recovers it if unpaid; a line's label follows its prestation.
func TestOpenInvoicePDFSaysWhatIsDueAndHowItIsRecovered(t *testing.T) {
	day := calendar.DateOf(2026, time.December, 7)
	doc := billing.InvoiceDocument{
		Commune: "Commune de Malemort du Comtat", Regie: booking.Regie{Name: "GARDERIE"},
		Invoice: billing.Invoice{Number: "2026-G-00007", Status: billing.InvoiceOpen, PayerName: "M FAMILLE X",
			IssuedOn: day, DueOn: day.AddDays(30), TotalCents: 2550, CreditCents: 500, PaidCents: 0,
			Lines: []billing.Line{{ChildName: "Fille FAMILLE X", Prestation: "GARDERIE", Label: "Présent sans réservation", Day: day,
				Quantity: 1, UnitCents: 2550, AmountCents: 2550}}},
	}
	pdf, err := doc.PDF()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(apptest.PDFText(t, pdf)), " ")
	for _, want := range []string{"GARDERIE – Présent sans réservation", "Total 25,50 €", "Dont avoir déduit : 5,00 €",
		"à régler avant le 06/01/2027 : 20,50 €", "en ligne par carte bancaire", "recouvrée par le comptable public"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "Payée le") {
		t.Error("an open invoice says it was paid")
	}
	paid := doc
	paid.Invoice.Status, paid.Invoice.CreditCents, paid.Invoice.PaidAt, paid.Invoice.PaymentMeans = billing.InvoicePaid, 0, day.At(9, 30), "Avoir"
	if m := paid.LegalMentions(); strings.Contains(m, "comptable public") || !strings.Contains(m, "« GARDERIE » de la Commune de Malemort du Comtat") {
		t.Errorf("a paid invoice's mentions: %q", m)
	}
	pdf, err = paid.PDF()
	if err != nil {
		t.Fatal(err)
	}
	if text := apptest.PDFText(t, pdf); strings.Contains(text, "Dont avoir déduit") || !strings.Contains(text, "Payée le 07/12/2026 09:30:00") {
		t.Errorf("paid invoice without credit:\n%s", text)
	}
}
