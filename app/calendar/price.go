package calendar

import (
	"errors"
	"fmt"
)

// Bracket is one quotient familial bracket: families with a QF up to MaxQF (inclusive) pay Cents.
type Bracket struct {
	MaxQF int   // inclusive upper bound; ignored on the last bracket, which has no limit
	Cents int64 // price in euro cents
}

// PriceRule is a prestation's price: flat, or by quotient familial brackets sorted by MaxQF.
type PriceRule struct {
	FlatCents int64     // used when there are no brackets
	Brackets  []Bracket // ascending MaxQF; the last one catches every higher QF
}

// QF is a family's quotient familial with its validity dates (both included; a zero date is unbounded).
type QF struct {
	Value      int
	ValidFrom  Date
	ValidUntil Date
}

// ValidOn reports whether the quotient familial applies on day.
func (q *QF) ValidOn(day Date) bool {
	if q == nil {
		return false
	}
	return (q.ValidFrom.IsZero() || !day.Before(q.ValidFrom)) && (q.ValidUntil.IsZero() || !day.After(q.ValidUntil))
}

// ErrInvalidPriceRule is wrapped by PriceRule.Validate errors.
var ErrInvalidPriceRule = errors.New("tarif invalide")

// Validate checks that prices are not negative and brackets ascend.
func (r PriceRule) Validate() error {
	if r.FlatCents < 0 {
		return fmt.Errorf("%w : prix négatif", ErrInvalidPriceRule)
	}
	for i, b := range r.Brackets {
		if b.Cents < 0 {
			return fmt.Errorf("%w : prix négatif dans la tranche %d", ErrInvalidPriceRule, i+1)
		}
		if i > 0 && i < len(r.Brackets)-1 && b.MaxQF <= r.Brackets[i-1].MaxQF {
			return fmt.Errorf("%w : les tranches de quotient familial doivent être croissantes (tranche %d)", ErrInvalidPriceRule, i+1)
		}
	}
	return nil
}

// Quote is how Price priced one day under a rule: the price and the part
// of the rule that gave it, for "Pourquoi ce prix ?" (issue 14), which
// must never compute a price of its own.
type Quote struct {
	Cents int64
	// Bracket is the index in the rule's Brackets of the bracket applied,
	// -1 for a flat price.
	Bracket int
	// ByQF reports that the family's QF chose the bracket; false with
	// brackets means the last bracket applied because the family has no QF
	// valid on the day.
	ByQF bool
}

// QuotePrice returns the price in cents of one day under rule for a family's quotient
// familial, with the bracket that gave it. Without brackets the flat price applies. A
// family with no QF, or whose QF is not valid on day (outside ValidFrom–ValidUntil),
// pays the highest bracket (the last one, i.e. the full price): a QF must be proved
// and up to date to lower the price.
func QuotePrice(rule PriceRule, qf *QF, day Date) Quote {
	n := len(rule.Brackets)
	if n == 0 {
		return Quote{Cents: rule.FlatCents, Bracket: -1}
	}
	if !qf.ValidOn(day) {
		return Quote{Cents: rule.Brackets[n-1].Cents, Bracket: n - 1}
	}
	for i, b := range rule.Brackets[:n-1] {
		if qf.Value <= b.MaxQF {
			return Quote{Cents: b.Cents, Bracket: i, ByQF: true}
		}
	}
	return Quote{Cents: rule.Brackets[n-1].Cents, Bracket: n - 1, ByQF: true}
}

// Price returns the price in cents of one day under rule for a family's quotient
// familial: QuotePrice's price.
func Price(rule PriceRule, qf *QF, day Date) int64 { return QuotePrice(rule, qf, day).Cents }

// BracketLabel names bracket i of the rule for families: "QF jusqu'à 500",
// "QF de 501 à 900", "QF au-delà de 900" (the last one, also the price
// without a QF).
func (r PriceRule) BracketLabel(i int) string {
	n := len(r.Brackets)
	switch {
	case i < 0 || i >= n:
		return ""
	case n == 1:
		return "Tous quotients familiaux"
	case i == n-1:
		return fmt.Sprintf("QF au-delà de %d, ou sans quotient familial à jour", r.Brackets[n-2].MaxQF)
	case i == 0:
		return fmt.Sprintf("QF jusqu'à %d", r.Brackets[0].MaxQF)
	}
	return fmt.Sprintf("QF de %d à %d", r.Brackets[i-1].MaxQF+1, r.Brackets[i].MaxQF)
}
