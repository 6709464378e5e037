package booking_test

import (
	"database/sql"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"espacefamille/app/apptest"
	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/demo"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// fixture is the demo commune (FAMILLE X, "Fille FAMILLE X", "Garçon
// FAMILLE X", the cantine and the garderie) in t.TempDir(), served by a
// web.Server with the booking routes only; a request's session is the
// apptest.FamilyHeader. The clock starts on Monday 23 November 2026, 8:00
// in Paris.
type fixture struct {
	*apptest.Env
	db                               *tenants.DB
	fam                              int64 // FAMILLE X
	fille, garcon                    int64
	cantine, garderie                int64
	classique, vegetarien, garderieP int64
}

const slug = demo.Slug

func newFixture(t testing.TB) *fixture {
	t.Helper()
	env := apptest.New(t, apptest.At(time.Date(2026, time.November, 23, 8, 0, 0, 0, calendar.Paris())), apptest.MaxOpen(4),
		apptest.WithRoutes(func(s *web.Server, e *apptest.Env) {
			apptest.HeaderSession(s, "")
			booking.Routes(s, booking.Config{Now: e.Clock.Now})
		}))
	d := env.Demo()
	return &fixture{Env: env, db: env.DB(slug), fam: d.Family, fille: d.Fille, garcon: d.Garcon, cantine: d.Cantine, garderie: d.Garderie,
		classique: d.Prestations["REPAS CLASSIQUE ENFANT"], vegetarien: d.Prestations["REPAS VEGETARIEN"], garderieP: d.Prestations["GARDERIE MATIN ET SOIR"]}
}

func (f *fixture) id(q string, args ...any) int64 { f.T.Helper(); return f.Int(slug, q, args...) }

func (f *fixture) exec(q string, args ...any) { f.T.Helper(); f.Exec(slug, q, args...) }

// addFamily adds a family with n children and returns its id and theirs.
func (f *fixture) addFamily(name string, n int) (int64, []int64) {
	f.T.Helper()
	var fam int64
	var kids []int64
	f.Tx(slug, func(tx *sql.Tx) error {
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
	return fam, kids
}

// client is a browser of one family (0: nobody) in the demo commune.
type client struct {
	*apptest.Client
	f *fixture
}

func (f *fixture) client(family int64) *client {
	return &client{Client: f.Client(f.T, apptest.InCommune(slug), apptest.AsFamily(family)), f: f}
}

func (c *client) do(method, path string, form url.Values) (int, string, http.Header) {
	c.T.Helper()
	r := c.Send(method, path, form)
	return r.Status, r.Body, r.Header
}

// get fetches a page and fails unless it is 200.
func (c *client) get(path string) string {
	c.T.Helper()
	r := c.Get(path)
	if r.Status != http.StatusOK {
		c.T.Fatalf("GET %s: %d\n%s", path, r.Status, r.Body)
	}
	return r.Body
}

// post submits a form and follows a 303 to the page it leads to.
func (c *client) post(path string, form url.Values) (int, string) {
	c.T.Helper()
	r := c.PostFollow(path, form)
	return r.Status, r.Body
}

func (f *fixture) agendaPath(regie, child int64, week string) string {
	return "/famille/reservations?" + url.Values{"regie": {itoa(regie)}, "enfant": {itoa(child)}, "semaine": {week}}.Encode()
}

// click posts a cell of the agenda.
func (c *client) click(regie, child, prestation int64, day, intent string) (int, string) {
	c.T.Helper()
	if c.CSRF == "" {
		c.get(c.f.agendaPath(regie, child, day))
	}
	// As a browser does: the clicked cell's button value.
	return c.post("/famille/reservations/case", url.Values{"regie": {itoa(regie)}, "enfant": {itoa(child)}, "semaine": {day},
		"case": {itoa(prestation) + "|" + day + "|" + intent}})
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

func (f *fixture) count(q string, args ...any) int {
	f.T.Helper()
	return int(f.id(q, args...))
}

// cellState returns the state of a prestation's agenda cell on a day.
func cellState(t testing.TB, body, prestation, dayFR string) string {
	t.Helper()
	return apptest.AgendaCell(t, body, prestation, dayFR)
}
