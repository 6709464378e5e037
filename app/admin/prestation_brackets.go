package admin

import (
	"fmt"
	"strconv"
	"strings"

	"espacefamille/app/calendar"
)

// BracketRow is one quotient familial bracket of the prestation form as
// typed: from QF Min to QF Max (empty on the last, open-ended bracket), at
// Price euros.
type BracketRow struct{ Min, Max, Price string }

// maxBracketRows bounds the rows a form may carry.
const maxBracketRows = 20

// minBracketRows is how many rows the form shows at least, empty ones
// included, so that a grid of three brackets needs no extra step.
const minBracketRows = 3

// empty reports a row left blank: its "from" alone does not count, the
// form fills it from the row above.
func (r BracketRow) empty() bool {
	return strings.TrimSpace(r.Max) == "" && strings.TrimSpace(r.Price) == ""
}

// bracketProblem is one French message about the grid; Row is the
// 1-based row it is about (0: the grid as a whole).
type bracketProblem struct {
	Row     int
	Message string
}

// parseBracketRows checks the typed grid and returns its brackets (nil for
// none: the single price applies). Empty rows are ignored. A grid starts at
// QF 0, each bracket starts right after the previous one ends (no gap, no
// overlap), ends above where it starts, and the last one has no maximum.
func parseBracketRows(rows []BracketRow) ([]calendar.Bracket, []bracketProblem) {
	var kept []BracketRow
	var numbers []int // the row number each kept row was typed on
	for i, r := range rows {
		if !r.empty() {
			kept = append(kept, r)
			numbers = append(numbers, i+1)
		}
	}
	if len(kept) == 0 {
		return nil, nil
	}
	var problems []bracketProblem
	fail := func(i int, format string, args ...any) {
		problems = append(problems, bracketProblem{Row: numbers[i], Message: fmt.Sprintf("Tranche %d : ", numbers[i]) + fmt.Sprintf(format, args...)})
	}
	if len(kept) == 1 {
		return nil, []bracketProblem{{Row: numbers[0], Message: "Une grille de quotient familial a au moins deux tranches : ajoutez-en une, ou videz la tranche pour un prix unique."}}
	}
	out := make([]calendar.Bracket, len(kept))
	prevMax := -1
	for i, r := range kept {
		last := i == len(kept)-1
		cents, err := calendar.ParseEuros(strings.TrimSpace(r.Price))
		if strings.TrimSpace(r.Price) == "" {
			fail(i, "indiquez le prix, par exemple 1,20.")
		} else if err != nil || cents < 0 {
			fail(i, "le prix « %s » n'est pas un montant en euros (par exemple 1,20).", strings.TrimSpace(r.Price))
		}
		out[i].Cents = cents
		min := prevMax + 1
		if s := strings.TrimSpace(r.Min); s != "" {
			n, err := strconv.Atoi(s)
			switch {
			case err != nil || n < 0:
				fail(i, "le QF de début « %s » n'est pas un nombre entier positif.", s)
			case i == 0 && n != 0:
				fail(i, "la première tranche commence au QF 0, pour qu'aucune famille ne reste sans prix.")
			case i > 0 && prevMax >= 0 && n > prevMax+1:
				fail(i, "il manque les QF de %d à %d entre la tranche %d et celle-ci : commencez-la à %d.", prevMax+1, n-1, numbers[i-1], prevMax+1)
			case i > 0 && prevMax >= 0 && n <= prevMax:
				fail(i, "elle chevauche la tranche %d, qui va jusqu'au QF %d : commencez-la à %d.", numbers[i-1], prevMax, prevMax+1)
			default:
				min = n
			}
		}
		maxText := strings.TrimSpace(r.Max)
		if last {
			if maxText != "" {
				fail(i, "la dernière tranche reste ouverte (« et au-delà ») : laissez son QF maximum vide, ou ajoutez une tranche après elle.")
			}
			continue
		}
		if maxText == "" {
			fail(i, "indiquez le QF maximum ; seule la dernière tranche reste ouverte.")
			prevMax = -1
			continue
		}
		n, err := strconv.Atoi(maxText)
		switch {
		case err != nil || n < 0:
			fail(i, "le QF maximum « %s » n'est pas un nombre entier positif.", maxText)
			prevMax = -1
			continue
		case n < min:
			fail(i, "le QF maximum (%d) doit être au moins égal au QF de début (%d) : les tranches vont en croissant.", n, min)
		}
		out[i].MaxQF = n
		prevMax = n
	}
	if len(problems) > 0 {
		return nil, problems
	}
	if err := (calendar.PriceRule{Brackets: out}).Validate(); err != nil {
		return nil, []bracketProblem{{Message: err.Error()}}
	}
	return out, nil
}

// bracketRowsOf shows stored brackets as rows, each starting right after
// the previous one.
func bracketRowsOf(bs []calendar.Bracket) []BracketRow {
	rows := make([]BracketRow, len(bs))
	min := 0
	for i, b := range bs {
		rows[i] = BracketRow{Min: strconv.Itoa(min), Price: eurosField(b.Cents)}
		if i < len(bs)-1 {
			rows[i].Max = strconv.Itoa(b.MaxQF)
			min = b.MaxQF + 1
		}
	}
	return padBracketRows(rows)
}

// padBracketRows adds empty rows up to minBracketRows and fills the
// empty "from" of a row that follows a typed maximum.
func padBracketRows(rows []BracketRow) []BracketRow {
	for len(rows) < minBracketRows {
		rows = append(rows, BracketRow{})
	}
	for i := range rows {
		switch {
		case strings.TrimSpace(rows[i].Min) != "":
		case i == 0:
			rows[i].Min = "0"
		default:
			if n, err := strconv.Atoi(strings.TrimSpace(rows[i-1].Max)); err == nil {
				rows[i].Min = strconv.Itoa(n + 1)
			}
		}
	}
	return rows
}

// BracketField is one row of the grid as the form shows it.
type BracketField struct {
	Index  int // the inputs' suffix, 0-based
	Number int // "Tranche N"
	Row    BracketRow
	Error  string
}

// BracketFields are the grid's rows with their messages.
func (d prestationFormData) BracketFields() []BracketField {
	out := make([]BracketField, len(d.Form.Brackets))
	for i, r := range d.Form.Brackets {
		out[i] = BracketField{Index: i, Number: i + 1, Row: r, Error: d.Errors[fmt.Sprintf("bracket_%d", i+1)]}
	}
	return out
}

// CanAddBracket: the grid may grow by one row.
func (d prestationFormData) CanAddBracket() bool { return len(d.Form.Brackets) < maxBracketRows }

// eurosField is an amount as a form field shows it: "2,55", no sign.
func eurosField(cents int64) string {
	return strings.TrimRightFunc(strings.TrimSuffix(calendar.FormatEuros(cents), "€"), func(r rune) bool {
		return r == ' ' || r == '\u00a0' || r == '\u202f'
	})
}
