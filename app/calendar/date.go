// Package calendar holds the booking calendar rules of Espace Famille: civil
// dates, public and school holidays, a commune's open days, booking deadlines,
// forfait periods, period expansion and prices. Everything here is pure: no
// database, no HTTP, no clock (callers pass "now").
package calendar

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // Europe/Paris must resolve on machines without zoneinfo.
)

// parisLoc loads Europe/Paris once; the embedded tzdata is the fallback.
var parisLoc = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		// Unreachable with time/tzdata linked in; fail loudly rather than
		// compute deadlines in the wrong zone.
		panic("calendar: cannot load Europe/Paris: " + err.Error())
	}
	return loc
})

// Paris returns the Europe/Paris location in which every deadline is computed.
func Paris() *time.Location { return parisLoc() }

// Date is a civil date (year, month, day) without time zone; the zero Date means "no date".
type Date struct {
	n int32 // days since 0001-01-01, plus one, so that the zero value is "no date"
}

// epochShift converts days since 1970-01-01 into Date.n.
const epochShift = 719162 + 1

// ErrInvalidDate is returned by the date parsers for a malformed or impossible date.
var ErrInvalidDate = errors.New("date invalide")

// daysFromCivil returns the days since 1970-01-01 (H. Hinnant's algorithm).
func daysFromCivil(y int, m time.Month, d int) int {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := (int(m) + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(z int) (int, time.Month, int) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return y, time.Month(m), d
}

// DateOf returns the date y-m-d, normalising out-of-range values like time.Date (31 April is 1 May).
func DateOf(y int, m time.Month, d int) Date {
	// Normalise the month first, then let the day count overflow naturally.
	y += (int(m) - 1) / 12
	mm := (int(m) - 1) % 12
	if mm < 0 {
		mm += 12
		y--
	}
	return Date{n: int32(daysFromCivil(y, time.Month(mm+1), 1) + d - 1 + epochShift)}
}

// NewDate returns the date y-m-d, or ErrInvalidDate when it does not exist (31/02) or the year is outside 1..9999.
func NewDate(y int, m time.Month, d int) (Date, error) {
	if y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return Date{}, ErrInvalidDate
	}
	return DateOf(y, m, d), nil
}

// daysIn returns the number of days of month m of year y.
func daysIn(y int, m time.Month) int {
	switch m {
	case time.April, time.June, time.September, time.November:
		return 30
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	}
	return 31
}

// DateFromTime returns the civil date of t in t's own location.
func DateFromTime(t time.Time) Date {
	y, m, d := t.Date()
	return DateOf(y, m, d)
}

// Today returns the civil date of now in Europe/Paris.
func Today(now time.Time) Date { return DateFromTime(now.In(Paris())) }

// ParseISO parses "2026-11-27" strictly (four-digit year, two-digit month and day).
func ParseISO(s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, ErrInvalidDate
	}
	y, ok1 := atoiDigits(s[0:4])
	m, ok2 := atoiDigits(s[5:7])
	d, ok3 := atoiDigits(s[8:10])
	if !ok1 || !ok2 || !ok3 {
		return Date{}, ErrInvalidDate
	}
	return NewDate(y, time.Month(m), d)
}

// ParseFR parses "27/11/2026" (JJ/MM/AAAA), tolerating a one-digit day or month and surrounding spaces.
func ParseFR(s string) (Date, error) {
	parts := strings.Split(strings.TrimSpace(s), "/")
	if len(parts) != 3 || len(parts[0]) < 1 || len(parts[0]) > 2 ||
		len(parts[1]) < 1 || len(parts[1]) > 2 || len(parts[2]) != 4 {
		return Date{}, ErrInvalidDate
	}
	d, ok1 := atoiDigits(parts[0])
	m, ok2 := atoiDigits(parts[1])
	y, ok3 := atoiDigits(parts[2])
	if !ok1 || !ok2 || !ok3 {
		return Date{}, ErrInvalidDate
	}
	return NewDate(y, time.Month(m), d)
}

// ParseDate accepts either the French form (JJ/MM/AAAA, typed) or ISO (AAAA-MM-JJ, sent by date pickers).
func ParseDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "-") {
		return ParseISO(s)
	}
	return ParseFR(s)
}

