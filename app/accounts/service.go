package accounts

import (
	"context"
	"time"

	"espacefamille/app/auth"
	"espacefamille/app/calendar"
	"espacefamille/app/ics"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// PlatformOutbox is the name the mail sender knows the platform database's
// outbox by (account emails are queued there).
const PlatformOutbox = "platform"

// Deps is what the accounts domain needs from the rest of the program.
type Deps struct {
	// Notify tells the mail sender that a source ("platform" or a commune's
	// slug) has just committed mail; nil when nothing listens (tests that
	// flush by hand).
	Notify func(source string)
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// FeedEvents reads a family's bookings for its calendar link
	// (booking.FeedEvents: app/booking owns the reservations and imports
	// this package, so it is handed over here).
	FeedEvents FeedEvents
	// MenusOn reports whether the commune shows its menus to families
	// (menus.Enabled: app/menus imports this package); nil hides the
	// family page's link to them.
	MenusOn func(ctx context.Context, q tenants.Querier) (bool, error)
}

// FeedEvents lists the family's bookings that end on or after from as
// calendar events, with UIDs made unique by the commune's slug.
type FeedEvents func(ctx context.Context, q tenants.Querier, familyID int64, slug string, from calendar.Date) ([]ics.Event, error)

// Service holds the handlers of the accounts domain.
type Service struct {
	web       *web.Server
	platform  *tenants.DB
	notify    func(string)
	now       func() time.Time
	dummyHash string // compared against when an identifier is unknown, so timing tells nothing
	// feedEvents reads the bookings a calendar link serves (Deps.FeedEvents).
	feedEvents FeedEvents
	menusOn    func(ctx context.Context, q tenants.Querier) (bool, error) // Deps.MenusOn
}

// Routes adds the session middleware and the accounts pages to the commune
// router, and returns the service. Call it before any other domain's
// routes: the session must be known before a page renders the header.
func Routes(s *web.Server, d Deps) *Service {
	svc := &Service{web: s, platform: s.Registry.Platform(), notify: d.Notify, now: d.Now, feedEvents: d.FeedEvents, menusOn: d.MenusOn}
	if svc.now == nil {
		svc.now = time.Now
	}
	if svc.notify == nil {
		svc.notify = func(string) {}
	}
	svc.dummyHash, _ = auth.HashPassword(context.Background(), "espacefamille: no such account")

	r := s.Commune()
	// The log-in, sign-up, password and code forms are small: oversized
	// bodies are refused before anything parses them (web.SmallForm).
	small := web.SmallForm
	// Session binding runs after web's middleware (request id, recover,
	// commune, CSRF) and before every commune page.
	r.Use(svc.session)
	r.Get("/connexion", svc.showLogin)
	r.Post("/connexion", small, svc.login)
	r.Post("/deconnexion", small, svc.logout)
	r.Get("/inscription", svc.showSignupQuestion)
	r.Get("/inscription/formulaire", svc.showSignupForm)
	r.Post("/inscription/formulaire", small, svc.signup)
	r.Get("/inscription/envoyee", svc.showSignupSent)
	r.Get("/confirmation/:token", svc.confirm)
	r.Get("/mot-de-passe-oublie", svc.showForgot)
	r.Post("/mot-de-passe-oublie", small, svc.forgot)
	r.Get("/mot-de-passe/:token", svc.showReset)
	r.Post("/mot-de-passe/:token", small, svc.reset)
	r.Get("/adhesion", RequireLogin, svc.showAdhesion)
	r.Post("/adhesion", small, RequireLogin, svc.adhere)
	r.Get("/adhesion/confirmee", RequireLogin, svc.showAdhesions)
	r.Get("/mes-communes", RequireLogin, svc.showCommunes)
	r.Get("/mon-compte", RequireLogin, svc.showAccount)
	r.Post("/mon-compte/email", small, RequireLogin, svc.requestEmailChange)
	r.Post("/mon-compte/telephone", small, RequireLogin, svc.changePhone)
	r.Post("/mon-compte/mot-de-passe", small, RequireLogin, svc.changePassword)
	r.Post("/mon-compte/notifications", small, RequireLogin, svc.saveNotifications)
	r.Get("/mon-compte/email/:token", svc.showEmailChange)
	r.Post("/mon-compte/email/:token", small, svc.confirmEmailChange)
	feed := RequireFeature(SettingFeed)
	r.Post("/mon-compte/agenda", small, RequireFamily, feed, svc.createFeed)
	r.Post("/mon-compte/agenda/revoquer", small, RequireFamily, feed, svc.revokeFeedLink)
	r.Get("/agenda/:file", svc.serveFeed)
	r.Get("/famille", RequireFamily, svc.showFamily)
	r.Get("/famille/enfants/:id", RequireFamily, svc.showChild)
	return svc
}
