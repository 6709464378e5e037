package booking

import (
	"strconv"

	"espacefamille/app/calendar"
)

// "Pourquoi ce prix ?" (issue 14): beside a cart line or an invoice line,
// the commune's grid for the prestation, the bracket applied and why,
// the majoration and the credit. It reads calendar.QuotePrice, the very
// function the cart prices with (Booker.add → calendar.Price), so the
// page cannot state a price other than the one applied; a price recorded
// earlier that the grid or the QF no longer gives is said so, never
// recomputed.

// GridRow is one row of the commune's grid for a prestation.
type GridRow struct {
	Label string // "QF de 501 à 900", or "Tarif unique"
	Price string // "2,55 €"
	Used  bool   // the row applied to this line
}

// PriceWhy explains one line's price.
type PriceWhy struct {
	Grid    []GridRow
	Applied string   // "QF 650 : tranche « QF de 501 à 900 », 2,55 € par jour."
	Notes   []string // majoration, cancellation, credit, a price recorded earlier
}

// ExplainPrice explains the price charged (cents, per unit) for one day
// (a forfait: its period's first day) of p for a family whose quotient
// familial is qf.
func ExplainPrice(p Prestation, qf *calendar.QF, day calendar.Date, charged int64) PriceWhy {
	q := calendar.QuotePrice(p.Price, qf, day)
	var w PriceWhy
	unit := " par jour."
	if p.IsForfait() {
		unit = " pour la période."
	}
	if q.Bracket < 0 {
		w.Grid = []GridRow{{Label: "Tarif unique", Price: calendar.FormatEuros(q.Cents), Used: true}}
		w.Applied = "Tarif unique de " + p.Name + " : " + calendar.FormatEuros(q.Cents) + unit
	} else {
		for i, b := range p.Price.Brackets {
			w.Grid = append(w.Grid, GridRow{Label: p.Price.BracketLabel(i), Price: calendar.FormatEuros(b.Cents), Used: i == q.Bracket})
		}
		band := "tranche « " + p.Price.BracketLabel(q.Bracket) + " », " + calendar.FormatEuros(q.Cents) + unit
		switch {
		case q.ByQF:
			w.Applied = "Votre quotient familial (" + strconv.Itoa(qf.Value) + ") : " + band
		case qf != nil:
			w.Applied = "Votre quotient familial n'est pas valable le " + day.FR() + " (à renouveler auprès de la mairie) : " + band
		default:
			w.Applied = "Aucun quotient familial n'est enregistré pour votre famille : " + band
		}
	}
	if charged != q.Cents {
		w.Notes = append(w.Notes, "Prix enregistré lors de la demande : "+calendar.FormatEuros(charged)+
			". Le tarif ou votre quotient familial a changé depuis : ce jour coûterait aujourd'hui "+calendar.FormatEuros(q.Cents)+".")
	}
	return w
}

// explainCart puts "Pourquoi ce prix ?" on each item of the cart view,
// from the lines it summarises (the first line of an item speaks for the
// item when its lines have one price; otherwise each price is named).
func explainCart(v *CartView, lines []CartLine, prestation func(id int64) (Prestation, bool), qf *calendar.QF, creditCents int64) {
	for ci := range v.Children {
		for ii := range v.Children[ci].Items {
			it := &v.Children[ci].Items[ii]
			var first *CartLine
			mixed := false
			for k := range lines {
				l := &lines[k]
				if l.ChildID != v.Children[ci].ChildID || l.PrestationName != it.Prestation || (l.Action == ActionCancel) != (it.Count < 0) {
					continue
				}
				if first == nil {
					first = l
				} else if l.PriceCents != first.PriceCents {
					mixed = true
				}
			}
			if first == nil {
				continue
			}
			p, ok := prestation(first.PrestationID)
			if !ok {
				continue
			}
			w := ExplainPrice(p, qf, first.Day, first.PriceCents)
			if mixed {
				w.Notes = append(w.Notes, "Les jours de cette ligne n'ont pas tous le même prix (quotient familial valable sur une partie des jours, ou tarif changé entre deux demandes).")
			}
			if first.Action == ActionCancel {
				w.Notes = append(w.Notes, "Annulation : le prix payé à la réservation vous est rendu ("+calendar.FormatEuros(first.PriceCents)+" par jour).")
			}
			if creditCents > 0 && first.Action != ActionCancel {
				w.Notes = append(w.Notes, "Votre avoir de "+calendar.FormatEuros(creditCents)+" sera déduit du total au paiement.")
			}
			it.Why = &w
		}
	}
}
