package billing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"espacefamille/app/booking"
	"espacefamille/tenants"
)

// Sources of a result, for the record.
const (
	SourceNotify    = "notification"
	SourceReturn    = "retour"
	SourceReconcile = "reconciliation"
)

// Notify handles a provider's notification about its operation ref: the
// order is found by the operation, and the result is fetched from the
// provider, never taken from the request. An unknown operation (forged, or
// another commune's) is refused and logged.
func (s *Service) Notify(ctx context.Context, db *tenants.DB, com tenants.Commune, provider, ref, source string) (Order, error) {
	o, err := orderByProviderRef(ctx, db.R, provider, ref)
	if errors.Is(err, ErrNotFound) {
		s.log.Warn("billing: notification for an unknown operation", "commune", com.Slug, "provider", provider, "ref", ref, "source", source)
		_ = db.Tx(ctx, func(tx *sql.Tx) error {
			return logEvent(ctx, tx, provider, ref, 0, source, "unknown_order", "", s.now())
		})
		return Order{}, ErrNotFound
	}
	if err != nil {
		return Order{}, err
	}
	return s.refresh(ctx, db, com, o, source)
}

// refresh fetches the provider's result for an order and applies it.
func (s *Service) refresh(ctx context.Context, db *tenants.DB, com tenants.Commune, o Order, source string) (Order, error) {
	regie, err := LoadRegie(ctx, db.R, o.RegieID)
	if err != nil {
		return o, err
	}
	if regie.Provider != o.Provider {
		// The régie changed provider since: ask the order's own provider.
		regie.Provider = o.Provider
	}
	p, err := s.providers(db, regie)
	if err != nil {
		return o, err
	}
	res, err := p.Fetch(ctx, o.ProviderRef)
	if err != nil {
		s.log.Error("billing: provider fetch failed", "commune", com.Slug, "order", o.Ref, "err", err)
		_ = db.Tx(ctx, func(tx *sql.Tx) error {
			return logEvent(ctx, tx, o.Provider, o.ProviderRef, o.ID, source, "fetch_error", err.Error(), s.now())
		})
		return o, fmt.Errorf("billing: fetch %s: %w", o.ProviderRef, err)
	}
	return s.Apply(ctx, db, com, o.ID, res, source)
}

// Apply applies a provider's result to an order in one transaction:
// success (once), failure, or nothing (still pending). A paid result whose
// amount or reference does not match the order is refused and logged.
func (s *Service) Apply(ctx context.Context, db *tenants.DB, com tenants.Commune, orderID int64, res Result, source string) (Order, error) {
	now := s.now()
	var o Order
	var refused error
	mailed := false
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		refused, mailed = nil, false
		var err error
		if o, err = orderByID(ctx, tx, orderID); err != nil {
			return err
		}
		event := func(outcome, detail string) error {
			return logEvent(ctx, tx, o.Provider, o.ProviderRef, o.ID, source, outcome, detail, now)
		}
		if res.OrderRef != "" && res.OrderRef != o.Ref {
			refused = ErrRefMismatch
			return event("ref_mismatch", "référence du fournisseur : "+res.OrderRef)
		}
		switch res.Status {
		case StatusPaid:
			if o.Status == OrderPaid || o.Status == OrderCredited {
				return event("duplicate", "")
			}
			if res.AmountCents != o.AmountCents {
				refused = ErrAmountMismatch
				s.log.Error("billing: paid amount does not match the order", "commune", com.Slug, "order", o.Ref,
					"paid", res.AmountCents, "expected", o.AmountCents)
				return event("amount_mismatch", fmt.Sprintf("payé %d, attendu %d", res.AmountCents, o.AmountCents))
			}
			if res.PaidAt.IsZero() {
				res.PaidAt = now
			}
			pay := Payment{OrderID: o.ID, Provider: o.Provider, ProviderRef: o.ProviderRef, AmountCents: res.AmountCents,
				AuthNumber: res.AuthNumber, PaidAt: res.PaidAt, Late: o.Status != OrderPending}
			if ok, err := insertPayment(ctx, tx, pay, now); err != nil || !ok {
				if err == nil {
					err = event("duplicate", "")
				}
				return err
			}
			mailed = true
			if pay.Late {
				if err := s.applyLate(ctx, tx, com, &o, pay, now); err != nil {
					return err
				}
				return event("late_payment", o.Outcome)
			}
			if err := s.applyPaid(ctx, tx, com, &o, pay, now); err != nil {
				return err
			}
			return event("paid", "")
		case StatusRefused, StatusAbandoned:
			status, outcome := OrderRefused, "paiement refusé"
			if res.Status == StatusAbandoned {
				status, outcome = OrderAbandoned, "paiement abandonné"
			}
			if o.Status == OrderPending {
				if err := s.closeFailed(ctx, tx, o, status, outcome, now); err != nil {
					return err
				}
				o.Status, o.Outcome = status, outcome
			}
			return event(string(res.Status), "")
		default:
			return event(string(res.Status), "")
		}
	})
	if err != nil {
		return o, err
	}
	if mailed {
		s.mailed(com)
	}
	if refused != nil {
		return o, refused
	}
	return o, nil
}

