package billing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/tenants"
)

// Service runs the payment flow of every commune.
type Service struct {
	providers ProviderFactory
	now       func() time.Time
	notify    func(source string)
	onPending func(slug string)
	log       *slog.Logger
	// absURL makes a commune-relative path absolute (for providers' calls).
	absURL func(c tenants.Commune, path string) string
	// refuseSimulator closes the payment of régies set on the simulator.
	refuseSimulator bool
	platform        *tenants.DB
}

// Options configure a Service.
type Options struct {
	Providers ProviderFactory     // DefaultProviders(nil) when nil
	Now       func() time.Time    // time.Now when nil
	Notify    func(source string) // mail sender; nil when none runs
	// OnPending is told, after the commit, that a commune holds an order
	// waiting for its provider (Reconciler.MarkPending); nil when no
	// reconciliation job runs.
	OnPending func(slug string)
	Logger    *slog.Logger
	// AbsURL builds absolute commune URLs (web.Server.CommuneURL).
	AbsURL func(c tenants.Commune, path string) string
	// RefuseSimulator refuses to start payments on the built-in simulator,
	// which validates bookings without moving money: app.New sets it
	// outside demo mode unless the operator allowed the simulator.
	RefuseSimulator bool
	// Platform is the platform's database, where the parents' accounts
	// linked to a family are found: a new invoice's notice goes to them
	// too. Nil: the family's address on file only.
	Platform *tenants.DB
}

// NewService builds the payment flow.
func NewService(o Options) *Service {
	s := &Service{providers: o.Providers, now: o.Now, notify: o.Notify, onPending: o.OnPending, log: o.Logger, absURL: o.AbsURL,
		refuseSimulator: o.RefuseSimulator, platform: o.Platform}
	if s.providers == nil {
		s.providers = DefaultProviders(nil)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.absURL == nil {
		s.absURL = func(c tenants.Commune, p string) string { return "/" + c.Slug + p }
	}
	return s
}

// Checkout is the outcome of "Valider" on a prepaid cart.
type Checkout struct {
	Order       Order
	Removed     []booking.RemovedLine // lines dropped by the re-check, with reasons
	RedirectURL string                // provider page ("" when settled without payment)
}

// Paths of the parent's pages about an order.
func returnPath(ref string) string  { return "/famille/paiement/retour?ref=" + ref }
func receiptPath(ref string) string { return "/famille/paiement/" + ref }

// NotifyPath is where a provider notifies the operations of a commune.
func NotifyPath(provider string) string { return "/paiement/notification/" + provider }

// StartCart turns the family's prepaid cart into an order and asks the
// régie's provider for a payment page. A total covered by credit (or
// negative: cancellations) is validated at once, without payment.
func (s *Service) StartCart(ctx context.Context, db *tenants.DB, com tenants.Commune, familyID, regieID int64) (Checkout, error) {
	return s.StartCartBy(ctx, db, com, familyID, regieID, "")
}

// StartCartBy is StartCart started by a logged-in parent: payer is the
// account's address, which receives the receipt (and is given to the
// provider); "" falls back to the family's contact address.
func (s *Service) StartCartBy(ctx context.Context, db *tenants.DB, com tenants.Commune, familyID, regieID int64, payer string) (Checkout, error) {
	now := s.now()
	var out Checkout
	var regie Regie
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		out = Checkout{}
		var err error
		if regie, err = LoadRegie(ctx, tx, regieID); err != nil {
			return err
		}
		if regie.Mode != "prepaid" {
			return fmt.Errorf("billing: régie %d is not prepaid", regieID)
		}
		check, err := booking.CheckCart(ctx, tx, familyID, regieID, now)
		if err != nil {
			return err
		}
		out.Removed = check.Removed
		if len(check.Lines) == 0 {
			return ErrEmptyCart
		}
		if err := s.supersede(ctx, tx, familyID, regieID, 0, now); err != nil {
			return err
		}
		o := Order{Ref: newOrderRef(now), Kind: KindCart, FamilyID: familyID, RegieID: regieID,
			TotalCents: check.TotalCents, Provider: regie.Provider, CreatedAt: now, ExpiresAt: now.Add(OrderTTL)}
		for _, l := range check.Lines {
			o.Lines = append(o.Lines, lineFromCart(l))
		}
		return s.placeOrder(ctx, tx, com, regie, o, payer, now, &out.Order)
	})
	if err != nil {
		return out, err
	}
	if out.Order.AmountCents == 0 {
		s.mailed(com)
		return out, nil
	}
	s.pending(com)
	out.RedirectURL, err = s.startProvider(ctx, db, com, regie, &out.Order, "Reservations "+regie.Name)
	return out, err
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

