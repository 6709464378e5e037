package booking

import (
	"time"

	"espacefamille/app/calendar"
	"espacefamille/app/custody"
	"espacefamille/app/families"
)

// slot is a prestation on a day (or a forfait period's first day).
type slot struct {
	PrestationID int64
	Day          calendar.Date
}

// Ledger is what one child already has around some days: validated
// reservations, cart lines, and the places booked per slot (for the
// child's site when the capacity is per site). The rules read it; the
// store fills it.
type Ledger struct {
	validated map[slot]Reservation
	adds      map[slot]CartLine
	cancels   map[int64]CartLine // by reservation id
	booked    map[slot]int
	// waits are the child's places in waiting lists; waitlist is whether
	// the commune offers them (a full day then shows "liste d'attente").
	waits    map[slot]Wait
	waitlist bool
}

// Waiting returns the child's place in the waiting list of a slot.
func (l *Ledger) Waiting(prestationID int64, key calendar.Date) (Wait, bool) {
	w, ok := l.waits[slot{prestationID, key}]
	return w, ok
}

// withWaits adds the child's waiting lists to the ledger: a place offered
// to the child is free for the child (its count holds it for nobody else).
func (l *Ledger) withWaits(waits map[slot]Wait, enabled bool) *Ledger {
	l.waits, l.waitlist = waits, enabled
	for s, w := range waits {
		if w.State == WaitOffered && l.booked[s] > 0 {
			l.booked[s]--
		}
	}
	return l
}

// NewLedger builds a ledger from a child's validated reservations, cart
// lines and booked places per (prestation, day).
func NewLedger(res []Reservation, lines []CartLine, booked map[int64]map[calendar.Date]int) *Ledger {
	l := &Ledger{
		validated: make(map[slot]Reservation, len(res)),
		adds:      make(map[slot]CartLine, len(lines)),
		cancels:   map[int64]CartLine{},
		booked:    map[slot]int{},
	}
	for _, r := range res {
		if r.State == StateValidated {
			l.validated[slot{r.PrestationID, r.Day}] = r
		}
	}
	for _, c := range lines {
		l.put(c)
	}
	for pid, days := range booked {
		for d, n := range days {
			l.booked[slot{pid, d}] = n
		}
	}
	return l
}

func (l *Ledger) put(c CartLine) {
	if c.Action == ActionCancel {
		l.cancels[c.ReservationID] = c
	} else {
		l.adds[slot{c.PrestationID, c.Day}] = c
	}
}

// Validated returns the child's validated reservation of a prestation
// under key.
func (l *Ledger) Validated(prestationID int64, key calendar.Date) (Reservation, bool) {
	r, ok := l.validated[slot{prestationID, key}]
	return r, ok
}

// AddLine returns the child's demande en cours of a prestation under key.
func (l *Ledger) AddLine(prestationID int64, key calendar.Date) (CartLine, bool) {
	c, ok := l.adds[slot{prestationID, key}]
	return c, ok
}

// CancelLine returns the annulation en cours of a reservation.
func (l *Ledger) CancelLine(reservationID int64) (CartLine, bool) {
	c, ok := l.cancels[reservationID]
	return c, ok
}

// Booked returns the places booked on a slot.
func (l *Ledger) Booked(prestationID int64, key calendar.Date) int {
	return l.booked[slot{prestationID, key}]
}

// Change is what a click or a period does to the cart: lines to delete,
// then lines to insert.
type Change struct {
	Delete []int64
	Insert []CartLine
	// Replaced names the other choices of the exclusive group that a
	// click replaced on its day, for the message beside the cell.
	Replaced []Replacement
}

// Replacement is a choice a click replaced: a demande en cours removed,
// or a validated booking whose cancellation joins the cart.
type Replacement struct {
	Prestation string
	Validated  bool
}

// Text is the message about it: "Un seul choix par jour : REPAS
// VEGETARIEN du 03/12/2026 est remplacé par REPAS CLASSIQUE ENFANT."
func (r Replacement) Text(by string, day calendar.Date) string {
	if r.Validated {
		return "Un seul choix par jour : " + r.Prestation + " du " + day.FR() + ", déjà réservé, sera annulé quand vous validerez le panier, au profit de " + by + "."
	}
	return "Un seul choix par jour : " + r.Prestation + " du " + day.FR() + " est remplacé par " + by + "."
}

// Empty reports whether the change does nothing.
func (c Change) Empty() bool { return len(c.Delete) == 0 && len(c.Insert) == 0 }

