// Package app assembles the web application from its domain packages.
package app

import (
	"context"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/absences"
	"espacefamille/app/accounts"
	"espacefamille/app/admin"
	"espacefamille/app/billing"
	"espacefamille/app/booking"
	"espacefamille/app/custody"
	"espacefamille/app/housekeeping"
	"espacefamille/app/mail"
	"espacefamille/app/mailbox"
	"espacefamille/app/menus"
	"espacefamille/app/notify"
	"espacefamille/app/platform"
	"espacefamille/app/portal"
	"espacefamille/app/records"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// Config is what the assembled application needs.
type Config struct {
	Registry *tenants.Registry
	Logger   *slog.Logger
	Demo     bool
	// PublicURL is the node's base URL for links in emails.
	PublicURL string
	// Notify tells the mail sender that a source ("platform" or a commune's
	// slug) has just committed mail; nil when no sender runs.
	Notify func(source string)
	// TrustedProxies are the reverse proxies (IPs or CIDRs) whose
	// forwarded headers are believed (web.Config.TrustedProxies).
	TrustedProxies []string
	// PaymentPending tells the payments' reconciliation job that a commune
	// holds an order waiting for its provider (billing.Reconciler); nil
	// when no job runs.
	PaymentPending func(slug string)
	// AllowSimulator opens the built-in payment simulator outside demo
	// mode (the operator's explicit choice, e.g. a staging node): it
	// validates bookings without moving money, so by default only the demo
	// offers it.
	AllowSimulator bool
	// Before runs first on every request (web.Config.Before; the load
	// tool's instrumentation), nil in production.
	Before fiber.Handler
	// Observe is told of every answered request (web.Config.Observe) and
	// PaymentOutcome of every provider answer applied to an order
	// (billing.Options.OnPayment): the metrics. Both may be nil.
	Observe        func(group string, status int, d time.Duration)
	PaymentOutcome func(outcome string)
	// BackupDir is ESPACEFAMILLE_BACKUP_DIR (the console's "Sauvegarder
	// maintenant" and archives; "" : neither); ArchiveRetention how long an
	// archived commune's data is kept.
	BackupDir        string
	ArchiveRetention time.Duration
	// TOTPKey seals the console administrators' TOTP secrets at rest.
	TOTPKey *platform.SecretKey
}

// New builds the Fiber application with every domain's routes.
func New(ctx context.Context, cfg Config) (*web.Server, error) {
	// Mail templates are checked at start, like the pages.
	if err := mail.CheckTemplates(); err != nil {
		return nil, err
	}
	s, err := web.New(ctx, web.Config{Registry: cfg.Registry, Logger: cfg.Logger, Demo: cfg.Demo, PublicURL: cfg.PublicURL, TrustedProxies: cfg.TrustedProxies, Before: cfg.Before,
		Observe: cfg.Observe})
	if err != nil {
		return nil, err
	}
	// Middleware order (web.New): request id and access log → recover →
	// health and static files → commune binding → CSRF; then, added here:
	// the accounts session (who is logged in), which must come before every
	// page that renders the header, hence accounts first.
	s.Commune().Use(sendOffers(s, cfg))
	accounts.Routes(s, accounts.Deps{Notify: cfg.Notify, FeedEvents: booking.FeedEvents, MenusOn: menus.Enabled})
	portal.Routes(s)
	simulator := cfg.Demo || cfg.AllowSimulator
	// A provider's call gives the request's slot back while it waits
	// (tenants.YieldingTransport): a slow PayFiP must not hold the node.
	providers := &http.Client{Timeout: 20 * time.Second, Transport: tenants.YieldingTransport(nil)}
	bill := billing.Routes(s, billing.Deps{Notify: cfg.Notify, OnPending: cfg.PaymentPending, OnPayment: cfg.PaymentOutcome, Logger: cfg.Logger,
		RefuseSimulator: !simulator, HTTP: providers}) // payments, receipts, "Mes factures"
	booking.Routes(s, booking.Config{Checkout: bill.Checkout, Credit: billing.CreditBalance}) // "Mes réservations"; billing's Checkout
	custody.Routes(s, nil, cfg.Notify)                                                        // "Garde partagée" of a child
	records.Routes(s, records.Config{})                                                       // the child's record
	absences.Routes(s, absences.Config{})                                                     // "Absent(e) aujourd'hui / demain"
	menus.Routes(s, nil)                                                                      // "Menus"
	admin.Routes(s, admin.WithNotifier(cfg.Notify), admin.WithSimulator(simulator))
	notify.Routes(s, nil) // the one-click unsubscribe page (RFC 8058)
	mailbox.Routes(s)     // demo mode only
	platform.Routes(s, platform.Deps{Notify: cfg.Notify, BackupDir: cfg.BackupDir, ArchiveRetention: cfg.ArchiveRetention,
		TOTPKey: cfg.TOTPKey}) // the provider's console
	s.Finish()
	return s, nil
}

// sendOffers emails, right after a commune request that changed
// something, the waiting list's offers of the places it freed (a
// cancellation, an abandoned order, a closure, a capacity raised): the
// places were offered inside the request's own transaction
// (booking.SendOffers). A failure is logged; the housekeeping job sends
// them on its next pass.
func sendOffers(s *web.Server, cfg Config) fiber.Handler {
	return func(c *fiber.Ctx) error {
		err := c.Next()
		t := tenants.From(c)
		if c.Method() != fiber.MethodPost || t == nil {
			return err
		}
		com := t.Commune
		_, oerr := booking.SendOffers(c.UserContext(), t.DB(), cfg.Registry.Platform().Reader(), com,
			func(path string) string { return s.CommuneURL(com, path) }, time.Now())
		if oerr != nil && cfg.Logger != nil {
			cfg.Logger.Error("waiting list offers", "commune", com.Slug, "err", oerr)
		}
		return err
	}
}

// waitlistOffers is the housekeeping's part of the waiting list: offers
// whose time is over go to the next in line (and are emailed). Places
// freed in the background (an order expired by the reconciliation) are
// offered and emailed by that flow itself (booking.MailOffers).
func waitlistOffers(reg *tenants.Registry, publicURL string) housekeeping.Purge {
	return func(ctx context.Context, db *tenants.DB, now time.Time) (int64, error) {
		com, err := reg.Commune(ctx, strings.TrimSuffix(filepath.Base(db.Path()), ".db"))
		if err != nil {
			return 0, err
		}
		return booking.SendOffers(ctx, db, reg.Platform().Reader(), com, func(path string) string { return web.CommuneURL(publicURL, com, path) }, now)
	}
}

// HousekeepingOptions tune Housekeeping.
type HousekeepingOptions struct {
	Every     time.Duration    // between passes (housekeeping.DefaultEvery when 0)
	BackupDir string           // where archived communes' daily backups are
	Now       func() time.Time // the clock (time.Now when nil; tests)
	PublicURL string           // the node's base URL, for the links of emails
}

// Housekeeping returns the periodic clean-up job of every domain: ended
// parents' and staff sessions, used or expired links, stale rate-limit
// counters, on the platform database and on the communes open at each
// pass; medical certificates past the commune's retention (RGPD);
// parents' accounts linked to no commune for 30 days (RGPD), and
// archived communes past their retention (their backups in backupDir).
// serve starts it and stops it before closing the databases.
func Housekeeping(reg *tenants.Registry, log *slog.Logger, o HousekeepingOptions) *housekeeping.Job {
	purgeArchived := func(ctx context.Context, _ *tenants.DB, now time.Time) (int64, error) {
		return reg.PurgeArchived(ctx, o.BackupDir, now)
	}
	return housekeeping.New(housekeeping.Config{
		Registry: reg, Logger: log, Every: o.Every, Now: o.Now,
		Platform: []housekeeping.Purge{accounts.PurgePlatform, platform.PurgeExpired, accounts.PurgeOrphans, purgeArchived},
		Commune:  []housekeeping.Purge{accounts.PurgeCommune, admin.PurgeExpired, admin.PurgeCertificates, waitlistOffers(reg, o.PublicURL)},
	})
}
