package billing

import (
	"context"
	"database/sql"
	"errors"
	"espacefamille/app/booking"
	"fmt"
	"net/http"
	"time"

	"espacefamille/app/billing/payfip"
	"espacefamille/app/billing/simulator"
	"espacefamille/app/calendar"
	"espacefamille/tenants"
)

// Provider names (regies.payment_provider).
const (
	ProviderSimulator = booking.ProviderSimulator
	ProviderPayFiP    = booking.ProviderPayFiP
	providerCredit    = "credit" // orders settled by credit alone
)

// Status is a payment's state as its provider reports it.
type Status string

// Payment statuses.
const (
	StatusPaid      Status = "paid"
	StatusRefused   Status = "refused"
	StatusAbandoned Status = "abandoned"
	StatusPending   Status = "pending" // the parent has not finished yet
	StatusUnknown   Status = "unknown" // the provider does not know (or no longer knows) the operation
)

// StartRequest describes the payment of one order to its provider.
type StartRequest struct {
	OrderRef    string
	AmountCents int64
	Email       string
	Object      string
	Year        int
	NotifyURL   string // server-to-server notification
	ReturnURL   string // where the parent's browser comes back
}

// Started is the provider's answer: its operation id and the page the
// parent is sent to.
type Started struct {
	Ref         string
	RedirectURL string
}

// Result is what the provider says about an operation.
type Result struct {
	Status      Status
	OrderRef    string // the reference the provider holds (refdet), if it says
	AmountCents int64
	AuthNumber  string
	PaidAt      time.Time
}

// Provider is a payment service: Start asks for a payment page, Fetch
// reads the result of an operation. Neither runs inside a write transaction.
type Provider interface {
	Name() string
	Start(ctx context.Context, req StartRequest) (Started, error)
	Fetch(ctx context.Context, ref string) (Result, error)
}

// ProviderFactory builds the provider of a régie over its commune's database.
type ProviderFactory func(db *tenants.DB, r booking.Regie) (Provider, error)

// DefaultProviders builds the simulator or the PayFiP client of a régie;
// hc (nil: a client with a timeout) carries PayFiP's calls.
func DefaultProviders(hc *http.Client) ProviderFactory {
	return func(db *tenants.DB, r booking.Regie) (Provider, error) {
		switch r.Provider {
		case ProviderSimulator, "":
			return &simulatorProvider{db: db}, nil
		case ProviderPayFiP:
			c := &payfip.Client{Endpoint: r.Payment.Endpoint, PaymentURL: r.Payment.PaymentURL,
				Numcli: r.Payment.Numcli, Saisie: r.Payment.Saisie, HTTP: hc}
			if err := c.Validate(); err != nil {
				return nil, err
			}
			return &payfipProvider{c: c}, nil
		}
		return nil, fmt.Errorf("billing: unknown payment provider %q", r.Provider)
	}
}

// SimulatorPagePath is the commune-relative path of the simulator's page.
func SimulatorPagePath(idOp string) string { return "/paiement/simulateur/" + idOp }

type simulatorProvider struct{ db *tenants.DB }

func (p *simulatorProvider) Name() string { return ProviderSimulator }

// localProvider is a provider that keeps its operations in the
// commune's own database and never waits on anything else (the
// simulator): its operation is recorded by StartTx inside the
// transaction that places the order, so "Valider" is one transaction.
// A remote provider (PayFiP) is called outside any write transaction.
type localProvider interface {
	Provider
	StartTx(ctx context.Context, tx *sql.Tx, req StartRequest) (Started, error)
}

func (p *simulatorProvider) Start(ctx context.Context, req StartRequest) (Started, error) {
	var started Started
	err := p.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		started, err = p.StartTx(ctx, tx, req)
		return err
	})
	return started, err
}

func (p *simulatorProvider) StartTx(ctx context.Context, tx *sql.Tx, req StartRequest) (Started, error) {
	op, err := simulator.Create(ctx, tx, req.OrderRef, req.AmountCents, time.Now())
	if err != nil {
		return Started{}, err
	}
	return Started{Ref: op.IDOp, RedirectURL: SimulatorPagePath(op.IDOp)}, nil
}

func (p *simulatorProvider) Fetch(ctx context.Context, ref string) (Result, error) {
	op, err := simulator.Get(ctx, p.db.Reader(), ref)
	if errors.Is(err, simulator.ErrNotFound) {
		return Result{Status: StatusUnknown}, nil
	}
	if err != nil {
		return Result{}, err
	}
	return simulatorResult(op), nil
}

// simulatorResult is what the simulator says of its operation op.
func simulatorResult(op simulator.Operation) Result {
	r := Result{OrderRef: op.OrderRef, AmountCents: op.AmountCents, AuthNumber: op.AuthNumber, PaidAt: op.FinishedAt}
	switch op.Status {
	case simulator.Paid:
		r.Status = StatusPaid
	case simulator.Refused:
		r.Status = StatusRefused
	case simulator.Abandoned:
		r.Status = StatusAbandoned
	default:
		r.Status = StatusPending
	}
	return r
}

type payfipProvider struct{ c *payfip.Client }

func (p *payfipProvider) Name() string { return ProviderPayFiP }

func (p *payfipProvider) Start(ctx context.Context, req StartRequest) (Started, error) {
	id, err := p.c.Create(ctx, payfip.Payment{Refdet: req.OrderRef, AmountCents: req.AmountCents, Email: req.Email,
		Object: req.Object, Year: req.Year, NotifyURL: req.NotifyURL, RedirectURL: req.ReturnURL})
	if err != nil {
		return Started{}, err
	}
	return Started{Ref: id, RedirectURL: p.c.PageURL(id)}, nil
}

// Fetch reads the operation: P5 (still running) is pending, P1 (unknown or
// purged) is unknown; other faults are errors.
func (p *payfipProvider) Fetch(ctx context.Context, ref string) (Result, error) {
	d, err := p.c.Detail(ctx, ref)
	switch payfip.FaultCode(err) {
	case "":
	case payfip.CodeInProgress:
		return Result{Status: StatusPending}, nil
	case payfip.CodeUnknown:
		return Result{Status: StatusUnknown}, nil
	}
	if err != nil {
		return Result{}, err
	}
	st, cents, at, err := d.Outcome(calendar.Paris())
	if err != nil {
		return Result{}, err
	}
	r := Result{OrderRef: d.Refdet, AmountCents: cents, AuthNumber: d.Numauto, PaidAt: at}
	switch st {
	case payfip.Paid:
		r.Status = StatusPaid
	case payfip.Refused:
		r.Status = StatusRefused
	case payfip.Abandoned:
		r.Status = StatusAbandoned
	default:
		r.Status = StatusUnknown
	}
	return r, nil
}
