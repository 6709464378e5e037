package billing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"espacefamille/app/billing/payfip"
	"espacefamille/app/booking"

	"espacefamille/tenants"
)

// Checkout is the outcome of "Valider" on a prepaid cart (or of "Payer"
// on an invoice).
type Checkout struct {
	Order       Order
	Removed     []booking.RemovedLine // lines that could not be held, with reasons
	RedirectURL string                // provider page ("" when settled without payment)
	// Choose: some lines could not be held; the parent decides whether
	// to pay for the rest (Continue) or go back (Abandon) before any
	// payment page. The held places wait for the decision.
	Choose bool
}

// Paths of the parent's pages about an order.
func returnPath(ref string) string  { return "/famille/paiement/retour?ref=" + ref }
func receiptPath(ref string) string { return "/famille/paiement/" + ref }
func choicePath(ref string) string  { return "/famille/paiement/" + ref + "/choix" }

// NotifyPath is where a provider notifies the operations of a commune.
func NotifyPath(provider string) string { return "/paiement/notification/" + provider }

// MinOnlineCents is the smallest amount sent to a payment provider: the
// DGFiP's minimum for PayFiP (1,00 €), which the simulator imitates.
const MinOnlineCents = payfip.MinAmountCents

// BelowMinimumError: the amount to pay is under MinOnlineCents; nothing
// was created, the demandes stay in the cart (or the invoice stays open).
type BelowMinimumError struct{ AmountCents int64 }

func (e *BelowMinimumError) Error() string {
	return fmt.Sprintf("billing: %d cents is under the online payment minimum", e.AmountCents)
}

// StartCart is "Valider" on the family's prepaid cart, started by a
// parent whose address (payer; "" for the family's contact address)
// receives the receipt. In one transaction the family's older pending
// cart order is replaced (its places released), every line is checked
// once and held for the new order (booking.HoldCart), and the order is
// priced (credit taken off). Then:
//   - some lines could not be held: Choose, the parent decides first;
//   - nothing to pay (credit, cancellations): settled at once;
//   - otherwise the provider's payment page is asked for.
func (s *Service) StartCart(ctx context.Context, db *tenants.DB, com tenants.Commune, familyID, regieID int64, payer string) (Checkout, error) {
	now := s.now()
	var out Checkout
	var regie booking.Regie
	empty := false
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		out, empty = Checkout{}, false
		var err error
		if regie, err = loadRegie(ctx, tx, regieID); err != nil {
			return err
		}
		if regie.Mode != "prepaid" {
			return fmt.Errorf("billing: régie %d is not prepaid", regieID)
		}
		if err := s.supersede(ctx, tx, familyID, regieID, 0, now); err != nil {
			return err
		}
		o := Order{Ref: newOrderRef(now), Kind: KindCart, FamilyID: familyID, RegieID: regieID,
			Provider: regie.Provider, CreatedAt: now, ExpiresAt: now.Add(OrderTTL)}
		check, err := booking.HoldCart(ctx, db, tx, familyID, regieID, o.Ref, now)
		if err != nil {
			return err
		}
		out.Removed = check.Removed
		if empty = len(check.Lines) == 0; empty {
			return nil // the lines that no longer hold leave the cart, as said
		}
		o.TotalCents = check.TotalCents
		for _, l := range check.Lines {
			o.Lines = append(o.Lines, lineFromCart(l))
		}
		for _, r := range check.Removed {
			l := lineFromCart(r.Line)
			l.Refusal = r.Reason
			o.Lines = append(o.Lines, l)
		}
		out.Choose = len(check.Removed) > 0
		if out.Order, err = s.placeOrder(ctx, tx, com, regie, o, payer, !out.Choose); err != nil {
			return err
		}
		return s.startInTx(ctx, tx, db, com, regie, &out, "Reservations "+regie.Name)
	})
	switch {
	case err != nil:
		return out, err
	case empty:
		return out, ErrEmptyCart
	case out.Choose:
		s.pending(com) // expires with its holds if the parent never decides
		return out, nil
	}
	return s.pay(ctx, db, com, regie, out, "Reservations "+regie.Name)
}

