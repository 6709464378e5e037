package booking

import (
	"errors"
	"time"

	"espacefamille/app/calendar"
	"espacefamille/app/families"
)

// ReasonCode names why a day cannot be booked; it is stable (CSS classes,
// tests) while Reason's text is French for parents.
type ReasonCode string

// The reasons a day is not bookable or is skipped by the period view.
const (
	ReasonWeekend       ReasonCode = "weekend"
	ReasonPublicHoliday ReasonCode = "public_holiday"
	ReasonClosure       ReasonCode = "closure"
	ReasonSchoolHoliday ReasonCode = "school_holiday"
	ReasonNotOffered    ReasonCode = "not_offered"
	ReasonDeadline      ReasonCode = "deadline"
	ReasonFull          ReasonCode = "full"
	ReasonBooked        ReasonCode = "booked"
	ReasonHeld          ReasonCode = "held" // held by an order waiting for its payment
	ReasonInCart        ReasonCode = "in_cart"
	ReasonExclusive     ReasonCode = "exclusive"
	ReasonChild         ReasonCode = "child"
	ReasonPrestation    ReasonCode = "prestation"
	ReasonAudience      ReasonCode = "audience"
	ReasonOtherParent   ReasonCode = "other_parent" // shared custody: the other household's day
)

var reasonLabels = map[ReasonCode]string{
	ReasonWeekend:       "week-end",
	ReasonPublicHoliday: "jour férié",
	ReasonClosure:       "fermeture",
	ReasonSchoolHoliday: "vacances scolaires",
	ReasonNotOffered:    "non proposé ce jour",
	ReasonDeadline:      "délai dépassé",
	ReasonFull:          "complet",
	ReasonBooked:        "déjà réservé",
	ReasonHeld:          "déjà en cours de paiement",
	ReasonInCart:        "déjà demandé",
	ReasonExclusive:     "un autre choix est déjà fait ce jour",
	ReasonChild:         "enfant qui n'est plus rattaché à la famille",
	ReasonPrestation:    "prestation qui n'est plus proposée",
	ReasonAudience:      "non proposé",
	ReasonOtherParent:   "garde de l'autre parent",
}

// Reason is why a day is not bookable: a code and an optional detail
// ("Vacances de Noël", "Ascension", the closure's reason).
type Reason struct {
	Code   ReasonCode
	Detail string
}

// Label is the short French label ("vacances scolaires").
func (r Reason) Label() string { return reasonLabels[r.Code] }

// String is the French text with its detail: "jour férié (Ascension)".
func (r Reason) String() string {
	if r.Code == ReasonAudience && r.Detail != "" {
		return r.Label() + " pour " + r.Detail
	}
	if r.Detail == "" {
		return r.Label()
	}
	return r.Label() + " (" + r.Detail + ")"
}

// calendarReason maps the calendar's closed-day reasons to ours.
func calendarReason(r calendar.Reason) Reason {
	code := map[calendar.ReasonKind]ReasonCode{
		calendar.ReasonWeekend:       ReasonWeekend,
		calendar.ReasonPublicHoliday: ReasonPublicHoliday,
		calendar.ReasonClosure:       ReasonClosure,
		calendar.ReasonSchoolHoliday: ReasonSchoolHoliday,
	}[r.Kind]
	return Reason{Code: code, Detail: r.Name}
}

// DayOpen says whether p is held on day at all: the commune is open and
// the prestation is offered on that weekday and within its dates.
func DayOpen(p Prestation, day calendar.Date, cal *calendar.Calendar) (bool, Reason) {
	if open, r := cal.DayStatus(day); !open {
		return false, calendarReason(r)
	}
	if !p.Weekdays.Has(day.Weekday()) ||
		(!p.ValidFrom.IsZero() && day.Before(p.ValidFrom)) ||
		(!p.ValidUntil.IsZero() && day.After(p.ValidUntil)) {
		return false, Reason{Code: ReasonNotOffered}
	}
	return true, Reason{}
}

// Key returns the day a booking of p on day is stored under: day itself,
// or the first day of the forfait period containing it (with the period).
func Key(p Prestation, day calendar.Date, cal *calendar.Calendar) (key, last calendar.Date, err error) {
	if !p.IsForfait() {
		return day, day, nil
	}
	first, last, err := calendar.ForfaitPeriod(p.ForfaitKind, day, cal)
	if err != nil {
		return calendar.Date{}, calendar.Date{}, err
	}
	return first, last, nil
}

// forfaitReason turns a ForfaitPeriod error into a reason for parents.
func forfaitReason(err error) Reason {
	if errors.Is(err, calendar.ErrForfaitHolidays) {
		return Reason{Code: ReasonSchoolHoliday}
	}
	return Reason{Code: ReasonNotOffered}
}

// CanBook says whether a new booking of p under key (a day, or a forfait
// period's first day) is allowed at now, before capacity and what the
// child already has: for a day, the day must be open and before its
// booking deadline; for a forfait, before the deadline of the period's
// first day.
func CanBook(p Prestation, key calendar.Date, cal *calendar.Calendar, now time.Time) (bool, Reason) {
	if p.IsForfait() {
		if (!p.ValidFrom.IsZero() && key.Before(p.ValidFrom)) || (!p.ValidUntil.IsZero() && key.After(p.ValidUntil)) {
			return false, Reason{Code: ReasonNotOffered}
		}
	} else if ok, r := DayOpen(p, key, cal); !ok {
		return false, r
	}
	if !p.Booking.OpenIn(key, now, cal) {
		return false, Reason{Code: ReasonDeadline}
	}
	return true, Reason{}
}