// placeOrder prices o for the payer, records it in out and, when nothing is
// left to pay (credit, cancellations), settles it at once. Payment must be
// open at the régie for an amount to pay.
func (s *Service) placeOrder(ctx context.Context, tx *sql.Tx, com tenants.Commune, regie Regie, o Order, payer string, now time.Time, out *Order) error {
	if err := s.fillAmount(ctx, tx, &o, payer); err != nil {
		return err
	}
	if o.AmountCents > 0 && !s.PaymentOpen(regie) {
		return ErrPaymentClosed
	}
	if err := s.createOrder(ctx, tx, &o); err != nil {
		return err
	}
	*out = o
	if o.AmountCents == 0 {
		return s.settleFree(ctx, tx, com, out, now)
	}
	return nil
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
		if err := s.closeFailed(ctx, tx, o, OrderCancelled, "remplacée par une nouvelle commande", now); err != nil {
			return err
		}
	}
	return nil
}

// closeFailed closes a pending order without payment and gives its credit back.
func (s *Service) closeFailed(ctx context.Context, tx *sql.Tx, o Order, status, outcome string, now time.Time) error {
	ok, err := closeOrder(ctx, tx, o.ID, OrderPending, status, outcome, now)
	if err != nil || !ok {
		return err
	}
	_, err = addCredit(ctx, tx, NewCredit{FamilyID: o.FamilyID, RegieID: o.RegieID, Kind: "release",
		AmountCents: o.CreditCents, Label: "Commande " + o.Ref + " non payée", OrderID: o.ID}, now)
	return err
}

