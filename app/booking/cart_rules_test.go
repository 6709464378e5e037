package booking_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
)

// These tests pin rules of the cart and of the places held for a payment
// (issue 17), through booking's public functions on a real commune file.

// An order held a replacement: the annulation of a paid classic meal and
// a vegetarian one the same day. When the order is released (expired,
// refused, replaced), only the demande's place comes back: the classic
// meal is still booked and keeps its place, and both lines stay in the
// cart.
func TestReleaseGivesBackTheDemandesPlaceNotTheAnnulations(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.paid("A", f.classique, "2026-12-03")
	f.click(f.vegetarien, "2026-12-03")
	if check := f.hold(f.fam, f.cantine, "B"); len(check.Lines) != 2 || f.places(f.classique) != 1 || f.places(f.vegetarien) != 1 {
		t.Fatalf("hold: %+v, places %d/%d", check, f.places(f.classique), f.places(f.vegetarien))
	}
	if n := f.release("B"); n != 2 {
		t.Errorf("release reports %d lines, want 2", n)
	}
	if f.places(f.classique) != 1 || f.places(f.vegetarien) != 0 {
		t.Errorf("after release: classic %d place(s), want 1 (still booked); vegetarian %d, want 0", f.places(f.classique), f.places(f.vegetarien))
	}
	if f.count(`SELECT COUNT(*) FROM cart_lines`) != 2 || f.count(`SELECT COUNT(*) FROM reservations WHERE state = 'validated'`) != 1 {
		t.Error("the cart or the paid meal changed")
	}
}

// The notice of a line that left the cart names what it was: a demande by
// its prestation, an annulation as "Annulation de …".
func TestRemovedLineSaysWhetherItWasAnAnnulation(t *testing.T) {
	t.Parallel()
	day := calendar.DateOf(2026, time.December, 3)
	for _, c := range []struct {
		action, want string
	}{
		{booking.ActionAdd, "REPAS CLASSIQUE ENFANT du 03/12/2026 pour Fille FAMILLE X : complet"},
		{booking.ActionCancel, "Annulation de REPAS CLASSIQUE ENFANT du 03/12/2026 pour Fille FAMILLE X : complet"},
	} {
		r := booking.RemovedLine{Line: booking.CartLine{PrestationName: "REPAS CLASSIQUE ENFANT", ChildName: "Fille FAMILLE X",
			Day: day, Action: c.action}, Reason: "complet"}
		if got := r.Text(); got != c.want {
			t.Errorf("%s: %q, want %q", c.action, got, c.want)
		}
	}
}

// Lines whose deadline passed leave the cart with their reason: a demande
// ("délai dépassé") and an annulation ("délai d'annulation dépassé");
// the lines still in time stay, and a cart with nothing late is left as
// it is.
func TestPurgeExpiredDropsOnlyTheLateLines(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	// A paid meal on Thursday 26/11, then its annulation asked in time.
	f.paid("A", f.classique, "2026-11-26")
	f.click(f.classique, "2026-11-26", "2026-11-27", "2026-12-03")
	if gone, err := booking.PurgeExpired(ctx, f.db, f.fam, f.cantine, f.Clock.Now()); err != nil || gone != nil {
		t.Fatalf("nothing late yet: %+v %v", gone, err)
	}
	// Tuesday 24/11 at 10:00: the 26th is closed (booking and
	// cancelling), the 27th and the 3rd are still open.
	f.Clock.Set(time.Date(2026, time.November, 24, 10, 0, 0, 0, calendar.Paris()))
	gone, err := booking.PurgeExpired(ctx, f.db, f.fam, f.cantine, f.Clock.Now())
	if err != nil || len(gone) != 1 || gone[0].Reason != "délai d'annulation dépassé" || gone[0].Line.Action != booking.ActionCancel {
		t.Fatalf("late annulation: %+v %v", gone, err)
	}
	if n := f.count(`SELECT COUNT(*) FROM cart_lines`); n != 2 {
		t.Errorf("cart keeps %d lines, want 2", n)
	}
	// Wednesday 25/11 at 10:00: the 27th is late too.
	f.Clock.Set(time.Date(2026, time.November, 25, 10, 0, 0, 0, calendar.Paris()))
	gone, err = booking.PurgeExpired(ctx, f.db, f.fam, f.cantine, f.Clock.Now())
	if err != nil || len(gone) != 1 || gone[0].Reason != "délai dépassé" || gone[0].Line.Day.String() != "2026-11-27" {
		t.Fatalf("late demande: %+v %v", gone, err)
	}
	if n := f.count(`SELECT COUNT(*) FROM cart_lines`); n != 1 {
		t.Errorf("cart keeps %d lines, want the 3rd only", n)
	}
}

