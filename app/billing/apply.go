package billing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"espacefamille/app/billing/simulator"
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
	o, err := orderByProviderRef(ctx, db.Reader(), provider, ref)
	if errors.Is(err, ErrNotFound) {
		s.log.Warn("billing: notification for an unknown operation", "commune", com.Slug, "provider", provider, "ref", ref, "source", source)
		_ = db.Tx(ctx, func(tx *sql.Tx) error {
			return logEvent(ctx, tx, paymentEvent{Provider: provider, ProviderRef: ref, Source: source, Outcome: "unknown_order", At: s.now()})
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
	res, err := s.fetch(ctx, db, com, o, source)
	if err != nil {
		return o, err
	}
	return s.Apply(ctx, db, com, o.ID, res, source)
}

// lateWatched reports whether an order closed without payment may still
// receive one (see LateWatch).
func (s *Service) lateWatched(o Order) bool {
	return (o.Status == OrderExpired || o.Status == OrderCancelled) && o.ProviderRef != "" &&
		s.now().Sub(o.ClosedAt) < LateWatch
}

// applyLatePayment asks the provider about an order closed without
// payment and applies a payment it reports; other answers change nothing
// (and are not recorded: the order was closed already).
func (s *Service) applyLatePayment(ctx context.Context, db *tenants.DB, com tenants.Commune, o Order, source string) (Order, error) {
	res, err := s.fetch(ctx, db, com, o, source)
	if err != nil || res.Status != StatusPaid {
		return o, err
	}
	return s.Apply(ctx, db, com, o.ID, res, source)
}

// fetch asks the order's provider about its operation; a failure is
// logged and recorded.
func (s *Service) fetch(ctx context.Context, db *tenants.DB, com tenants.Commune, o Order, source string) (Result, error) {
	regie, err := loadRegie(ctx, db.Reader(), o.RegieID)
	if err != nil {
		return Result{}, err
	}
	// The régie may have changed provider since: ask the order's own.
	regie.Provider = o.Provider
	p, err := s.providers(db, regie)
	if err != nil {
		return Result{}, err
	}
	res, err := p.Fetch(ctx, o.ProviderRef)
	if err != nil {
		s.log.Error("billing: provider fetch failed", "commune", com.Slug, "order", o.Ref, "err", err)
		_ = db.Tx(ctx, func(tx *sql.Tx) error {
			return logEvent(ctx, tx, eventOf(o, source, "fetch_error", err.Error(), s.now()))
		})
		return Result{}, fmt.Errorf("billing: fetch %s: %w", o.ProviderRef, err)
	}
	return res, nil
}

// Apply applies a provider's result to an order in one transaction:
// success (once), failure, or nothing (still pending). Money the provider
// captured always ends applied or credited in that transaction: paid in
// time, the order is settled; paid after the order was closed, or for an
// amount that does not match it, the amount becomes credit (then, when
// late, what can still be restored is). A result about another order is
// refused and logged; a mismatched amount is credited, logged and
// reported (ErrAmountMismatch).
func (s *Service) Apply(ctx context.Context, db *tenants.DB, com tenants.Commune, orderID int64, res Result, source string) (Order, error) {
	var a applied
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		o, err := orderByID(ctx, tx, orderID)
		if err != nil {
			return err
		}
		a, err = s.applyTx(ctx, tx, com, o, res, source, nil)
		return err
	})
	return s.afterApply(com, a, err)
}

// applied is what applyTx did, for afterApply once it committed.
type applied struct {
	order   Order
	refused error  // ErrRefMismatch, ErrAmountMismatch
	mailed  bool   // a receipt waits in the outbox
	logged  string // the outcome recorded in payment_events
}

