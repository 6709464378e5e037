package billing

import (
	"bytes"
	"context"
	_ "embed"
	"espacefamille/app/booking"
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
	Regie          booking.Regie
	Invoice        Invoice
	FamilyAddress  string
}

// LoadInvoiceDocument gathers an invoice of the family and what its PDF prints.
func LoadInvoiceDocument(ctx context.Context, q tenants.Querier, com tenants.Commune, familyID, invoiceID int64) (InvoiceDocument, error) {
	inv, err := FamilyInvoice(ctx, q, familyID, invoiceID)
	if err != nil {
		return InvoiceDocument{}, err
	}
	regie, err := loadRegie(ctx, q, inv.RegieID)
	if err != nil {
		return InvoiceDocument{}, err
	}
	doc := InvoiceDocument{Commune: com.Name, Regie: regie, Invoice: inv}
	_ = q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'address'`).Scan(&doc.CommuneAddress)
	_ = q.QueryRowContext(ctx, `SELECT TRIM(address || ' ' || postal_code || ' ' || city) FROM families WHERE id = ?`,
		familyID).Scan(&doc.FamilyAddress)
	return doc, nil
}

// The invoice font: DejaVu Sans (fonts/LICENSE), embedded in the binary and,
// as the subset of glyphs it uses, in each PDF, so that every name prints
// whole ("Łukasz Nguyễn"), whatever the reader's fonts.
var (
	//go:embed fonts/DejaVuSans.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontBold []byte
)

const pdfFont = "DejaVuSans"

// Table lines: a cell wraps over at most maxCellLines lines, the last one
// ending with "…" when the text is longer still.
const (
	lineHeight   = 4.5
	maxCellLines = 3
)

// PDF renders the invoice as a printable A4 PDF, in an embedded Unicode
// font: long texts wrap, table cells wrap and end with "…" past three lines.
func (d InvoiceDocument) PDF() ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes(pdfFont, "", fontRegular)
	pdf.AddUTF8FontFromBytes(pdfFont, "B", fontBold)
	pdf.SetTitle("Facture "+d.Invoice.Number, true)
	pdf.SetAuthor(d.Commune, true)
	pdf.SetCreationDate(d.Invoice.PaidAt)
	t := strings.NewReplacer(calendar.NarrowNBSP, " ", calendar.NBSP, " ").Replace
	text := func(style string, size, h float64, s string) {
		pdf.SetFont(pdfFont, style, size)
		pdf.MultiCell(0, h, t(s), "", "L", false)
	}
	inv := d.Invoice
	pdf.SetMargins(15, 15, 15)
	pdf.SetAutoPageBreak(true, 15)
	pdf.AddPage()
	text("B", 14, 7, d.Commune)
	if d.CommuneAddress != "" {
		text("", 10, 5, d.CommuneAddress)
	}
	text("", 10, 5, d.Regie.Name)
	pdf.Ln(6)
	text("B", 16, 8, "Facture n° "+inv.Number)
	text("", 10, 5, "Référence : "+inv.Number)
	text("", 10, 5, "Date de facture : "+inv.IssuedOn.FR())
	text("", 10, 5, "Période : du "+inv.PeriodStart.FR()+" au "+inv.PeriodEnd.FR())
	pdf.Ln(4)
	text("B", 11, 6, inv.PayerName)
	if d.FamilyAddress != "" {
		text("", 10, 5, d.FamilyAddress)
	}
	pdf.Ln(6)

	widths := []float64{42, 58, 24, 20, 12, 24}
	heads := []string{"Enfant", "Prestation", "Jour", "P.U.", "Qté", "Montant"}
	head := func() {
		pdf.SetFont(pdfFont, "B", 9)
		pdf.SetFillColor(230, 236, 244)
		for i, h := range heads {
			pdf.CellFormat(widths[i], 7, h, "1", 0, cellAlign(i), true, 0, "")
		}
		pdf.Ln(-1)
		pdf.SetFont(pdfFont, "", 9)
	}
	head()
	_, pageHeight := pdf.GetPageSize()
	_, bottom := pdf.GetAutoPageBreak()
	for _, l := range inv.Lines {
		prest := l.Prestation
		if l.Label != "" {
			prest += " – " + l.Label
		}
		cells := []string{l.ChildName, prest, l.Day.FR(), calendar.FormatEuros(l.UnitCents), fmt.Sprint(l.Quantity), calendar.FormatEuros(l.AmountCents)}
		lines := make([][]string, len(cells))
		n := 1
		for i, c := range cells {
			lines[i] = wrapCell(pdf, t(c), widths[i]-2)
			n = max(n, len(lines[i]))
		}
		h := float64(n)*lineHeight + 1.5
		if pdf.GetY()+h > pageHeight-bottom {
			pdf.AddPage()
			head()
		}
		x, y := pdf.GetXY()
		for i := range cells {
			pdf.Rect(x, y, widths[i], h, "D")
			for k, line := range lines[i] {
				pdf.SetXY(x, y+.75+float64(k)*lineHeight)
				pdf.CellFormat(widths[i], lineHeight, line, "", 0, cellAlign(i), false, 0, "")
			}
			x += widths[i]
		}
		pdf.SetXY(15, y+h)
	}
	total := 0.0
	for _, w := range widths[:len(widths)-1] {
		total += w
	}
	pdf.SetFont(pdfFont, "B", 10)
	pdf.CellFormat(total, 7, "Total", "1", 0, "R", false, 0, "")
	pdf.CellFormat(widths[len(widths)-1], 7, t(calendar.FormatEuros(inv.TotalCents)), "1", 1, "R", false, 0, "")
	pdf.SetFont(pdfFont, "", 10)
	if inv.CreditCents > 0 {
		pdf.CellFormat(0, 6, t("Dont avoir déduit : "+calendar.FormatEuros(inv.CreditCents)), "", 1, "R", false, 0, "")
	}
	pdf.Ln(4)
	if inv.Paid() {
		text("", 10, 6, "Payée le "+inv.PaidAt.In(parisLoc()).Format("02/01/2006 15:04:05")+" – moyen de paiement : "+inv.PaymentMeans)
	} else {
		text("", 10, 6, "Facture en cours – à régler avant le "+inv.DueOn.FR()+" : "+calendar.FormatEuros(inv.DueCents()))
		text("", 10, 6, "Moyen de paiement : en ligne par carte bancaire, dans votre espace famille (Mes factures).")
	}
	pdf.Ln(8)
	text("", 8, 4, d.LegalMentions())
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("billing: invoice PDF: %w", err)
	}
	return buf.Bytes(), nil
}

// cellAlign aligns the table's amounts and counts (columns from the 4th)
// to the right.
func cellAlign(col int) string {
	if col >= 3 {
		return "R"
	}
	return "L"
}

// wrapCell splits a cell's text into the lines that fit width (in the
// current font), at most maxCellLines: the last one kept ends with "…"
// when text goes on, and a word longer than the cell is cut the same way.
func wrapCell(pdf *fpdf.Fpdf, text string, width float64) []string {
	lines := pdf.SplitText(text, width)
	if len(lines) == 0 {
		return []string{""}
	}
	cut := len(lines) > maxCellLines
	if cut {
		lines = lines[:maxCellLines]
	}
	for i, l := range lines {
		if cut && i == len(lines)-1 || pdf.GetStringWidth(l) > width {
			lines[i] = ellipsize(pdf, l, width, cut && i == len(lines)-1)
		}
	}
	return lines
}

// ellipsize shortens s, by whole characters, until s + "…" fits width;
// with more set, the "…" is added even when s fits (text follows).
func ellipsize(pdf *fpdf.Fpdf, s string, width float64, more bool) string {
	if !more && pdf.GetStringWidth(s) <= width {
		return s
	}
	r := []rune(strings.TrimSpace(s))
	for len(r) > 0 && pdf.GetStringWidth(string(r)+"…") > width {
		r = r[:len(r)-1]
	}
	return strings.TrimSpace(string(r)) + "…"
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