// "Vider" empties one régie's cart, says how many lines left, and leaves
// the other régies' lines and other families' carts alone.
func TestClearCartEmptiesOneRegieOfOneFamily(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	other, kids := f.addFamily("FAMILLE Z", 1)
	for _, d := range []string{"2026-12-03", "2026-12-04"} {
		f.click(f.classique, d)
		if err := f.toggle(other, f.cantine, kids[0], f.classique, d); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.toggle(f.fam, f.garderie, f.fille, f.garderieP, "2026-12-03"); err != nil {
		t.Fatal(err)
	}
	n, err := booking.ClearCart(context.Background(), f.db, f.fam, f.cantine)
	if err != nil || n != 2 {
		t.Fatalf("cleared %d %v, want 2", n, err)
	}
	if f.count(`SELECT COUNT(*) FROM cart_lines WHERE family_id = ?`, f.fam) != 1 || f.count(`SELECT COUNT(*) FROM cart_lines WHERE family_id = ?`, other) != 2 {
		t.Error("Vider took lines of another régie or family")
	}
	if n, err := booking.ClearCart(context.Background(), f.db, f.fam, f.cantine); err != nil || n != 0 {
		t.Errorf("second Vider: %d %v", n, err)
	}
}

// A prepaid régie's cart is validated by paying: ValidatePostpaid refuses
// it and changes nothing.
func TestPrepaidCartIsNotValidatedWithoutPayment(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.click(f.classique, "2026-12-03")
	if _, err := booking.ValidatePostpaid(context.Background(), f.db, f.fam, f.cantine, f.Clock.Now()); !errors.Is(err, booking.ErrPrepaid) {
		t.Fatalf("err = %v, want ErrPrepaid", err)
	}
	if f.count(`SELECT COUNT(*) FROM reservations`) != 0 || f.count(`SELECT COUNT(*) FROM cart_lines`) != 1 {
		t.Error("something changed")
	}
}

// A child named twice in a "Vue Période" request is planned once.
func TestPeriodForAChildNamedTwiceAddsItsDaysOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	from, to := calendar.DateOf(2026, time.December, 7), calendar.DateOf(2026, time.December, 11)
	req := booking.PeriodRequest{RegieID: f.cantine, ChildIDs: []int64{f.fille, f.fille}, From: from, To: to,
		Weekdays: map[int64]calendar.WeekdaySet{f.classique: calendar.SchoolWeekNoWed}}
	res, err := booking.AddPeriod(context.Background(), f.db, f.fam, req, f.Clock.Now())
	if err != nil || res.Added != 4 || len(res.Lines) != 4 {
		t.Fatalf("period: added %d, lines %d, %v", res.Added, len(res.Lines), err)
	}
	if n := f.count(`SELECT COUNT(*) FROM cart_lines`); n != 4 {
		t.Errorf("cart lines = %d, want 4", n)
	}
}

// The cart says "Avoir à recevoir" only when validating it gives money
// back: a total of zero (a replacement at the same price) is not an avoir.
func TestCartViewRefundOnlyForANegativeTotal(t *testing.T) {
	t.Parallel()
	day := calendar.DateOf(2026, time.December, 3)
	add := booking.CartLine{ChildID: 1, ChildName: "Fille FAMILLE X", PrestationID: 1, PrestationName: "REPAS VEGETARIEN", Day: day,
		Action: booking.ActionAdd, PriceCents: 255}
	cancel := add
	cancel.PrestationID, cancel.PrestationName, cancel.Action = 2, "REPAS CLASSIQUE ENFANT", booking.ActionCancel
	for _, c := range []struct {
		name   string
		lines  []booking.CartLine
		refund bool
		empty  bool
		total  string
	}{
		{"empty cart", nil, false, true, "0,00\u00a0€"},
		{"one demande", []booking.CartLine{add}, false, false, "2,55\u00a0€"},
		{"replacement at the same price: zero, no avoir", []booking.CartLine{cancel, add}, false, false, "0,00\u00a0€"},
		{"one annulation: avoir of 2,55 €", []booking.CartLine{cancel}, true, false, "-2,55\u00a0€"},
	} {
		v := booking.Summarize(c.lines)
		if v.Refund() != c.refund || v.Empty() != c.empty || v.Total() != c.total || v.Lines != len(c.lines) {
			t.Errorf("%s: refund %v empty %v total %q lines %d", c.name, v.Refund(), v.Empty(), v.Total(), v.Lines)
		}
		if c.refund && v.RefundTotal() != "2,55\u00a0€" {
			t.Errorf("%s: avoir %q", c.name, v.RefundTotal())
		}
	}
}

