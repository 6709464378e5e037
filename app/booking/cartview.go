package booking

import (
	"strconv"

	"espacefamille/app/calendar"
)

// CartView is the cart "Mes réservations" as the page shows it: per child,
// the count per prestation ("3 REPAS CLASSIQUE ENFANT"), cancellations as
// negative counts, and the total in cents.
type CartView struct {
	Children   []ChildCart
	TotalCents int64
	Lines      int
}

// Empty reports whether the cart holds no line.
func (v CartView) Empty() bool { return v.Lines == 0 }

// Total is "7,65 €".
func (v CartView) Total() string { return calendar.FormatEuros(v.TotalCents) }

// Refund reports whether validating the cart gives money back (it only,
// or mostly, cancels): the page then says "Avoir" rather than a negative
// "Total à payer".
func (v CartView) Refund() bool { return v.TotalCents < 0 }

// RefundTotal is the avoir the cart gives, "2,55 €".
func (v CartView) RefundTotal() string { return calendar.FormatEuros(-v.TotalCents) }

// Brief is the cart in a few words for the compact bar: "3 prestations –
// 7,65 €", or "1 prestation – 2,55 € en votre faveur" when it gives money
// back.
func (v CartView) Brief() string {
	noun := " prestations – "
	if v.Lines == 1 {
		noun = " prestation – "
	}
	if v.Refund() {
		return strconv.Itoa(v.Lines) + noun + v.RefundTotal() + " en votre faveur"
	}
	return strconv.Itoa(v.Lines) + noun + v.Total()
}

// ChildCart is one child's part of the cart.
type ChildCart struct {
	ChildID int64
	Name    string
	Items   []CartItem
}

// CartItem is a count of one prestation for one child: positive for
// demandes en cours, negative for annulations en cours.
type CartItem struct {
	Count       int
	Prestation  string
	AmountCents int64
	Forfait     bool
	Days        []calendar.Date // the days (forfaits: periods' first days)
	Why         *PriceWhy       // "Pourquoi ce prix ?" (nil: not explained)
}

// Text is "3 REPAS CLASSIQUE ENFANT" or "-1 REPAS VEGETARIEN".
func (i CartItem) Text() string { return strconv.Itoa(i.Count) + " " + i.Prestation }

// Amount is the item's total, "7,65 €" (negative for cancellations).
func (i CartItem) Amount() string { return calendar.FormatEuros(i.AmountCents) }

// Summarize groups cart lines (ordered by child, as the store returns
// them) into the cart view. The total is the sum of every line's amount,
// in integer cents.
func Summarize(lines []CartLine) CartView {
	var v CartView
	type itemKey struct {
		child, prestation int64
		action            string
	}
	index := map[itemKey]int{}
	childIndex := map[int64]int{}
	for _, l := range lines {
		ci, ok := childIndex[l.ChildID]
		if !ok {
			ci = len(v.Children)
			childIndex[l.ChildID] = ci
			v.Children = append(v.Children, ChildCart{ChildID: l.ChildID, Name: l.ChildName})
		}
		k := itemKey{l.ChildID, l.PrestationID, l.Action}
		ii, ok := index[k]
		if !ok {
			ii = len(v.Children[ci].Items)
			index[k] = ii
			v.Children[ci].Items = append(v.Children[ci].Items, CartItem{Prestation: l.PrestationName, Forfait: !l.ForfaitFrom.IsZero()})
		}
		it := &v.Children[ci].Items[ii]
		if l.Action == ActionCancel {
			it.Count--
		} else {
			it.Count++
		}
		it.AmountCents += l.Amount()
		it.Days = append(it.Days, l.Day)
		v.TotalCents += l.Amount()
		v.Lines++
	}
	return v
}
