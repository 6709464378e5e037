package booking

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"espacefamille/app/calendar"
	"espacefamille/tenants"
)

const cartLineColumns = `l.id, l.family_id, l.regie_id, l.child_id, c.first_name || ' ' || c.last_name, l.prestation_id, p.name,
	l.day, l.forfait_from, l.forfait_until, l.action, l.price_cents, COALESCE(l.reservation_id, 0), l.created_at`

// cartLines reads cart lines matching where (on alias l), ordered by child,
// prestation and day.
func cartLines(ctx context.Context, q tenants.Querier, where string, args ...any) ([]CartLine, error) {
	out, err := tenants.All(ctx, q, func(row tenants.Row) (CartLine, error) {
		var l CartLine
		var created string
		if err := row.Scan(&l.ID, &l.FamilyID, &l.RegieID, &l.ChildID, &l.ChildName, &l.PrestationID, &l.PrestationName,
			&l.Day, &l.ForfaitFrom, &l.ForfaitUntil, &l.Action, &l.PriceCents, &l.ReservationID, &created); err != nil {
			return l, err
		}
		l.CreatedAt = tenants.StoredTime(created)
		return l, nil
	}, `SELECT `+cartLineColumns+`
		FROM cart_lines l JOIN children c ON c.id = l.child_id JOIN prestations p ON p.id = l.prestation_id
		WHERE `+where+` ORDER BY c.birth_date, c.first_name, l.child_id, p.position, p.name, l.day, l.action`, args...)
	if err != nil {
		return nil, fmt.Errorf("booking: cart lines: %w", err)
	}
	return out, nil
}

// CartLines lists a family's cart for one régie (both guardians share it).
func CartLines(ctx context.Context, q tenants.Querier, familyID, regieID int64) ([]CartLine, error) {
	return cartLines(ctx, q, `l.family_id = ? AND l.regie_id = ?`, familyID, regieID)
}

// insertLines writes the cart lines in one statement, whatever their
// number (the Vue Période adds a month of meals at once).
func insertLines(ctx context.Context, tx tenants.Querier, lines []CartLine) error {
	rows := make([][]any, 0, len(lines))
	for _, l := range lines {
		var resID any
		if l.ReservationID != 0 {
			resID = l.ReservationID
		}
		rows = append(rows, []any{l.FamilyID, l.RegieID, l.ChildID, l.PrestationID, l.Day, l.ForfaitFrom, l.ForfaitUntil,
			l.Action, l.PriceCents, resID, tenants.FormatTime(l.CreatedAt)})
	}
	err := tenants.InsertRows(ctx, tx, `INSERT INTO cart_lines (family_id, regie_id, child_id, prestation_id, day,
		forfait_from, forfait_until, action, price_cents, reservation_id, created_at)`, "", rows)
	if tenants.IsUnique(err) {
		if why := otherHouseholdsLine(ctx, tx, lines); why != nil {
			return why
		}
	}
	if err != nil {
		return fmt.Errorf("booking: insert cart lines: %w", err)
	}
	return nil
}

// otherHouseholdsLine explains a cart line refused because the child's
// other household has the same demande in its own cart (a child's day is
// in one cart at a time): possible only when the custody calendar changed
// after that household made it. It returns the refusal, in French and
// without naming the other household, or nil when no line of another
// household is the cause. The caller's transaction then rolls back:
// nothing of the change is written.
func otherHouseholdsLine(ctx context.Context, q tenants.Querier, lines []CartLine) error {
	for _, l := range lines {
		var prestation string
		var held bool
		err := q.QueryRowContext(ctx, `SELECT p.name, EXISTS (SELECT 1 FROM holds h WHERE h.cart_line_id = o.id)
			FROM cart_lines o JOIN prestations p ON p.id = o.prestation_id
			WHERE o.child_id = ? AND o.prestation_id = ? AND o.day = ? AND o.action = ? AND o.family_id <> ?`,
			l.ChildID, l.PrestationID, l.Day, l.Action, l.FamilyID).Scan(&prestation, &held)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return fmt.Errorf("booking: other household's line: %w", err)
		}
		if held {
			return refuse("%s du %s : l'autre foyer de l'enfant est en train de le payer (demande faite avant le changement du calendrier de garde). Réessayez dans 30 minutes, ou contactez la mairie.",
				prestation, l.Day.FR())
		}
		return otherHouseholdsDemande(Prestation{Name: prestation}, l.Day)
	}
	return nil
}

