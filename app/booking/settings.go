package booking

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"espacefamille/app/calendar"
	"espacefamille/tenants"
)

// The domain API that edits the commune's booking rules. The back office
// builds its screens on it; every function runs inside the caller's write
// transaction and returns French errors (calendar.FieldErrors for forms).

// PrestationInput is a prestation as an administrator edits it.
type PrestationInput struct {
	RegieID        int64
	Name           string
	Kind           string               // KindDaily or KindForfait
	Category       string               // daily only: CategoryMeal (default) or CategorySession
	ForfaitKind    calendar.ForfaitKind // forfaits only
	Weekdays       calendar.WeekdaySet
	ExclusiveGroup string
	PriceCents     int64 // flat price (brackets: SetPriceBrackets)
	Capacity       int
	CapacityScope  string // ScopeDay (default) or ScopeSite
	Booking        calendar.Deadline
	Cancel         calendar.Deadline
	ValidFrom      calendar.Date
	ValidUntil     calendar.Date
	Position       int
	Audience       Audience // schools and classes allowed (empty: all)
}

// Input is a stored prestation as input to edit (its price grid is set
// apart, by SetPriceBrackets).
func (p Prestation) Input() PrestationInput {
	return PrestationInput{RegieID: p.RegieID, Name: p.Name, Kind: p.Kind, Category: p.Category, ForfaitKind: p.ForfaitKind,
		Weekdays: p.Weekdays, ExclusiveGroup: p.ExclusiveGroup, PriceCents: p.Price.FlatCents, Capacity: p.Capacity,
		CapacityScope: p.CapacityScope, Booking: p.Booking, Cancel: p.Cancel, ValidFrom: p.ValidFrom, ValidUntil: p.ValidUntil,
		Position: p.Position, Audience: p.Audience}
}

// Validate checks the input and returns every problem, in French.
func (in *PrestationInput) Validate() calendar.FieldErrors {
	var errs calendar.FieldErrors
	add := func(field, msg string) { errs = append(errs, calendar.FieldError{Field: field, Message: msg}) }
	in.Name = strings.TrimSpace(in.Name)
	in.ExclusiveGroup = strings.TrimSpace(in.ExclusiveGroup)
	in.Audience = in.Audience.normalize()
	if in.CapacityScope == "" {
		in.CapacityScope = ScopeDay
	}
	if in.Name == "" || len(in.Name) > 120 {
		add("name", "Le nom de la prestation est obligatoire (120 caractères au plus)")
	}
	switch in.Kind {
	case KindDaily:
		in.ForfaitKind = ""
		switch in.Category {
		case "":
			in.Category = CategoryMeal
		case CategoryMeal, CategorySession:
		default:
			add("kind", "Une prestation à la journée est un repas ou une séance")
		}
	case KindForfait:
		in.Category = ""
		if _, err := calendar.ParseForfaitKind(string(in.ForfaitKind)); err != nil {
			add("forfait", "Choisissez la période du forfait : mois, période scolaire ou année scolaire")
		}
	default:
		add("kind", "Le type doit être « à la journée » ou « forfait »")
	}
	if in.Weekdays.IsEmpty() {
		add("weekdays", calendar.MsgNoWeekday)
	}
	if in.PriceCents < 0 {
		add("price", "Le prix ne peut pas être négatif")
	}
	if in.Capacity < 0 {
		add("capacity", "La capacité ne peut pas être négative (0 : sans limite)")
	}
	if in.CapacityScope != ScopeDay && in.CapacityScope != ScopeSite {
		add("capacity_scope", "La capacité s'entend par jour ou par jour et par site")
	}
	if err := in.Booking.Validate(); err != nil {
		add("booking_deadline", "Délai de réservation : "+err.Error())
	}
	if err := in.Cancel.Validate(); err != nil {
		add("cancel_deadline", "Délai d'annulation : "+err.Error())
	}
	if !in.ValidFrom.IsZero() && !in.ValidUntil.IsZero() && in.ValidUntil.Before(in.ValidFrom) {
		add("valid_until", "La fin de validité doit suivre son début")
	}
	return errs
}

// ErrDuplicateName: a régie cannot sell two prestations of the same name.
var ErrDuplicateName = errors.New("une prestation de ce nom existe déjà pour ce service")

