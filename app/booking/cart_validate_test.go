package booking_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
)

// validate books the child's prestation on each day through the cart and
// pays for it at once, leaving validated reservations and an empty cart.
func (f *fixture) validate(child, prestation int64, days ...string) {
	f.T.Helper()
	regie := f.cantine
	if prestation == f.garderieP {
		regie = f.garderie
	}
	for _, d := range days {
		if err := f.toggle(f.fam, regie, child, prestation, d); err != nil {
			f.T.Fatal(err)
		}
	}
	if _, res, err := f.checkout(f.fam, regie, "PAID"); err != nil || len(res.Confirmed) != len(days) {
		f.T.Fatalf("validate %v: %+v %v", days, res, err)
	}
}

// addLine writes a demande straight into the cart, as a stale device of
// the other guardian would have left it (the agenda would have replaced
// or refused it).
func (f *fixture) addLine(child, prestation int64, day string) {
	f.T.Helper()
	f.exec(`INSERT INTO cart_lines (family_id, regie_id, child_id, prestation_id, day, action, price_cents, created_at)
		VALUES (?, (SELECT regie_id FROM prestations WHERE id = ?), ?, ?, ?, 'add', 255, '2026-11-23T07:00:00Z')`,
		f.fam, prestation, child, prestation, day)
}

// fullDay gives prestation five places on day, all taken (a place the
// waiting list offers is counted among them, as offerNext counts it).
func (f *fixture) fullDay(prestation int64, day string) {
	f.T.Helper()
	f.exec(`UPDATE prestations SET capacity = 5 WHERE id = ?`, prestation)
	f.exec(`INSERT INTO slot_counts (prestation_id, day, site_id, booked) VALUES (?, ?, 1, 5)`, prestation, day)
}

// wait puts the child of FAMILLE X on the waiting list of prestation's
// day, in state (waiting, or offered: the place is held for the child).
func (f *fixture) wait(child, prestation int64, day, state string) {
	f.T.Helper()
	f.exec(`INSERT INTO waitlist (family_id, child_id, prestation_id, regie_id, site_id, day, state, created_at, updated_at)
		VALUES (?, ?, ?, (SELECT regie_id FROM prestations WHERE id = ?), 1, ?, ?, 'x', 'x')`, f.fam, child, prestation, prestation, day, state)
}

// reasons lists the removed or rejected lines as "prestation day: reason".
func reasons(lines []booking.RemovedLine) []string {
	var out []string
	for _, r := range lines {
		out = append(out, r.Line.Day.String()+": "+r.Reason)
	}
	slices.Sort(out)
	return out
}

