package booking

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/accounts"
	"espacefamille/app/web"
)

// CheckoutRequest is a parent's "Valider" on the cart of a prepaid régie.
type CheckoutRequest struct {
	FamilyID int64
	RegieID  int64
}

// Config is what the booking pages need from the rest of the program.
type Config struct {
	// Checkout starts the payment of a prepaid régie's cart (billing
	// implements it: CheckCart, an order, the payment page). While it is
	// nil, "Valider" on a prepaid cart says that online payment is not
	// available and nothing changes: there is no fake payment.
	Checkout func(c *fiber.Ctx, req CheckoutRequest) error
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Service holds the booking handlers.
type Service struct {
	checkout func(c *fiber.Ctx, req CheckoutRequest) error
	now      func() time.Time
}

// Routes adds the "Mes réservations" pages. Call it after accounts.Routes
// (the session must be bound first). Every page requires a logged-in
// parent linked to a family of the commune.
func Routes(s *web.Server, cfg Config) *Service {
	svc := &Service{checkout: cfg.Checkout, now: cfg.Now}
	if svc.now == nil {
		svc.now = time.Now
	}
	r := s.Commune()
	fam := accounts.RequireFamily
	// The cart's and the period view's forms are small.
	small := web.SmallForm
	r.Get("/famille/reservations", fam, svc.showAgenda)
	r.Post("/famille/reservations/case", small, fam, svc.toggleCell)
	r.Get("/famille/reservations/periode", fam, svc.showPeriod)
	r.Post("/famille/reservations/periode", small, fam, svc.addPeriod)
	r.Post("/famille/reservations/valider", small, fam, svc.validateCart)
	r.Post("/famille/reservations/vider", small, fam, svc.clearCart)
	r.Post("/famille/paiement", small, fam, svc.startCheckout) // billing's Checkout behind it
	r.Get("/famille/semaine-habituelle", fam, svc.showUsualWeek)
	r.Post("/famille/semaine-habituelle", small, fam, svc.saveUsualWeek)
	r.Post("/famille/semaine-habituelle/reserver", small, fam, svc.bookUsualWeek)
	return svc
}
