package booking

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"espacefamille/app/calendar"
)

// The texts that tell a parent which rule applies to a prestation and why
// a cell cannot be booked (issue 13). They read the same values the
// checks do (CanBook, CanCancel, Key, DayOpen, Audience, Full), so that
// the page never states a rule other than the one applied.

// deadlineAnchor names the day p's deadlines count back from, as
// calendar.Deadline.PhraseBefore wants it: "" for the booked day itself,
// or the first day of the forfait period (the key CanBook and CanCancel
// are given, see Key).
func deadlineAnchor(p Prestation) string {
	if p.IsForfait() {
		return p.ForfaitKind.Start()
	}
	return ""
}

// BookingRule is p's booking rule for parents: "Réservation jusqu'à 2
// jours ouvrés avant, 10h00", or for a monthly forfait "Réservation du
// forfait jusqu'à 7 jours avant le 1er du mois, 12h00".
func (p Prestation) BookingRule() string {
	if p.IsForfait() {
		return "Réservation du forfait " + p.Booking.PhraseBefore(deadlineAnchor(p))
	}
	return "Réservation " + p.Booking.Phrase()
}

// CancelRule is p's cancellation rule, lower case to follow BookingRule:
// "annulation jusqu'à la veille du 1er du mois, 18h00".
func (p Prestation) CancelRule() string {
	return "annulation " + p.Cancel.PhraseBefore(deadlineAnchor(p))
}

// RuleText is the line of the agenda's rules: "GARDERIE MATIN ET SOIR :
// Réservation du forfait jusqu'à 7 jours avant le 1er du mois, 12h00 ;
// annulation jusqu'à 7 jours avant le 1er du mois, 12h00."
func (p Prestation) RuleText() string {
	return p.Name + " : " + p.BookingRule() + " ; " + p.CancelRule() + "."
}

// instantFR is "mardi 24/11/2026 à 12h00" (Europe/Paris).
func instantFR(t time.Time) string {
	t = t.In(calendar.Paris())
	return calendar.WeekdayNamesFR[t.Weekday()] + " " + calendar.Today(t).FR() + fmt.Sprintf(" à %02dh%02d", t.Hour(), t.Minute())
}

// dayFR is "jeudi 26/11/2026".
func dayFR(d calendar.Date) string { return calendar.WeekdayNamesFR[d.Weekday()] + " " + d.FR() }

// Explain says, in one or two French sentences, why cell (of prestation
// p, decided by CellFor under cal) cannot be booked, with the rule that
// applies and, for a deadline, the instant it passed; for a validated
// booking past its cancellation deadline, why it can no longer be
// cancelled. It is "" for a cell a click acts on.
func Explain(p Prestation, cell Cell, cal *calendar.Calendar) string {
	if cell.State == CellValidated && !cell.Clickable {
		return fmt.Sprintf("Demande validée : l'annulation était possible jusqu'au %s. Règle : %s.",
			instantFR(p.Cancel.Cutoff(cell.Key, cal)), p.CancelRule())
	}
	if cell.State != CellClosed {
		return ""
	}
	r := cell.Reason
	with := func(label string) string { // "Fermeture (Grève)"
		if r.Detail == "" {
			return label
		}
		return label + " (" + r.Detail + ")"
	}
	switch r.Code {
	case ReasonDeadline:
		return explainDeadline(p, cell, cal)
	case ReasonClosure:
		return with("Fermeture") + " : " + p.Name + " n'a pas lieu le " + dayFR(cell.Day) + "."
	case ReasonPublicHoliday:
		return with("Jour férié") + " : pas de service le " + dayFR(cell.Day) + "."
	case ReasonSchoolHoliday:
		if p.IsForfait() {
			return with("Vacances scolaires") + " : le forfait " + p.Name + " ne couvre pas les vacances."
		}
		return with("Vacances scolaires") + " : pas de service le " + dayFR(cell.Day) + "."
	case ReasonWeekend:
		return "Week-end : pas de service."
	case ReasonOtherParent:
		return "Garde de l'autre parent : selon le calendrier de garde, c'est l'autre responsable de l'enfant qui réserve et paie le " + dayFR(cell.Day) + "."
	case ReasonNotOffered:
		return explainNotOffered(p, cell, cal)
	case ReasonFull:
		if p.IsForfait() {
			return "Complet : les places de ce forfait sont toutes réservées."
		}
		return "Complet : toutes les places du " + dayFR(cell.Day) + " sont réservées."
	case ReasonAudience:
		detail := r.Detail
		if detail == "" {
			detail = "cet enfant"
		}
		return p.Name + " n'est pas proposé pour " + detail + " : la mairie le réserve à d'autres écoles ou classes."
	}
	s := r.String()
	if s == "" {
		return "Non réservable."
	}
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

// explainDeadline names the deadline that passed and its rule; for a
// forfait, the period it books and the deadline counted from its start.
func explainDeadline(p Prestation, cell Cell, cal *calendar.Calendar) string {
	cutoff := instantFR(p.Booking.Cutoff(cell.Key, cal))
	rule := "r" + strings.TrimPrefix(p.BookingRule(), "R") // "réservation …" inside a sentence
	if p.IsForfait() {
		if _, last, err := Key(p, cell.Day, cal); err == nil {
			return fmt.Sprintf("Trop tard : le forfait du %s au %s se réservait jusqu'au %s. Règle : %s.", cell.Key.FR(), last.FR(), cutoff, rule)
		}
	}
	return fmt.Sprintf("Trop tard : la réservation du %s était possible jusqu'au %s. Règle : %s.", dayFR(cell.Day), cutoff, rule)
}

// explainNotOffered says which of DayOpen's or Key's conditions leaves
// the day out: the forfait period, the weekdays, or the dates the
// prestation is offered between.
func explainNotOffered(p Prestation, cell Cell, cal *calendar.Calendar) string {
	if p.IsForfait() {
		if _, _, err := Key(p, cell.Day, cal); err != nil {
			if errors.Is(err, calendar.ErrForfaitUnknownDates) {
				return "Pas encore réservable : les dates des vacances scolaires de cette période ne sont pas connues."
			}
			return "Pas de forfait " + p.Name + " ce jour-là."
		}
	}
	switch {
	case !p.ValidFrom.IsZero() && cell.Key.Before(p.ValidFrom) && !p.ValidUntil.IsZero():
		return fmt.Sprintf("%s est proposé du %s au %s.", p.Name, p.ValidFrom.FR(), p.ValidUntil.FR())
	case !p.ValidFrom.IsZero() && cell.Key.Before(p.ValidFrom):
		return fmt.Sprintf("%s est proposé à partir du %s.", p.Name, p.ValidFrom.FR())
	case !p.ValidUntil.IsZero() && cell.Key.After(p.ValidUntil):
		return fmt.Sprintf("%s n'est plus proposé après le %s.", p.Name, p.ValidUntil.FR())
	case !p.Weekdays.Has(cell.Day.Weekday()):
		return fmt.Sprintf("%s n'est pas proposé le %s.", p.Name, calendar.WeekdayNamesFR[cell.Day.Weekday()])
	}
	return p.Name + " n'est pas proposé ce jour-là."
}
