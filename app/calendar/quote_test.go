package calendar

import "testing"

func TestQuotePriceNamesTheBracketThePriceCameFrom(t *testing.T) {
	grid := PriceRule{Brackets: []Bracket{{MaxQF: 500, Cents: 150}, {MaxQF: 900, Cents: 255}, {Cents: 380}}}
	day := DateOf(2026, 12, 7)
	year := func(v int) *QF { return &QF{Value: v, ValidFrom: DateOf(2026, 9, 1), ValidUntil: DateOf(2027, 8, 31)} }
	for _, tc := range []struct {
		name    string
		rule    PriceRule
		qf      *QF
		want    Quote
		wantLbl string
	}{
		{"a flat price has no bracket", PriceRule{FlatCents: 255}, year(300), Quote{Cents: 255, Bracket: -1}, ""},
		{"QF 300 falls in the first bracket", grid, year(300), Quote{Cents: 150, Bracket: 0, ByQF: true}, "QF jusqu'à 500"},
		{"QF 500 is still the first bracket (bounds included)", grid, year(500), Quote{Cents: 150, Bracket: 0, ByQF: true}, "QF jusqu'à 500"},
		{"QF 650 is the middle bracket", grid, year(650), Quote{Cents: 255, Bracket: 1, ByQF: true}, "QF de 501 à 900"},
		{"QF 1200 is the last bracket, chosen by the QF", grid, year(1200), Quote{Cents: 380, Bracket: 2, ByQF: true}, "QF au-delà de 900, ou sans quotient familial à jour"},
		{"no QF pays the last bracket", grid, nil, Quote{Cents: 380, Bracket: 2}, "QF au-delà de 900, ou sans quotient familial à jour"},
		{"a QF that ended before the day pays the last bracket", grid, &QF{Value: 300, ValidUntil: DateOf(2026, 11, 30)}, Quote{Cents: 380, Bracket: 2}, "QF au-delà de 900, ou sans quotient familial à jour"},
		{"a grid of one bracket applies to everybody", PriceRule{Brackets: []Bracket{{Cents: 200}}}, nil, Quote{Cents: 200, Bracket: 0}, "Tous quotients familiaux"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := QuotePrice(tc.rule, tc.qf, day)
			if got != tc.want {
				t.Fatalf("QuotePrice = %+v, want %+v", got, tc.want)
			}
			if p := Price(tc.rule, tc.qf, day); p != got.Cents {
				t.Fatalf("Price = %d, QuotePrice = %d: two computations", p, got.Cents)
			}
			if l := tc.rule.BracketLabel(got.Bracket); l != tc.wantLbl {
				t.Fatalf("BracketLabel = %q, want %q", l, tc.wantLbl)
			}
		})
	}
}
