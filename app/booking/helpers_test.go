package booking_test

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

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/demo"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// fixture is a real commune file in t.TempDir(), seeded like the demo
// (FAMILLE X, "Fille FAMILLE X", "Garçon FAMILLE X", the cantine and the
// garderie), served by a web.Server with the booking routes. The clock is
// fixed: Monday 23 November 2026, 8:00 in Paris.
type fixture struct {
	t                                testing.TB
	reg                              *tenants.Registry
	db                               *tenants.DB
	srv                              *web.Server
	mu                               sync.Mutex
	now                              time.Time
	fam                              int64 // FAMILLE X
	fille, garcon                    int64
	cantine, garderie                int64
	classique, vegetarien, garderieP int64
}

const slug = demo.Slug

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{t: t, now: time.Date(2026, time.November, 23, 8, 0, 0, 0, calendar.Paris())}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	reg, err := tenants.Open(ctx, tenants.Options{DataDir: t.TempDir(), MaxOpen: 4, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	f.reg = reg
	t.Cleanup(func() { reg.Close() })
	if _, err := reg.CreateCommune(ctx, tenants.NewCommune{Slug: slug, Name: demo.Name, Zone: "B"},
		func(ctx context.Context, tx *sql.Tx, c tenants.Commune) error { return demo.Seed(ctx, tx, f.now) }); err != nil {
		t.Fatal(err)
	}
	db, release, err := reg.Acquire(ctx, slug)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(release)
	f.db = db
	f.fam = f.id(`SELECT id FROM families WHERE name = 'FAMILLE X'`)
	f.fille = f.id(`SELECT id FROM children WHERE first_name = 'Fille'`)
	f.garcon = f.id(`SELECT id FROM children WHERE first_name = 'Garçon'`)
	f.cantine = f.id(`SELECT id FROM regies WHERE mode = 'prepaid'`)
	f.garderie = f.id(`SELECT id FROM regies WHERE mode = 'postpaid'`)
	f.classique = f.id(`SELECT id FROM prestations WHERE name = 'REPAS CLASSIQUE ENFANT'`)
	f.vegetarien = f.id(`SELECT id FROM prestations WHERE name = 'REPAS VEGETARIEN'`)
	f.garderieP = f.id(`SELECT id FROM prestations WHERE name = 'GARDERIE MATIN ET SOIR'`)

	srv, err := web.New(ctx, web.Config{Registry: reg, Logger: log, PublicURL: "http://localhost"})
	if err != nil {
		t.Fatal(err)
	}
	// The test's session: the X-Test-Family header logs in a parent of
	// that family, as the accounts middleware does with its cookie.
	srv.Commune().Use(func(c *fiber.Ctx) error {
		if id, err := strconv.ParseInt(c.Get("X-Test-Family"), 10, 64); err == nil {
			web.SetUser(c, &web.UserView{AccountID: id, DisplayName: "Parent", FamilyID: id})
		}
		return c.Next()
	})
	booking.Routes(srv, booking.Config{Now: f.clock})
	srv.Finish()
	f.srv = srv
	return f
}

func (f *fixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fixture) setNow(t time.Time) {
	f.mu.Lock()
	f.now = t
	f.mu.Unlock()
}

func (f *fixture) id(q string, args ...any) int64 {
	f.t.Helper()
	var id int64
	if err := f.db.R.QueryRow(q, args...).Scan(&id); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	return id
}

func (f *fixture) exec(q string, args ...any) {
	f.t.Helper()
	if err := f.db.Tx(context.Background(), func(tx *sql.Tx) error { _, err := tx.Exec(q, args...); return err }); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
}

// addFamily adds a family with n children and returns its id and theirs.
func (f *fixture) addFamily(name string, n int) (int64, []int64) {
	f.t.Helper()
	var fam int64
	var kids []int64
	err := f.db.Tx(context.Background(), func(tx *sql.Tx) error {
		res, err := tx.Exec(`INSERT INTO families (name, created_at) VALUES (?, '2026-01-01')`, name)
		if err != nil {
			return err
		}
		fam, _ = res.LastInsertId()
		for i := range n {
			res, err := tx.Exec(`INSERT INTO children (family_id, first_name, last_name, birth_date, school_id, created_at)
				VALUES (?, ?, ?, '2018-03-01', 1, '2026-01-01')`, fam, "Enfant"+strconv.Itoa(i), name)
			if err != nil {
				return err
			}
			id, _ := res.LastInsertId()
			kids = append(kids, id)
		}
		return nil
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return fam, kids
}

// client is a browser of one family: it keeps cookies and the last CSRF
// token seen.
type client struct {
	f       *fixture
	family  int64
	cookies map[string]string
	csrf    string
}

func (f *fixture) client(family int64) *client {
	return &client{f: f, family: family, cookies: map[string]string{}}
}

var csrfRE = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func (c *client) do(method, path string, form url.Values) (int, string, http.Header) {
	c.f.t.Helper()
	var body io.Reader
	if form != nil {
		if _, ok := form["_csrf"]; !ok {
			form.Set("_csrf", c.csrf)
		}
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, "http://node.example/"+slug+path, body)
	req.Header.Set("Accept", "text/html")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if c.family != 0 {
		req.Header.Set("X-Test-Family", strconv.FormatInt(c.family, 10))
	}
	for k, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := c.f.srv.App.Test(req, -1)
	if err != nil {
		c.f.t.Fatal(err)
	}
	defer resp.Body.Close()
	for _, ck := range resp.Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
		}
	}
	b, _ := io.ReadAll(resp.Body)
	if m := csrfRE.FindStringSubmatch(string(b)); m != nil {
		c.csrf = m[1]
	}
	return resp.StatusCode, string(b), resp.Header
}

// get fetches a page and fails unless it is 200.
func (c *client) get(path string) string {
	c.f.t.Helper()
	status, body, _ := c.do(http.MethodGet, path, nil)
	if status != http.StatusOK {
		c.f.t.Fatalf("GET %s: %d\n%s", path, status, body)
	}
	return body
}

// post submits a form and follows a 303 to the page it leads to.
func (c *client) post(path string, form url.Values) (int, string) {
	c.f.t.Helper()
	status, body, h := c.do(http.MethodPost, path, form)
	if status == http.StatusSeeOther {
		loc := strings.TrimPrefix(h.Get("Location"), "/"+slug)
		status, body, _ = c.do(http.MethodGet, loc, nil)
	}
	return status, body
}

func (f *fixture) agendaPath(regie, child int64, week string) string {
	return "/famille/reservations?" + url.Values{"regie": {itoa(regie)}, "enfant": {itoa(child)}, "semaine": {week}}.Encode()
}

// click posts a cell of the agenda.
func (c *client) click(regie, child, prestation int64, day, intent string) (int, string) {
	c.f.t.Helper()
	if c.csrf == "" {
		c.get(c.f.agendaPath(regie, child, day))
	}
	// As a browser does: the clicked cell's button value.
	return c.post("/famille/reservations/case", url.Values{"regie": {itoa(regie)}, "enfant": {itoa(child)}, "semaine": {day},
		"case": {itoa(prestation) + "|" + day + "|" + intent}})
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

func (f *fixture) count(q string, args ...any) int {
	f.t.Helper()
	return int(f.id(q, args...))
}

// cell returns the HTML of the agenda cell of a prestation's row on a day
// (the cell's screen-reader text names the prestation and the date).
var cellRE = regexp.MustCompile(`(?s)<td class="cell ([^"]*)">(.*?)</td>`)

func cellState(t testing.TB, body, prestation, dayFR string) string {
	t.Helper()
	rows := strings.Split(body, "<tr>")
	for _, row := range rows {
		if !strings.Contains(row, `<th scope="row">`+prestation+`</th>`) {
			continue
		}
		for _, m := range cellRE.FindAllStringSubmatch(row, -1) {
			if strings.Contains(m[2], dayFR+" : ") {
				return m[1]
			}
		}
	}
	t.Fatalf("no cell %s %s", prestation, dayFR)
	return ""
}
