package billing

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/go-pdf/fpdf"

	"espacefamille/app/calendar"
	"espacefamille/tenants"
)

// InvoiceDocument is everything printed on an invoice.
type InvoiceDocument struct {
	Commune        string
	CommuneAddress string
	Regie          Regie
	Invoice        Invoice
	FamilyAddress  string
}

// LoadInvoiceDocument gathers an invoice of the family and what its PDF prints.
func LoadInvoiceDocument(ctx context.Context, q querier, com tenants.Commune, familyID, invoiceID int64) (InvoiceDocument, error) {
	inv, err := FamilyInvoice(ctx, q, familyID, invoiceID)
	if err != nil {
		return InvoiceDocument{}, err
	}
	regie, err := LoadRegie(ctx, q, inv.RegieID)
	if err != nil {
		return InvoiceDocument{}, err
	}
	doc := InvoiceDocument{Commune: com.Name, Regie: regie, Invoice: inv}
	_ = q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'address'`).Scan(&doc.CommuneAddress)
	_ = q.QueryRowContext(ctx, `SELECT TRIM(address || ' ' || postal_code || ' ' || city) FROM families WHERE id = ?`,
		familyID).Scan(&doc.FamilyAddress)
	return doc, nil
}

// PDF renders the invoice as a printable A4 PDF. Core fonts are cp1252,
// so every text goes through fpdf's translator (accents, "€").
func (d InvoiceDocument) PDF() ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCompression(false) // small documents; keeps the text searchable
	pdf.SetTitle("Facture "+d.Invoice.Number, true)
	pdf.SetAuthor(d.Commune, true)
	pdf.SetCreationDate(d.Invoice.PaidAt)
	tr := pdf.UnicodeTranslatorFromDescriptor("cp1252")
	t := func(s string) string {
		return tr(strings.NewReplacer(calendar.NarrowNBSP, " ", calendar.NBSP, " ").Replace(s))
	}
	inv := d.Invoice
	pdf.SetMargins(15, 15, 15)
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 14)
	pdf.CellFormat(0, 7, t(d.Commune), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	if d.CommuneAddress != "" {
		pdf.CellFormat(0, 5, t(d.CommuneAddress), "", 1, "L", false, 0, "")
	}
	pdf.CellFormat(0, 5, t(d.Regie.Name), "", 1, "L", false, 0, "")
	pdf.Ln(6)
	pdf.SetFont("Helvetica", "B", 16)
	pdf.CellFormat(0, 8, t("Facture n° "+inv.Number), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	pdf.CellFormat(0, 5, t("Référence : "+inv.Number), "", 1, "L", false, 0, "")
	pdf.CellFormat(0, 5, t("Date de facture : "+inv.IssuedOn.FR()), "", 1, "L", false, 0, "")
	pdf.CellFormat(0, 5, t("Période : du "+inv.PeriodStart.FR()+" au "+inv.PeriodEnd.FR()), "", 1, "L", false, 0, "")
	pdf.Ln(4)
	pdf.SetFont("Helvetica", "B", 11)
	pdf.CellFormat(0, 6, t(inv.PayerName), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	if d.FamilyAddress != "" {
		pdf.CellFormat(0, 5, t(d.FamilyAddress), "", 1, "L", false, 0, "")
	}
	pdf.Ln(6)

	widths := []float64{45, 55, 25, 20, 12, 23}
	heads := []string{"Enfant", "Prestation", "Jour", "P.U.", "Qté", "Montant"}
	pdf.SetFont("Helvetica", "B", 9)
	pdf.SetFillColor(230, 236, 244)
	for i, h := range heads {
		align := "L"
		if i >= 3 {
			align = "R"
		}
		pdf.CellFormat(widths[i], 7, t(h), "1", 0, align, true, 0, "")
	}
	pdf.Ln(-1)
	pdf.SetFont("Helvetica", "", 9)
	for _, l := range inv.Lines {
		prest := l.Prestation
		if l.Label != "" {
			prest += " – " + l.Label
		}
		cells := []string{l.ChildName, prest, l.Day.FR(), calendar.FormatEuros(l.UnitCents), fmt.Sprint(l.Quantity), calendar.FormatEuros(l.AmountCents)}
		for i, c := range cells {
			align := "L"
			if i >= 3 {
				align = "R"
			}
			pdf.CellFormat(widths[i], 6, fit(pdf, t(c), widths[i]-2), "1", 0, align, false, 0, "")
		}
		pdf.Ln(-1)
	}
	pdf.SetFont("Helvetica", "B", 10)
	pdf.CellFormat(157, 7, t("Total"), "1", 0, "R", false, 0, "")
	pdf.CellFormat(23, 7, t(calendar.FormatEuros(inv.TotalCents)), "1", 1, "R", false, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	if inv.CreditCents > 0 {
		pdf.CellFormat(0, 6, t("Dont avoir déduit : "+calendar.FormatEuros(inv.CreditCents)), "", 1, "R", false, 0, "")
	}
	pdf.Ln(4)
	if inv.Paid() {
		pdf.CellFormat(0, 6, t("Payée le "+inv.PaidAt.In(parisLoc()).Format("02/01/2006 15:04:05")+" – moyen de paiement : "+inv.PaymentMeans), "", 1, "L", false, 0, "")
	} else {
		pdf.CellFormat(0, 6, t("Facture en cours – à régler avant le "+inv.DueOn.FR()+" : "+calendar.FormatEuros(inv.DueCents())), "", 1, "L", false, 0, "")
		pdf.CellFormat(0, 6, t("Moyen de paiement : en ligne par carte bancaire, dans votre espace famille (Mes factures)."), "", 1, "L", false, 0, "")
	}
	pdf.Ln(8)
	pdf.SetFont("Helvetica", "", 8)
	pdf.MultiCell(0, 4, t(d.LegalMentions()), "", "L", false)
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("billing: invoice PDF: %w", err)
	}
	return buf.Bytes(), nil
}

// LegalMentions is the small print of the invoice: the régie's own
// mentions (back office), or by default who issues it and its tax status,
// plus, for an invoice still to pay, how it is recovered.
func (d InvoiceDocument) LegalMentions() string {
	m := d.Regie.LegalMentions
	if m == "" {
		m = "Facture émise par la régie de recettes « " + d.Regie.Name + " » de la " + d.Commune +
			". TVA non applicable, article 256 B du code général des impôts."
	}
	if !d.Invoice.Paid() {
		m += "\nÀ défaut de paiement avant l'échéance, la somme due est recouvrée par le comptable public " +
			"de la collectivité (titre exécutoire, article L. 252 A du livre des procédures fiscales)."
	}
	return m
}

// fit shortens an already translated text to a cell's width.
func fit(pdf *fpdf.Fpdf, s string, width float64) string {
	for len(s) > 1 && pdf.GetStringWidth(s) > width {
		s = s[:len(s)-1]
	}
	return s
}