// apply records the change in the ledger, so that the next decision of
// one request (a period's next day) sees it.
func (l *Ledger) apply(ch Change) {
	for _, id := range ch.Delete {
		for k, c := range l.adds {
			if c.ID == id {
				delete(l.adds, k)
			}
		}
		for k, c := range l.cancels {
			if c.ID == id {
				delete(l.cancels, k)
			}
		}
	}
	for _, c := range ch.Insert {
		l.put(c)
	}
}

// Booker decides cart changes for one child of a family; it is pure.
type Booker struct {
	FamilyID    int64 // the household booking (0: the child's own family)
	Child       families.Child
	Custody     *custody.Calendar // nil: the child is not shared
	Prestations []Prestation      // the régie's prestations (for exclusivity)
	Calendar    *calendar.Calendar
	QF          *calendar.QF
	Now         time.Time
	Ledger      *Ledger
}

func (b *Booker) newLine(p Prestation, key, last calendar.Date, action string, price int64) CartLine {
	c := CartLine{
		FamilyID: b.family(), RegieID: p.RegieID, ChildID: b.Child.ID, ChildName: b.Child.Name(),
		PrestationID: p.ID, PrestationName: p.Name, Day: key, Action: action, PriceCents: price, CreatedAt: b.Now,
	}
	if p.IsForfait() {
		c.ForfaitFrom, c.ForfaitUntil = key, last
	}
	return c
}

// family is the household that books.
func (b *Booker) family() int64 {
	if b.FamilyID != 0 {
		return b.FamilyID
	}
	return b.Child.FamilyID
}

// otherHousehold reports whether a reservation was made by the other
// household of a shared child (never for a child that is not shared).
func (b *Booker) otherHousehold(r Reservation) bool {
	return b.Custody != nil && b.Custody.Shared() && r.FamilyID != b.family()
}

// sharedBy is the booking household for CellInput.FamilyID: 0 when the
// child is not shared (every booking of it is the family's).
func (b *Booker) sharedBy() int64 {
	if b.Custody == nil || !b.Custody.Shared() {
		return 0
	}
	return b.family()
}

// books reports whether the booking household keeps the child on day
// (shared custody); always for a child that is not shared.
func (b *Booker) books(day calendar.Date) bool {
	return b.Custody == nil || b.Custody.Books(b.family(), day)
}

// otherParent is the skip of a day the custody calendar gives to the
// other household.
func otherParent(day calendar.Date) *Skip {
	return &Skip{Day: day, Reason: Reason{Code: ReasonOtherParent}}
}

// otherHouseholdsDemande refuses a day of the booking household for
// which the child's other household still has p in its cart: it asked
// before the custody calendar gave the day to this household (a child's
// day is in one cart at a time). The other household is never named.
func otherHouseholdsDemande(p Prestation, key calendar.Date) error {
	return refuse("%s du %s est déjà demandé par l'autre foyer de l'enfant (demande encore dans son panier, faite avant le changement du calendrier de garde) : elle doit en être retirée avant que vous puissiez réserver ce jour. Contactez la mairie si besoin.",
		p.Name, key.FR())
}

// Intent is what the parent saw and meant when clicking a cell; a click
// whose intent no longer matches (the other guardian acted first) changes
// nothing, so two devices never undo each other.
type Intent string

// The intents of a cell click ("" accepts whatever the cell now does).
const (
	IntentBook     Intent = "reserver" // réservable → demande en cours
	IntentRemove   Intent = "retirer"  // demande en cours → réservable
	IntentCancel   Intent = "annuler"  // demande validée → annulation en cours
	IntentUncancel Intent = "garder"   // annulation en cours → demande validée
)

// ErrStale is returned when a click's intent no longer matches the cell.
var ErrStale = &Refusal{Message: "Cette case a déjà été modifiée, peut-être depuis un autre appareil : voici son état actuel."}

