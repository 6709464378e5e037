package booking

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"espacefamille/app/calendar"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/*.golden.html from the current output")

// goldenWeek is the week of Monday 30 November 2026 seen on Monday 30 at
// 8:00, with a cell of every kind: meals past their deadline (Monday,
// Tuesday), not served on Wednesday, réservable on Thursday, a demande en
// cours, a validated meal past its cancellation deadline, an annulation en
// cours, the strike on Friday 4, and the garderie's December forfait,
// whose deadline (7 days before the 1st) has passed.
func goldenWeek(t *testing.T) Week {
	t.Helper()
	d := func(s string) calendar.Date { return mustDate(t, s) }
	led := NewLedger([]Reservation{
		{ID: 7, ChildID: 10, PrestationID: 1, Day: d("2026-11-30"), State: StateValidated, PriceCents: 255},
		{ID: 8, ChildID: 10, PrestationID: 2, Day: d("2026-12-01"), State: StateValidated, PriceCents: 255},
	}, []CartLine{
		{ID: 1, ChildID: 10, PrestationID: 2, Day: d("2026-12-03"), Action: ActionAdd, PriceCents: 255},
		{ID: 2, ChildID: 10, PrestationID: 2, Day: d("2026-12-01"), Action: ActionCancel, ReservationID: 8},
	}, nil)
	b := &Booker{Child: testChild, Prestations: []Prestation{testClassic, testVege, testGarderie}, Calendar: testCalendar(),
		Now: paris(2026, 11, 30, 8, 0), Ledger: led}
	return buildWeek(b, d("2026-11-30"))
}

// A week's table is the markup of agenda_html.go, byte for byte: any
// change to it shows in review as a change of the golden file (go test
// -run TestAgendaWeekGolden ./app/booking/ -update rewrites it).
func TestAgendaWeekGolden(t *testing.T) {
	t.Parallel()
	got := string(goldenWeek(t).HTML)
	path := filepath.Join("testdata", "agenda-week.golden.html")
	if *updateGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got+"\n" != string(want) {
		t.Fatalf("the week's HTML changed (rerun with -update if intended):\n%s", got)
	}
	for _, kind := range []string{`class="cell closed deadline"`, `class="cell closed not_offered"`, `class="cell bookable"`,
		`class="cell pending"`, `class="cell validated"`, `class="cell cancelling"`, `class="cell closed closure"`} {
		if !strings.Contains(got, kind) {
			t.Errorf("the golden week lacks a cell %s", kind)
		}
	}
}

// Every value written into the markup is escaped: a prestation's name, a
// closure's reason (typed by the mairie) and the values derived from them
// (label, explanation) never open a tag or leave an attribute.
func TestAgendaMarkupEscapesEveryValue(t *testing.T) {
	t.Parallel()
	evil := `<b onclick="x">REPAS 'A' & B</b>`
	p := testClassic
	p.Name = evil
	cal := calendar.NewZoneCalendar("B", calendar.Closure{Date: calendar.DateOf(2026, 12, 4), Reason: `"><script>alert(1)</script>`})
	b := &Booker{Child: testChild, Prestations: []Prestation{p}, Calendar: cal, Now: testNow, Ledger: NewLedger(nil, nil, nil)}
	out := string(buildWeek(b, mustDate(t, "2026-11-30")).HTML)
	for _, raw := range []string{"<b onclick", "<script", `"x"`, `'A'`, `">alert`} {
		if strings.Contains(out, raw) {
			t.Errorf("%q written unescaped:\n%s", raw, out)
		}
	}
	for _, escaped := range []string{
		`<th scope="row">&lt;b onclick=&#34;x&#34;&gt;REPAS &#39;A&#39; &amp; B&lt;/b&gt;</th>`,
		`aria-label="&lt;b onclick=&#34;x&#34;&gt;REPAS &#39;A&#39; &amp; B&lt;/b&gt;, 03/12/2026 : réservable"`,
		`Fermeture (&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;)`,
	} {
		if !strings.Contains(out, escaped) {
			t.Errorf("missing %s in\n%s", escaped, out)
		}
	}
}

// A markup literal names only known values, and each value lands where
// its name is, escaped.
func TestMarkupOf(t *testing.T) {
	t.Parallel()
	m := markupOf(`<a title="{title}">{name}</a>{why}`)
	var b strings.Builder
	m.write(&b, &values{fieldTitle: `"t"`, fieldName: "<n>", fieldWhy: "&"})
	if got, want := b.String(), `<a title="&#34;t&#34;">&lt;n&gt;</a>&amp;`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	for _, bad := range []string{`{nom}`, `<a {title>`} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("markupOf(%q) accepted a bad slot", bad)
				}
			}()
			markupOf(bad)
		}()
	}
}

// BenchmarkAgendaWeekHTML is the writer's cost for one week of three
// prestations (a cache miss writes four): go test -run '^$' -bench
// BenchmarkAgendaWeekHTML ./app/booking/.
func BenchmarkAgendaWeekHTML(b *testing.B) {
	w := goldenWeek(&testing.T{})
	b.ReportAllocs()
	for b.Loop() {
		if len(w.tableHTML()) < 1000 {
			b.Fatal("short week")
		}
	}
}