// pay sends the parent of a placed order to the provider's page, or
// reports it settled when nothing was left to pay. A local provider's
// payment was started in the placing transaction (startInTx); a remote
// one is asked now, after that transaction committed.
func (s *Service) pay(ctx context.Context, db *tenants.DB, com tenants.Commune, regie booking.Regie, out Checkout, object string) (Checkout, error) {
	if out.Order.AmountCents == 0 {
		s.mailed(com)
		return out, nil
	}
	s.pending(com)
	if out.RedirectURL != "" {
		return out, nil
	}
	var err error
	out.RedirectURL, err = s.startProvider(ctx, db, com, regie, &out.Order, object)
	return out, err
}

// Continue is the parent's "pay for the rest" after some lines of the
// order could not be held: the held lines go to the payment page (or are
// settled at once when nothing is left to pay).
func (s *Service) Continue(ctx context.Context, db *tenants.DB, com tenants.Commune, familyID int64, ref string) (Checkout, error) {
	now := s.now()
	var out Checkout
	var regie booking.Regie
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		out = Checkout{}
		o, err := OrderByRef(ctx, tx, familyID, ref)
		if err != nil {
			return err
		}
		if o.Status != OrderPending || o.ProviderRef != "" || !now.Before(o.ExpiresAt) {
			return ErrOrderClosed
		}
		if regie, err = loadRegie(ctx, tx, o.RegieID); err != nil {
			return err
		}
		out.Order = o
		if o.AmountCents == 0 {
			return s.settleWithoutPayment(ctx, tx, com, &out.Order, now)
		}
		return s.startInTx(ctx, tx, db, com, regie, &out, "Reservations "+regie.Name)
	})
	if err != nil {
		return out, err
	}
	return s.pay(ctx, db, com, regie, out, "Reservations "+regie.Name)
}

// Abandon is the parent's "go back" before the payment page: the order
// is closed and its places released at once; the cart keeps its lines.
func (s *Service) Abandon(ctx context.Context, db *tenants.DB, familyID int64, ref string) (Order, error) {
	var o Order
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if o, err = OrderByRef(ctx, tx, familyID, ref); err != nil {
			return err
		}
		if o.Status != OrderPending || o.ProviderRef != "" {
			return ErrOrderClosed
		}
		return s.closeFailed(ctx, tx, o, OrderAbandoned, outcomeAbandonedBefore, s.now())
	})
	return o, err
}

// ErrOrderClosed: the order is no longer waiting for the parent's choice.
var ErrOrderClosed = errors.New("billing: order no longer open")

// StartInvoice starts the online payment of an open invoice of the family
// (post-paid régies), through the régie's provider, credit taken off
// first; payer is the paying parent's address ("" for the family's
// contact address), which receives the receipt.
func (s *Service) StartInvoice(ctx context.Context, db *tenants.DB, com tenants.Commune, familyID, invoiceID int64, payer string) (Checkout, error) {
	now := s.now()
	var out Checkout
	var regie booking.Regie
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		out = Checkout{}
		inv, err := FamilyInvoice(ctx, tx, familyID, invoiceID)
		if err != nil {
			return err
		}
		if inv.Paid() || inv.DueCents() <= 0 {
			return ErrNotFound
		}
		if regie, err = loadRegie(ctx, tx, inv.RegieID); err != nil {
			return err
		}
		if err := s.supersede(ctx, tx, familyID, inv.RegieID, inv.ID, now); err != nil {
			return err
		}
		o := Order{Ref: newOrderRef(now), Kind: KindInvoice, FamilyID: familyID, RegieID: inv.RegieID, InvoiceID: inv.ID,
			TotalCents: inv.DueCents(), Provider: regie.Provider, CreatedAt: now, ExpiresAt: now.Add(OrderTTL), Lines: inv.Lines}
		if out.Order, err = s.placeOrder(ctx, tx, com, regie, o, payer, true); err != nil {
			return err
		}
		return s.startInTx(ctx, tx, db, com, regie, &out, "Facture "+regie.Name)
	})
	if err != nil {
		return out, err
	}
	return s.pay(ctx, db, com, regie, out, "Facture "+regie.Name)
}

