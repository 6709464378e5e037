package billing_test

import (
	"espacefamille/app/booking"
	"os"
	"strings"
	"testing"
	"time"

	"espacefamille/app/apptest"
	"espacefamille/app/billing"
	"espacefamille/app/calendar"
)

// Names outside Windows-1252 used to print as "." (".ukasz Nguy.n") with
// the PDF core fonts, and long cells were cut without a mark: the invoice
// now embeds DejaVu Sans, and a cell too long for three lines ends with
// "…". pdftotext reads the names back whole.
// unicodeInvoice is an invoice of names outside Windows-1252 and a
// prestation too long for its cell.
func unicodeInvoice() billing.InvoiceDocument {
	day := calendar.DateOf(2026, time.December, 7)
	long := strings.Repeat("ACCUEIL DE LOISIRS SANS HÉBERGEMENT ", 6) + "FIN-DU-TEXTE"
	return billing.InvoiceDocument{
		Commune:        "Commune de Malemort du Comtat",
		CommuneAddress: "Place de la Mairie, 84570 Malemort-du-Comtat",
		Regie:          booking.Regie{Name: "REGIE CANTINE - prépaiement"},
		FamilyAddress:  "12 ulica Świętokrzyska 84570 Malemort-du-Comtat",
		Invoice: billing.Invoice{Number: "2026-GM-00042", Status: billing.InvoicePaid, PayerName: "M Łukasz Nguyễn",
			IssuedOn: day, DueOn: day.AddDays(30), PeriodStart: day, PeriodEnd: day.AddDays(3),
			TotalCents: 765, PaidCents: 765, PaidAt: time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC), PaymentMeans: "Carte bancaire",
			Lines: []billing.Line{
				{ChildName: "Zoë Nguyễn", Prestation: "REPAS CLASSIQUE ENFANT", Day: day, Quantity: 1, UnitCents: 255, AmountCents: 255},
				{ChildName: "Łucja Đặng-Nguyễn", Prestation: long, Day: day.AddDays(1), Quantity: 2, UnitCents: 255, AmountCents: 510},
			}},
	}
}

func TestInvoicePDFPrintsEveryNameWholeAndMarksLongCells(t *testing.T) {
	pdf, err := unicodeInvoice().PDF()
	if err != nil {
		t.Fatal(err)
	}
	if out := os.Getenv("INVOICE_PDF_OUT"); out != "" { // to look at it
		if err := os.WriteFile(out, pdf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(string(pdf), "/FontFile2") {
		t.Error("the PDF embeds no TrueType font")
	}
	text := apptest.PDFText(t, pdf)
	for _, want := range []string{"M Łukasz Nguyễn", "Zoë Nguyễn", "Łucja Đặng-Nguyễn", "ulica Świętokrzyska", "REGIE CANTINE - prépaiement",
		"Facture n° 2026-GM-00042", "REPAS CLASSIQUE ENFANT", "Total 7,65 €", "moyen de paiement : Carte bancaire",
		"article 256 B du code général des impôts", "SANS HÉBERGEMENT… 08/12/2026"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "FIN-DU-TEXTE") {
		t.Error("a prestation too long for its cell is printed in full (past the cell)")
	}
}

// BenchmarkInvoicePDF is the cost of one invoice PDF: the embedded fonts
// are parsed and subset at each rendering.
func BenchmarkInvoicePDF(b *testing.B) {
	doc := unicodeInvoice()
	for b.Loop() {
		if _, err := doc.PDF(); err != nil {
			b.Fatal(err)
		}
	}
}