func (s *Service) applyPaid(ctx context.Context, tx *sql.Tx, com tenants.Commune, o *Order, pay Payment, now time.Time) error {
	if _, err := closeOrder(ctx, tx, o.ID, OrderPending, OrderPaid, "payée", now); err != nil {
		return err
	}
	o.Status, o.Outcome = OrderPaid, "payée"
	means := meansOf(o.Provider)
	switch o.Kind {
	case KindInvoice:
		if err := markInvoicePaid(ctx, tx, o.InvoiceID, pay.AmountCents, o.CreditCents, pay.PaidAt, means, o.ID); err != nil {
			return err
		}
	default:
		res, err := s.settleCart(ctx, tx, *o, pay.AmountCents, pay.PaidAt, means, now)
		if err != nil {
			return err
		}
		if len(res.Confirmed) == 0 {
			// Nothing could be validated (another order took these
			// lines): the whole amount went to credit.
			outcome := "réservations impossibles, montant porté en avoir"
			if _, err := closeOrder(ctx, tx, o.ID, OrderPaid, OrderCredited, outcome, now); err != nil {
				return err
			}
			o.Status, o.Outcome = OrderCredited, outcome
		}
	}
	return s.queueReceipt(ctx, tx, com, *o, pay, now)
}

// applyLate handles a payment for an order that had expired, failed or
// been replaced: the amount is credited, then what can still be restored
// (the invoice still open, the bookings the rules still allow) is taken
// back from that credit.
func (s *Service) applyLate(ctx context.Context, tx *sql.Tx, com tenants.Commune, o *Order, pay Payment, now time.Time) error {
	from := o.Status
	if _, err := addCredit(ctx, tx, NewCredit{FamilyID: o.FamilyID, RegieID: o.RegieID, Kind: "late",
		AmountCents: pay.AmountCents, Label: "Paiement reçu après expiration de la commande " + o.Ref, OrderID: o.ID}, now); err != nil {
		return err
	}
	restored, err := s.restore(ctx, tx, *o, pay, now)
	if err != nil {
		return err
	}
	status, outcome := OrderCredited, "paiement tardif porté en avoir"
	if restored {
		status, outcome = OrderPaid, "paiement tardif, réservations rétablies"
	}
	if _, err := closeOrder(ctx, tx, o.ID, from, status, outcome, now); err != nil {
		return err
	}
	o.Status, o.Outcome = status, outcome
	return s.queueReceipt(ctx, tx, com, *o, pay, now)
}

