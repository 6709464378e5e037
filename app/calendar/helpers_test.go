package calendar

import (
	"testing"
	"time"
)

// day parses an ISO date for test tables, panicking on a typo.
func day(s string) Date {
	d, err := ParseISO(s)
	if err != nil {
		panic("bad test date " + s)
	}
	return d
}

// paris returns a Paris wall-clock instant for test tables.
func paris(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, Paris())
}

func mustUTC(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