// Toggle decides a click on p's cell of day: remove a demande en cours,
// undo an annulation en cours, ask for the cancellation of a validated
// booking still inside its window, or add a demande (replacing another
// choice of the same exclusive group, whose validated booking must then
// be cancellable).
func (b *Booker) Toggle(p Prestation, day calendar.Date, intent Intent) (Change, error) {
	key, last, err := Key(p, day, b.Calendar)
	if err != nil {
		return Change{}, refuse("Réservation impossible le %s : %s.", day.FR(), forfaitReason(err))
	}
	led := b.Ledger
	want := func(i Intent) error {
		if intent != "" && intent != i {
			return ErrStale
		}
		return nil
	}
	if c, ok := led.AddLine(p.ID, key); ok {
		if b.sharedBy() != 0 && c.FamilyID != b.family() {
			if b.books(key) {
				// Our day now, but the other household asked for it
				// before the custody calendar changed.
				return Change{}, otherHouseholdsDemande(p, key)
			}
			// The other household's demande, on its day: not ours to touch.
			return Change{}, otherParent(key)
		}
		return Change{Delete: []int64{c.ID}}, want(IntentRemove)
	}
	if res, ok := led.Validated(p.ID, key); ok {
		if c, ok := led.CancelLine(res.ID); ok {
			return Change{Delete: []int64{c.ID}}, want(IntentUncancel)
		}
		if err := want(IntentCancel); err != nil {
			return Change{}, err
		}
		if b.otherHousehold(res) {
			return Change{}, refuse("%s du %s a été réservé par l'autre responsable de l'enfant : vous ne pouvez pas l'annuler.", p.Name, key.FR())
		}
		if !CanCancel(p, key, b.Calendar, b.Now) {
			return Change{}, refuse("Le délai d'annulation de %s du %s est dépassé.", p.Name, key.FR())
		}
		c := b.newLine(p, key, res.ForfaitUntil, ActionCancel, res.PriceCents)
		c.ReservationID = res.ID
		return Change{Insert: []CartLine{c}}, nil
	}
	if err := want(IntentBook); err != nil {
		return Change{}, err
	}
	return b.add(p, key, last, true)
}

// add decides a new demande of p under key. With replace, a demande or a
// validated booking of the same exclusive group on that day is replaced;
// without (the period view), the day is skipped.
func (b *Booker) add(p Prestation, key, last calendar.Date, replace bool) (Change, error) {
	led := b.Ledger
	if !b.books(key) {
		return Change{}, otherParent(key)
	}
	if ok, r := p.Audience.Allows(b.Child); !ok {
		return Change{}, &Skip{Reason: r, msg: "Réservation impossible le " + key.FR() + " : " + p.Name + " " + r.String() + "."}
	}
	if ok, r := CanBookFor(p, b.Child.SchoolID, key, b.Calendar, b.Now); !ok {
		return Change{}, &Skip{Reason: r, msg: "Réservation impossible le " + key.FR() + " : " + r.String() + "."}
	}
	if Full(p, led.Booked(p.ID, key)) {
		return Change{}, &Skip{Reason: Reason{Code: ReasonFull}, msg: "Réservation impossible le " + key.FR() + " : complet."}
	}
	var ch Change
	for _, q := range b.Prestations {
		if !p.Excludes(q) {
			continue
		}
		if c, ok := led.AddLine(q.ID, key); ok {
			if b.sharedBy() != 0 && c.FamilyID != b.family() {
				return Change{}, otherHouseholdsDemande(q, key) // not ours to replace
			}
			if !replace {
				return Change{}, &Skip{Reason: Reason{Code: ReasonExclusive, Detail: q.Name}}
			}
			ch.Delete = append(ch.Delete, c.ID)
			ch.Replaced = append(ch.Replaced, Replacement{Prestation: q.Name})
		}
		if res, ok := led.Validated(q.ID, key); ok {
			if _, cancelling := led.CancelLine(res.ID); cancelling {
				continue
			}
			if b.otherHousehold(res) {
				return Change{}, &Skip{Reason: Reason{Code: ReasonBooked, Detail: q.Name},
					msg: "Réservation impossible le " + key.FR() + " : " + q.Name + " est déjà réservé par l'autre responsable de l'enfant."}
			}
			if !replace {
				return Change{}, &Skip{Reason: Reason{Code: ReasonExclusive, Detail: q.Name}}
			}
			if !CanCancel(q, key, b.Calendar, b.Now) {
				return Change{}, refuse("%s est déjà réservé le %s et ne peut plus être annulé.", q.Name, key.FR())
			}
			c := b.newLine(q, key, res.ForfaitUntil, ActionCancel, res.PriceCents)
			c.ReservationID = res.ID
			ch.Insert = append(ch.Insert, c)
			ch.Replaced = append(ch.Replaced, Replacement{Prestation: q.Name, Validated: true})
		}
	}
	ch.Insert = append(ch.Insert, b.newLine(p, key, last, ActionAdd, calendar.Price(p.Price, b.QF, key)))
	return ch, nil
}

// Skip is a day the rules do not book, with its reason; it is also the
// error of a refused click.
type Skip struct {
	Child      string
	Prestation string
	Day        calendar.Date
	Reason     Reason
	msg        string
}

func (s *Skip) Error() string {
	if s.msg != "" {
		return s.msg
	}
	return "Réservation impossible le " + s.Day.FR() + " : " + s.Reason.String() + "."
}

// Unwrap makes errors.Is(err, ErrRefused) true.
func (s *Skip) Unwrap() error { return ErrRefused }
