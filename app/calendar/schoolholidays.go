package calendar

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"
)

// Holiday is one school holiday of a zone: the days From (first day off) up to Until (the day classes resume, excluded).
type Holiday struct {
	Zone        string // "A", "B", "C" or "Corse"
	SchoolYear  string // "2025-2026"
	Description string // "Vacances de Noël"
	From        Date   // first day off
	Until       Date   // day classes resume: not a holiday (exclusive end)
	// Estimated is true when the resume day was unknown and Until was set by the
	// open-end rule: 1 September after the end of the school year (see openEnd).
	Estimated bool
}

// Contains reports whether d is a day off of h.
func (h Holiday) Contains(d Date) bool { return !d.Before(h.From) && d.Before(h.Until) }

// Days returns the number of days off of h.
func (h Holiday) Days() int { return h.Until.Sub(h.From) }

// Zones lists the school holiday zones of metropolitan France that BundledHolidays knows.
var Zones = []string{"A", "B", "C", "Corse"}

//go:embed vacances-scolaires.csv
var bundledCSV []byte

var bundled = sync.OnceValue(func() []Holiday {
	hs, err := ParseHolidaysCSV(bytes.NewReader(bundledCSV))
	if err != nil {
		panic("calendar: bundled vacances-scolaires.csv: " + err.Error()) // caught by the tests
	}
	return hs
})

// BundledHolidays returns the official school holidays bundled with the binary for a zone ("A", "B", "C", "Corse"), sorted by date.
func BundledHolidays(zone string) []Holiday {
	zone = NormalizeZone(zone)
	var out []Holiday
	for _, h := range bundled() {
		if h.Zone == zone {
			out = append(out, h)
		}
	}
	return out
}

// NormalizeZone maps "a", "Zone A", " zone c " to "A"/"C" and "corse" to "Corse"; other values are only trimmed.
func NormalizeZone(z string) string {
	z = strings.TrimSpace(z)
	l := strings.ToLower(z)
	l = strings.TrimSpace(strings.TrimPrefix(l, "zone"))
	switch l {
	case "a", "b", "c":
		return strings.ToUpper(l)
	case "corse":
		return "Corse"
	}
	return z
}

// RowError is a parse error of one line of an imported file, in French with the English gist.
type RowError struct {
	Line int    // 1-based line of the file
	Msg  string // French message
	En   string // English message
}

// Error returns "ligne N : message (line N: message)".
func (e *RowError) Error() string {
	return fmt.Sprintf("ligne %d : %s (line %d: %s)", e.Line, e.Msg, e.Line, e.En)
}

func rowErr(line int, fr, en string, args ...any) error {
	return &RowError{Line: line, Msg: fmt.Sprintf(fr, args...), En: fmt.Sprintf(en, args...)}
}

// readErr is a RowError for a reader's failure: the reader's own (English)
// text stays in En, out of the French message shown to staff.
func readErr(line int, fr, en string, err error) error {
	return &RowError{Line: line, Msg: fr, En: en + ": " + err.Error()}
}

// ErrNoHeader is returned by the importers when a file lacks the expected header row.
var ErrNoHeader = errors.New("en-tête manquant ou incomplet (missing or incomplete header)")

// ParseHolidaysCSV reads holidays in our own format: school_year,zone,description,first_day_off,resume_day[,source].
func ParseHolidaysCSV(r io.Reader) ([]Holiday, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoHeader, err)
	}
	col := headerIndex(header)
	need := []string{"school_year", "zone", "description", "first_day_off", "resume_day"}
	for _, n := range need {
		if _, ok := col[n]; !ok {
			return nil, fmt.Errorf("%w: colonne %q absente", ErrNoHeader, n)
		}
	}
	var out []Holiday
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line := csvLine(cr, err)
		if err != nil {
			return nil, readErr(line, "CSV illisible (guillemets ou séparateurs mal placés)", "unreadable CSV", err)
		}
		get := func(name string) string {
			if i := col[name]; i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		h, err := holidayRow(line, get("school_year"), get("zone"), get("description"), get("first_day_off"), get("resume_day"))
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	sortHolidays(out)
	return out, nil
}