// The rules CheckCart applies to each line when the family validates a
// prepaid cart, one story per branch: what is removed, with which French
// reason, and what is kept with which total.
func TestCheckCartRules(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		setup       func(f *fixture)
		wantRemoved []string
		wantKept    int
		wantTotal   int64
	}{
		{"cancellation inside its window is kept and refunds the meal", func(f *fixture) {
			f.validate(f.fille, f.classique, "2026-12-03")
			_ = f.toggle(f.fam, f.cantine, f.fille, f.classique, "2026-12-03")
		}, nil, 1, -255},
		{"cancellation one minute before its deadline (tuesday 10:00 for thursday) is kept", func(f *fixture) {
			f.validate(f.fille, f.classique, "2026-12-03")
			_ = f.toggle(f.fam, f.cantine, f.fille, f.classique, "2026-12-03")
			f.Clock.Set(time.Date(2026, time.December, 1, 9, 59, 0, 0, calendar.Paris()))
		}, nil, 1, -255},
		{"cancellation at its deadline is removed", func(f *fixture) {
			f.validate(f.fille, f.classique, "2026-12-03")
			_ = f.toggle(f.fam, f.cantine, f.fille, f.classique, "2026-12-03")
			f.Clock.Set(time.Date(2026, time.December, 1, 10, 0, 0, 0, calendar.Paris()))
		}, []string{"2026-12-03: délai d'annulation dépassé"}, 0, 0},
		{"cancellation of a booking cancelled meanwhile is removed", func(f *fixture) {
			f.validate(f.fille, f.classique, "2026-12-03")
			_ = f.toggle(f.fam, f.cantine, f.fille, f.classique, "2026-12-03")
			f.exec(`UPDATE reservations SET state = 'cancelled'`)
		}, []string{"2026-12-03: réservation déjà annulée"}, 0, 0},
		{"cancellation of a booking now held by the other child is removed", func(f *fixture) {
			f.validate(f.fille, f.classique, "2026-12-03")
			_ = f.toggle(f.fam, f.cantine, f.fille, f.classique, "2026-12-03")
			f.exec(`UPDATE reservations SET child_id = ?`, f.garcon)
		}, []string{"2026-12-03: réservation déjà annulée"}, 0, 0},
		{"cancellation of a booking now held by another family is removed", func(f *fixture) {
			f.validate(f.fille, f.classique, "2026-12-03")
			_ = f.toggle(f.fam, f.cantine, f.fille, f.classique, "2026-12-03")
			other, _ := f.addFamily("FAMILLE Y", 0)
			f.exec(`UPDATE reservations SET family_id = ?`, other)
		}, []string{"2026-12-03: réservation déjà annulée"}, 0, 0},
		{"cancellation for a child who left the family is removed", func(f *fixture) {
			f.validate(f.fille, f.classique, "2026-12-03")
			_ = f.toggle(f.fam, f.cantine, f.fille, f.classique, "2026-12-03")
			other, _ := f.addFamily("FAMILLE Y", 0)
			f.exec(`UPDATE children SET family_id = ? WHERE id = ?`, other, f.fille)
		}, []string{"2026-12-03: enfant qui n'est plus rattaché à la famille"}, 0, 0},
		{"demande of a prestation moved to another régie is removed", func(f *fixture) {
			_ = f.toggle(f.fam, f.cantine, f.fille, f.vegetarien, "2026-12-03")
			_ = f.toggle(f.fam, f.cantine, f.fille, f.classique, "2026-12-10")
			f.exec(`UPDATE prestations SET regie_id = ? WHERE id = ?`, f.garderie, f.vegetarien)
		}, []string{"2026-12-03: prestation qui n'est plus proposée"}, 1, 255},
		{"replacing a validated vegetarian meal by the classic one: the cancellation goes first", func(f *fixture) {
			f.validate(f.fille, f.vegetarien, "2026-12-03")
			_ = f.toggle(f.fam, f.cantine, f.fille, f.classique, "2026-12-03")
		}, nil, 2, 0},
		{"demande already validated by the other guardian's order is removed", func(f *fixture) {
			f.validate(f.fille, f.classique, "2026-12-03")
			f.addLine(f.fille, f.classique, "2026-12-03")
		}, []string{"2026-12-03: déjà réservé"}, 0, 0},
		{"demande beside a validated meal of its group, without its cancellation, is removed", func(f *fixture) {
			f.validate(f.fille, f.vegetarien, "2026-12-03")
			f.addLine(f.fille, f.classique, "2026-12-03")
		}, []string{"2026-12-03: un autre choix est déjà fait ce jour"}, 0, 0},
		{"two meals of one group for one child and day: the second is removed", func(f *fixture) {
			f.addLine(f.fille, f.classique, "2026-12-03")
			f.addLine(f.fille, f.vegetarien, "2026-12-03")
		}, []string{"2026-12-03: un autre choix est déjà fait ce jour"}, 1, 255},
		{"one meal of the group per day and per child: other days and the brother keep theirs", func(f *fixture) {
			f.addLine(f.fille, f.classique, "2026-12-03")
			f.addLine(f.fille, f.vegetarien, "2026-12-04")
			f.addLine(f.garcon, f.vegetarien, "2026-12-03")
		}, nil, 3, 765},
		{"meals outside any exclusive group: both kept on the same day", func(f *fixture) {
			f.exec(`UPDATE prestations SET exclusive_group = '' WHERE regie_id = ?`, f.cantine)
			f.addLine(f.fille, f.classique, "2026-12-03")
			f.addLine(f.fille, f.vegetarien, "2026-12-03")
		}, nil, 2, 510},
		{"a validated meal outside any group does not exclude another", func(f *fixture) {
			f.exec(`UPDATE prestations SET exclusive_group = '' WHERE regie_id = ?`, f.cantine)
			f.validate(f.fille, f.vegetarien, "2026-12-03")
			f.addLine(f.fille, f.classique, "2026-12-03")
		}, nil, 1, 255},
		{"demande for a child who left the family is removed", func(f *fixture) {
			_ = f.toggle(f.fam, f.cantine, f.fille, f.classique, "2026-12-03")
			other, _ := f.addFamily("FAMILLE Y", 0)
			f.exec(`UPDATE children SET family_id = ? WHERE id = ?`, other, f.fille)
		}, []string{"2026-12-03: enfant qui n'est plus rattaché à la famille"}, 0, 0},
		{"the last two places go to the two children of the cart", func(f *fixture) {
			_ = f.toggle(f.fam, f.cantine, f.fille, f.classique, "2026-12-10")
			_ = f.toggle(f.fam, f.cantine, f.garcon, f.classique, "2026-12-10")
			f.exec(`UPDATE prestations SET capacity = 5 WHERE id = ?`, f.classique)
			f.exec(`INSERT INTO slot_counts (prestation_id, day, site_id, booked) VALUES (?, '2026-12-10', 1, 3)`, f.classique)
		}, nil, 2, 510},
		{"no place left: both children's demandes are removed", func(f *fixture) {
			_ = f.toggle(f.fam, f.cantine, f.fille, f.classique, "2026-12-10")
			_ = f.toggle(f.fam, f.cantine, f.garcon, f.classique, "2026-12-10")
			f.exec(`UPDATE prestations SET capacity = 5 WHERE id = ?`, f.classique)
			f.exec(`INSERT INTO slot_counts (prestation_id, day, site_id, booked) VALUES (?, '2026-12-10', 1, 5)`, f.classique)
		}, []string{"2026-12-10: complet", "2026-12-10: complet"}, 0, 0},
		{"a day-wide capacity counts the cart's places across schools", func(f *fixture) {
			f.exec(`INSERT INTO schools (name) VALUES ('École du Hameau')`)
			f.exec(`UPDATE children SET school_id = (SELECT id FROM schools WHERE name = 'École du Hameau') WHERE id = ?`, f.garcon)
			_ = f.toggle(f.fam, f.cantine, f.fille, f.classique, "2026-12-10")
			_ = f.toggle(f.fam, f.cantine, f.garcon, f.classique, "2026-12-10")
			f.exec(`UPDATE prestations SET capacity = 5 WHERE id = ?`, f.classique)
			f.exec(`INSERT INTO slot_counts (prestation_id, day, site_id, booked) VALUES (?, '2026-12-10', 1, 4)`, f.classique)
		}, []string{"2026-12-10: complet"}, 1, 255},
		{"a per-school capacity counts each child's school only", func(f *fixture) {
			f.exec(`INSERT INTO schools (name) VALUES ('École du Hameau')`)
			f.exec(`UPDATE children SET school_id = (SELECT id FROM schools WHERE name = 'École du Hameau') WHERE id = ?`, f.garcon)
			_ = f.toggle(f.fam, f.cantine, f.fille, f.classique, "2026-12-10")
			_ = f.toggle(f.fam, f.cantine, f.garcon, f.classique, "2026-12-10")
			f.exec(`UPDATE prestations SET capacity = 5, capacity_scope = 'site' WHERE id = ?`, f.classique)
			f.exec(`INSERT INTO slot_counts (prestation_id, day, site_id, booked) VALUES (?, '2026-12-10', 1, 4)`, f.classique)
			f.exec(`INSERT INTO slot_counts (prestation_id, day, site_id, booked) VALUES (?, '2026-12-10',
				(SELECT id FROM schools WHERE name = 'École du Hameau'), 5)`, f.classique)
		}, []string{"2026-12-10: complet"}, 1, 255},
		{"a meal now kept for the CM2 only: the CP pupil's demande is removed, the CM2 pupil's kept", func(f *fixture) {
			_ = f.toggle(f.fam, f.cantine, f.fille, f.classique, "2026-12-03")
			_ = f.toggle(f.fam, f.cantine, f.garcon, f.classique, "2026-12-04")
			f.exec(`UPDATE children SET class_name = CASE id WHEN ? THEN 'CP' ELSE 'CM2' END WHERE id IN (?, ?)`, f.fille, f.fille, f.garcon)
			f.restrict(f.classique, func(in *booking.PrestationInput) { in.Audience = booking.Audience{Classes: []string{"cm2"}} })
		}, []string{"2026-12-03: non proposé pour sa classe"}, 1, 255},
		{"shared custody: Lou's demande on her father's even week is removed, her mother's odd week kept", func(f *fixture) {
			lou := f.id(`SELECT id FROM children WHERE first_name = 'Lou'`)
			f.addLine(lou, f.classique, "2026-12-03")
			f.addLine(lou, f.classique, "2026-12-10")
		}, []string{"2026-12-10: garde de l'autre parent"}, 1, 255},
		{"a place the waiting list offers the child is hers: kept on a full day", func(f *fixture) {
			_ = f.toggle(f.fam, f.cantine, f.fille, f.classique, "2026-12-10")
			f.fullDay(f.classique, "2026-12-10")
			f.wait(f.fille, f.classique, "2026-12-10", booking.WaitOffered)
		}, nil, 1, 255},
		{"a child still only waiting on a full day: removed as full", func(f *fixture) {
			_ = f.toggle(f.fam, f.cantine, f.fille, f.classique, "2026-12-10")
			f.fullDay(f.classique, "2026-12-10")
			f.wait(f.fille, f.classique, "2026-12-10", booking.WaitWaiting)
		}, []string{"2026-12-10: complet"}, 0, 0},
		{"the place offered to the sister does not make room for her brother", func(f *fixture) {
			_ = f.toggle(f.fam, f.cantine, f.fille, f.classique, "2026-12-10")
			_ = f.toggle(f.fam, f.cantine, f.garcon, f.classique, "2026-12-10")
			f.fullDay(f.classique, "2026-12-10")
			f.wait(f.fille, f.classique, "2026-12-10", booking.WaitOffered)
		}, []string{"2026-12-10: complet"}, 1, 255},
		{"a place offered on another day does not make room on a full one", func(f *fixture) {
			_ = f.toggle(f.fam, f.cantine, f.fille, f.classique, "2026-12-10")
			f.fullDay(f.classique, "2026-12-10")
			f.wait(f.fille, f.classique, "2026-12-11", booking.WaitOffered)
		}, []string{"2026-12-10: complet"}, 0, 0},
		{"a full day does not take places from another day", func(f *fixture) {
			_ = f.toggle(f.fam, f.cantine, f.fille, f.classique, "2026-12-10")
			_ = f.toggle(f.fam, f.cantine, f.fille, f.classique, "2026-12-11")
			f.exec(`UPDATE prestations SET capacity = 5 WHERE id = ?`, f.classique)
			f.exec(`INSERT INTO slot_counts (prestation_id, day, site_id, booked) VALUES (?, '2026-12-10', 1, 5)`, f.classique)
		}, []string{"2026-12-10: complet"}, 1, 255},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			tc.setup(f)
			check := f.checkCart()
			if got := reasons(check.Removed); strings.Join(got, "\n") != strings.Join(tc.wantRemoved, "\n") {
				t.Fatalf("removed:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.wantRemoved, "\n"))
			}
			if len(check.Lines) != tc.wantKept || check.TotalCents != tc.wantTotal {
				t.Fatalf("kept %d lines for %d cents, want %d for %d", len(check.Lines), check.TotalCents, tc.wantKept, tc.wantTotal)
			}
			// Removed lines leave the cart; kept ones stay for the payment.
			if n := f.count(`SELECT COUNT(*) FROM cart_lines WHERE family_id = ? AND regie_id = ?`, f.fam, f.cantine); n != tc.wantKept {
				t.Fatalf("cart lines left = %d, want %d", n, tc.wantKept)
			}
		})
	}
}