// applyChange writes a decided change inside tx; lines are deleted only
// within the family.
func applyChange(ctx context.Context, tx tenants.Querier, familyID int64, ch Change) error {
	if err := deleteLines(ctx, tx, familyID, ch.Delete); err != nil {
		return err
	}
	return insertLines(ctx, tx, ch.Insert)
}

func deleteLines(ctx context.Context, tx tenants.Querier, familyID int64, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM cart_lines WHERE family_id = ? AND id IN (SELECT value FROM json_each(?))`,
		familyID, jsonIDs(ids)); err != nil {
		return fmt.Errorf("booking: delete cart lines: %w", err)
	}
	return nil
}

const reservationColumns = `r.id, r.family_id, r.child_id, c.first_name || ' ' || c.last_name, r.prestation_id, p.name, r.regie_id,
	r.site_id, r.day, r.forfait_from, r.forfait_until, r.state, r.price_cents, COALESCE(r.order_ref, ''),
	COALESCE(r.cancel_order_ref, ''), r.validated_at, COALESCE(r.cancelled_at, '')`

func reservations(ctx context.Context, q tenants.Querier, where string, args ...any) ([]Reservation, error) {
	out, err := tenants.All(ctx, q, func(row tenants.Row) (Reservation, error) {
		var r Reservation
		var validated, cancelled string
		if err := row.Scan(&r.ID, &r.FamilyID, &r.ChildID, &r.ChildName, &r.PrestationID, &r.PrestationName, &r.RegieID,
			&r.SiteID, &r.Day, &r.ForfaitFrom, &r.ForfaitUntil, &r.State, &r.PriceCents, &r.OrderRef,
			&r.CancelOrderRef, &validated, &cancelled); err != nil {
			return r, err
		}
		r.ValidatedAt, r.CancelledAt = tenants.StoredTime(validated), tenants.StoredTime(cancelled)
		return r, nil
	}, `SELECT `+reservationColumns+`
		FROM reservations r JOIN children c ON c.id = r.child_id JOIN prestations p ON p.id = r.prestation_id
		WHERE `+where+` ORDER BY c.birth_date, c.first_name, r.child_id, p.position, p.name, r.day`, args...)
	if err != nil {
		return nil, fmt.Errorf("booking: reservations: %w", err)
	}
	return out, nil
}

// LoadReservation returns one reservation, or ErrNotFound.
func LoadReservation(ctx context.Context, q tenants.Querier, id int64) (Reservation, error) {
	list, err := reservations(ctx, q, `r.id = ?`, id)
	if err != nil {
		return Reservation{}, err
	}
	if len(list) == 0 {
		return Reservation{}, ErrNotFound
	}
	return list[0], nil
}

// MonthReservations lists the reservations of a family in a régie whose
// day (a forfait: its period's first day) falls in month, validated and
// cancelled, with child and prestation names and the unit price copied at
// booking: what billing needs for an invoice.
func MonthReservations(ctx context.Context, q tenants.Querier, familyID, regieID int64, year int, month time.Month) ([]Reservation, error) {
	first := calendar.DateOf(year, month, 1)
	last := calendar.DateOf(year, month+1, 0)
	return reservations(ctx, q, `r.family_id = ? AND r.regie_id = ? AND r.day BETWEEN ? AND ?`, familyID, regieID, first, last)
}

// OrderReservations lists the reservations validated or cancelled by one
// of billing's orders (receipts, credits).
func OrderReservations(ctx context.Context, q tenants.Querier, orderRef string) ([]Reservation, error) {
	return reservations(ctx, q, `r.order_ref = ? OR r.cancel_order_ref = ?`, orderRef, orderRef)
}

// insertReservation writes a validated reservation from a cart line and
// takes its place in the slot count.
func insertReservation(ctx context.Context, tx tenants.Querier, l CartLine, siteID int64, orderRef string, now time.Time) (int64, error) {
	id, err := writeReservation(ctx, tx, l, siteID, orderRef, now)
	if err != nil {
		return 0, err
	}
	return id, bumpSlot(ctx, tx, l.PrestationID, l.Day, siteID, 1)
}

// writeReservation writes a validated reservation from a cart line whose
// place is already counted (a held place).
func writeReservation(ctx context.Context, tx tenants.Querier, l CartLine, siteID int64, orderRef string, now time.Time) (int64, error) {
	var ref any
	if orderRef != "" {
		ref = orderRef
	}
	res, err := tx.ExecContext(ctx, `
		INSERT INTO reservations (family_id, child_id, prestation_id, regie_id, site_id, day, forfait_from, forfait_until,
			state, price_cents, order_ref, created_at, validated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'validated', ?, ?, ?, ?)`,
		l.FamilyID, l.ChildID, l.PrestationID, l.RegieID, siteID, l.Day, l.ForfaitFrom, l.ForfaitUntil,
		l.PriceCents, ref, tenants.FormatTime(l.CreatedAt), tenants.FormatTime(now))
	if err != nil {
		return 0, fmt.Errorf("booking: insert reservation: %w", err)
	}
	return res.LastInsertId()
}

// errNotValidated: the reservation to cancel is gone or already cancelled.
var errNotValidated = errors.New("booking: reservation not validated")

// cancelReservation marks a validated reservation cancelled and frees its
// place.
func cancelReservation(ctx context.Context, tx tenants.Querier, id int64, orderRef string, now time.Time) error {
	var ref any
	if orderRef != "" {
		ref = orderRef
	}
	var prestationID, siteID int64
	var day calendar.Date
	err := tx.QueryRowContext(ctx, `
		UPDATE reservations SET state = 'cancelled', cancelled_at = ?, cancel_order_ref = ?
		WHERE id = ? AND state = 'validated'
		RETURNING prestation_id, day, site_id`, tenants.FormatTime(now), ref, id).Scan(&prestationID, &day, &siteID)
	if errors.Is(err, sql.ErrNoRows) {
		return errNotValidated
	}
	if err != nil {
		return fmt.Errorf("booking: cancel reservation %d: %w", id, err)
	}
	return freePlace(ctx, tx, prestationID, day, siteID)
}

// CancelReservation cancels one validated reservation inside the caller's
// transaction (back office: a closure, an administrator's correction),
// freeing its place; ErrNotFound when it is not validated.
func CancelReservation(ctx context.Context, tx *sql.Tx, id int64, orderRef string, now time.Time) error {
	if err := cancelReservation(ctx, tx, id, orderRef, now); errors.Is(err, errNotValidated) {
		return ErrNotFound
	} else if err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM cart_lines WHERE reservation_id = ?`, id)
	return err
}

