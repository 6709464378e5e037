package billing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/accounts"
	"espacefamille/app/billing/simulator"
	"espacefamille/app/booking"
	"espacefamille/app/families"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

var (
	errEmptyCartPage = web.NewError(fiber.StatusUnprocessableEntity, "Votre panier est vide : aucune demande ne reste à payer.")
	errProviderPage  = web.NewError(fiber.StatusServiceUnavailable, "Le service de paiement est momentanément indisponible. Rien n'a été validé et vos demandes restent dans votre panier ; veuillez réessayer dans quelques minutes.")
	errNoOrder       = web.NewError(fiber.StatusNotFound, "Ce paiement est introuvable.")
	// msgPaymentClosed is shown to parents when the régie's provider is the
	// simulator on a node that does not allow it.
	msgPaymentClosed = "Le paiement en ligne n'est pas encore ouvert pour ce service, contactez la mairie."
)

// payerEmail is the logged-in parent's address ("" when unknown: the
// receipt then goes to the family's contact address).
func (h *Handlers) payerEmail(c *fiber.Ctx) string {
	u := web.User(c)
	if u == nil || u.AccountID == 0 {
		return ""
	}
	email, err := accounts.AccountEmail(c.UserContext(), h.srv.Registry.Platform().Reader(), u.AccountID)
	if err != nil {
		if !errors.Is(err, accounts.ErrNotFound) {
			h.srv.Logger(c).Error("billing: payer's address", "err", err)
		}
		return ""
	}
	return email
}

// Checkout is booking's "Valider" on a prepaid cart: the cart's places
// are held for an order; then the parent chooses when some could not be
// held, or goes to the provider's payment page, or reads what was
// validated when there was nothing to pay.
func (h *Handlers) Checkout(c *fiber.Ctx, req booking.CheckoutRequest) error {
	t := curTenant(c)
	out, err := h.svc.StartCart(c.UserContext(), t.DB(), t.Commune, req.FamilyID, req.RegieID, h.payerEmail(c))
	back := fmt.Sprintf("/famille/reservations?regie=%d", req.RegieID)
	var below *BelowMinimumError
	switch {
	case errors.As(err, &below):
		web.AddFlash(c, "error", belowMinimumCart(below.AmountCents))
		return web.RedirectTo(c, back)
	case errors.Is(err, ErrEmptyCart):
		// Nothing could be held: the lines that no longer hold left the cart.
		for _, r := range out.Removed {
			web.AddFlash(c, "error", "Demande retirée du panier : "+r.Text())
		}
		if len(out.Removed) > 0 {
			return web.RedirectTo(c, back)
		}
		return errEmptyCartPage
	case errors.Is(err, ErrPaymentClosed):
		web.AddFlash(c, "error", msgPaymentClosed)
		return web.RedirectTo(c, back)
	case errors.Is(err, ErrProviderDown):
		web.AddFlash(c, "error", errProviderPage.Message)
		return web.RedirectTo(c, back)
	case err != nil:
		return err
	}
	return h.afterStart(c, out)
}

// afterStart sends the parent where a started order leads.
func (h *Handlers) afterStart(c *fiber.Ctx, out Checkout) error {
	switch {
	case out.Choose:
		return web.RedirectTo(c, choicePath(out.Order.Ref))
	case out.RedirectURL == "":
		web.AddFlash(c, "success", out.Order.SettledNotice())
		return web.RedirectTo(c, receiptPath(out.Order.Ref))
	}
	return redirectProvider(c, out.RedirectURL)
}

// belowMinimumCart tells the parent why a small amount is not sent to
// the payment service, and what happens to it.
func belowMinimumCart(cents int64) string {
	return "Le paiement en ligne n'est possible qu'à partir de " + FormatCents(MinOnlineCents) + " : il resterait " +
		FormatCents(cents) + " à payer. Rien n'a été validé et vos demandes restent dans votre panier : ajoutez-y vos prochaines réservations et validez le tout ensemble."
}

type choicePage struct {
	Order Order
	joins map[int]WaitJoin // by index in Order.Refused()
}

// WaitJoin is the "Rejoindre la liste d'attente" form of a line refused
// because its day is full (issue 10 §1, issue 14): booking's agenda form
// with the child and "prestation|day".
type WaitJoin struct {
	ChildID int64
	Value   string
}

// Join is the waiting list form of the i-th refused line, nil when it
// has none.
func (p choicePage) Join(i int) *WaitJoin {
	if j, ok := p.joins[i]; ok {
		return &j
	}
	return nil
}

