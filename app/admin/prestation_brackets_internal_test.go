package admin

import (
	"slices"
	"strings"
	"testing"

	"espacefamille/app/calendar"
)

func TestBracketRowsValidation(t *testing.T) {
	row := func(min, max, price string) BracketRow { return BracketRow{Min: min, Max: max, Price: price} }
	for _, tc := range []struct {
		name      string
		rows      []BracketRow
		want      []calendar.Bracket
		wantRow   int    // the row the first message is about
		wantInMsg string // part of the first message
	}{
		{"no grid at all: the single price applies", []BracketRow{{}, {}, {}}, nil, 0, ""},
		{"three brackets typed with their starts", []BracketRow{row("0", "500", "1,20"), row("501", "900", "2,00"), row("901", "", "3,00")},
			[]calendar.Bracket{{MaxQF: 500, Cents: 120}, {MaxQF: 900, Cents: 200}, {Cents: 300}}, 0, ""},
		{"starts left blank follow the row above", []BracketRow{row("", "500", "1,20"), row("", "", "3,00"), {}},
			[]calendar.Bracket{{MaxQF: 500, Cents: 120}, {Cents: 300}}, 0, ""},
		{"a blank row in the middle is ignored", []BracketRow{row("0", "500", "1,20"), {}, row("501", "", "3,00")},
			[]calendar.Bracket{{MaxQF: 500, Cents: 120}, {Cents: 300}}, 0, ""},
		{"a one-bracket grid asks for a second or none", []BracketRow{row("0", "", "3,00"), {}}, nil, 1, "au moins deux tranches"},
		{"the first bracket must start at QF 0", []BracketRow{row("100", "500", "1,20"), row("501", "", "3,00")}, nil, 1, "commence au QF 0"},
		{"a gap between two brackets is named", []BracketRow{row("0", "500", "1,20"), row("600", "", "3,00")}, nil, 2, "il manque les QF de 501 à 599"},
		{"an overlap is refused", []BracketRow{row("0", "500", "1,20"), row("450", "", "3,00")}, nil, 2, "chevauche la tranche 1"},
		{"decreasing maxima are refused", []BracketRow{row("0", "900", "1,20"), row("", "500", "2,00"), row("", "", "3,00")}, nil, 2, "les tranches vont en croissant"},
		{"the last bracket stays open-ended", []BracketRow{row("0", "500", "1,20"), row("501", "900", "3,00")}, nil, 2, "la dernière tranche reste ouverte"},
		{"a bracket before the last needs its maximum", []BracketRow{row("0", "", "1,20"), row("", "", "3,00")}, nil, 1, "indiquez le QF maximum"},
		{"a price is required", []BracketRow{row("0", "500", ""), row("501", "", "3,00")}, nil, 1, "indiquez le prix"},
		{"a price in words is refused", []BracketRow{row("0", "500", "gratuit"), row("501", "", "3,00")}, nil, 1, "« gratuit » n'est pas un montant"},
		{"a negative maximum is refused", []BracketRow{row("0", "-5", "1,00"), row("", "", "3,00")}, nil, 1, "n'est pas un nombre entier positif"},
		{"a maximum in words is refused", []BracketRow{row("0", "cinq cents", "1,00"), row("", "", "3,00")}, nil, 1, "« cinq cents »"},
		{"row numbers count the blank rows the secretary sees", []BracketRow{{}, row("0", "500", "1,20"), row("700", "", "3,00")}, nil, 3, "Tranche 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, problems := parseBracketRows(tc.rows)
			if tc.wantInMsg == "" {
				if len(problems) > 0 || !slices.Equal(got, tc.want) {
					t.Fatalf("parseBracketRows = %v, %v; want %v", got, problems, tc.want)
				}
				return
			}
			if len(problems) == 0 {
				t.Fatalf("parseBracketRows = %v, want a message about row %d", got, tc.wantRow)
			}
			if p := problems[0]; p.Row != tc.wantRow || !strings.Contains(p.Message, tc.wantInMsg) {
				t.Fatalf("first problem = %+v, want row %d with %q", p, tc.wantRow, tc.wantInMsg)
			}
			if got != nil {
				t.Fatalf("brackets %v returned with problems", got)
			}
		})
	}
}

func TestStoredBracketsShowAsRowsThatParseBack(t *testing.T) {
	stored := []calendar.Bracket{{MaxQF: 450, Cents: 95}, {MaxQF: 800, Cents: 180}, {MaxQF: 1200, Cents: 240}, {Cents: 310}}
	rows := bracketRowsOf(stored)
	want := []BracketRow{{"0", "450", "0,95"}, {"451", "800", "1,80"}, {"801", "1200", "2,40"}, {"1201", "", "3,10"}}
	if !slices.Equal(rows, want) {
		t.Fatalf("rows = %v, want %v", rows, want)
	}
	got, problems := parseBracketRows(rows)
	if len(problems) > 0 || !slices.Equal(got, stored) {
		t.Fatalf("parse back = %v, %v", got, problems)
	}
	if n := len(bracketRowsOf(nil)); n != minBracketRows {
		t.Fatalf("an empty grid shows %d rows, want %d", n, minBracketRows)
	}
}