// RestoreReservation validates again, inside the caller's transaction, a
// reservation cancelled for an absence the family declared, when the
// child came after all (the pointage marks it present): the child takes
// a place again, counted even when the day is full now (the child is
// there). It returns the child's validated reservation of that day, this
// one or one booked meanwhile; ErrNotFound when the reservation does not
// exist.
func RestoreReservation(ctx context.Context, tx *sql.Tx, id int64) (int64, error) {
	var prestationID, siteID, childID int64
	var day calendar.Date
	var state string
	err := tx.QueryRowContext(ctx, `SELECT prestation_id, day, site_id, child_id, state FROM reservations WHERE id = ?`, id).
		Scan(&prestationID, &day, &siteID, &childID, &state)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("booking: restore reservation %d: %w", id, err)
	}
	if state == StateValidated {
		return id, nil
	}
	var other int64
	err = tx.QueryRowContext(ctx, `SELECT id FROM reservations WHERE child_id = ? AND prestation_id = ? AND day = ? AND state = 'validated'`,
		childID, prestationID, day).Scan(&other)
	if err == nil {
		return other, nil // booked again meanwhile
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("booking: restore reservation %d: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE reservations SET state = 'validated', cancelled_at = NULL, cancel_order_ref = NULL WHERE id = ?`, id); err != nil {
		return 0, fmt.Errorf("booking: restore reservation %d: %w", id, err)
	}
	return id, bumpSlot(ctx, tx, prestationID, day, siteID, 1)
}
