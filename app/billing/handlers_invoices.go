package billing

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/web"
	tenant "espacefamille/tenants"
)

var errNoInvoice = web.NewError(fiber.StatusNotFound, "Cette facture est introuvable.")

type invoicesPage struct {
	Open, Paid []Invoice
	Balances   []RegieBalance
	Credits    []Credit
}

// listInvoices is "Mes factures": "Factures en cours" and "Factures payées".
func (h *Handlers) listInvoices(c *fiber.Ctx) error {
	t, fam := tenantFamily(c)
	ctx := c.UserContext()
	list, err := FamilyInvoices(ctx, t.DB().Reader(), fam)
	if err != nil {
		return err
	}
	var p invoicesPage
	for _, inv := range list {
		if inv.Paid() {
			p.Paid = append(p.Paid, inv)
		} else {
			p.Open = append(p.Open, inv)
		}
	}
	if p.Balances, err = FamilyBalances(ctx, t.DB().Reader(), fam); err != nil {
		return err
	}
	if p.Credits, err = FamilyCredits(ctx, t.DB().Reader(), fam); err != nil {
		return err
	}
	web.SetTab(c, "factures")
	return web.Render(c, "famille/factures", "Mes factures", p)
}

func (h *Handlers) loadInvoice(c *fiber.Ctx) (InvoiceDocument, error) {
	t, fam := tenantFamily(c)
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return InvoiceDocument{}, errNoInvoice
	}
	doc, err := LoadInvoiceDocument(c.UserContext(), t.DB().Reader(), t.Commune, fam, id)
	if errors.Is(err, ErrNotFound) {
		return doc, errNoInvoice
	}
	return doc, err
}

// showInvoice is an invoice's "Détail".
func (h *Handlers) showInvoice(c *fiber.Ctx) error {
	doc, err := h.loadInvoice(c)
	if err != nil {
		return err
	}
	if err := ExplainInvoice(c.UserContext(), tenant.From(c).DB().Reader(), &doc.Invoice); err != nil {
		return err
	}
	web.SetTab(c, "factures")
	return web.Render(c, "famille/facture", "Facture "+doc.Invoice.Number, doc)
}

// invoicePDF downloads the printable invoice.
func (h *Handlers) invoicePDF(c *fiber.Ctx) error {
	doc, err := h.loadInvoice(c)
	if err != nil {
		return err
	}
	b, err := doc.PDF()
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, `inline; filename="facture-`+doc.Invoice.Number+`.pdf"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(b)
}

// payInvoice starts the online payment of an open invoice.
func (h *Handlers) payInvoice(c *fiber.Ctx) error {
	t, fam := tenantFamily(c)
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return errNoInvoice
	}
	out, err := h.svc.StartInvoice(c.UserContext(), t.DB(), t.Commune, fam, id, h.payerEmail(c))
	var below *BelowMinimumError
	switch {
	case errors.As(err, &below):
		web.AddFlash(c, "error", "Le paiement en ligne n'est possible qu'à partir de "+FormatCents(MinOnlineCents)+
			" : le reste à payer de cette facture ("+FormatCents(below.AmountCents)+") sera reporté sur votre prochaine facture. Vous pouvez aussi le régler auprès de la régie.")
		return web.RedirectTo(c, "/famille/factures/"+strconv.FormatInt(id, 10))
	case errors.Is(err, ErrNotFound):
		return errNoInvoice
	case errors.Is(err, ErrPaymentClosed):
		web.AddFlash(c, "error", msgPaymentClosed)
		return web.RedirectTo(c, "/famille/factures/"+strconv.FormatInt(id, 10))
	case errors.Is(err, ErrProviderDown):
		web.AddFlash(c, "error", errProviderPage.Message)
		return web.RedirectTo(c, "/famille/factures/"+strconv.FormatInt(id, 10))
	case err != nil:
		return err
	}
	if out.RedirectURL == "" {
		web.AddFlash(c, "success", out.Order.SettledNotice())
		return web.RedirectTo(c, receiptPath(out.Order.Ref))
	}
	return redirectProvider(c, out.RedirectURL)
}