// CanCancel says whether a validated booking under key can still be
// cancelled at now (cancellation deadline of the day, or of the forfait
// period's first day).
func CanCancel(p Prestation, key calendar.Date, cal *calendar.Calendar, now time.Time) bool {
	return p.Cancel.OpenIn(key, now, cal)
}

// Full reports whether booked places reach p's capacity (0: unlimited).
func Full(p Prestation, booked int) bool { return p.Capacity > 0 && booked >= p.Capacity }

// CellState is what one agenda cell shows.
type CellState uint8

// The states of an agenda cell.
const (
	CellBookable      CellState = iota // réservable
	CellPending                        // demande en cours (in the cart)
	CellValidated                      // demande validée
	CellCancelPending                  // annulation en cours (in the cart)
	CellClosed                         // not bookable, with a reason
)

// Cell is one agenda cell: a prestation on a day.
type Cell struct {
	Day       calendar.Date
	Key       calendar.Date // the day or forfait period the click acts on
	State     CellState
	Reason    Reason // CellClosed only
	Clickable bool
}

// Icon is the cell's visible sign.
func (c Cell) Icon() string {
	switch c.State {
	case CellBookable:
		return "○"
	case CellPending:
		return "🕒"
	case CellValidated:
		return "✓"
	case CellCancelPending:
		return "✗"
	}
	return "–"
}

// Text is the cell's state for screen readers and the title.
func (c Cell) Text() string {
	switch c.State {
	case CellBookable:
		return "réservable"
	case CellPending:
		return "demande en cours"
	case CellValidated:
		return "demande validée"
	case CellCancelPending:
		return "annulation en cours"
	}
	return "non réservable : " + c.Reason.String()
}

// Class is the cell's CSS class.
func (c Cell) Class() string {
	switch c.State {
	case CellBookable:
		return "bookable"
	case CellPending:
		return "pending"
	case CellValidated:
		return "validated"
	case CellCancelPending:
		return "cancelling"
	}
	return "closed " + string(c.Reason.Code)
}

// CellInput is what deciding a cell needs.
type CellInput struct {
	Prestation Prestation
	Day        calendar.Date
	Calendar   *calendar.Calendar
	Now        time.Time
	Ledger     *Ledger         // the child's reservations and cart lines
	Child      *families.Child // nil: the prestation's audience is not checked
	// Shared custody: OtherParent is set when the custody calendar gives
	// the day to the other household, whose bookings the page never
	// shows; FamilyID (0: not checked) is the household looking, so that
	// a booking of the other household is shown as not cancellable.
	OtherParent bool
	FamilyID    int64
}

// CellFor computes the state of one agenda cell. A validated booking or a
// cart line shows first (a booking made before a closure stays visible
// until the commune cancels it); then the day's calendar, then the
// booking deadline and the capacity.
func CellFor(in CellInput) Cell {
	p, day, led := in.Prestation, in.Day, in.Ledger
	cell := Cell{Day: day, Key: day}
	var school int64 // closures of a school concern its children
	if in.Child != nil {
		school = in.Child.SchoolID
	}
	if p.IsForfait() {
		key, _, err := Key(p, day, in.Calendar)
		if err != nil {
			cell.State, cell.Reason = CellClosed, forfaitReason(err)
			return cell
		}
		cell.Key = key
		// A forfait shows on the open days of its period only.
		if ok, r := DayOpenFor(p, school, day, in.Calendar); !ok {
			cell.State, cell.Reason = CellClosed, r
			return cell
		}
	}
	if in.OtherParent {
		cell.State, cell.Reason = CellClosed, Reason{Code: ReasonOtherParent}
		return cell
	}
	if res, ok := led.Validated(p.ID, cell.Key); ok {
		if in.FamilyID != 0 && res.FamilyID != in.FamilyID {
			cell.State, cell.Reason = CellClosed, Reason{Code: ReasonBooked}
			return cell
		}
		if _, cancelling := led.CancelLine(res.ID); cancelling {
			cell.State, cell.Clickable = CellCancelPending, true
			return cell
		}
		cell.State = CellValidated
		cell.Clickable = CanCancel(p, cell.Key, in.Calendar, in.Now)
		return cell
	}
	if _, ok := led.AddLine(p.ID, cell.Key); ok {
		cell.State, cell.Clickable = CellPending, true
		return cell
	}
	if in.Child != nil {
		if ok, r := p.Audience.Allows(*in.Child); !ok {
			cell.State, cell.Reason = CellClosed, r
			return cell
		}
	}
	if ok, r := CanBookFor(p, school, cell.Key, in.Calendar, in.Now); !ok {
		cell.State, cell.Reason = CellClosed, r
		return cell
	}
	if Full(p, led.Booked(p.ID, cell.Key)) {
		cell.State, cell.Reason = CellClosed, Reason{Code: ReasonFull}
		return cell
	}
	cell.State, cell.Clickable = CellBookable, true
	return cell
}

// Intent is what clicking the cell asks for.
func (c Cell) Intent() Intent {
	switch c.State {
	case CellBookable:
		return IntentBook
	case CellPending:
		return IntentRemove
	case CellValidated:
		return IntentCancel
	case CellCancelPending:
		return IntentUncancel
	}
	return ""
}

// Closed reports whether the cell shows a reason (not bookable).
func (c Cell) Closed() bool { return c.State == CellClosed }