// Each rule of the prestation form, at its boundary: the field named and
// the French message; a valid edge value passes.
func TestPrestationInputRulesAtTheirBoundaries(t *testing.T) {
	t.Parallel()
	ok := booking.PrestationInput{Name: "REPAS", Kind: booking.KindDaily, Weekdays: calendar.SchoolWeek,
		Booking: calendar.Deadline{Kind: calendar.DeadlineWorkingDays, Days: 2, Hour: 10}, Cancel: calendar.Deadline{Days: 1, Hour: 10}}
	d := calendar.DateOf(2026, time.September, 1)
	for _, c := range []struct {
		name, field, msg string
		edit             func(in *booking.PrestationInput)
	}{
		{"a name of 120 characters", "", "", func(in *booking.PrestationInput) { in.Name = strings.Repeat("R", 120) }},
		{"a name of 121 characters", "name", "Le nom de la prestation est obligatoire (120 caractères au plus)",
			func(in *booking.PrestationInput) { in.Name = strings.Repeat("R", 121) }},
		{"free (0 cents)", "", "", func(in *booking.PrestationInput) { in.PriceCents = 0 }},
		{"a price of -1 cent", "price", "Le prix ne peut pas être négatif", func(in *booking.PrestationInput) { in.PriceCents = -1 }},
		{"no capacity limit (0)", "", "", func(in *booking.PrestationInput) { in.Capacity = 0 }},
		{"a capacity of -1", "capacity", "La capacité ne peut pas être négative (0 : sans limite)", func(in *booking.PrestationInput) { in.Capacity = -1 }},
		{"capacity per site", "", "", func(in *booking.PrestationInput) { in.CapacityScope = booking.ScopeSite }},
		{"an unknown capacity scope", "capacity_scope", "La capacité s'entend par jour ou par jour et par site",
			func(in *booking.PrestationInput) { in.CapacityScope = "classe" }},
		{"a booking deadline of -1 day", "booking_deadline",
			"Délai de réservation : règle de délai invalide : le nombre de jours doit être entre 0 et 366",
			func(in *booking.PrestationInput) { in.Booking.Days = -1 }},
		{"a cancel deadline at 24:00", "cancel_deadline", "Délai d'annulation : règle de délai invalide : heure invalide (HH:MM)",
			func(in *booking.PrestationInput) { in.Cancel.Hour = 24 }},
		{"valid on one day only", "", "", func(in *booking.PrestationInput) { in.ValidFrom, in.ValidUntil = d, d }},
		{"validity ending the day before it starts", "valid_until", "La fin de validité doit suivre son début",
			func(in *booking.PrestationInput) { in.ValidFrom, in.ValidUntil = d, d.AddDays(-1) }},
	} {
		in := ok
		c.edit(&in)
		errs := in.Validate()
		if c.field == "" {
			if errs != nil {
				t.Errorf("%s: refused: %v", c.name, errs)
			}
			continue
		}
		if len(errs) != 1 || errs[0].Field != c.field || errs[0].Message != c.msg {
			t.Errorf("%s: %+v, want %s %q", c.name, errs, c.field, c.msg)
		}
	}
}

// "Valider" on a post-paid cart whose place was taken meanwhile: the
// parent reads which demande was not validated and why, and the others
// are validated.
func TestPostpaidValiderSaysWhichDemandeWasNotValidated(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.exec(`UPDATE prestations SET capacity = 1 WHERE id = ?`, f.garderieP)
	other, kids := f.addFamily("FAMILLE Z", 1)
	c := f.client(f.fam)
	c.click(f.garderie, f.garcon, f.garderieP, "2026-12-15", "reserver")
	if err := f.toggle(other, f.garderie, kids[0], f.garderieP, "2026-12-15"); err != nil {
		t.Fatal(err)
	}
	if res, err := booking.ValidatePostpaid(context.Background(), f.db, other, f.garderie, f.Clock.Now()); err != nil || len(res.Confirmed) != 1 {
		t.Fatalf("other family: %+v %v", res, err)
	}
	_, body := c.post("/famille/reservations/valider", url.Values{"regie": {itoa(f.garderie)}, "enfant": {itoa(f.garcon)}, "semaine": {"2026-12-14"}})
	mustContain(t, body, "Non validée : GARDERIE MATIN ET SOIR du 01/12/2026 pour Garçon FAMILLE X : complet.")
	if strings.Contains(body, "demande(s) validée(s)") {
		t.Error("the page says something was validated")
	}
}
