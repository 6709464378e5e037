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

// Price returns the price in cents of one day under rule for a family's quotient familial.
// Without brackets the flat price applies. A family with no QF, or whose QF is not valid
// on day (outside ValidFrom–ValidUntil), pays the highest bracket (the last one, i.e. the
// full price): a QF must be proved and up to date to lower the price.
func Price(rule PriceRule, qf *QF, day Date) int64 {
	n := len(rule.Brackets)
	if n == 0 {
		return rule.FlatCents
	}
	if !qf.ValidOn(day) {
		return rule.Brackets[n-1].Cents
	}
	for _, b := range rule.Brackets[:n-1] {
		if qf.Value <= b.MaxQF {
			return b.Cents
		}
	}
	return rule.Brackets[n-1].Cents
}
