package booking

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"espacefamille/app/calendar"
	"espacefamille/tenants"
)

// Errors of the booking domain. Each carries a French message that is
// safe to show; handlers map them to HTTP statuses.
var (
	// ErrNotFound: a child, prestation, régie or line that is not in this
	// commune or not of this family.
	ErrNotFound = tenants.NotFound("élément introuvable")
	// ErrRefused wraps a booking rule that refuses a click; its message
	// (see Refusal) says why.
	ErrRefused = errors.New("demande refusée")
)

// Refusal is a click the rules refuse, with its French reason.
type Refusal struct{ Message string }

func (r *Refusal) Error() string { return r.Message }

// Unwrap makes errors.Is(err, ErrRefused) true.
func (r *Refusal) Unwrap() error { return ErrRefused }

func refuse(format string, args ...any) error { return &Refusal{Message: fmt.Sprintf(format, args...)} }

// Regie modes.
const (
	ModePrepaid  = "prepaid"
	ModePostpaid = "postpaid"
)

// Payment providers of a régie.
const (
	ProviderSimulator = "simulator" // the built-in simulator (demonstration)
	ProviderPayFiP    = "payfip"
)

// Regie is a billing unit of the commune ("REGIE CANTINE - prépaiement"):
// how its prestations are paid and invoiced. It is the one régie type of
// the application (booking, billing and the back office).
type Regie struct {
	ID            int64
	Name          string
	Mode          string // ModePrepaid or ModePostpaid
	InvoicePrefix string
	Provider      string // ProviderSimulator or ProviderPayFiP
	LegalMentions string
	Position      int
	Payment       PaymentSettings
}

// PaymentSettings are a régie's payment provider settings (PayFiP).
type PaymentSettings struct {
	Numcli     string
	Saisie     string // T, X, W
	Endpoint   string
	PaymentURL string
}

// Prefix returns the invoice prefix, "R<id>" when none is set.
func (r Regie) Prefix() string {
	if r.InvoicePrefix != "" {
		return r.InvoicePrefix
	}
	return "R" + strconv.FormatInt(r.ID, 10)
}

// ModeLabel is the mode in French.
func (r Regie) ModeLabel() string {
	if r.Mode == ModePostpaid {
		return "post-paiement"
	}
	return "prépaiement"
}

// Prepaid reports whether "Valider" leads to payment.
func (r Regie) Prepaid() bool { return r.Mode == ModePrepaid }

// Prestation kinds.
const (
	KindDaily   = "daily"
	KindForfait = "forfait"
)

// Categories of a prestation sold by the day (forfaits have none).
const (
	CategoryMeal    = "meal"    // a meal: one a day in its exclusive group
	CategorySession = "session" // a garderie or activity paid by the session
)

// Capacity scopes.
const (
	ScopeDay  = "day"  // capacity per day, all sites together
	ScopeSite = "site" // capacity per day and per school
)

// Prestation is a service a régie sells, with its booking rules.
type Prestation struct {
	ID             int64
	RegieID        int64
	Name           string
	Kind           string               // KindDaily or KindForfait
	Category       string               // daily only: CategoryMeal or CategorySession
	ForfaitKind    calendar.ForfaitKind // forfaits only
	Weekdays       calendar.WeekdaySet
	ExclusiveGroup string // "" when not exclusive
	Price          calendar.PriceRule
	Capacity       int    // 0: unlimited
	CapacityScope  string // ScopeDay or ScopeSite
	Booking        calendar.Deadline
	Cancel         calendar.Deadline
	ValidFrom      calendar.Date // zero: unbounded
	ValidUntil     calendar.Date // zero: unbounded
	Position       int
	Audience       Audience // schools and classes allowed (empty: all)
}

// IsForfait reports whether one click books a whole forfait period.
func (p Prestation) IsForfait() bool { return p.Kind == KindForfait }

// Excludes reports whether p and q cannot both be booked for one child on
// one day.
func (p Prestation) Excludes(q Prestation) bool {
	return p.ID != q.ID && p.ExclusiveGroup != "" && p.ExclusiveGroup == q.ExclusiveGroup
}

// Cart line actions.
const (
	ActionAdd    = "add"    // demande en cours
	ActionCancel = "cancel" // annulation en cours
)

// CartLine is one line of a family's cart. Day is the booked day, or the
// forfait period's first day; PriceCents is positive (a cancellation
// counts negative, see Amount).
type CartLine struct {
	ID             int64
	FamilyID       int64
	RegieID        int64
	ChildID        int64
	ChildName      string
	PrestationID   int64
	PrestationName string
	Day            calendar.Date
	ForfaitFrom    calendar.Date // forfaits only
	ForfaitUntil   calendar.Date
	Action         string
	PriceCents     int64
	ReservationID  int64 // cancellations only
	CreatedAt      time.Time
}

// Amount is what the line adds to the total: the price, negative for a
// cancellation.
func (l CartLine) Amount() int64 {
	if l.Action == ActionCancel {
		return -l.PriceCents
	}
	return l.PriceCents
}

// Reservation is a validated (or cancelled) booking.
type Reservation struct {
	ID             int64
	FamilyID       int64
	ChildID        int64
	ChildName      string
	PrestationID   int64
	PrestationName string
	RegieID        int64
	SiteID         int64
	Day            calendar.Date
	ForfaitFrom    calendar.Date
	ForfaitUntil   calendar.Date
	State          string // StateValidated or StateCancelled
	PriceCents     int64
	OrderRef       string
	CancelOrderRef string
	ValidatedAt    time.Time
	CancelledAt    time.Time
}

// Reservation states.
const (
	StateValidated = "validated"
	StateCancelled = "cancelled"
)

// Covers reports whether the reservation (a day, or a forfait period)
// includes day.
func (r Reservation) Covers(day calendar.Date) bool {
	if r.ForfaitFrom.IsZero() {
		return r.Day.Equal(day)
	}
	return !day.Before(r.ForfaitFrom) && !day.After(r.ForfaitUntil)
}

// WeekdaysFromMask reads the prestations.weekdays column (Monday = bit 0
// … Sunday = bit 6) into a calendar.WeekdaySet (bit = time.Weekday).
func WeekdaysFromMask(mask int) calendar.WeekdaySet {
	var s calendar.WeekdaySet
	for i := range 7 {
		if mask&(1<<i) != 0 {
			s = s.With(time.Weekday((i + 1) % 7))
		}
	}
	return s
}

// MaskFromWeekdays is the inverse of WeekdaysFromMask.
func MaskFromWeekdays(s calendar.WeekdaySet) int {
	mask := 0
	for i := range 7 {
		if s.Has(time.Weekday((i + 1) % 7)) {
			mask |= 1 << i
		}
	}
	return mask
}