// waitJoins finds, for the refused lines of a full day, the child and
// the prestation the waiting list needs (the order keeps their names).
func waitJoins(ctx context.Context, q tenants.Querier, o Order) (map[int]WaitJoin, error) {
	out := map[int]WaitJoin{}
	var children []families.Child
	for i, l := range o.Refused() {
		if l.Refusal != "complet" {
			continue
		}
		if children == nil {
			var err error
			if children, err = families.Children(ctx, q, o.FamilyID); err != nil {
				return nil, err
			}
		}
		var pid int64
		err := q.QueryRowContext(ctx, `SELECT id FROM prestations WHERE regie_id = ? AND name = ?`, o.RegieID, l.Prestation).Scan(&pid)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, c := range children {
			if c.Name() == l.ChildName {
				out[i] = WaitJoin{ChildID: c.ID, Value: fmt.Sprintf("%d|%s", pid, l.Day)}
				break
			}
		}
	}
	return out, nil
}

// showChoice lists, before any payment page, the lines that could not be
// held and those held for the parent, with the choice to pay for the rest
// or go back.
func (h *Handlers) showChoice(c *fiber.Ctx) error {
	t, fam := tenantFamily(c)
	o, err := familyOrder(c, t.DB().Reader(), fam, c.Params("ref"))
	if err != nil {
		return err
	}
	if o.Status != OrderPending || o.ProviderRef != "" {
		return web.RedirectTo(c, returnPath(o.Ref))
	}
	joins, err := waitJoins(c.UserContext(), t.DB().Reader(), o)
	if err != nil {
		return err
	}
	web.SetTab(c, "reservations")
	return web.Render(c, "famille/paiement-choix", "Certaines demandes ne peuvent pas être réservées", choicePage{Order: o, joins: joins})
}

// submitChoice is "Payer le reste" or "Revenir à mes réservations".
func (h *Handlers) submitChoice(c *fiber.Ctx) error {
	t, fam := tenantFamily(c)
	ctx := c.UserContext()
	o, err := familyOrder(c, t.DB().Reader(), fam, c.Params("ref"))
	if err != nil {
		return err
	}
	back := fmt.Sprintf("/famille/reservations?regie=%d", o.RegieID)
	if c.FormValue("action") == "retour" {
		_, err := h.svc.Abandon(ctx, t.DB(), fam, o.Ref)
		if err != nil && !errors.Is(err, ErrOrderClosed) {
			return err
		}
		web.AddFlash(c, "info", "Rien n'a été validé : les places retenues sont libérées et vos autres demandes restent dans votre panier.")
		return web.RedirectTo(c, back)
	}
	out, err := h.svc.Continue(ctx, t.DB(), t.Commune, fam, o.Ref)
	switch {
	case errors.Is(err, ErrOrderClosed):
		web.AddFlash(c, "error", "Cette commande n'est plus valable (délai dépassé ou commande remplacée) : validez à nouveau votre panier.")
		return web.RedirectTo(c, back)
	case errors.Is(err, ErrProviderDown):
		web.AddFlash(c, "error", errProviderPage.Message)
		return web.RedirectTo(c, back)
	case err != nil:
		return err
	}
	return h.afterStart(c, out)
}

func redirectProvider(c *fiber.Ctx, u string) error {
	if strings.HasPrefix(u, "/") {
		return web.RedirectTo(c, u)
	}
	return c.Redirect(u, fiber.StatusSeeOther)
}

// notify is the providers' notification: only the operation id is read
// (idop or idOp, form or query); the result is fetched from the provider.
func (h *Handlers) notify(c *fiber.Ctx) error {
	provider := c.Params("provider")
	if provider != ProviderPayFiP && provider != ProviderSimulator {
		return web.ErrNotFound
	}
	ref := strings.TrimSpace(c.FormValue("idop"))
	if ref == "" {
		ref = strings.TrimSpace(c.FormValue("idOp"))
	}
	if ref == "" || len(ref) > 64 {
		return web.NewError(fiber.StatusBadRequest, "Notification invalide.")
	}
	t := curTenant(c)
	_, err := h.svc.Notify(c.UserContext(), t.DB(), t.Commune, provider, ref, SourceNotify)
	switch {
	case errors.Is(err, ErrNotFound):
		return web.NewError(fiber.StatusNotFound, "Opération inconnue.")
	case errors.Is(err, ErrAmountMismatch), errors.Is(err, ErrRefMismatch):
		return web.NewError(fiber.StatusConflict, "Notification refusée.")
	case err != nil:
		return err
	}
	return c.SendString("OK\n")
}

