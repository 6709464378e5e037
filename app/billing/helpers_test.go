package billing_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/billing"
	"espacefamille/app/billing/payfip/payfiptest"
	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/demo"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// env is the demo commune (FAMILLE X, the cantine régie in prepayment, the
// garderie in post-payment) and a second commune, in t.TempDir(), served by
// the real web server with the billing and booking routes. The test's
// "session" is a header naming the family (accounts is tested elsewhere).
type env struct {
	t                 *testing.T
	reg               *tenants.Registry
	srv               *web.Server
	h                 *billing.Handlers
	clock             *clock
	payfip            *payfiptest.Server
	com               tenants.Commune
	db                *tenants.DB
	family            int64
	cantine, garderie int64
	children          []int64
	prestations       map[string]int64
	jar               map[string]string
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newEnv(t *testing.T) *env { t.Helper(); return newEnvWith(t, nil) }

// newEnvWith is newEnv with the billing pages' dependencies adjusted.
func newEnvWith(t *testing.T, deps func(*billing.Deps)) *env {
	t.Helper()
	ctx := context.Background()
	reg, err := tenants.Open(ctx, tenants.Options{DataDir: t.TempDir(), MaxOpen: 8, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	// Mid-October, in school time: the days booked are in November.
	now := time.Date(time.Now().Year()+1, time.October, 5, 9, 0, 0, 0, calendar.Paris())
	if _, err := demo.Ensure(ctx, reg, now); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.CreateCommune(ctx, tenants.NewCommune{Slug: "beta", Name: "Commune de Bêta"}, nil); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, reg: reg, clock: &clock{t: now}, payfip: payfiptest.New(), prestations: map[string]int64{}, jar: map[string]string{}}
	t.Cleanup(e.payfip.Close)
	e.srv, err = web.New(ctx, web.Config{Registry: reg, Logger: quiet(), PublicURL: "http://ef.test"})
	if err != nil {
		t.Fatal(err)
	}
	e.srv.Commune().Use(func(c *fiber.Ctx) error {
		if id, _ := strconv.ParseInt(c.Get("X-Test-Family"), 10, 64); id > 0 {
			web.SetUser(c, &web.UserView{AccountID: id, DisplayName: "Parent", FamilyID: id, FamilyName: "FAMILLE"})
		}
		return c.Next()
	})
	d := billing.Deps{Now: e.clock.Now, Logger: quiet()}
	if deps != nil {
		deps(&d)
	}
	e.h = billing.Routes(e.srv, d)
	booking.Routes(e.srv, booking.Config{Checkout: e.h.Checkout, Now: e.clock.Now})
	e.srv.Finish()
	e.com, err = reg.Commune(ctx, demo.Slug)
	if err != nil {
		t.Fatal(err)
	}
	db, release, err := reg.Acquire(ctx, demo.Slug)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(release)
	e.db = db
	e.scalar(`SELECT id FROM families WHERE name = 'FAMILLE X'`, &e.family)
	e.scalar(`SELECT id FROM regies WHERE mode = 'prepaid'`, &e.cantine)
	e.scalar(`SELECT id FROM regies WHERE mode = 'postpaid'`, &e.garderie)
	rows, _ := db.R.Query(`SELECT id FROM children WHERE family_id = ? ORDER BY id`, e.family)
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		e.children = append(e.children, id)
	}
	rows.Close()
	rows, _ = db.R.Query(`SELECT id, name FROM prestations`)
	for rows.Next() {
		var id int64
		var name string
		rows.Scan(&id, &name)
		e.prestations[name] = id
	}
	rows.Close()
	return e
}

func (e *env) scalar(q string, dst any, args ...any) {
	e.t.Helper()
	if err := e.db.R.QueryRow(q, args...).Scan(dst); err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
}

func (e *env) count(q string, args ...any) int {
	e.t.Helper()
	var n int
	e.scalar(q, &n, args...)
	return n
}

// usePayFiP switches the cantine régie to the fake PayFiP.
func (e *env) usePayFiP() {
	e.t.Helper()
	err := e.db.Tx(context.Background(), func(tx *sql.Tx) error {
		return billing.SetProvider(context.Background(), tx, e.cantine, billing.ProviderPayFiP,
			billing.ProviderSettings{Numcli: "012345", Saisie: "T", Endpoint: e.payfip.Endpoint(), PaymentURL: e.payfip.PaymentURL()})
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

type response struct {
	status   int
	body     string
	location string
}

// do sends a request to the demo commune as FAMILLE X (family 0: nobody).
func (e *env) do(method, path string, form url.Values, family int64) response {
	e.t.Helper()
	var body io.Reader
	if form != nil {
		if method != http.MethodGet && e.jar["ef_csrf"] != "" && form.Get("_csrf") == "" {
			form.Set("_csrf", e.jar["_token"])
		}
		body = strings.NewReader(form.Encode())
	}
	if !strings.HasPrefix(path, "/") || !strings.HasPrefix(path, "/"+demo.Slug) && !strings.HasPrefix(path, "/beta") {
		path = "/" + demo.Slug + path
	}
	req := httptest.NewRequest(method, "http://ef.test"+path, body)
	req.Header.Set("Accept", "text/html")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if family != 0 {
		req.Header.Set("X-Test-Family", strconv.FormatInt(family, 10))
	}
	for k, v := range e.jar {
		if !strings.HasPrefix(k, "_") {
			req.AddCookie(&http.Cookie{Name: k, Value: v})
		}
	}
	resp, err := e.srv.App.Test(req, -1)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(e.jar, c.Name)
		} else {
			e.jar[c.Name] = c.Value
		}
	}
	if m := csrfRE.FindStringSubmatch(string(b)); m != nil {
		e.jar["_token"] = m[1]
	}
	return response{status: resp.StatusCode, body: string(b), location: resp.Header.Get("Location")}
}

var csrfRE = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// follow GETs redirects (commune paths) until a page.
func (e *env) follow(r response, family int64) response {
	e.t.Helper()
	for i := 0; i < 10 && (r.status == http.StatusSeeOther || r.status == http.StatusFound); i++ {
		loc := r.location
		if u, err := url.Parse(loc); err == nil && u.Host != "" && u.Host != "ef.test" {
			return r // an external provider
		}
		if u, err := url.Parse(loc); err == nil {
			loc = u.RequestURI()
		}
		r = e.do(http.MethodGet, loc, nil, family)
	}
	return r
}

// checkout posts the cart's "Valider" (booking's route) as FAMILLE X.
func (e *env) checkout() response {
	e.t.Helper()
	e.do(http.MethodGet, "/famille/factures", nil, e.family) // a page, for the CSRF cookie and token
	return e.do(http.MethodPost, "/famille/paiement", url.Values{"regie": {strconv.FormatInt(e.cantine, 10)},
		"enfant": {strconv.FormatInt(e.children[0], 10)}}, e.family)
}

func (e *env) lastOrder() billing.Order {
	e.t.Helper()
	var ref string
	e.scalar(`SELECT ref FROM orders ORDER BY id DESC LIMIT 1`, &ref)
	o, err := billing.OrderByRef(context.Background(), e.db.R, e.family, ref)
	if err != nil {
		e.t.Fatal(err)
	}
	return o
}

func mustContain(t *testing.T, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}