// The rules ConfirmLines applies when the payment of a checked cart
// arrives: what changed in between is rejected (and credited by billing),
// never confirmed. (Whether places are held between the order and the
// payment is billing's checkout rule, not pinned here.)
func TestConfirmLinesRules(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name         string
		setup        func(f *fixture)
		between      func(f *fixture) // after CheckCart, before ConfirmLines
		wantRejected []string
		wantOK       int
		wantTotal    int64
		wantBooked   int // validated reservations afterwards
	}{
		{"demande and cancellation both confirmed", func(f *fixture) {
			f.validate(f.fille, f.classique, "2026-12-03")
			_ = f.toggle(f.fam, f.cantine, f.fille, f.classique, "2026-12-03")
			_ = f.toggle(f.fam, f.cantine, f.garcon, f.classique, "2026-12-04")
		}, func(f *fixture) {}, nil, 2, 0, 1},
		{"meal validated by the other guardian before the payment: rejected as already booked", func(f *fixture) {
			_ = f.toggle(f.fam, f.cantine, f.fille, f.classique, "2026-12-10")
		}, func(f *fixture) {
			f.exec(`INSERT INTO reservations (family_id, child_id, prestation_id, regie_id, day, state, price_cents, created_at, validated_at)
				VALUES (?, ?, ?, ?, '2026-12-10', 'validated', 255, 'x', 'x')`, f.fam, f.fille, f.classique, f.cantine)
		}, []string{"2026-12-10: déjà réservé"}, 0, 0, 1},
		{"other meal of the group validated before the payment: rejected", func(f *fixture) {
			_ = f.toggle(f.fam, f.cantine, f.fille, f.classique, "2026-12-10")
		}, func(f *fixture) {
			f.exec(`INSERT INTO reservations (family_id, child_id, prestation_id, regie_id, day, state, price_cents, created_at, validated_at)
				VALUES (?, ?, ?, ?, '2026-12-10', 'validated', 255, 'x', 'x')`, f.fam, f.fille, f.vegetarien, f.cantine)
		}, []string{"2026-12-10: un autre choix est déjà fait ce jour"}, 0, 0, 1},
		{"child who left before the payment: demande rejected", func(f *fixture) {
			_ = f.toggle(f.fam, f.cantine, f.fille, f.classique, "2026-12-10")
		}, func(f *fixture) {
			other, _ := f.addFamily("FAMILLE Y", 0)
			f.exec(`UPDATE children SET family_id = ? WHERE id = ?`, other, f.fille)
		}, []string{"2026-12-10: enfant qui n'est plus rattaché à la famille"}, 0, 0, 0},
		{"child who left before the payment: cancellation rejected", func(f *fixture) {
			f.validate(f.fille, f.classique, "2026-12-03")
			_ = f.toggle(f.fam, f.cantine, f.fille, f.classique, "2026-12-03")
		}, func(f *fixture) {
			other, _ := f.addFamily("FAMILLE Y", 0)
			f.exec(`UPDATE children SET family_id = ? WHERE id = ?`, other, f.fille)
		}, []string{"2026-12-03: enfant qui n'est plus rattaché à la famille"}, 0, 0, 1},
		{"booking cancelled meanwhile: its cancellation is rejected", func(f *fixture) {
			f.validate(f.fille, f.classique, "2026-12-03")
			_ = f.toggle(f.fam, f.cantine, f.fille, f.classique, "2026-12-03")
		}, func(f *fixture) {
			f.exec(`UPDATE reservations SET state = 'cancelled'`)
		}, []string{"2026-12-03: réservation déjà annulée"}, 0, 0, 0},
		{"booking deleted meanwhile: its cancellation went with it and is rejected as not found", func(f *fixture) {
			f.validate(f.fille, f.classique, "2026-12-03")
			_ = f.toggle(f.fam, f.cantine, f.fille, f.classique, "2026-12-03")
		}, func(f *fixture) {
			f.exec(`DELETE FROM reservations`)
		}, []string{": demande introuvable (déjà traitée ou retirée du panier)"}, 0, 0, 0},
		{"booking moved to the other child meanwhile: its cancellation is rejected", func(f *fixture) {
			f.validate(f.fille, f.classique, "2026-12-03")
			_ = f.toggle(f.fam, f.cantine, f.fille, f.classique, "2026-12-03")
		}, func(f *fixture) {
			f.exec(`UPDATE reservations SET child_id = ?`, f.garcon)
		}, []string{"2026-12-03: réservation déjà annulée"}, 0, 0, 1},
		{"booking moved to another family meanwhile: its cancellation is rejected", func(f *fixture) {
			f.validate(f.fille, f.classique, "2026-12-03")
			_ = f.toggle(f.fam, f.cantine, f.fille, f.classique, "2026-12-03")
		}, func(f *fixture) {
			other, _ := f.addFamily("FAMILLE Y", 0)
			f.exec(`UPDATE reservations SET family_id = ?`, other)
		}, []string{"2026-12-03: réservation déjà annulée"}, 0, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			tc.setup(f)
			var ids []int64
			for _, l := range f.checkCart().Lines {
				ids = append(ids, l.ID)
			}
			tc.between(f)
			res, err := f.confirmLines(ids, "ORDER")
			if err != nil {
				t.Fatal(err)
			}
			if got := reasons(res.Rejected); strings.Join(got, "\n") != strings.Join(tc.wantRejected, "\n") {
				t.Fatalf("rejected:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.wantRejected, "\n"))
			}
			if len(res.Confirmed) != tc.wantOK || res.TotalCents != tc.wantTotal {
				t.Fatalf("confirmed %d lines for %d cents, want %d for %d", len(res.Confirmed), res.TotalCents, tc.wantOK, tc.wantTotal)
			}
			if n := f.count(`SELECT COUNT(*) FROM reservations WHERE state = 'validated'`); n != tc.wantBooked {
				t.Fatalf("validated reservations = %d, want %d", n, tc.wantBooked)
			}
			// Confirmed or rejected, every line of the order leaves the cart.
			if n := f.count(`SELECT COUNT(*) FROM cart_lines WHERE family_id = ?`, f.fam); n != 0 {
				t.Fatalf("cart lines left = %d", n)
			}
		})
	}
}