// atoiDigits parses a short string made only of ASCII digits.
func atoiDigits(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// IsZero reports whether d is the zero Date ("no date").
func (d Date) IsZero() bool { return d.n == 0 }

// Civil returns the year, month and day of d.
func (d Date) Civil() (int, time.Month, int) { return civilFromDays(int(d.n) - epochShift) }

// Year returns the year of d.
func (d Date) Year() int { y, _, _ := d.Civil(); return y }

// Month returns the month of d.
func (d Date) Month() time.Month { _, m, _ := d.Civil(); return m }

// Day returns the day of the month of d.
func (d Date) Day() int { _, _, dd := d.Civil(); return dd }

// String returns d as ISO "2026-11-27" (empty for the zero Date).
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	y, m, dd := d.Civil()
	return fmt.Sprintf("%04d-%02d-%02d", y, int(m), dd)
}

// FR returns d as "27/11/2026" (empty for the zero Date).
func (d Date) FR() string {
	if d.IsZero() {
		return ""
	}
	y, m, dd := d.Civil()
	return fmt.Sprintf("%02d/%02d/%04d", dd, int(m), y)
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	w := (int(d.n) - epochShift + 4) % 7 // 1970-01-01 was a Thursday
	if w < 0 {
		w += 7
	}
	return time.Weekday(w)
}

// IsWeekend reports whether d is a Saturday or a Sunday.
func (d Date) IsWeekend() bool {
	w := d.Weekday()
	return w == time.Saturday || w == time.Sunday
}

// Monday returns the Monday of d's ISO week.
func (d Date) Monday() Date { return d.AddDays(-((int(d.Weekday()) + 6) % 7)) }

// AddDays returns d moved by n days (n may be negative).
func (d Date) AddDays(n int) Date { return Date{n: d.n + int32(n)} }

// AddMonths returns d moved by n months, clamping the day to the end of the month (31/01 + 1 = 28/02).
func (d Date) AddMonths(n int) Date {
	y, m, dd := d.Civil()
	first := DateOf(y, m+time.Month(n), 1)
	fy, fm, _ := first.Civil()
	return DateOf(fy, fm, min(dd, daysIn(fy, fm)))
}

// Sub returns the number of days from e to d (d - e).
func (d Date) Sub(e Date) int { return int(d.n - e.n) }

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.n < e.n }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.n > e.n }

// Equal reports whether d and e are the same day.
func (d Date) Equal(e Date) bool { return d.n == e.n }

// Compare returns -1, 0 or +1 as d is before, equal to or after e (for slices.SortFunc).
func (d Date) Compare(e Date) int {
	switch {
	case d.n < e.n:
		return -1
	case d.n > e.n:
		return 1
	}
	return 0
}

// YearDay returns the day of the year of d, 1 to 366.
func (d Date) YearDay() int { return d.Sub(DateOf(d.Year(), time.January, 1)) + 1 }

// ISOWeek returns the ISO 8601 year and week number of d ("Semaine 48").
func (d Date) ISOWeek() (year, week int) {
	thursday := d.Monday().AddDays(3) // the week belongs to the year of its Thursday
	return thursday.Year(), (thursday.YearDay()-1)/7 + 1
}

// At returns the instant of the wall-clock time hh:mm on d in Europe/Paris, normalised by time.Date across DST changes.
func (d Date) At(hour, minute int) time.Time {
	y, m, dd := d.Civil()
	return time.Date(y, m, dd, hour, minute, 0, 0, Paris())
}

// Scan implements sql.Scanner for a TEXT "YYYY-MM-DD" column (NULL gives the zero Date).
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
		return nil
	case time.Time:
		*d = DateFromTime(v)
		return nil
	case []byte:
		return d.scanString(string(v))
	case string:
		return d.scanString(v)
	}
	return fmt.Errorf("calendar: cannot scan %T into Date", src)
}

// scanString accepts "YYYY-MM-DD", optionally followed by a time part some drivers append.
func (d *Date) scanString(s string) error {
	if s == "" {
		*d = Date{}
		return nil
	}
	if len(s) > 10 && (s[10] == 'T' || s[10] == ' ') {
		s = s[:10]
	}
	v, err := ParseISO(s)
	if err != nil {
		return fmt.Errorf("calendar: scan date %q: %w", s, err)
	}
	*d = v
	return nil
}

// Value implements driver.Valuer: "YYYY-MM-DD", or NULL for the zero Date.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// MarshalText implements encoding.TextMarshaler as ISO "YYYY-MM-DD".
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler, accepting ISO or JJ/MM/AAAA (empty gives the zero Date).
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