func lineFromCart(l booking.CartLine) Line {
	out := Line{CartLineID: l.ID, ReservationID: l.ReservationID, ChildName: l.ChildName, Prestation: l.PrestationName,
		Day: l.Day, Quantity: 1, UnitCents: l.Amount(), AmountCents: l.Amount()}
	if !l.ForfaitFrom.IsZero() {
		out.Label = "Forfait du " + l.ForfaitFrom.FR() + " au " + l.ForfaitUntil.FR()
	}
	if l.Action == booking.ActionCancel {
		out.Label = "Annulation"
	}
	return out
}

// placeOrder prices o for the payer, records it and returns it; when
// nothing is left to pay (credit, cancellations) and settleNow, it is
// settled at once, at its creation time. Payment must be open at the
// régie, and the amount at least MinOnlineCents, for an amount to pay.
// On a refusal, the order returned is empty.
func (s *Service) placeOrder(ctx context.Context, tx *sql.Tx, com tenants.Commune, regie booking.Regie, o Order, payer string, settleNow bool) (Order, error) {
	if err := s.fillAmount(ctx, tx, &o, payer); err != nil {
		return Order{}, err
	}
	if o.AmountCents > 0 && !s.PaymentOpen(regie) {
		return Order{}, ErrPaymentClosed
	}
	if o.AmountCents > 0 && o.AmountCents < MinOnlineCents {
		return Order{}, &BelowMinimumError{AmountCents: o.AmountCents}
	}
	if err := s.createOrder(ctx, tx, &o); err != nil {
		return Order{}, err
	}
	if o.AmountCents == 0 && settleNow {
		return o, s.settleWithoutPayment(ctx, tx, com, &o, o.CreatedAt)
	}
	return o, nil
}

// fillAmount takes the family's credit off the order's total and records
// who pays: the payer's address, or the family's contact address.
func (s *Service) fillAmount(ctx context.Context, tx *sql.Tx, o *Order, payer string) error {
	email, err := familyEmail(ctx, tx, o.FamilyID)
	if err != nil {
		return err
	}
	o.Email = email
	if p := strings.TrimSpace(payer); p != "" {
		o.Email = p
	}
	balance, err := CreditBalance(ctx, tx, o.FamilyID, o.RegieID)
	if err != nil {
		return err
	}
	o.CreditCents = 0
	if o.TotalCents > 0 && balance > 0 {
		o.CreditCents = min(balance, o.TotalCents)
	}
	o.AmountCents = max(o.TotalCents-o.CreditCents, 0)
	return nil
}

// createOrder writes the order and takes its credit.
func (s *Service) createOrder(ctx context.Context, tx *sql.Tx, o *Order) error {
	if o.AmountCents == 0 {
		o.Provider = providerCredit
	}
	if err := insertOrder(ctx, tx, o); err != nil {
		return err
	}
	_, err := addCredit(ctx, tx, NewCredit{FamilyID: o.FamilyID, RegieID: o.RegieID, Kind: "order",
		AmountCents: -o.CreditCents, Label: "Commande " + o.Ref, OrderID: o.ID}, o.CreatedAt)
	return err
}

// supersede cancels the family's pending orders for the same cart (or the
// same invoice): the newest "Valider" wins, and a payment that still
// arrives for a replaced order is handled as a late payment.
func (s *Service) supersede(ctx context.Context, tx *sql.Tx, familyID, regieID, invoiceID int64, now time.Time) error {
	list, err := pendingOrders(ctx, tx, familyID, regieID)
	if err != nil {
		return err
	}
	for _, o := range list {
		if (invoiceID == 0) != (o.Kind == KindCart) || o.InvoiceID != invoiceID {
			continue
		}
		if err := s.closeFailed(ctx, tx, o, OrderCancelled, outcomeReplaced, now); err != nil {
			return err
		}
	}
	return nil
}

