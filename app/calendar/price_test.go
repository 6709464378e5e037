package calendar

import "testing"

func TestPrice(t *testing.T) {
	byQF := PriceRule{Brackets: []Bracket{{MaxQF: 500, Cents: 120}, {MaxQF: 900, Cents: 255}, {MaxQF: 1200, Cents: 380}, {Cents: 450}}}
	flat := PriceRule{FlatCents: 255}
	year := &QF{Value: 700, ValidFrom: day("2026-01-01"), ValidUntil: day("2026-12-31")}
	tests := []struct {
		name string
		rule PriceRule
		qf   *QF
		day  string
		want int64
	}{
		{"flat price ignores the QF", flat, year, "2026-11-27", 255},
		{"flat price without a QF", flat, nil, "2026-11-27", 255},
		{"QF 700 in the second bracket", byQF, year, "2026-11-27", 255},
		{"QF equal to a bracket ceiling stays in it", byQF, &QF{Value: 500}, "2026-11-27", 120},
		{"QF one above a ceiling moves up", byQF, &QF{Value: 501}, "2026-11-27", 255},
		{"QF above every ceiling takes the last bracket", byQF, &QF{Value: 5000}, "2026-11-27", 450},
		{"QF zero takes the first bracket", byQF, &QF{Value: 0}, "2026-11-27", 120},
		{"no QF takes the highest bracket", byQF, nil, "2026-11-27", 450},
		{"QF not yet valid takes the highest bracket", byQF, year, "2025-12-31", 450},
		{"QF expired takes the highest bracket", byQF, year, "2027-01-01", 450},
		{"QF valid on its first day", byQF, year, "2026-01-01", 255},
		{"QF valid on its last day", byQF, year, "2026-12-31", 255},
		{"QF without end date stays valid", byQF, &QF{Value: 300, ValidFrom: day("2026-01-01")}, "2030-01-01", 120},
		{"single bracket is a flat price for everyone", PriceRule{Brackets: []Bracket{{MaxQF: 100, Cents: 99}}}, &QF{Value: 5000}, "2026-11-27", 99},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Price(tt.rule, tt.qf, day(tt.day)); got != tt.want {
				t.Fatalf("Price = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestPriceRuleValidate(t *testing.T) {
	tests := []struct {
		name    string
		rule    PriceRule
		wantErr bool
	}{
		{"flat", PriceRule{FlatCents: 100}, false},
		{"ascending brackets, open last", PriceRule{Brackets: []Bracket{{500, 1}, {900, 2}, {0, 3}}}, false},
		{"negative flat", PriceRule{FlatCents: -1}, true},
		{"negative bracket", PriceRule{Brackets: []Bracket{{500, -1}, {0, 3}}}, true},
		{"descending brackets", PriceRule{Brackets: []Bracket{{900, 1}, {500, 2}, {0, 3}}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.rule.Validate(); (err != nil) != tt.wantErr {
				t.Fatalf("Validate = %v", err)
			}
		})
	}
}
