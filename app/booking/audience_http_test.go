package booking_test

import (
	"context"
	"database/sql"
	"net/url"
	"strings"
	"testing"

	"espacefamille/app/booking"
)

// restrict changes the classic meal through booking's domain API, as the
// back office does.
func (f *fixture) restrict(id int64, change func(in *booking.PrestationInput)) {
	f.T.Helper()
	ctx := context.Background()
	err := f.db.Tx(ctx, func(tx *sql.Tx) error {
		p, err := booking.LoadPrestation(ctx, tx, id)
		if err != nil {
			return err
		}
		in := booking.PrestationInput{RegieID: p.RegieID, Name: p.Name, Kind: p.Kind, ForfaitKind: p.ForfaitKind, Weekdays: p.Weekdays,
			ExclusiveGroup: p.ExclusiveGroup, PriceCents: p.Price.FlatCents, Capacity: p.Capacity, CapacityScope: p.CapacityScope,
			Booking: p.Booking, Cancel: p.Cancel, ValidFrom: p.ValidFrom, ValidUntil: p.ValidUntil, Position: p.Position, Audience: p.Audience}
		change(&in)
		return booking.UpdatePrestation(ctx, tx, id, in)
	})
	if err != nil {
		f.T.Fatal(err)
	}
}

func TestSchoolsAndClassesAllowed(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.exec(`UPDATE children SET class_name = 'CP' WHERE id = ?`, f.fille)
	f.exec(`UPDATE children SET class_name = 'CM2' WHERE id = ?`, f.garcon)
	// Both children ask for the classic meal on Thursday 10 December.
	for _, child := range []int64{f.fille, f.garcon} {
		if err := f.toggle(f.fam, f.cantine, child, f.classique, "2026-12-10"); err != nil {
			t.Fatal(err)
		}
	}
	// Then the commune keeps the classic meal for the CM2 of the school.
	f.restrict(f.classique, func(in *booking.PrestationInput) {
		in.Audience = booking.Audience{Schools: []int64{1}, Classes: []string{"cm2"}}
	})
	if p, _ := booking.LoadPrestation(context.Background(), f.db.Reader(), f.classique); len(p.Audience.Classes) != 1 || p.Audience.Schools[0] != 1 {
		t.Fatalf("audience not stored: %+v", p.Audience)
	}
	c := f.client(f.fam)
	body := c.get(f.agendaPath(f.cantine, f.fille, "2026-11-30"))
	if got := cellState(t, body, "REPAS CLASSIQUE ENFANT", "11/12/2026"); got != "closed audience" {
		t.Fatalf("daughter's cell %q", got)
	}
	mustContain(t, body, "non réservable : non proposé pour sa classe")
	if got := cellState(t, body, "REPAS VEGETARIEN", "11/12/2026"); got != "bookable" {
		t.Fatalf("other meal %q", got)
	}
	body = c.get(f.agendaPath(f.cantine, f.garcon, "2026-11-30"))
	if got := cellState(t, body, "REPAS CLASSIQUE ENFANT", "11/12/2026"); got != "bookable" {
		t.Fatalf("son's cell %q", got)
	}
	// A click is refused with the reason.
	_, body = c.click(f.cantine, f.fille, f.classique, "2026-12-11", "reserver")
	mustContain(t, body, "Réservation impossible le 11/12/2026 : REPAS CLASSIQUE ENFANT non proposé pour sa classe.")
	// The period view skips the daughter's days with the reason.
	c.get("/famille/reservations/periode?regie=" + itoa(f.cantine))
	_, body = c.post("/famille/reservations/periode", url.Values{"regie": {itoa(f.cantine)}, "du": {"14/12/2026"}, "au": {"18/12/2026"},
		"enfants": {itoa(f.fille), itoa(f.garcon)}, "jours_" + itoa(f.classique): {"1"}})
	mustContain(t, body, "non proposé pour sa classe", "14/12/2026")
	if n := f.count(`SELECT COUNT(*) FROM cart_lines WHERE child_id = ? AND day = '2026-12-14'`, f.fille); n != 0 {
		t.Fatalf("period booked the daughter")
	}
	if n := f.count(`SELECT COUNT(*) FROM cart_lines WHERE child_id = ? AND day = '2026-12-14'`, f.garcon); n != 1 {
		t.Fatalf("period did not book the son")
	}
	// Validation re-checks: the daughter's earlier demande is refused.
	check, res, err := f.checkout(f.fam, f.cantine, "ORDER-AUD")
	if err != nil {
		t.Fatal(err)
	}
	if len(check.Removed) != 1 || check.Removed[0].Line.ChildID != f.fille || check.Removed[0].Reason != "non proposé pour sa classe" {
		t.Fatalf("removed %+v", check.Removed)
	}
	if len(res.Confirmed) != 2 || f.count(`SELECT COUNT(*) FROM reservations WHERE child_id = ?`, f.fille) != 0 {
		t.Fatalf("confirmed %+v", res.Confirmed)
	}
}

func TestCapacityPerSite(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.exec(`INSERT INTO schools (id, name) VALUES (2, 'École du Hameau')`)
	f.restrict(f.classique, func(in *booking.PrestationInput) { in.Capacity, in.CapacityScope = 1, booking.ScopeSite })
	a, kidsA := f.addFamily("FAMILLE A", 1) // school 1
	b, kidsB := f.addFamily("FAMILLE B", 1) // school 1
	h, kidsH := f.addFamily("FAMILLE H", 1)
	f.exec(`UPDATE children SET school_id = 2 WHERE id = ?`, kidsH[0])

	if err := f.toggle(a, f.cantine, kidsA[0], f.classique, "2026-12-10"); err != nil {
		t.Fatal(err)
	}
	if _, res, err := f.checkout(a, f.cantine, "ORDER-A"); err != nil || len(res.Confirmed) != 1 {
		t.Fatalf("first booker: %v %+v", err, res)
	}
	// The school's only place is taken: "complet" for another child of it…
	body := f.client(b).get(f.agendaPath(f.cantine, kidsB[0], "2026-12-07"))
	if got := cellState(t, body, "REPAS CLASSIQUE ENFANT", "10/12/2026"); got != "closed full" {
		t.Fatalf("same school: %q", got)
	}
	err := f.toggle(b, f.cantine, kidsB[0], f.classique, "2026-12-10")
	if err == nil || !strings.Contains(err.Error(), "complet") {
		t.Fatalf("same school click: %v", err)
	}
	// … while the other school still has its own.
	body = f.client(h).get(f.agendaPath(f.cantine, kidsH[0], "2026-12-07"))
	if got := cellState(t, body, "REPAS CLASSIQUE ENFANT", "10/12/2026"); got != "bookable" {
		t.Fatalf("other school: %q", got)
	}
	if err := f.toggle(h, f.cantine, kidsH[0], f.classique, "2026-12-10"); err != nil {
		t.Fatal(err)
	}
	if _, res, err := f.checkout(h, f.cantine, "ORDER-H"); err != nil || len(res.Confirmed) != 1 {
		t.Fatalf("other school: %v %+v", err, res)
	}
	if n := f.count(`SELECT COUNT(*) FROM slot_counts WHERE prestation_id = ? AND day = '2026-12-10' AND booked = 1`, f.classique); n != 2 {
		t.Fatalf("slot counts per site: %d", n)
	}
}
