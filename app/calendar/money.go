package calendar

import (
	"errors"
	"math"
	"strings"
)

// Money is int64 euro cents everywhere; these helpers convert to and from French text.

// NarrowNBSP is the thousands separator of French amounts (U+202F).
const NarrowNBSP = "\u202f"

// NBSP is the no-break space between an amount and "€" (U+00A0), so the sign never wraps alone.
const NBSP = "\u00a0"

// FormatEuros formats cents the French way: "15,30 €", "1 234,56 €" (narrow no-break space), "-2,55 €".
func FormatEuros(cents int64) string {
	var mag uint64
	neg := cents < 0
	if neg {
		mag = uint64(-(cents + 1)) + 1 // safe for math.MinInt64
	} else {
		mag = uint64(cents)
	}
	euros, rest := mag/100, mag%100
	digits := uitoa(euros)
	var b strings.Builder
	b.Grow(len(digits)*2 + 12)
	if neg {
		b.WriteByte('-')
	}
	for i := 0; i < len(digits); i++ {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(NarrowNBSP)
		}
		b.WriteByte(digits[i])
	}
	b.WriteByte(',')
	b.WriteByte(byte('0' + rest/10))
	b.WriteByte(byte('0' + rest%10))
	b.WriteString(NBSP + "€")
	return b.String()
}

func uitoa(v uint64) string {
	var buf [20]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			return string(buf[i:])
		}
	}
}

// Errors of ParseEuros, in French for the forms.
var (
	ErrAmountEmpty     = errors.New("Montant vide")
	ErrAmountInvalid   = errors.New("Montant invalide (exemple : 2,55)")
	ErrAmountDecimals  = errors.New("Montant invalide : deux décimales au plus")
	ErrAmountNegative  = errors.New("Montant négatif non autorisé")
	ErrAmountTooLarge  = errors.New("Montant trop élevé")
	errAmountSeparator = ErrAmountInvalid
)

// ParseEuros reads a non-negative amount such as "2,55", "2.55", "2", "2,5", "1 234,56 €" into cents.
func ParseEuros(s string) (int64, error) { return parseEuros(s, false) }

// ParseSignedEuros is ParseEuros that also accepts a leading minus sign (credits, refunds).
func ParseSignedEuros(s string) (int64, error) { return parseEuros(s, true) }

// isSpace covers the spaces a French amount may contain.
func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\u00a0' || r == '\u202f' }

func parseEuros(s string, allowNeg bool) (int64, error) {
	s = strings.TrimFunc(s, isSpace)
	s = strings.TrimFunc(strings.TrimSuffix(s, "€"), isSpace)
	if s == "" {
		return 0, ErrAmountEmpty
	}
	neg := false
	if r, ok := strings.CutPrefix(s, "-"); ok {
		if !allowNeg {
			return 0, ErrAmountNegative
		}
		neg, s = true, r
	}
	intPart, frac, hasSep := strings.Cut(s, ",")
	if !hasSep {
		intPart, frac, hasSep = strings.Cut(s, ".")
	}
	if hasSep && (frac == "" || strings.ContainsAny(frac, ",.")) {
		return 0, errAmountSeparator
	}
	euros, err := parseGroupedDigits(intPart)
	if err != nil {
		return 0, err
	}
	var cents int64
	if hasSep {
		if len(frac) > 2 {
			if _, ok := atoiDigits(frac); ok {
				return 0, ErrAmountDecimals
			}
			return 0, ErrAmountInvalid
		}
		c, ok := atoiDigits(frac)
		if !ok {
			return 0, ErrAmountInvalid
		}
		if len(frac) == 1 {
			c *= 10
		}
		cents = int64(c)
	}
	if euros > (math.MaxInt64-cents)/100 {
		return 0, ErrAmountTooLarge
	}
	v := euros*100 + cents
	if neg {
		v = -v
	}
	return v, nil
}

// parseGroupedDigits reads "1234" or "1 234 567" (groups of three after the first).
func parseGroupedDigits(s string) (int64, error) {
	if s == "" {
		return 0, ErrAmountInvalid
	}
	groups := strings.FieldsFunc(s, isSpace)
	if len(groups) == 0 {
		return 0, ErrAmountInvalid
	}
	var v int64
	for i, g := range groups {
		if i > 0 && len(g) != 3 {
			return 0, ErrAmountInvalid
		}
		for j := 0; j < len(g); j++ {
			c := g[j]
			if c < '0' || c > '9' {
				return 0, ErrAmountInvalid
			}
			if v > (math.MaxInt64-int64(c-'0'))/10 {
				return 0, ErrAmountTooLarge
			}
			v = v*10 + int64(c-'0')
		}
	}
	return v, nil
}
