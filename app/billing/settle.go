package billing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/tenants"
)

// Settlement is one order being settled, inside the write transaction
// that records it: the order as it stood, the payment that settles it
// (AmountCents 0 when credit or cancellations cover the order), how it
// was paid, and the time. Settling updates Order (status, outcome, lines
// booked); every settlement ends with the money applied or credited.
type Settlement struct {
	Order   Order
	Payment Payment
	Means   string
	Now     time.Time
	// draft is the receipt email prepared before the transaction, or nil.
	draft *receiptDraft
}

// Outcomes recorded on a settled order (orders.outcome), also read by
// the parent's return page.
const (
	outcomePaid            = "payée"
	outcomeNoPayment       = "validée sans paiement"
	outcomeLateRestored    = "paiement tardif, réservations rétablies"
	outcomeLateInvoice     = "paiement tardif, facture réglée"
	outcomeExpiredCredit   = "paiement reçu après expiration, porté en avoir"
	outcomeReplacedCredit  = "paiement reçu pour une commande remplacée, porté en avoir"
	outcomeClosedCredit    = "paiement reçu pour une commande close, porté en avoir"
	outcomeInvoiceCredit   = "facture déjà réglée, paiement porté en avoir"
	outcomeNothingBooked   = "réservations impossibles, montant porté en avoir"
	outcomeAmountMismatch  = "montant payé différent de la commande, porté en avoir"
	outcomeProviderDown    = "service de paiement indisponible"
	outcomeReplaced        = "remplacée par une nouvelle commande"
	outcomeExpired         = "délai de paiement dépassé"
	outcomeAbandonedBefore = "abandonnée avant le paiement"
)

// settleWithoutPayment settles at once an order that has nothing to pay:
// its total is covered by credit, or it only cancels (zero or negative).
func (s *Service) settleWithoutPayment(ctx context.Context, tx *sql.Tx, com tenants.Commune, o *Order, now time.Time) error {
	if err := logEvent(ctx, tx, paymentEvent{Provider: providerCredit, OrderID: o.ID, Source: "checkout", Outcome: "paid", Detail: "sans paiement", At: now}); err != nil {
		return err
	}
	st := Settlement{Order: *o, Payment: Payment{PaidAt: now}, Means: meansOf(providerCredit), Now: now}
	err := s.settle(ctx, tx, com, &st)
	*o = st.Order
	return err
}

// settle settles a pending order: its payment arrived in time (or it had
// nothing to pay). A cart order books what it held; an invoice order
// pays its invoice, or, when the invoice was paid meanwhile by another
// order, its money becomes credit.
func (s *Service) settle(ctx context.Context, tx *sql.Tx, com tenants.Commune, st *Settlement) error {
	o := &st.Order
	outcome := outcomePaid
	if st.Payment.AmountCents == 0 {
		outcome = outcomeNoPayment
	}
	if _, err := closeOrder(ctx, tx, o.ID, OrderPending, OrderPaid, outcome, st.Now); err != nil {
		return err
	}
	o.Status, o.Outcome = OrderPaid, outcome
	switch o.Kind {
	case KindInvoice:
		err := markInvoicePaid(ctx, tx, o.InvoiceID, st.Payment.AmountCents, o.CreditCents, st.Payment.PaidAt, st.Means, o.ID)
		if errors.Is(err, errInvoiceNotOpen) {
			err = s.creditAll(ctx, tx, st, OrderPaid, outcomeInvoiceCredit, "Facture déjà réglée : paiement de la commande "+o.Ref)
		}
		if err != nil {
			return err
		}
	default:
		res, err := s.bookHeld(ctx, tx, st)
		if err != nil {
			return err
		}
		if len(res.Confirmed) == 0 && st.Payment.AmountCents+o.CreditCents > 0 {
			if _, err := closeOrder(ctx, tx, o.ID, OrderPaid, OrderCredited, outcomeNothingBooked, st.Now); err != nil {
				return err
			}
			o.Status, o.Outcome = OrderCredited, outcomeNothingBooked
		}
	}
	return s.queueReceipt(ctx, tx, com, *o, st.Payment, st.Now, st.draft)
}