func TestConfirmLinesOnlyTouchesTheFamilysLines(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	other, kids := f.addFamily("FAMILLE Y", 1)
	if err := f.toggle(other, f.cantine, kids[0], f.classique, "2026-12-10"); err != nil {
		t.Fatal(err)
	}
	theirs := f.id(`SELECT id FROM cart_lines WHERE family_id = ?`, other)
	res, err := f.confirmLines([]int64{theirs}, "ORDER")
	if err != nil || len(res.Confirmed) != 0 || len(res.Rejected) != 1 || res.Rejected[0].Line.ID != theirs ||
		!strings.Contains(res.Rejected[0].Reason, "demande introuvable") {
		t.Fatalf("another family's line: %+v %v", res, err)
	}
	if n := f.count(`SELECT COUNT(*) FROM cart_lines WHERE id = ?`, theirs); n != 1 {
		t.Fatal("another family's cart line was deleted")
	}
	// An empty order confirms nothing and reads nothing.
	res, err = f.confirmLines(nil, "ORDER")
	if err != nil || len(res.Confirmed)+len(res.Rejected) != 0 || res.TotalCents != 0 {
		t.Fatalf("empty order: %+v %v", res, err)
	}
}

// The payment of a place the waiting list offered arrives on a full day:
// the child's demande is confirmed into the place held for her, her entry
// becomes "booked", and the count stays at the capacity (the booking takes
// over the offer's place, it does not add one); her brother's demande of
// the same day is rejected as full.
func TestConfirmLinesHandsTheOfferedPlaceToTheBooking(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_ = f.toggle(f.fam, f.cantine, f.fille, f.classique, "2026-12-10")
	_ = f.toggle(f.fam, f.cantine, f.garcon, f.classique, "2026-12-10")
	var ids []int64
	for _, l := range f.checkCart().Lines {
		ids = append(ids, l.ID)
	}
	f.fullDay(f.classique, "2026-12-10")
	f.wait(f.fille, f.classique, "2026-12-10", booking.WaitOffered)
	res, err := f.confirmLines(ids, "ORDER")
	if err != nil {
		t.Fatal(err)
	}
	if got := reasons(res.Rejected); strings.Join(got, "|") != "2026-12-10: complet" || len(res.Confirmed) != 1 ||
		res.Confirmed[0].Line.ChildID != f.fille || res.TotalCents != 255 {
		t.Fatalf("confirmed %+v, rejected %v, total %d: want the sister's demande only", res.Confirmed, got, res.TotalCents)
	}
	if s := f.Text(slug, `SELECT state FROM waitlist WHERE child_id = ?`, f.fille); s != booking.WaitBooked {
		t.Fatalf("the sister's entry is %q, want booked", s)
	}
	if n := f.count(`SELECT booked FROM slot_counts WHERE prestation_id = ? AND day = '2026-12-10'`, f.classique); n != 5 {
		t.Fatalf("places counted = %d, want 5: the booking takes the offer's place", n)
	}
}

