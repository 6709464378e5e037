package accounts

import (
	"time"
)

// Password length bounds, in characters. No other composition rule: length
// is what makes a password strong (ANSSI, NIST SP 800-63B).
const (
	MinPasswordLen = 12
	MaxPasswordLen = 128
)

// timeLayout is the fixed-width UTC format of every time this package
// stores, so that times compare correctly as text in SQL.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func ts(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTS(s string) time.Time {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}
	}
	return t
}