// startProvider asks the provider for a payment page, outside any write
// transaction, then records its operation id.
func (s *Service) startProvider(ctx context.Context, db *tenants.DB, com tenants.Commune, regie Regie, o *Order, object string) (string, error) {
	now := s.now()
	fail := func(cause error) error {
		s.log.Error("billing: provider start failed", "commune", com.Slug, "order", o.Ref, "provider", regie.Provider, "err", cause)
		_ = db.Tx(ctx, func(tx *sql.Tx) error {
			_ = logEvent(ctx, tx, regie.Provider, "", o.ID, "start", "error", cause.Error(), now)
			return s.closeFailed(ctx, tx, *o, OrderCancelled, "service de paiement indisponible", now)
		})
		return ErrProviderDown
	}
	p, err := s.providers(db, regie)
	if err != nil {
		return "", fail(err)
	}
	started, err := p.Start(ctx, StartRequest{OrderRef: o.Ref, AmountCents: o.AmountCents, Email: o.Email,
		Object: object, Year: now.In(parisLoc()).Year(), NotifyURL: s.absURL(com, NotifyPath(p.Name())),
		ReturnURL: s.absURL(com, returnPath(o.Ref))})
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
func (s *Service) PaymentOpen(r Regie) bool {
	return !s.refuseSimulator || (r.Provider != ProviderSimulator && r.Provider != "")
}

// SimulatorOpen reports whether the built-in simulator may be used.
func (s *Service) SimulatorOpen() bool { return !s.refuseSimulator }

// ErrProviderDown: the payment service could not be reached; nothing was
// validated and the cart is kept.
var ErrProviderDown = errors.New("billing: payment provider unavailable")

// settleFree validates an order whose total is covered by credit.
func (s *Service) settleFree(ctx context.Context, tx *sql.Tx, com tenants.Commune, o *Order, now time.Time) error {
	if _, err := closeOrder(ctx, tx, o.ID, OrderPending, OrderPaid, "réglée par avoir", now); err != nil {
		return err
	}
	o.Status = OrderPaid
	if err := logEvent(ctx, tx, providerCredit, "", o.ID, "checkout", "paid", "sans paiement", now); err != nil {
		return err
	}
	if o.Kind == KindInvoice {
		return markInvoicePaid(ctx, tx, o.InvoiceID, 0, o.CreditCents, now, "Avoir", o.ID)
	}
	if _, err := s.settleCart(ctx, tx, *o, 0, now, "Avoir", now); err != nil {
		return err
	}
	return s.queueReceipt(ctx, tx, com, *o, Payment{PaidAt: now}, now)
}

// settleCart confirms the order's cart lines and invoices what was
// confirmed; what was given for lines that could not be confirmed (and
// the excess of cancellations) becomes credit.
func (s *Service) settleCart(ctx context.Context, tx *sql.Tx, o Order, paidCents int64, paidAt time.Time, means string, now time.Time) (booking.ConfirmResult, error) {
	var ids []int64
	for _, l := range o.Lines {
		ids = append(ids, l.CartLineID)
	}
	res, err := booking.ConfirmLines(ctx, tx, o.FamilyID, ids, o.Ref, now)
	if err != nil {
		return res, err
	}
	if err := s.invoiceConfirmed(ctx, tx, o, res, o.CreditCents, paidCents, paidAt, means, now); err != nil {
		return res, err
	}
	if diff := o.CreditCents + paidCents - res.TotalCents; diff > 0 {
		kind, label := "cancel", "Annulations de la commande "+o.Ref
		if len(res.Rejected) > 0 {
			kind, label = "rejected", "Réservations impossibles de la commande "+o.Ref
		}
		if _, err := addCredit(ctx, tx, NewCredit{FamilyID: o.FamilyID, RegieID: o.RegieID, Kind: kind,
			AmountCents: diff, Label: label, OrderID: o.ID}, now); err != nil {
			return res, err
		}
	}
	return res, nil
}

// invoiceConfirmed writes the "payée" invoice of confirmed lines.
func (s *Service) invoiceConfirmed(ctx context.Context, tx *sql.Tx, o Order, res booking.ConfirmResult, credit, paid int64, paidAt time.Time, means string, now time.Time) error {
	if res.TotalCents <= 0 {
		return nil
	}
	byLine := map[int64]int64{}
	for _, c := range res.Confirmed {
		byLine[c.Line.ID] = c.ReservationID
	}
	var lines []Line
	for _, l := range o.Lines {
		if rid, ok := byLine[l.CartLineID]; ok {
			l.ReservationID = rid
			lines = append(lines, l)
		}
	}
	_, err := CreateInvoice(ctx, tx, NewInvoice{RegieID: o.RegieID, FamilyID: o.FamilyID, Status: InvoicePaid,
		IssuedOn: calendar.Today(now), CreditCents: min(credit, res.TotalCents), PaidCents: min(paid, res.TotalCents),
		PaidAt: paidAt, PaymentMeans: means, OrderID: o.ID, Lines: lines}, now)
	return err
}

func familyEmail(ctx context.Context, q querier, familyID int64) (string, error) {
	var email string
	err := q.QueryRowContext(ctx, `SELECT COALESCE(NULLIF(f.email, ''),
		(SELECT email FROM guardians WHERE family_id = f.id AND email <> '' ORDER BY id LIMIT 1), '')
		FROM families f WHERE f.id = ?`, familyID).Scan(&email)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return email, err
}

// pending tells the reconciliation job that com holds a pending order.
func (s *Service) pending(com tenants.Commune) {
	if s.onPending != nil {
		s.onPending(com.Slug)
	}
}

func (s *Service) mailed(com tenants.Commune) {
	if s.notify != nil {
		s.notify(com.Slug)
	}
}