// paymentReturnPost turns a provider's POST back into a GET, which carries
// the session cookie (SameSite=Lax).
func (h *Handlers) paymentReturnPost(c *fiber.Ctx) error {
	ref := c.Query("ref")
	if !validRef(ref) {
		return errNoOrder
	}
	return web.RedirectTo(c, returnPath(ref))
}

func validRef(ref string) bool {
	if len(ref) < 6 || len(ref) > 30 {
		return false
	}
	for _, r := range ref {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// familyOrder is the family's order of reference ref; a malformed
// reference or another family's order is errNoOrder.
func familyOrder(c *fiber.Ctx, q tenants.Querier, familyID int64, ref string) (Order, error) {
	if !validRef(ref) {
		return Order{}, errNoOrder
	}
	o, err := OrderByRef(c.UserContext(), q, familyID, ref)
	if errors.Is(err, ErrNotFound) {
		return o, errNoOrder
	}
	return o, err
}

type returnPage struct {
	Order   Order
	Heading string
	Message string
	Back    string
	Retry   bool
}

// paymentReturn is where the parent comes back from the provider: the
// order (of this family only) is brought up to date from the provider.
func (h *Handlers) paymentReturn(c *fiber.Ctx) error {
	t, fam := tenantFamily(c)
	o, err := familyOrder(c, t.DB().Reader(), fam, c.Query("ref"))
	if err != nil {
		return err
	}
	switch {
	case o.Status == OrderPending && o.ProviderRef != "":
		if got, err := h.svc.refresh(c.UserContext(), t.DB(), t.Commune, o, SourceReturn); err == nil {
			o = got
		}
	case h.svc.lateWatched(o):
		// Back from the provider's page after the order closed: did the
		// parent pay after all?
		if got, err := h.svc.applyLatePayment(c.UserContext(), t.DB(), t.Commune, o, SourceReturn); err == nil {
			o = got
		}
	}
	if o.Status == OrderPaid {
		return web.RedirectTo(c, receiptPath(o.Ref))
	}
	p := returnPage{Order: o, Back: fmt.Sprintf("/famille/reservations?regie=%d", o.RegieID)}
	if o.Kind == KindInvoice {
		p.Back = fmt.Sprintf("/famille/factures/%d", o.InvoiceID)
	}
	p.Heading, p.Message, p.Retry = returnMessage(o)
	web.SetTab(c, "reservations")
	return web.Render(c, "famille/paiement-retour", p.Heading, p)
}

type receiptPage struct {
	Receipt Receipt
	Order   Order
}

// showReceipt is "le résumé de votre paiement".
func (h *Handlers) showReceipt(c *fiber.Ctx) error {
	t, fam := tenantFamily(c)
	ctx := c.UserContext()
	o, err := familyOrder(c, t.DB().Reader(), fam, c.Params("ref"))
	if err != nil {
		return err
	}
	if o.Status != OrderPaid && o.Status != OrderCredited {
		return web.RedirectTo(c, returnPath(o.Ref))
	}
	pay, err := OrderPayment(ctx, t.DB().Reader(), o.ID)
	if errors.Is(err, ErrNotFound) {
		pay = Payment{PaidAt: o.ClosedAt}
	} else if err != nil {
		return err
	}
	r, err := ReceiptFor(ctx, t.DB().Reader(), t.Commune, o, pay)
	if err != nil {
		return err
	}
	web.SetTab(c, "reservations")
	return web.Render(c, "famille/paiement-recu", r.Title(), receiptPage{Receipt: r, Order: o})
}

type simulatorPage struct {
	Op     simulator.Operation
	Card   simulator.Card
	Errors simulator.FieldErrors
}

// simulatorOperation loads the simulator's operation of the URL, for the
// family that started its order only: the page does not exist outside
// demo mode (unless allowed), nor for another family.
func (h *Handlers) simulatorOperation(c *fiber.Ctx) (simulator.Operation, error) {
	if !h.svc.SimulatorOpen() {
		return simulator.Operation{}, web.ErrNotFound
	}
	t, fam := tenantFamily(c)
	ctx := c.UserContext()
	op, err := simulator.Get(ctx, t.DB().Reader(), c.Params("idop"))
	if errors.Is(err, simulator.ErrNotFound) {
		return op, errNoOrder
	} else if err != nil {
		return op, err
	}
	o, err := OrderByRef(ctx, t.DB().Reader(), fam, op.OrderRef)
	if errors.Is(err, ErrNotFound) || err == nil && o.ProviderRef != op.IDOp {
		return op, errNoOrder
	}
	return op, err
}

// showSimulator is the built-in test payment page.
func (h *Handlers) showSimulator(c *fiber.Ctx) error {
	op, err := h.simulatorOperation(c)
	if err != nil {
		return err
	}
	if op.Status != simulator.Pending {
		return h.backFromSimulator(c, op)
	}
	return web.Render(c, "famille/paiement-simulateur", "Paiement de test", simulatorPage{Op: op})
}

// submitSimulator records the card form's outcome on the simulator's side,
// then goes through the same notification path as a real provider.
func (h *Handlers) submitSimulator(c *fiber.Ctx) error {
	t := curTenant(c)
	ctx := c.UserContext()
	op, err := h.simulatorOperation(c)
	if err != nil {
		return err
	}
	if op.Status != simulator.Pending {
		return h.backFromSimulator(c, op)
	}
	outcome := simulator.Abandoned
	if c.FormValue("action") != "abandonner" {
		card := simulator.Card{Number: c.FormValue("numero"), Expiry: c.FormValue("expiration"), CVC: c.FormValue("cryptogramme")}
		var errs simulator.FieldErrors
		if outcome, errs = card.Check(h.svc.now()); len(errs) > 0 {
			card.CVC = ""
			return web.RenderStatus(c, fiber.StatusUnprocessableEntity, "famille/paiement-simulateur", "Paiement de test",
				simulatorPage{Op: op, Card: card, Errors: errs})
		}
	}
	if _, err := h.svc.SimulatorOutcome(ctx, t.DB(), t.Commune, op.IDOp, outcome); err != nil {
		// Recorded and refused (logged with the payment's event), or an
		// operation without order: the return page tells the parent. Any
		// other error rolled everything back, the operation included.
		if !errors.Is(err, ErrAmountMismatch) && !errors.Is(err, ErrRefMismatch) && !errors.Is(err, ErrNotFound) {
			return err
		}
		h.srv.Logger(c).Error("billing: simulator outcome", "err", err)
	}
	return h.backFromSimulator(c, op)
}

func (h *Handlers) backFromSimulator(c *fiber.Ctx, op simulator.Operation) error {
	return web.RedirectTo(c, returnPath(op.OrderRef))
}

// returnMessage is what the return page says of an order that is not
// paid: "après expiration" only when the order had really expired.
func returnMessage(o Order) (heading, message string, retry bool) {
	const kept = "Rien n'a été validé : vos demandes restent dans votre panier."
	const credited = " Son montant vous a été crédité en avoir, déduit de votre prochain paiement (onglet « Mes factures »)."
	switch o.Status {
	case OrderRefused:
		return "Paiement refusé", "Votre paiement a été refusé par votre banque. Aucune somme n'a été prélevée. " + kept, false
	case OrderAbandoned:
		return "Paiement abandonné", "Vous avez abandonné le paiement. " + kept, false
	case OrderExpired:
		return "Paiement expiré", "Le délai de paiement de 30 minutes est dépassé. " + kept, false
	case OrderCancelled:
		return "Commande remplacée", "Une commande plus récente (un autre onglet, ou l'autre parent) a remplacé celle-ci. " + kept, false
	case OrderCredited:
		switch o.Outcome {
		case outcomeExpiredCredit:
			return "Paiement reçu après expiration", "Votre paiement est arrivé après l'expiration de la commande et les réservations n'ont pas pu être rétablies." + credited, false
		case outcomeReplacedCredit:
			return "Paiement reçu pour une commande remplacée", "Vous avez payé une commande qu'une commande plus récente avait remplacée." + credited, false
		case outcomeInvoiceCredit:
			return "Facture déjà réglée", "Cette facture avait déjà été réglée par un autre paiement." + credited, false
		}
		return "Paiement reçu, porté en avoir", "Votre paiement a bien été reçu, mais aucune réservation n'a pu être faite." + credited, false
	}
	return "Paiement en cours de vérification", "Nous n'avons pas encore reçu la confirmation de votre paiement. Rechargez cette page dans quelques instants.", true
}
