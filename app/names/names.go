// Package names is the one validator of the names people type or import:
// staff members, families, guardians, children, parents' accounts,
// communes, régies and prestations. A name goes into page titles, email
// headers, invoices and spreadsheets: it holds on one line, without
// control or invisible characters, and has at least one letter.
//
// (Plural so that it does not shadow the many variables called name.)
package names

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Check returns v trimmed, with runs of spaces made one, and the French
// reason it is refused ("" when it is fine). An empty name is returned as
// "" without a reason: whether the field is required is the caller's
// rule. max is the longest name accepted, in characters.
func Check(v string, max int) (string, string) {
	v = Tidy(v)
	switch {
	case v == "":
		return "", ""
	case strings.IndexFunc(v, hidden) >= 0:
		return v, "Un nom tient sur une ligne, sans retour à la ligne, tabulation ni caractère invisible."
	case utf8.RuneCountInString(v) > max:
		return v, fmt.Sprintf("Ce nom est trop long (%d caractères au plus).", max)
	case strings.IndexFunc(v, unicode.IsLetter) < 0:
		return v, "Un nom comporte au moins une lettre."
	}
	return v, ""
}

// Tidy trims v and makes each run of spaces one space, leaving any other
// character for Check to judge.
func Tidy(v string) string {
	v = strings.TrimSpace(v)
	if !strings.Contains(v, "  ") && !strings.ContainsAny(v, "\u00a0") {
		return v
	}
	var b strings.Builder
	space := false
	for _, r := range v {
		if r == ' ' || r == '\u00a0' {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// hidden reports a character that has no place in a name: a control
// character (line break, tab), a format character (zero width, bidi
// override), a line or paragraph separator, a private-use or invalid one.
func hidden(r rune) bool {
	return r == utf8.RuneError || unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp, unicode.Co, unicode.Cs)
}
