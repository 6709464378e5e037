package booking_test

import (
	"strings"
	"testing"

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
)

func TestExplainPriceStatesThePriceTheCartApplies(t *testing.T) {
	grid := calendar.PriceRule{Brackets: []calendar.Bracket{{MaxQF: 500, Cents: 150}, {MaxQF: 900, Cents: 255}, {Cents: 380}}}
	meal := booking.Prestation{Name: "REPAS", Kind: booking.KindDaily, Price: grid}
	day := calendar.DateOf(2026, 12, 7)
	qf := &calendar.QF{Value: 650, ValidFrom: calendar.DateOf(2026, 9, 1), ValidUntil: calendar.DateOf(2027, 8, 31)}
	for _, tc := range []struct {
		name     string
		p        booking.Prestation
		qf       *calendar.QF
		charged  int64
		applied  string
		used     string // the grid row marked as the family's
		wantNote string
	}{
		{"QF 650 pays the middle bracket", meal, qf, 255, "Votre quotient familial (650) : tranche « QF de 501 à 900 »", "QF de 501 à 900", ""},
		{"no QF pays the last bracket, and is told why", meal, nil, 380, "Aucun quotient familial n'est enregistré", "QF au-delà de 900, ou sans quotient familial à jour", ""},
		{"an expired QF is told to be renewed", meal, &calendar.QF{Value: 300, ValidUntil: calendar.DateOf(2026, 8, 31)}, 380,
			"n'est pas valable le 07/12/2026 (à renouveler auprès de la mairie)", "QF au-delà de 900, ou sans quotient familial à jour", ""},
		{"a flat price is one row", booking.Prestation{Name: "GOUTER", Price: calendar.PriceRule{FlatCents: 90}}, qf, 90, "Tarif unique de GOUTER", "Tarif unique", ""},
		{"a forfait is priced for its period", booking.Prestation{Name: "GARDERIE", Kind: booking.KindForfait, ForfaitKind: calendar.ForfaitMonth, Price: calendar.PriceRule{FlatCents: 2500}}, nil, 2500, "pour la période.", "Tarif unique", ""},
		{"a price recorded before the grid changed is said so, not recomputed", meal, qf, 240, "tranche « QF de 501 à 900 »", "QF de 501 à 900", "Prix enregistré lors de la demande : 2,40"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := booking.ExplainPrice(tc.p, tc.qf, day, tc.charged)
			if !strings.Contains(w.Applied, tc.applied) {
				t.Fatalf("Applied = %q, want %q", w.Applied, tc.applied)
			}
			used := 0
			for _, r := range w.Grid {
				if r.Used {
					used++
					if r.Label != tc.used {
						t.Fatalf("row used %q, want %q", r.Label, tc.used)
					}
				}
			}
			if used != 1 {
				t.Fatalf("%d rows used in %+v", used, w.Grid)
			}
			notes := strings.Join(w.Notes, " ")
			if (tc.wantNote == "") != (notes == "") || !strings.Contains(notes, tc.wantNote) {
				t.Fatalf("Notes = %q, want %q", notes, tc.wantNote)
			}
		})
	}
}