// creditAll turns everything an order brought (its payment and the
// credit it took) back into credit and closes it as credited.
func (s *Service) creditAll(ctx context.Context, tx *sql.Tx, st *Settlement, from, outcome, label string) error {
	o := &st.Order
	if _, err := addCredit(ctx, tx, NewCredit{FamilyID: o.FamilyID, RegieID: o.RegieID, Kind: "release",
		AmountCents: o.CreditCents, Label: "Commande " + o.Ref + " non utilisée", OrderID: o.ID}, st.Now); err != nil {
		return err
	}
	if _, err := addCredit(ctx, tx, NewCredit{FamilyID: o.FamilyID, RegieID: o.RegieID, Kind: "rejected",
		AmountCents: st.Payment.AmountCents, Label: label, OrderID: o.ID}, st.Now); err != nil {
		return err
	}
	if _, err := closeOrder(ctx, tx, o.ID, from, OrderCredited, outcome, st.Now); err != nil {
		return err
	}
	o.Status, o.Outcome = OrderCredited, outcome
	return nil
}

// bookHeld turns the cart order's held places into bookings, invoices
// what was booked ("payée") and credits what was given for lines that
// could not be booked (and the excess of cancellations).
func (s *Service) bookHeld(ctx context.Context, tx *sql.Tx, st *Settlement) (booking.ConfirmResult, error) {
	o := &st.Order
	res, err := booking.ConfirmHolds(ctx, tx, o.FamilyID, o.Ref, st.Now)
	if err != nil {
		return res, err
	}
	if len(res.Confirmed)+len(res.Rejected) == 0 {
		// An order placed before holds existed: its lines are checked now.
		var ids []int64
		for _, l := range o.Held() {
			ids = append(ids, l.CartLineID)
		}
		if res, err = booking.ConfirmLines(ctx, tx, o.FamilyID, ids, o.Ref, st.Now); err != nil {
			return res, err
		}
	}
	if err := s.recordBooked(ctx, tx, st, res, o.CreditCents, st.Payment.AmountCents); err != nil {
		return res, err
	}
	if diff := o.CreditCents + st.Payment.AmountCents - res.TotalCents; diff > 0 {
		kind, label := "cancel", "Annulations de la commande "+o.Ref
		if len(res.Rejected) > 0 {
			kind, label = "rejected", "Réservations impossibles de la commande "+o.Ref
		}
		if _, err := addCredit(ctx, tx, NewCredit{FamilyID: o.FamilyID, RegieID: o.RegieID, Kind: kind,
			AmountCents: diff, Label: label, OrderID: o.ID}, st.Now); err != nil {
			return res, err
		}
	}
	return res, nil
}

// recordBooked marks the order's lines with their reservations, and
// those that could not be booked with the reason, and writes the "payée"
// invoice of what was booked (credit and paid capped at its total).
func (s *Service) recordBooked(ctx context.Context, tx *sql.Tx, st *Settlement, res booking.ConfirmResult, credit, paid int64) error {
	o := &st.Order
	byLine := map[int64]int64{}
	for _, c := range res.Confirmed {
		byLine[c.Line.ID] = c.ReservationID
	}
	why := map[int64]string{}
	for _, r := range res.Rejected {
		why[r.Line.ID] = r.Reason
	}
	if err := markLines(ctx, tx, o.ID, byLine, why); err != nil {
		return err
	}
	var lines []Line
	for i, l := range o.Lines {
		if l.Refusal != "" {
			continue
		}
		if r, ok := why[l.CartLineID]; ok {
			o.Lines[i].NotBooked = r
		}
		if rid, ok := byLine[l.CartLineID]; ok {
			o.Lines[i].ReservationID = rid
			l.ReservationID = rid
			lines = append(lines, l)
		}
	}
	if res.TotalCents > 0 {
		if _, err := CreateInvoice(ctx, tx, NewInvoice{RegieID: o.RegieID, FamilyID: o.FamilyID, Status: InvoicePaid,
			IssuedOn: calendar.Today(st.Now), CreditCents: min(credit, res.TotalCents), PaidCents: min(paid, res.TotalCents),
			PaidAt: st.Payment.PaidAt, PaymentMeans: st.Means, OrderID: o.ID, Lines: lines}, st.Now); err != nil {
			return err
		}
	}
	return creditClosedDays(ctx, tx, st, res)
}

