package booking

import (
	"strings"
	"testing"

	"espacefamille/app/calendar"
)

// FuzzPeriodForm drives the Vue Période exactly as addPeriod does: the raw
// form through ParsePeriod, then Plan over a child's ledger. Whatever the
// input, it must not panic, must refuse what is invalid, and what it adds
// must be inside the period, on a chosen weekday, on an open day, at most
// once per prestation and day, and never beside a day it skipped.
func FuzzPeriodForm(f *testing.F) {
	f.Add("01/12/2026", "31/12/2026", "1,4", "", "3")
	f.Add("2026-12-01", "2027-07-02", "1,2,3,4,5", "4", "1")
	f.Add("31/02/2026", "01/03/2026", "1", "", "")
	f.Add("01/12/2026", "30/11/2026", "jeudi", "", "")
	f.Add("01/09/2026", "01/10/2027", "", "", "")
	f.Add(" 1/1/2027", "2027-1-31", "lun,x", "mar", "7")
	prestations := []Prestation{testClassic, testVege, testGarderie}
	prestations[2].RegieID = 1
	f.Fuzz(func(t *testing.T, from, to, classic, vege, garderie string) {
		form := PeriodForm{From: from, To: to, ChildIDs: []int64{testChild.ID}, Weekdays: map[int64][]string{
			1: split(classic), 2: split(vege), 3: split(garderie),
		}}
		req, errs := ParsePeriod(form, prestations)
		if errs != nil {
			if len(errs) == 0 || errs.Error() == "" {
				t.Fatal("empty field errors")
			}
			return
		}
		if req.To.Before(req.From) || req.To.Sub(req.From) >= 366 {
			t.Fatalf("accepted period %s–%s", req.From, req.To)
		}
		d := func(s string) calendar.Date { return mustDate(t, s) }
		led := NewLedger([]Reservation{{ID: 1, ChildID: 10, PrestationID: 1, Day: d("2026-12-10"), State: StateValidated}}, nil, nil)
		b := newBooker(led, nil, prestations...)
		ch, skips, err := b.Plan(req)
		if err != nil {
			t.Fatalf("plan: %v", err)
		}
		seen := map[[2]int64]bool{}
		skipped := map[[2]int64]bool{}
		for _, s := range skips {
			if s.Reason.String() == "" {
				t.Fatalf("skip without a reason: %+v", s)
			}
			if !s.Day.Before(req.From) && !s.Day.After(req.To) {
				continue
			}
			t.Fatalf("skip outside the period: %+v", s)
		}
		for _, l := range ch.Insert {
			k := [2]int64{l.PrestationID, int64(l.Day.Sub(calendar.Date{}))}
			if seen[k] || skipped[k] {
				t.Fatalf("line twice: %+v", l)
			}
			seen[k] = true
			if l.Action != ActionAdd || l.PriceCents <= 0 {
				t.Fatalf("bad line %+v", l)
			}
			if l.ForfaitFrom.IsZero() {
				if l.Day.Before(req.From) || l.Day.After(req.To) || !req.Weekdays[l.PrestationID].Has(l.Day.Weekday()) {
					t.Fatalf("day outside the request: %+v", l)
				}
				if ok, r := DayOpen(prestations[l.PrestationID-1], l.Day, b.Calendar); !ok {
					t.Fatalf("closed day added (%s): %+v", r, l)
				}
			} else if l.ForfaitUntil.Before(req.From) || l.ForfaitFrom.After(req.To) {
				t.Fatalf("forfait outside the period: %+v", l)
			}
			if l.PrestationID == 1 && l.Day == d("2026-12-10") {
				t.Fatal("already booked day added again")
			}
		}
		if got := Summarize(ch.Insert).TotalCents; got < 0 {
			t.Fatalf("negative total %d", got)
		}
	})
}

func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