// applyTx is Apply inside the caller's write transaction, on the order
// as read through tx; draft is the receipt email prepared before the
// transaction, or nil (receiptDraft).
func (s *Service) applyTx(ctx context.Context, tx *sql.Tx, com tenants.Commune, order Order, res Result, source string, draft *receiptDraft) (a applied, _ error) {
	now := s.now()
	a.order = order
	o := &a.order // named result: the settlement's deferred update reaches the caller
	event := func(outcome, detail string) error {
		a.logged = outcome
		return logEvent(ctx, tx, eventOf(*o, source, outcome, detail, now))
	}
	if res.OrderRef != "" && res.OrderRef != o.Ref {
		a.refused = ErrRefMismatch
		return a, event("ref_mismatch", "référence du fournisseur : "+res.OrderRef)
	}
	switch res.Status {
	case StatusPaid:
		if res.PaidAt.IsZero() {
			res.PaidAt = now
		}
		pay := Payment{OrderID: o.ID, Provider: o.Provider, ProviderRef: o.ProviderRef, AmountCents: res.AmountCents,
			AuthNumber: res.AuthNumber, PaidAt: res.PaidAt, Late: o.Status != OrderPending}
		if ok, err := insertPayment(ctx, tx, pay, now); err != nil || !ok {
			if err == nil {
				err = event("duplicate", "")
			}
			return a, err
		}
		a.mailed = true
		st := Settlement{Order: *o, Payment: pay, Means: meansOf(o.Provider), Now: now, draft: draft}
		defer func() { *o = st.Order }()
		if res.AmountCents != o.AmountCents {
			a.refused = ErrAmountMismatch
			s.log.Error("billing: paid amount does not match the order", "commune", com.Slug, "order", o.Ref,
				"paid", res.AmountCents, "expected", o.AmountCents)
			if err := s.creditMismatch(ctx, tx, com, &st); err != nil {
				return a, err
			}
			return a, event("amount_mismatch", fmt.Sprintf("payé %d, attendu %d", res.AmountCents, o.AmountCents))
		}
		if pay.Late {
			if err := s.settleLate(ctx, tx, com, &st); err != nil {
				return a, err
			}
			return a, event("late_payment", st.Order.Outcome)
		}
		if err := s.settle(ctx, tx, com, &st); err != nil {
			return a, err
		}
		return a, event("paid", st.Order.Outcome)
	case StatusRefused, StatusAbandoned:
		status, outcome := OrderRefused, "paiement refusé"
		if res.Status == StatusAbandoned {
			status, outcome = OrderAbandoned, "paiement abandonné"
		}
		if o.Status == OrderPending {
			held, err := booking.OffersHeldBy(ctx, tx, o.Ref)
			if err != nil {
				return a, err
			}
			if err := s.closeFailed(ctx, tx, *o, status, outcome, now); err != nil {
				return a, err
			}
			o.Status, o.Outcome = status, outcome
			kept, err := booking.KeptOffers(ctx, tx, held)
			if err != nil {
				return a, err
			}
			n, err := s.queuePaymentFailed(ctx, tx, com, *o, status == OrderAbandoned, kept, now)
			if err != nil {
				return a, err
			}
			a.mailed = n > 0
		}
		return a, event(string(res.Status), "")
	default:
		return a, event(string(res.Status), "")
	}
}

// afterApply reports what a committed applyTx did (metrics, the mail
// sender woken) and returns its order and refusal; err is the
// transaction's error.
func (s *Service) afterApply(com tenants.Commune, a applied, err error) (Order, error) {
	if err != nil {
		return a.order, err
	}
	if s.onPayment != nil && a.logged != "" {
		s.onPayment(a.logged)
	}
	if a.mailed {
		s.mailed(com)
	}
	return a.order, a.refused
}

// SimulatorOutcome is the simulator's card form submitted: in one
// transaction the simulator records the outcome of its operation idOp
// (paid, refused or abandoned; an operation finished already keeps its
// own) and the order is updated as a notification would, from the
// operation as recorded, never from the form. The simulator keeps its
// operations in this database and waits on nothing, so its side and
// ours commit together.
//
// The operation's time (the payment's, on the receipt) is when the form
// was submitted, and its authorisation number is drawn then: the receipt
// email is rendered from them before the writer is taken (receiptDraft).
func (s *Service) SimulatorOutcome(ctx context.Context, db *tenants.DB, com tenants.Commune, idOp, outcome string) (Order, error) {
	submitted, auth := s.now(), simulator.AuthNumber()
	draft := s.draftReceipt(ctx, db, com, idOp, outcome, auth, submitted)
	var a applied
	unknown := false
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		a, unknown = applied{}, false
		err := simulator.FinishWithAuth(ctx, tx, idOp, outcome, auth, submitted)
		if err != nil && !errors.Is(err, simulator.ErrFinished) {
			return err
		}
		op, err := simulator.Get(ctx, tx, idOp)
		if err != nil {
			return err
		}
		o, err := orderByProviderRef(ctx, tx, ProviderSimulator, idOp)
		if errors.Is(err, ErrNotFound) {
			unknown = true
			return logEvent(ctx, tx, paymentEvent{Provider: ProviderSimulator, ProviderRef: idOp, Source: SourceNotify, Outcome: "unknown_order", At: s.now()})
		}
		if err != nil {
			return err
		}
		a, err = s.applyTx(ctx, tx, com, o, simulatorResult(op), SourceNotify, draft)
		return err
	})
	if err == nil && unknown {
		s.log.Warn("billing: simulator operation without order", "commune", com.Slug, "ref", idOp)
		return Order{}, ErrNotFound
	}
	return s.afterApply(com, a, err)
}