// holidayRow validates the fields of one row of our CSV format.
func holidayRow(line int, year, zone, desc, from, until string) (Holiday, error) {
	h := Holiday{Zone: NormalizeZone(zone), Description: desc}
	if h.Zone == "" {
		return h, rowErr(line, "zone vide", "empty zone")
	}
	if desc == "" {
		return h, rowErr(line, "description vide", "empty description")
	}
	var err error
	if h.From, err = ParseISO(from); err != nil {
		return h, rowErr(line, "premier jour de vacances invalide « %s » (attendu AAAA-MM-JJ)", "invalid first_day_off %q (want YYYY-MM-DD)", from)
	}
	if year == "" {
		h.SchoolYear = SchoolYearOf(h.From)
	} else if !validSchoolYear(year) {
		return h, rowErr(line, "année scolaire invalide « %s » (attendu 2025-2026)", "invalid school_year %q (want 2025-2026)", year)
	} else {
		h.SchoolYear = year
	}
	if until == "" {
		h.SettleOpenEnd()
		return h, nil
	}
	if h.Until, err = ParseISO(until); err != nil {
		return h, rowErr(line, "jour de reprise invalide « %s » (attendu AAAA-MM-JJ)", "invalid resume_day %q (want YYYY-MM-DD)", until)
	}
	if !h.Until.After(h.From) {
		return h, rowErr(line, "le jour de reprise %s n'est pas après le premier jour de vacances %s", "resume_day %s is not after first_day_off %s", h.Until, h.From)
	}
	return h, nil
}

// headerIndex maps lower-cased, trimmed header names (BOM removed) to their column.
func headerIndex(header []string) map[string]int {
	m := make(map[string]int, len(header))
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := m[h]; !dup {
			m[h] = i
		}
	}
	return m
}

// validSchoolYear checks "YYYY-YYYY" with consecutive years.
func validSchoolYear(s string) bool {
	if len(s) != 9 || s[4] != '-' {
		return false
	}
	a, ok1 := atoiDigits(s[:4])
	b, ok2 := atoiDigits(s[5:])
	return ok1 && ok2 && b == a+1
}

// SchoolYearOf returns the school year ("2025-2026") a date belongs to, the year turning on 1 September.
func SchoolYearOf(d Date) string {
	y := d.Year()
	if d.Month() < time.September {
		y--
	}
	return fmt.Sprintf("%04d-%04d", y, y+1)
}

// SettleOpenEnd gives a holiday whose resume day is unknown (Until zero)
// the open-end rule's resume day (openEnd), marked Estimated, as the
// importers do; a holiday with a resume day is left as it is. Whoever reads
// stored holidays calls it, so that the rule lives here only.
func (h *Holiday) SettleOpenEnd() {
	if h.Until.IsZero() {
		h.Until, h.Estimated = openEnd(h.SchoolYear, h.From), true
	}
}

// openEnd is the rule for a holiday whose resume day is unknown (typically the
// summer of a school year whose rentrée is not published yet): it runs up to
// 31 August of the end year of its school year, so Until is 1 September.
// Rentrées have been on 1–4 September for decades; ending on 31 August never
// marks a school day as a holiday, and the few days in doubt are re-checked
// when the official calendar is imported.
func openEnd(schoolYear string, from Date) Date {
	if validSchoolYear(schoolYear) {
		end, _ := atoiDigits(schoolYear[5:])
		if u := DateOf(end, time.September, 1); u.After(from) {
			return u
		}
	}
	u := DateOf(from.Year(), time.September, 1)
	if !u.After(from) {
		u = DateOf(from.Year()+1, time.September, 1)
	}
	return u
}

// sortHolidays orders holidays by zone, then first day off.
func sortHolidays(hs []Holiday) {
	slices.SortStableFunc(hs, func(a, b Holiday) int {
		if c := strings.Compare(a.Zone, b.Zone); c != 0 {
			return c
		}
		if c := a.From.Compare(b.From); c != 0 {
			return c
		}
		return a.Until.Compare(b.Until)
	})
}

// mergeSegments merges, per zone and description, segments that overlap or touch
// (the official files cut one holiday into pieces shared by several zones), and
// lets a known end replace an estimated one.
func mergeSegments(hs []Holiday) []Holiday {
	slices.SortStableFunc(hs, func(a, b Holiday) int {
		if c := strings.Compare(a.Zone, b.Zone); c != 0 {
			return c
		}
		if c := strings.Compare(a.Description, b.Description); c != 0 {
			return c
		}
		return a.From.Compare(b.From)
	})
	out := hs[:0]
	for _, h := range hs {
		if n := len(out); n > 0 {
			last := &out[n-1]
			if last.Zone == h.Zone && last.Description == h.Description && !h.From.After(last.Until) {
				switch {
				case last.Estimated && !h.Estimated:
					last.Until, last.Estimated = h.Until, false
				case !h.Estimated && h.Until.After(last.Until):
					last.Until = h.Until
				}
				continue
			}
		}
		out = append(out, h)
	}
	sortHolidays(out)
	return out
}

// csvLine returns the line of the record just read, or of the error that stopped it.
func csvLine(cr *csv.Reader, err error) int {
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return pe.StartLine
		}
		return 0
	}
	line, _ := cr.FieldPos(0)
	return line
}
