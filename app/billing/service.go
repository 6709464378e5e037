package billing

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"espacefamille/app/families"
	"espacefamille/tenants"
)

// Service runs the payment flow of every commune.
type Service struct {
	providers ProviderFactory
	now       func() time.Time
	notify    func(source string)
	onPending func(slug string)
	onPayment func(outcome string)
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
	// OnPayment is told, after the commit, the outcome of each provider
	// answer applied to an order ("paid", "refused", "abandoned",
	// "late_payment", "amount_mismatch", "duplicate", "ref_mismatch" …):
	// the metrics' payments by outcome. Nil: nobody listens.
	OnPayment func(outcome string)
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
	s := &Service{providers: o.Providers, now: o.Now, notify: o.Notify, onPending: o.OnPending, onPayment: o.OnPayment, log: o.Logger, absURL: o.AbsURL,
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

func familyEmail(ctx context.Context, q tenants.Querier, familyID int64) (string, error) {
	_, email, err := families.Contact(ctx, q, familyID)
	if errors.Is(err, families.ErrNotFound) {
		return "", ErrNotFound
	}
	return email, err
}

// platformReader is the platform's read pool, or nil without one.
func (s *Service) platformReader() tenants.Querier {
	if s.platform == nil {
		return nil
	}
	return s.platform.Reader()
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