// restore re-validates what a late payment paid for, inside a savepoint so
// that a refusal leaves nothing behind.
func (s *Service) restore(ctx context.Context, tx *sql.Tx, o Order, pay Payment, now time.Time) (bool, error) {
	if _, err := tx.ExecContext(ctx, `SAVEPOINT restore`); err != nil {
		return false, err
	}
	ok, err := s.tryRestore(ctx, tx, o, pay, now)
	if err != nil || !ok {
		if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO restore`); rerr != nil {
			return false, rerr
		}
		_, rerr := tx.ExecContext(ctx, `RELEASE restore`)
		if err != nil && !errors.Is(err, errCannotRestore) {
			return false, err
		}
		return false, rerr
	}
	_, err = tx.ExecContext(ctx, `RELEASE restore`)
	return true, err
}

var errCannotRestore = errors.New("billing: cannot restore")

func (s *Service) tryRestore(ctx context.Context, tx *sql.Tx, o Order, pay Payment, now time.Time) (bool, error) {
	balance, err := CreditBalance(ctx, tx, o.FamilyID, o.RegieID)
	if err != nil {
		return false, err
	}
	means := meansOf(o.Provider) + " (paiement tardif)"
	if o.Kind == KindInvoice {
		inv, err := FamilyInvoice(ctx, tx, o.FamilyID, o.InvoiceID)
		if err != nil || inv.Paid() || inv.DueCents() > balance {
			return false, errCannotRestore
		}
		due := inv.DueCents()
		paid := min(pay.AmountCents, due)
		if err := markInvoicePaid(ctx, tx, inv.ID, paid, due-paid, pay.PaidAt, means, o.ID); err != nil {
			return false, err
		}
		_, err = addCredit(ctx, tx, NewCredit{FamilyID: o.FamilyID, RegieID: o.RegieID, Kind: "restore",
			AmountCents: -due, Label: "Facture " + inv.Number, OrderID: o.ID}, now)
		return err == nil, err
	}
	// Deadlines are checked again: the order's snapshot may be stale.
	check, err := booking.CheckCart(ctx, tx, o.FamilyID, o.RegieID, now)
	if err != nil {
		return false, err
	}
	inCart := map[int64]bool{}
	for _, l := range check.Lines {
		inCart[l.ID] = true
	}
	var ids []int64
	for _, l := range o.Lines {
		if inCart[l.CartLineID] {
			ids = append(ids, l.CartLineID)
		}
	}
	res, err := booking.ConfirmLines(ctx, tx, o.FamilyID, ids, o.Ref, now)
	if err != nil {
		return false, err
	}
	if len(res.Confirmed) == 0 || res.TotalCents > balance {
		return false, errCannotRestore
	}
	if err := s.invoiceConfirmed(ctx, tx, o, res, max(res.TotalCents-pay.AmountCents, 0), pay.AmountCents, pay.PaidAt, means, now); err != nil {
		return false, err
	}
	_, err = addCredit(ctx, tx, NewCredit{FamilyID: o.FamilyID, RegieID: o.RegieID, Kind: "restore",
		AmountCents: -res.TotalCents, Label: "Réservations rétablies de la commande " + o.Ref, OrderID: o.ID}, now)
	return err == nil, err
}

func meansOf(provider string) string {
	switch provider {
	case ProviderPayFiP:
		return "Carte bancaire (PayFiP)"
	case ProviderSimulator:
		return "Carte bancaire (paiement de test)"
	case providerCredit:
		return "Avoir"
	}
	return provider
}

// ReconcileReport counts what a reconciliation did.
type ReconcileReport struct {
	Checked, Paid, Failed, Expired, Pending, Errors int
}

// Reconcile asks the providers about every pending order (notifications
// can be lost) and expires the orders whose time is over and that the
// provider does not report paid.
func (s *Service) Reconcile(ctx context.Context, db *tenants.DB, com tenants.Commune) (ReconcileReport, error) {
	var rep ReconcileReport
	list, err := pendingOrders(ctx, db.R, 0, 0)
	if err != nil {
		return rep, err
	}
	for _, o := range list {
		rep.Checked++
		if o.ProviderRef != "" {
			got, err := s.refresh(ctx, db, com, o, SourceReconcile)
			if err != nil {
				rep.Errors++
				continue
			}
			switch got.Status {
			case OrderPaid, OrderCredited:
				rep.Paid++
				continue
			case OrderRefused, OrderAbandoned:
				rep.Failed++
				continue
			}
		}
		if s.now().Before(o.ExpiresAt) {
			rep.Pending++
			continue
		}
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			cur, err := orderByID(ctx, tx, o.ID)
			if err != nil || cur.Status != OrderPending {
				return err
			}
			return s.closeFailed(ctx, tx, cur, OrderExpired, "délai de paiement dépassé", s.now())
		})
		if err != nil {
			return rep, err
		}
		rep.Expired++
	}
	return rep, nil
}