// creditClosedDays applies "the closure wins" to the forfaits the order
// just booked: a day of a forfait's period that a closure created after
// the order was placed closes is not served, so its share of the price
// (booking.ForfaitDaysClosedSince, the rule of a closure over a booked
// forfait) becomes the family's credit, in the payment's transaction. The
// forfait itself is booked and invoiced whole, as a forfait the closure
// met after its booking. The shares are recorded on the order
// (order_closed_days) for its receipt, which lists them under "Non
// réservé".
func creditClosedDays(ctx context.Context, tx *sql.Tx, st *Settlement, res booking.ConfirmResult) error {
	o := &st.Order
	days, err := booking.ForfaitDaysClosedSince(ctx, tx, res.Confirmed, o.CreatedAt)
	if err != nil || len(days) == 0 {
		return err
	}
	byCartLine := map[int64]Line{}
	for _, l := range o.Held() {
		byCartLine[l.CartLineID] = l
	}
	var total int64
	label := "Fermetures pendant l'attente du paiement de la commande " + o.Ref + " : parts de forfait"
	for _, d := range days {
		l, ok := byCartLine[d.Line.ID]
		if !ok {
			return fmt.Errorf("billing: order %s has no line for cart line %d", o.Ref, d.Line.ID)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO order_closed_days (order_id, order_line_id, day, days, amount_cents)
			SELECT ?, id, ?, ?, ? FROM order_lines WHERE order_id = ? AND cart_line_id = ? AND refusal = ''`,
			o.ID, d.Day, d.Days, d.Cents, o.ID, d.Line.ID); err != nil {
			return fmt.Errorf("billing: closed day of order %s: %w", o.Ref, err)
		}
		l.Day, l.Quantity, l.UnitCents, l.AmountCents = d.Day, 1, d.Cents, d.Cents
		l.NotBooked, l.ShareOf = booking.ReasonDayClosed, d.Days
		o.ClosedDays = append(o.ClosedDays, l)
		total += d.Cents
		if len(days) == 1 {
			label = fmt.Sprintf("Fermeture du %s : part du forfait %s %s (1 jour sur %d)", d.Day.FR(), l.Prestation, l.ChildName, d.Days)
		}
	}
	// The receipt lists them by day, as the stored order reads them back.
	slices.SortStableFunc(o.ClosedDays, func(a, b Line) int { return a.Day.Compare(b.Day) })
	_, err = addCredit(ctx, tx, NewCredit{FamilyID: o.FamilyID, RegieID: o.RegieID, Kind: "closure",
		AmountCents: total, Label: label, OrderID: o.ID}, st.Now)
	return err
}

// settleLate handles a payment for an order that was no longer pending
// (expired, replaced, refused or abandoned): the amount is credited, then
// what can still be restored (the invoice still open, the bookings the
// rules still allow) is taken back from that credit.
func (s *Service) settleLate(ctx context.Context, tx *sql.Tx, com tenants.Commune, st *Settlement) error {
	o := &st.Order
	from := o.Status
	label, outcome := "Paiement reçu pour la commande "+o.Ref+", close sans paiement", outcomeClosedCredit
	switch from {
	case OrderExpired:
		label, outcome = "Paiement reçu après expiration de la commande "+o.Ref, outcomeExpiredCredit
	case OrderCancelled:
		label, outcome = "Paiement reçu pour la commande "+o.Ref+", remplacée par une commande plus récente", outcomeReplacedCredit
	}
	if _, err := addCredit(ctx, tx, NewCredit{FamilyID: o.FamilyID, RegieID: o.RegieID, Kind: "late",
		AmountCents: st.Payment.AmountCents, Label: label, OrderID: o.ID}, st.Now); err != nil {
		return err
	}
	restored, err := s.restore(ctx, tx, st)
	if err != nil {
		return err
	}
	status := OrderCredited
	switch {
	case restored && o.Kind == KindInvoice:
		status, outcome = OrderPaid, outcomeLateInvoice
	case restored:
		status, outcome = OrderPaid, outcomeLateRestored
	}
	if _, err := closeOrder(ctx, tx, o.ID, from, status, outcome, st.Now); err != nil {
		return err
	}
	o.Status, o.Outcome = status, outcome
	return s.queueReceipt(ctx, tx, com, *o, st.Payment, st.Now, st.draft)
}

// restore re-validates what a late payment paid for, inside a savepoint so
// that a refusal leaves nothing behind.
func (s *Service) restore(ctx context.Context, tx *sql.Tx, st *Settlement) (bool, error) {
	if _, err := tx.ExecContext(ctx, `SAVEPOINT restore`); err != nil {
		return false, err
	}
	saved, savedDays := append([]Line(nil), st.Order.Lines...), st.Order.ClosedDays
	ok, err := s.tryRestore(ctx, tx, st)
	if err != nil || !ok {
		st.Order.Lines, st.Order.ClosedDays = saved, savedDays
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

func (s *Service) tryRestore(ctx context.Context, tx *sql.Tx, st *Settlement) (bool, error) {
	o, pay := &st.Order, st.Payment
	balance, err := CreditBalance(ctx, tx, o.FamilyID, o.RegieID)
	if err != nil {
		return false, err
	}
	means := st.Means + " (paiement tardif)"
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
			AmountCents: -due, Label: "Facture " + inv.Number, OrderID: o.ID}, st.Now)
		return err == nil, err
	}
	// Every rule is checked again: the order's places were released.
	check, err := booking.CheckCart(ctx, tx, o.FamilyID, o.RegieID, st.Now)
	if err != nil {
		return false, err
	}
	inCart := map[int64]bool{}
	for _, l := range check.Lines {
		inCart[l.ID] = true
	}
	var ids []int64
	held := map[int64]bool{}
	for _, l := range o.Held() {
		held[l.CartLineID] = true
		if inCart[l.CartLineID] {
			ids = append(ids, l.CartLineID)
		}
	}
	res, err := booking.ConfirmLines(ctx, tx, o.FamilyID, ids, o.Ref, st.Now)
	if err != nil {
		return false, err
	}
	// The receipt says why the others were not booked (a day closed…).
	for _, r := range check.Removed {
		if held[r.Line.ID] {
			res.Rejected = append(res.Rejected, r)
		}
	}
	if len(res.Confirmed) == 0 || res.TotalCents > balance {
		return false, errCannotRestore
	}
	lateSt := *st
	lateSt.Means = means
	if err := s.recordBooked(ctx, tx, &lateSt, res, max(res.TotalCents-pay.AmountCents, 0), pay.AmountCents); err != nil {
		return false, err
	}
	st.Order.Lines, st.Order.ClosedDays = lateSt.Order.Lines, lateSt.Order.ClosedDays
	_, err = addCredit(ctx, tx, NewCredit{FamilyID: o.FamilyID, RegieID: o.RegieID, Kind: "restore",
		AmountCents: -res.TotalCents, Label: "Réservations rétablies de la commande " + o.Ref, OrderID: o.ID}, st.Now)
	return err == nil, err
}

// closeFailed closes a pending order without payment: its places are
// released and its credit given back, at once.
func (s *Service) closeFailed(ctx context.Context, tx *sql.Tx, o Order, status, outcome string, now time.Time) error {
	ok, err := closeOrder(ctx, tx, o.ID, OrderPending, status, outcome, now)
	if err != nil || !ok {
		return err
	}
	if o.Kind == KindCart {
		if _, err := booking.ReleaseHoldsAt(ctx, tx, o.Ref, now); err != nil {
			return err
		}
	}
	_, err = addCredit(ctx, tx, NewCredit{FamilyID: o.FamilyID, RegieID: o.RegieID, Kind: "release",
		AmountCents: o.CreditCents, Label: "Commande " + o.Ref + " non payée", OrderID: o.ID}, now)
	return err
}

// errInvoiceNotOpen: the invoice was paid meanwhile (by another order).
var errInvoiceNotOpen = errors.New("billing: invoice is not open")

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