// CreatePrestation adds a prestation to a régie and returns its id.
func CreatePrestation(ctx context.Context, tx *sql.Tx, in PrestationInput, now time.Time) (int64, error) {
	if errs := in.Validate(); errs != nil {
		return 0, errs
	}
	if _, err := LoadRegie(ctx, tx, in.RegieID); err != nil {
		return 0, err
	}
	schools, classes := in.Audience.columns()
	res, err := tx.ExecContext(ctx, `
		INSERT INTO prestations (regie_id, name, kind, forfait_period, weekdays, exclusive_group, price_cents, capacity,
			capacity_scope, booking_deadline, cancel_deadline, valid_from, valid_until, position, created_at,
			allowed_schools, allowed_classes, category)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		in.RegieID, in.Name, in.Kind, string(in.ForfaitKind), MaskFromWeekdays(in.Weekdays), in.ExclusiveGroup, in.PriceCents,
		in.Capacity, in.CapacityScope, in.Booking.String(), in.Cancel.String(), in.ValidFrom, in.ValidUntil, in.Position, tenants.FormatTime(now),
		schools, classes, in.Category)
	if tenants.IsUnique(err) {
		return 0, ErrDuplicateName
	}
	if err != nil {
		return 0, fmt.Errorf("booking: create prestation: %w", err)
	}
	return res.LastInsertId()
}

// UpdatePrestation changes a prestation's rules. Prices already copied on
// reservations and cart lines stay; the régie and the kind cannot change
// once the prestation has reservations.
func UpdatePrestation(ctx context.Context, tx *sql.Tx, id int64, in PrestationInput) error {
	if errs := in.Validate(); errs != nil {
		return errs
	}
	old, err := LoadPrestation(ctx, tx, id)
	if err != nil {
		return err
	}
	if old.RegieID != in.RegieID || old.Kind != in.Kind || old.ForfaitKind != in.ForfaitKind {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM reservations WHERE prestation_id = ?`, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return calendar.FieldErrors{{Field: "kind", Message: "Le service et le type d'une prestation déjà réservée ne peuvent plus changer : créez une nouvelle prestation"}}
		}
	}
	schools, classes := in.Audience.columns()
	_, err = tx.ExecContext(ctx, `
		UPDATE prestations SET regie_id = ?, name = ?, kind = ?, forfait_period = ?, weekdays = ?, exclusive_group = ?,
			price_cents = ?, capacity = ?, capacity_scope = ?, booking_deadline = ?, cancel_deadline = ?,
			valid_from = ?, valid_until = ?, position = ?, allowed_schools = ?, allowed_classes = ?, category = ?
		WHERE id = ?`,
		in.RegieID, in.Name, in.Kind, string(in.ForfaitKind), MaskFromWeekdays(in.Weekdays), in.ExclusiveGroup,
		in.PriceCents, in.Capacity, in.CapacityScope, in.Booking.String(), in.Cancel.String(),
		in.ValidFrom, in.ValidUntil, in.Position, schools, classes, in.Category, id)
	if tenants.IsUnique(err) {
		return ErrDuplicateName
	}
	if err != nil {
		return fmt.Errorf("booking: update prestation %d: %w", id, err)
	}
	return nil
}

// SetPriceBrackets replaces a prestation's quotient familial brackets
// (ascending MaxQF; the last one has no limit). An empty list returns to
// the flat price. Bookings already made keep their price.
func SetPriceBrackets(ctx context.Context, tx *sql.Tx, prestationID int64, brackets []calendar.Bracket) error {
	if err := (calendar.PriceRule{Brackets: brackets}).Validate(); err != nil {
		return err
	}
	if _, err := LoadPrestation(ctx, tx, prestationID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM price_brackets WHERE prestation_id = ?`, prestationID); err != nil {
		return fmt.Errorf("booking: price brackets: %w", err)
	}
	for i, b := range brackets {
		var max any = b.MaxQF
		if i == len(brackets)-1 {
			max = nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO price_brackets (prestation_id, max_qf, price_cents) VALUES (?, ?, ?)`,
			prestationID, max, b.Cents); err != nil {
			return fmt.Errorf("booking: price brackets: %w", err)
		}
	}
	return nil
}

// ErrClosureExists: the day is already a closure day.
var ErrClosureExists = errors.New("ce jour est déjà un jour de fermeture")

// AddClosure makes day a closure day with its reason ("Grève"). Bookings
// already made on that day stay until the back office cancels and
// credits them (see CancelReservation and ReservationsOn); the demandes
// that orders waiting for their payment hold on that day are released
// at once, and will not be booked (their amount becomes credit).
func AddClosure(ctx context.Context, tx *sql.Tx, day calendar.Date, reason string, now time.Time) error {
	reason = strings.TrimSpace(reason)
	if day.IsZero() {
		return calendar.FieldErrors{{Field: "day", Message: "Date invalide (format JJ/MM/AAAA)"}}
	}
	if reason == "" || len(reason) > 200 {
		return calendar.FieldErrors{{Field: "reason", Message: "Indiquez le motif de la fermeture (200 caractères au plus)"}}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO closures (day, reason, created_at) VALUES (?, ?, ?)`, day, reason, tenants.FormatTime(now))
	if tenants.IsUnique(err) {
		return ErrClosureExists
	}
	if err != nil {
		return fmt.Errorf("booking: add closure: %w", err)
	}
	return releaseClosedHolds(ctx, tx, day, now)
}

// RemoveClosure reopens a closure day; ErrNotFound when it was not closed.
func RemoveClosure(ctx context.Context, tx *sql.Tx, day calendar.Date) error {
	if err := tenants.ExecOne(ctx, tx, ErrNotFound, `DELETE FROM closures WHERE day = ?`, day); err != nil {
		return fmt.Errorf("booking: remove closure: %w", err)
	}
	return nil
}

// ReservationsOn lists the validated reservations on day (forfaits that
// cover it included): who a closure affects, and the kitchen's numbers.
func ReservationsOn(ctx context.Context, q tenants.Querier, day calendar.Date) ([]Reservation, error) {
	return reservations(ctx, q, `r.state = 'validated' AND r.day <= ? AND COALESCE(r.forfait_until, r.day) >= ?`, day, day)
}
