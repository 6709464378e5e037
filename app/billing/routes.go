package billing

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/accounts"
	"espacefamille/app/web"
	tenant "espacefamille/tenants"
)

// Deps is what the billing pages need from the rest of the program.
type Deps struct {
	Notify    func(source string)  // mail sender
	OnPending func(slug string)    // reconciliation job (Reconciler.MarkPending); nil when none
	OnPayment func(outcome string) // metrics: outcome of each provider answer applied (Options.OnPayment); may be nil
	Providers ProviderFactory      // DefaultProviders(nil) when nil
	Now       func() time.Time
	Logger    *slog.Logger
	HTTP      *http.Client // PayFiP's calls (default: a client with a timeout)
	// RefuseSimulator closes the built-in simulator (its pages and the
	// checkout of régies set on it): app.New sets it outside demo mode
	// unless the operator allowed the simulator (Options.RefuseSimulator).
	RefuseSimulator bool
}

// Handlers serve the billing pages over a Service.
type Handlers struct {
	svc *Service
	srv *web.Server
}

// Routes adds the payment, receipt, invoice and notification pages and
// returns the handlers (Checkout is booking's "Valider" on a prepaid cart).
func Routes(s *web.Server, d Deps) *Handlers {
	if d.Providers == nil {
		d.Providers = DefaultProviders(d.HTTP)
	}
	h := &Handlers{srv: s, svc: NewService(Options{Providers: d.Providers, Now: d.Now, Notify: d.Notify, OnPending: d.OnPending, OnPayment: d.OnPayment,
		Logger: d.Logger, AbsURL: s.CommuneURL, RefuseSimulator: d.RefuseSimulator, Platform: s.Registry.Platform()})}
	// Providers call these without a session or a CSRF token: the result is
	// always fetched from the provider, never read from the request.
	s.SkipCSRF(NotifyPath(ProviderPayFiP), NotifyPath(ProviderSimulator), "/famille/paiement/retour")
	r := s.Commune()
	fam := accounts.RequireFamily
	// Notifications, the simulator's card form and the invoice payment
	// are small forms.
	small := web.SmallForm
	r.All(NotifyPath(":provider"), small, h.notify)
	r.Get("/famille/paiement/retour", fam, h.paymentReturn)
	r.Post("/famille/paiement/retour", small, h.paymentReturnPost)
	r.Get("/famille/paiement/:ref", fam, h.showReceipt)
	r.Get("/famille/paiement/:ref/choix", fam, h.showChoice)
	r.Post("/famille/paiement/:ref/choix", fam, h.submitChoice)
	r.Get("/paiement/simulateur/:idop", fam, h.showSimulator)
	r.Post("/paiement/simulateur/:idop", small, fam, h.submitSimulator)
	r.Get("/famille/factures", fam, h.listInvoices)
	r.Get("/famille/factures/:id", fam, h.showInvoice)
	r.Get("/famille/factures/:id/pdf", fam, h.invoicePDF)
	r.Post("/famille/factures/:id/payer", small, fam, h.payInvoice)
	return h
}

// Service returns the payment flow (for the command line and tests).
func (h *Handlers) Service() *Service { return h.svc }

func curTenant(c *fiber.Ctx) *tenant.Tenant { return tenant.From(c) }

func tenantFamily(c *fiber.Ctx) (*tenant.Tenant, int64) {
	t := tenant.From(c)
	u := web.User(c)
	if u == nil {
		return t, 0
	}
	return t, u.FamilyID
}
