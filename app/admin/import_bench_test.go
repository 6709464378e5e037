package admin_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"espacefamille/app/apptest"
	"espacefamille/app/calendar"
	"espacefamille/tenants"
)

// BenchmarkImport20000Rows imports 20,000 lines (10,000 families of two
// children, every child born the same day) into a commune while parents
// keep booking, and reports the preview's and the import's durations and
// the parents' booking requests' 99th percentile. Issue 9 asks, on 2
// cores, for an import under 15 s and a p99 under 300 ms:
//
//	go test -run '^$' -bench BenchmarkImport20000Rows -benchtime 1x -cpu 2 ./app/admin/
func BenchmarkImport20000Rows(b *testing.B) {
	data := familiesFile(10000, 2, true)
	for range b.N {
		b.StopTimer()
		e := apptest.New(b, apptest.WithoutDemo(),
			apptest.WithCommune(tenants.NewCommune{Slug: "alpha", Name: "Commune d'Alpha"}, seedStaff(adminEmail, "admin")))
		admin := e.Client(b)
		admin.LoginStaff("alpha", adminEmail, password)
		parents := benchParents(b, e, admin, 8)
		b.StartTimer()

		start := time.Now()
		r := admin.Upload("/alpha/admin/familles/import", "fichier", "familles.csv", data)
		preview := time.Since(start)
		if r.Status != http.StatusOK || !strings.Contains(r.Body, "10000 famille(s) créée(s)") {
			b.Fatalf("preview: %d", r.Status)
		}
		i := strings.Index(r.Body, `action="/alpha/admin/familles/import/`)
		confirm := r.Body[i+len(`action="`):]
		confirm = confirm[:strings.Index(confirm, `"`)]

		stop := make(chan struct{})
		var wg sync.WaitGroup
		lat := make([][]time.Duration, len(parents))
		for k, p := range parents {
			wg.Go(func() { lat[k] = p.book(stop) })
		}
		start = time.Now()
		job := admin.Post(confirm, nil).Location
		for r = admin.Get(job); !strings.Contains(r.Body, `id="job-summary"`); r = admin.Get(job) {
			time.Sleep(50 * time.Millisecond)
		}
		imported := time.Since(start)
		close(stop)
		wg.Wait()
		b.StopTimer()
		if !strings.Contains(r.Body, "Import terminé : 10000 famille(s) créée(s)") {
			b.Fatalf("import:\n%s", r.Body)
		}
		var all []time.Duration
		for _, l := range lat {
			all = append(all, l...)
		}
		slices.Sort(all)
		if len(all) == 0 {
			b.Fatal("no booking request ran during the import")
		}
		b.ReportMetric(preview.Seconds(), "preview-s")
		b.ReportMetric(imported.Seconds(), "import-s")
		b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "booking-p99-ms")
		b.ReportMetric(float64(all[len(all)-1].Microseconds())/1000, "booking-max-ms")
		b.ReportMetric(float64(len(all)), "bookings")
	}
}

// benchParent is a parent with one child, booking the post-paid garderie.
type benchParent struct {
	c            *apptest.Client
	regie, child int64
	prestation   int64
	days         []calendar.Date
}

// book clicks a day of the agenda then "Valider", a day after another,
// until stop, and returns each request's duration.
func (p *benchParent) book(stop <-chan struct{}) []time.Duration {
	var out []time.Duration
	timed := func(path string, form url.Values) {
		t := time.Now()
		r := p.c.Post(path, form)
		out = append(out, time.Since(t))
		if r.Status != http.StatusSeeOther {
			p.c.T.Errorf("%s: status %d", path, r.Status)
		}
	}
	for _, day := range p.days {
		select {
		case <-stop:
			return out
		default:
		}
		week := url.Values{"regie": {itoa(p.regie)}, "enfant": {itoa(p.child)}, "semaine": {day.String()}}
		cell := url.Values{"case": {fmt.Sprintf("%d|%s|reserver", p.prestation, day)}}
		for k, v := range week {
			cell[k] = v
		}
		timed("/alpha/famille/reservations/case", cell)
		timed("/alpha/famille/reservations/valider", week)
	}
	return out
}

// benchParents creates a post-paid garderie with a daily prestation and n
// families of one child, each with a logged-in parent and the open days
// they will book.
func benchParents(b *testing.B, e *apptest.Env, admin *apptest.Client, n int) []*benchParent {
	b.Helper()
	ts := "2026-01-01T00:00:00Z"
	e.For(b).Exec("alpha", `INSERT INTO schools (id, name) VALUES (1, 'École du Centre')`)
	e.For(b).Exec("alpha", `INSERT INTO regies (id, name, mode, created_at) VALUES (2, 'REGIE GARDERIE', 'postpaid', ?)`, ts)
	form := prestationForm(2, "GARDERIE DU SOIR", "1,50")
	if r := admin.Post("/alpha/admin/prestations", form); r.Status != http.StatusSeeOther {
		b.Fatalf("prestation: %d\n%s", r.Status, r.Body)
	}
	prestation := e.For(b).Int("alpha", `SELECT id FROM prestations WHERE name = 'GARDERIE DU SOIR'`)
	var days []calendar.Date
	for d := openDay(15); len(days) < 400; d = openDay(d.Sub(calendar.Today(time.Now())) + 1) {
		days = append(days, d)
	}
	out := make([]*benchParent, n)
	for i := range out {
		var fam, kid int64
		e.For(b).Tx("alpha", func(tx *sql.Tx) error {
			res, err := tx.ExecContext(context.Background(), `INSERT INTO families (name, created_at) VALUES (?, ?)`, "PARENT "+letters(i), ts)
			if err != nil {
				return err
			}
			fam, _ = res.LastInsertId()
			res, err = tx.ExecContext(context.Background(), `INSERT INTO children (family_id, first_name, last_name, birth_date, school_id, created_at)
				VALUES (?, 'Enfant', ?, '2018-03-01', 1, ?)`, fam, "PARENT "+letters(i), ts)
			kid, _ = res.LastInsertId()
			return err
		})
		c := e.Parent(b, "alpha", fam)
		c.Get(fmt.Sprintf("/alpha/famille/reservations?regie=2&enfant=%d", kid))
		out[i] = &benchParent{c: c, regie: 2, child: kid, prestation: prestation, days: days}
	}
	return out
}
