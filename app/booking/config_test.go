package booking_test

import (
	"context"
	"database/sql"
	"reflect"
	"strings"
	"testing"
	"time"

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
)

// The commune's configuration is kept in memory between requests: a
// change made through the domain API, by raw SQL (the back office's
// stores, an import) or a closure is seen by the very next request.
func TestConfigChangeSeenByNextRequest(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	c := f.client(f.fam)
	// Warm the configuration: agenda, then a demande at 2,55 €.
	c.get(f.agendaPath(f.cantine, f.fille, "2026-11-23"))
	_, body := c.click(f.cantine, f.fille, f.classique, "2026-11-26", "reserver")
	mustContain(t, body, "Total à payer : 2,55"+euro)

	// The price changes through the domain API: the next demande costs
	// 3,00 €, the one already in the cart keeps its price.
	err := f.db.Tx(ctx, func(tx *sql.Tx) error {
		p, err := booking.LoadPrestation(ctx, tx, f.classique)
		if err != nil {
			return err
		}
		in := p.Input()
		in.PriceCents = 300
		return booking.UpdatePrestation(ctx, tx, f.classique, in)
	})
	if err != nil {
		t.Fatal(err)
	}
	_, body = c.click(f.cantine, f.fille, f.classique, "2026-11-27", "reserver")
	mustContain(t, body, "2 REPAS CLASSIQUE ENFANT", "Total à payer : 5,55"+euro)

	// The same by raw SQL, as the back office's stores write.
	f.exec(`UPDATE prestations SET price_cents = 400 WHERE id = ?`, f.classique)
	_, body = c.click(f.cantine, f.fille, f.classique, "2026-11-30", "reserver")
	mustContain(t, body, "3 REPAS CLASSIQUE ENFANT", "Total à payer : 9,55"+euro)

	// A closure through the domain API closes the day in the next agenda,
	// and the Vue Période skips it.
	if err := f.db.Tx(ctx, func(tx *sql.Tx) error {
		return booking.AddClosure(ctx, tx, calendar.DateOf(2026, time.December, 1), "Grève", f.Clock.Now())
	}); err != nil {
		t.Fatal(err)
	}
	body = c.get(f.agendaPath(f.cantine, f.fille, "2026-11-23"))
	if got := cellState(t, body, "REPAS CLASSIQUE ENFANT", "01/12/2026"); got != "closed closure" {
		t.Fatalf("closed day shows %q", got)
	}
	// Reopened: bookable again at once.
	if err := f.db.Tx(ctx, func(tx *sql.Tx) error {
		return booking.RemoveClosure(ctx, tx, calendar.DateOf(2026, time.December, 1))
	}); err != nil {
		t.Fatal(err)
	}
	body = c.get(f.agendaPath(f.cantine, f.fille, "2026-11-23"))
	if got := cellState(t, body, "REPAS CLASSIQUE ENFANT", "01/12/2026"); got != "bookable" {
		t.Fatalf("reopened day shows %q", got)
	}

	// A new prestation appears in the next agenda.
	if err := f.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := booking.CreatePrestation(ctx, tx, booking.PrestationInput{RegieID: f.cantine, Name: "REPAS SANS PORC", Kind: booking.KindDaily,
			Weekdays: calendar.SchoolWeek, ExclusiveGroup: "repas", PriceCents: 255, Position: 9}, f.Clock.Now())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	body = c.get(f.agendaPath(f.cantine, f.fille, "2026-11-23"))
	mustContain(t, body, `<th scope="row">REPAS SANS PORC</th>`)
}

// A cell's values are escaped in the HTML the agenda writes itself.
func TestAgendaCellsEscaped(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.exec(`UPDATE prestations SET name = '<b>REPAS "A" & B</b>' WHERE id = ?`, f.classique)
	body := f.client(f.fam).get(f.agendaPath(f.cantine, f.fille, "2026-11-23"))
	if strings.Contains(body, `<b>REPAS`) || !strings.Contains(body, `&lt;b&gt;REPAS &#34;A&#34; &amp; B&lt;/b&gt;, 26/11/2026 : réservable`) {
		t.Fatal("prestation name not escaped in the cells")
	}
}

// A stored prestation turned back into input (Prestation.Input) and saved
// unchanged stays exactly as it was, category and audience included.
func TestPrestationInputRoundTrips(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	list, err := booking.Prestations(ctx, f.db.Reader(), f.cantine)
	if err != nil || len(list) == 0 {
		t.Fatalf("prestations: %v, %v", list, err)
	}
	for _, p := range list {
		if err := f.db.Tx(ctx, func(tx *sql.Tx) error { return booking.UpdatePrestation(ctx, tx, p.ID, p.Input()) }); err != nil {
			t.Fatalf("%s: %v", p.Name, err)
		}
		got, err := booking.LoadPrestation(ctx, f.db.Reader(), p.ID)
		if err != nil || !reflect.DeepEqual(got, p) {
			t.Fatalf("%s changed:\n got %+v\nwant %+v (%v)", p.Name, got, p, err)
		}
	}
}
