package billing_test

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"espacefamille/app/apptest"
	"espacefamille/app/billing"
	"espacefamille/app/billing/payfip/payfiptest"
	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/demo"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// env is the demo commune (FAMILLE X, the cantine régie in prepayment, the
// garderie in post-payment) and a second commune, in t.TempDir(), served by
// the real web server with the billing and booking routes. The test's
// "session" is apptest.FamilyHeader (accounts is tested elsewhere).
type env struct {
	t testing.TB
	*apptest.Env
	reg               *tenants.Registry
	srv               *web.Server
	h                 *billing.Handlers
	clock             *apptest.Clock
	payfip            *payfiptest.Server
	com               tenants.Commune
	db                *tenants.DB
	family            int64
	cantine, garderie int64
	children          []int64
	prestations       map[string]int64
	c                 *apptest.Client // one browser, whatever the family
}

func quiet() *slog.Logger { return apptest.Quiet() }

func newEnv(t testing.TB) *env { t.Helper(); return newEnvWith(t, nil) }

// newEnvWith is newEnv with the billing pages' dependencies adjusted.
func newEnvWith(t testing.TB, deps func(*billing.Deps)) *env {
	t.Helper()
	e := &env{t: t, payfip: payfiptest.New()}
	t.Cleanup(e.payfip.Close)
	// Mid-October, in school time: the days booked are in November.
	now := time.Date(time.Now().Year()+1, time.October, 5, 9, 0, 0, 0, calendar.Paris())
	e.Env = apptest.New(t, apptest.At(now), apptest.PublicURL("http://ef.test"),
		apptest.WithCommune(tenants.NewCommune{Slug: "beta", Name: "Commune de Bêta"}, nil),
		apptest.WithRoutes(func(s *web.Server, a *apptest.Env) {
			apptest.HeaderSession(s, "FAMILLE")
			d := billing.Deps{Now: a.Clock.Now, Logger: quiet()}
			if deps != nil {
				deps(&d)
			}
			e.h = billing.Routes(s, d)
			booking.Routes(s, booking.Config{Checkout: e.h.Checkout, Now: a.Clock.Now, Credit: billing.CreditBalance})
		}))
	e.reg, e.srv, e.clock = e.Registry, e.Server, e.Clock
	var err error
	if e.com, err = e.reg.Commune(context.Background(), demo.Slug); err != nil {
		t.Fatal(err)
	}
	e.db = e.DB(demo.Slug)
	d := e.Demo()
	e.family, e.cantine, e.garderie, e.children, e.prestations = d.Family, d.Cantine, d.Garderie, []int64{d.Fille, d.Garcon}, d.Prestations
	e.c = e.Client(t, apptest.InCommune(demo.Slug))
	return e
}

func (e *env) scalar(q string, dst any, args ...any) {
	e.t.Helper()
	e.Scan(demo.Slug, q, args, dst)
}

func (e *env) count(q string, args ...any) int {
	e.t.Helper()
	return e.Count(demo.Slug, q, args...)
}

// usePayFiP switches the cantine régie to the fake PayFiP.
func (e *env) usePayFiP() {
	e.t.Helper()
	err := e.db.Tx(context.Background(), func(tx *sql.Tx) error {
		return booking.SetPaymentProvider(context.Background(), tx, e.cantine, billing.ProviderPayFiP,
			booking.PaymentSettings{Numcli: "012345", Saisie: "T", Endpoint: e.payfip.Endpoint(), PaymentURL: e.payfip.PaymentURL()})
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

// book adds n "REPAS CLASSIQUE ENFANT" demandes for a child to the cart,
// on the first open days from the 1st of next month (2,55 € each).
func (e *env) book(child int64, n int) []calendar.Date {
	e.t.Helper()
	ctx := context.Background()
	now := e.clock.Now()
	day := calendar.Today(now).AddMonths(1)
	day = calendar.DateOf(day.Year(), day.Month(), 1)
	var days []calendar.Date
	for i := 0; len(days) < n && i < 90; i++ {
		_, err := booking.ToggleCell(ctx, e.db, booking.Click{FamilyID: e.family, RegieID: e.cantine, ChildID: child,
			PrestationID: e.prestations["REPAS CLASSIQUE ENFANT"], Day: day, Intent: booking.IntentBook}, now)
		if err == nil {
			days = append(days, day)
		}
		day = day.AddDays(1)
	}
	if len(days) < n {
		e.t.Fatalf("only %d bookable days", len(days))
	}
	return days
}

func (e *env) cartLines() int {
	return e.count(`SELECT COUNT(*) FROM cart_lines WHERE family_id = ?`, e.family)
}

// do sends a request to the demo commune (or to a path naming beta) as a
// parent of family (0: nobody).
func (e *env) do(method, path string, form url.Values, family int64) apptest.Response {
	e.t.Helper()
	e.c.Header.Del(apptest.FamilyHeader)
	apptest.AsFamily(family)(e.c)
	if method != http.MethodGet && e.c.Cookie("/", "ef_csrf") != "" {
		return e.c.Send(method, path, form)
	}
	return e.c.Do(method, path, form)
}

// follow GETs redirects (commune paths) until a page.
func (e *env) follow(r apptest.Response, family int64) apptest.Response {
	e.t.Helper()
	e.c.Header.Del(apptest.FamilyHeader)
	apptest.AsFamily(family)(e.c)
	return e.c.Follow(r)
}

// checkout posts the cart's "Valider" (booking's route) as FAMILLE X.
func (e *env) checkout() apptest.Response {
	e.t.Helper()
	e.do(http.MethodGet, "/famille/factures", nil, e.family) // a page, for the CSRF cookie and token
	return e.do(http.MethodPost, "/famille/paiement", url.Values{"regie": {strconv.FormatInt(e.cantine, 10)},
		"enfant": {strconv.FormatInt(e.children[0], 10)}}, e.family)
}

func (e *env) lastOrder() billing.Order {
	e.t.Helper()
	var ref string
	e.scalar(`SELECT ref FROM orders ORDER BY id DESC LIMIT 1`, &ref)
	o, err := billing.OrderByRef(context.Background(), e.db.Reader(), e.family, ref)
	if err != nil {
		e.t.Fatal(err)
	}
	return o
}

func mustContain(t testing.TB, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}