// creditMismatch credits a captured amount that does not match its order:
// a pending order is closed (its places released, its credit given back),
// and the whole amount paid becomes credit.
func (s *Service) creditMismatch(ctx context.Context, tx *sql.Tx, com tenants.Commune, st *Settlement) error {
	o := &st.Order
	from := o.Status
	if from == OrderPending {
		if err := s.closeFailed(ctx, tx, *o, OrderCancelled, outcomeAmountMismatch, st.Now); err != nil {
			return err
		}
		from = OrderCancelled
	}
	if _, err := addCredit(ctx, tx, NewCredit{FamilyID: o.FamilyID, RegieID: o.RegieID, Kind: "late",
		AmountCents: st.Payment.AmountCents, Label: "Paiement de la commande " + o.Ref + " d'un montant inattendu", OrderID: o.ID}, st.Now); err != nil {
		return err
	}
	if _, err := closeOrder(ctx, tx, o.ID, from, OrderCredited, outcomeAmountMismatch, st.Now); err != nil {
		return err
	}
	o.Status, o.Outcome = OrderCredited, outcomeAmountMismatch
	return s.queueReceipt(ctx, tx, com, *o, st.Payment, st.Now, st.draft)
}

// ReconcileReport counts what a reconciliation did.
type ReconcileReport struct {
	Checked, Paid, Failed, Expired, Pending, Errors int
	// Watched counts the orders closed without payment lately (expired,
	// replaced) that the provider was asked about again, in case a
	// payment arrived after all and its notification was lost.
	Watched int
	// Problems says, per error, which order and why ("EF2026…: …").
	Problems []string
}

// Broken reports whether anything went wrong (an exit status for scripts).
func (r ReconcileReport) Broken() bool { return r.Errors > 0 }

// LateWatch is how long after an order closed without payment the
// reconciliation still asks its provider whether it was paid after all:
// a parent may finish paying on the provider's page after the order
// expired, and that notification can be lost too.
const LateWatch = 2 * time.Hour

// Reconcile asks the providers about every pending order (notifications
// can be lost) and expires the orders whose time is over and that the
// provider does not report paid; it also asks about the orders closed
// without payment within LateWatch, and applies a payment found there.
func (s *Service) Reconcile(ctx context.Context, db *tenants.DB, com tenants.Commune) (ReconcileReport, error) {
	var rep ReconcileReport
	list, err := pendingOrders(ctx, db.Reader(), 0, 0)
	if err != nil {
		return rep, err
	}
	problem := func(o Order, err error) {
		rep.Errors++
		rep.Problems = append(rep.Problems, o.Ref+": "+err.Error())
	}
	for _, o := range list {
		rep.Checked++
		if o.ProviderRef != "" {
			got, err := s.refresh(ctx, db, com, o, SourceReconcile)
			if err != nil {
				problem(o, err)
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
		offers := int64(0)
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			cur, err := orderByID(ctx, tx, o.ID)
			if err != nil || cur.Status != OrderPending {
				return err
			}
			if err := s.closeFailed(ctx, tx, cur, OrderExpired, outcomeExpired, s.now()); err != nil {
				return err
			}
			// The places it gave back may go to waiting lists: the
			// families are mailed now, not at the next housekeeping pass.
			offers, err = booking.MailOffers(ctx, db, tx, s.platformReader(), com, func(p string) string { return s.absURL(com, p) }, s.now())
			return err
		})
		if err != nil {
			return rep, err
		}
		if offers > 0 {
			s.mailed(com)
		}
		rep.Expired++
	}
	closed, err := recentlyClosedUnpaid(ctx, db.Reader(), s.now().Add(-LateWatch))
	if err != nil {
		return rep, err
	}
	for _, o := range closed {
		rep.Watched++
		got, err := s.applyLatePayment(ctx, db, com, o, SourceReconcile)
		if err != nil && !errors.Is(err, ErrAmountMismatch) {
			problem(o, err)
			continue
		}
		if got.Status == OrderPaid || got.Status == OrderCredited {
			rep.Paid++
		}
	}
	return rep, nil
}