// startInTx starts the payment of the order just placed in tx when its
// provider is local (the simulator, whose operation is a row of this
// database): the order, its holds, the operation and its reference
// commit together, one transaction for "Valider". Nothing happens for an
// order left to the parent's choice, one with nothing to pay, or a
// remote provider, which pay calls after the commit.
func (s *Service) startInTx(ctx context.Context, tx *sql.Tx, db *tenants.DB, com tenants.Commune, regie booking.Regie, out *Checkout, object string) error {
	o := &out.Order
	if out.Choose || o.AmountCents == 0 || o.Status != OrderPending {
		return nil
	}
	p, err := s.providers(db, regie)
	if err != nil {
		return nil // pay reports it, and closes the order, after the commit
	}
	lp, ok := p.(localProvider)
	if !ok {
		return nil
	}
	started, err := lp.StartTx(ctx, tx, s.startRequest(com, p, o, object, s.now()))
	if err != nil {
		return err
	}
	if err := setProviderRef(ctx, tx, o.ID, started.Ref); err != nil {
		return err
	}
	o.ProviderRef, out.RedirectURL = started.Ref, started.RedirectURL
	return nil
}

func (s *Service) startRequest(com tenants.Commune, p Provider, o *Order, object string, now time.Time) StartRequest {
	return StartRequest{OrderRef: o.Ref, AmountCents: o.AmountCents, Email: o.Email,
		Object: object, Year: now.In(parisLoc()).Year(), NotifyURL: s.absURL(com, NotifyPath(p.Name())),
		ReturnURL: s.absURL(com, returnPath(o.Ref))}
}

// startProvider asks a remote provider for a payment page, outside any
// write transaction, then records its operation id.
func (s *Service) startProvider(ctx context.Context, db *tenants.DB, com tenants.Commune, regie booking.Regie, o *Order, object string) (string, error) {
	now := s.now()
	fail := func(cause error) error {
		s.log.Error("billing: provider start failed", "commune", com.Slug, "order", o.Ref, "provider", regie.Provider, "err", cause)
		_ = db.Tx(ctx, func(tx *sql.Tx) error {
			_ = logEvent(ctx, tx, paymentEvent{Provider: regie.Provider, OrderID: o.ID, Source: "start", Outcome: "error", Detail: cause.Error(), At: now})
			return s.closeFailed(ctx, tx, *o, OrderCancelled, outcomeProviderDown, now)
		})
		return ErrProviderDown
	}
	p, err := s.providers(db, regie)
	if err != nil {
		return "", fail(err)
	}
	started, err := p.Start(ctx, s.startRequest(com, p, o, object, now))
	if err != nil {
		return "", fail(err)
	}
	o.ProviderRef = started.Ref
	if err := db.Tx(ctx, func(tx *sql.Tx) error { return setProviderRef(ctx, tx, o.ID, started.Ref) }); err != nil {
		return "", err
	}
	return started.RedirectURL, nil
}

// ErrPaymentClosed: the régie's payment provider is not open on this
// node (the simulator outside demo mode); nothing was created.
var ErrPaymentClosed = errors.New("billing: online payment not open for this régie")

// PaymentOpen reports whether the régie's provider may take payments: the
// simulator (also the default of a new régie) only in demo mode or when
// the operator allowed it.
func (s *Service) PaymentOpen(r booking.Regie) bool {
	return !s.refuseSimulator || (r.Provider != ProviderSimulator && r.Provider != "")
}

// SimulatorOpen reports whether the built-in simulator may be used.
func (s *Service) SimulatorOpen() bool { return !s.refuseSimulator }

// ErrProviderDown: the payment service could not be reached; nothing was
// validated and the cart is kept.
var ErrProviderDown = errors.New("billing: payment provider unavailable")