// "Valider" of a post-paid régie re-checks each demande's child and
// deadline, then confirms: the garderie's december forfait closes 7 days
// before 1 December at noon.
func TestValidatePostpaidDeadlineAndChild(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		now         time.Time
		change      func(f *fixture) // after the demande
		wantRemoved []string
		wantOK      int
	}{
		{"one minute before tuesday noon: confirmed", time.Date(2026, time.November, 24, 11, 59, 0, 0, calendar.Paris()), nil, nil, 1},
		{"tuesday noon: removed, deadline passed", time.Date(2026, time.November, 24, 12, 0, 0, 0, calendar.Paris()), nil,
			[]string{"2026-12-01: délai dépassé"}, 0},
		{"child who left the family: removed", time.Date(2026, time.November, 23, 9, 0, 0, 0, calendar.Paris()), func(f *fixture) {
			other, _ := f.addFamily("FAMILLE Y", 0)
			f.exec(`UPDATE children SET family_id = ? WHERE id = ?`, other, f.garcon)
		},
			[]string{"2026-12-01: enfant qui n'est plus rattaché à la famille"}, 0},
		{"garderie now kept for the CM2 only: removed", time.Date(2026, time.November, 23, 9, 0, 0, 0, calendar.Paris()), func(f *fixture) {
			f.exec(`UPDATE children SET class_name = 'CP' WHERE id = ?`, f.garcon)
			f.restrict(f.garderieP, func(in *booking.PrestationInput) { in.Audience = booking.Audience{Classes: []string{"cm2"}} })
		},
			[]string{"2026-12-01: non proposé pour sa classe"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			if err := f.toggle(f.fam, f.garderie, f.garcon, f.garderieP, "2026-12-15"); err != nil {
				t.Fatal(err)
			}
			if tc.change != nil {
				tc.change(f)
			}
			res, err := booking.ValidatePostpaid(context.Background(), f.db, f.fam, f.garderie, tc.now)
			if err != nil {
				t.Fatal(err)
			}
			if got := reasons(res.Removed); strings.Join(got, "\n") != strings.Join(tc.wantRemoved, "\n") {
				t.Fatalf("removed:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.wantRemoved, "\n"))
			}
			if len(res.Confirmed) != tc.wantOK {
				t.Fatalf("confirmed %d, want %d", len(res.Confirmed), tc.wantOK)
			}
			if n := f.count(`SELECT COUNT(*) FROM reservations WHERE state = 'validated'`); n != tc.wantOK {
				t.Fatalf("validated reservations = %d, want %d", n, tc.wantOK)
			}
		})
	}
}

// The kept lines come back in the cart's order (child, prestation, day),
// although cancellations are checked first.
func TestCheckCartKeepsTheCartOrder(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.validate(f.fille, f.vegetarien, "2026-12-03")
	f.click(f.classique, "2026-12-03") // replaces the vegetarian meal
	check := f.checkCart()
	if len(check.Lines) != 2 || check.Lines[0].PrestationID != f.classique || check.Lines[0].Action != booking.ActionAdd ||
		check.Lines[1].PrestationID != f.vegetarien || check.Lines[1].Action != booking.ActionCancel {
		t.Fatalf("lines %+v", check.Lines)
	}
}
