package booking

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"espacefamille/app/calendar"
	"espacefamille/tenants"
)

// HoldCart is "Valider" on a prepaid cart, inside billing's transaction
// that creates the order orderRef: every line of the family's cart for
// the régie is checked once (child, prestation of the régie, deadlines
// and calendar, capacity, exclusive group, not already booked or held),
// the lines that do not hold are deleted from the cart and returned with
// their French reasons, and the others are held for the order: a demande
// takes its place at once (slot_counts), an annulation is recorded. The
// kept lines come back with the total in cents (annulations negative).
// ConfirmHolds books exactly what was held; ReleaseHolds gives it back.
// The configuration comes from db's memo (read through tx when stale).
func HoldCart(ctx context.Context, db *tenants.DB, sqltx *sql.Tx, familyID, regieID int64, orderRef string, now time.Time) (CartCheck, error) {
	tx := db.InTx(sqltx)
	cfg, err := loadConfig(ctx, db, tx)
	if err != nil {
		return CartCheck{}, err
	}
	k, err := newChecker(ctx, tx, cfg, familyID, now)
	if err != nil {
		return CartCheck{}, err
	}
	check, err := checkLines(k, regieID, true)
	if err != nil {
		return check, err
	}
	if err := insertHolds(ctx, tx, k, check.Lines, orderRef, now); err != nil {
		return check, err
	}
	// The waiting-list entries the checks read are still those of the
	// family: holding places changed none of them.
	adds := demandes(check.Lines)
	if len(adds) == 0 {
		return check, nil
	}
	waits, err := k.familyWaits()
	if err != nil {
		return check, err
	}
	return check, takeOffered(ctx, tx, waits, adds, orderRef, now)
}

// insertHolds holds lines for the order orderRef: one statement for the
// holds and one for the places they take (slot_counts), whatever the
// number of lines.
func insertHolds(ctx context.Context, tx tenants.Querier, k *checker, lines []CartLine, orderRef string, now time.Time) error {
	rows := make([][]any, 0, len(lines))
	places := map[slotSite]int{}
	var order []slotSite // the slots in the order of the lines
	for _, l := range lines {
		p, err := k.prestation(l.PrestationID)
		if err != nil {
			return err
		}
		c, err := k.child(l.ChildID)
		if err != nil {
			return err
		}
		var resID any
		if l.ReservationID != 0 {
			resID = l.ReservationID
		}
		rows = append(rows, []any{orderRef, l.ID, l.FamilyID, l.RegieID, l.ChildID, l.PrestationID, c.SchoolID, l.Day,
			l.ForfaitFrom, l.ForfaitUntil, l.Action, l.PriceCents, resID, p.ExclusiveGroup, tenants.FormatTime(now)})
		if l.Action == ActionCancel {
			continue
		}
		s := slotSite{slot{l.PrestationID, l.Day}, c.SchoolID}
		if places[s] == 0 {
			order = append(order, s)
		}
		places[s]++
	}
	if err := tenants.InsertRows(ctx, tx, `INSERT INTO holds (order_ref, cart_line_id, family_id, regie_id, child_id,
		prestation_id, site_id, day, forfait_from, forfait_until, action, price_cents, reservation_id, exclusive_group, created_at)`,
		"", rows); err != nil {
		return fmt.Errorf("booking: hold %s: %w", orderRef, err)
	}
	bumps := make([][]any, 0, len(order))
	for _, s := range order {
		bumps = append(bumps, []any{s.PrestationID, s.Day, s.site, places[s]})
	}
	if err := tenants.InsertRows(ctx, tx, `INSERT INTO slot_counts (prestation_id, day, site_id, booked)`,
		`ON CONFLICT (prestation_id, day, site_id) DO UPDATE SET booked = booked + excluded.booked`, bumps); err != nil {
		return fmt.Errorf("booking: slot count: %w", err)
	}
	return nil
}

// hold is one held line.
type hold struct {
	CartLine
	siteID int64
	closed bool // its day was closed meanwhile and its place given back
	// closedWhy is why a closed hold whose day reopened could not take
	// its place back ("complet"); "" while the day is closed.
	closedWhy string
}

// ReasonDayClosed is why a held demande is not booked at payment: its
// day was closed (the whole commune, its prestation or the child's
// school) while the order waited for its payment. The closure wins.
const ReasonDayClosed = "fermé"

// closedHold selects (as h) the held demandes of a day (not forfaits: a
// forfait keeps its closed days, credited by the closure) that a closure
// of the whole commune, or a partial closure of their prestation and/or
// of the child's school, closes, and that were not released yet.
const closedHold = `h.action = 'add' AND h.closed_at IS NULL AND h.forfait_from IS NULL AND (
	EXISTS (SELECT 1 FROM closures c WHERE c.day = h.day)
	OR EXISTS (SELECT 1 FROM partial_closures pc WHERE pc.day = h.day
		AND (EXISTS (SELECT 1 FROM partial_closure_prestations x WHERE x.closure_id = pc.id)
			OR EXISTS (SELECT 1 FROM partial_closure_schools y WHERE y.closure_id = pc.id))
		AND (NOT EXISTS (SELECT 1 FROM partial_closure_prestations x WHERE x.closure_id = pc.id)
			OR EXISTS (SELECT 1 FROM partial_closure_prestations x WHERE x.closure_id = pc.id AND x.prestation_id = h.prestation_id))
		AND (NOT EXISTS (SELECT 1 FROM partial_closure_schools y WHERE y.closure_id = pc.id)
			OR EXISTS (SELECT 1 FROM partial_closure_schools y WHERE y.closure_id = pc.id AND y.school_id = h.site_id))))`

// releaseClosedHolds releases, inside the transaction that records a
// closure of day, the held demandes of orders waiting for their payment
// that the closure closes: each place is given back at once (another
// order, or the same child's other prestation of its exclusive group,
// may take the day if it reopens), and the hold stays, marked, so that
// the payment books nothing for it and credits its amount.
func releaseClosedHolds(ctx context.Context, tx *sql.Tx, day calendar.Date, now time.Time) error {
	places := map[slotSite]int{}
	err := tenants.Each(ctx, tx, func(row tenants.Row) error {
		s := slotSite{slot: slot{Day: day}}
		if err := row.Scan(&s.PrestationID, &s.site); err != nil {
			return err
		}
		places[s]++
		return nil
	}, `UPDATE holds AS h SET closed_at = ? WHERE h.day = ? AND `+closedHold+`
		RETURNING prestation_id, site_id`, tenants.FormatTime(now), day)
	if err != nil {
		return fmt.Errorf("booking: release closed holds: %w", err)
	}
	for s, n := range places {
		// The CHECK (booked >= 0) catches a count that would drift.
		if _, err := tx.ExecContext(ctx, `UPDATE slot_counts SET booked = booked - ? WHERE prestation_id = ? AND day = ? AND site_id = ?`,
			n, s.PrestationID, s.Day, s.site); err != nil {
			return fmt.Errorf("booking: slot count: %w", err)
		}
	}
	return nil
}

// PendingOrdersOn counts the orders waiting for their payment that hold
// a demande the closure c would close (the back office's preview and
// confirmation say how many): those demandes will not be booked, their
// amount becomes the family's credit when the payment arrives.
func PendingOrdersOn(ctx context.Context, q tenants.Querier, c calendar.ScopedClosure) (int, error) {
	orders := map[string]bool{}
	err := tenants.Each(ctx, q, func(row tenants.Row) error {
		var ref string
		var prestation, site int64
		if err := row.Scan(&ref, &prestation, &site); err != nil {
			return err
		}
		if c.Whole() || c.Applies(prestation, site) {
			orders[ref] = true
		}
		return nil
	}, `SELECT order_ref, prestation_id, site_id FROM holds
		WHERE day = ? AND action = 'add' AND closed_at IS NULL AND forfait_from IS NULL`, c.Date)
	if err != nil {
		return 0, fmt.Errorf("booking: pending orders on %s: %w", c.Date, err)
	}
	return len(orders), nil
}

func orderHolds(ctx context.Context, q tenants.Querier, orderRef string) ([]hold, error) {
	out, err := tenants.All(ctx, q, func(row tenants.Row) (hold, error) {
		var h hold
		var created string
		if err := row.Scan(&h.ID, &h.FamilyID, &h.RegieID, &h.ChildID, &h.ChildName, &h.PrestationID, &h.PrestationName,
			&h.Day, &h.ForfaitFrom, &h.ForfaitUntil, &h.Action, &h.PriceCents, &h.ReservationID, &created, &h.siteID, &h.closed); err != nil {
			return h, err
		}
		h.CreatedAt = tenants.StoredTime(created)
		return h, nil
	}, `SELECT h.cart_line_id, h.family_id, h.regie_id, h.child_id, c.first_name || ' ' || c.last_name,
		h.prestation_id, p.name, h.day, h.forfait_from, h.forfait_until, h.action, h.price_cents, COALESCE(h.reservation_id, 0),
		h.created_at, h.site_id, h.closed_at IS NOT NULL
		FROM holds h JOIN children c ON c.id = h.child_id JOIN prestations p ON p.id = h.prestation_id
		WHERE h.order_ref = ? ORDER BY h.action DESC, h.id`, orderRef) // annulations ('cancel') first
	if err != nil {
		return nil, fmt.Errorf("booking: holds of %s: %w", orderRef, err)
	}
	return out, nil
}

// ReleaseHolds is ReleaseHoldsAt now.
func ReleaseHolds(ctx context.Context, tx *sql.Tx, orderRef string) (int, error) {
	return ReleaseHoldsAt(ctx, tx, orderRef, time.Now())
}

// ReleaseHoldsAt gives back, at now, the places held for the order
// orderRef (it expired, failed, was abandoned or replaced): they are free
// at once for every family, except a place the order took from the
// family's own waiting-list offer, which returns to that offer until its
// expiry (returnPlace). The cart lines stay in the family's cart.
// Releasing twice changes nothing; it reports how many lines were held.
func ReleaseHoldsAt(ctx context.Context, tx *sql.Tx, orderRef string, now time.Time) (int, error) {
	list, err := orderHolds(ctx, tx, orderRef)
	if err != nil || len(list) == 0 {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM holds WHERE order_ref = ?`, orderRef); err != nil {
		return 0, fmt.Errorf("booking: release %s: %w", orderRef, err)
	}
	for _, h := range list {
		if h.Action == ActionCancel || h.closed {
			continue // a closure gave its place back already
		}
		if err := returnPlace(ctx, tx, orderRef, h, now); err != nil {
			return 0, err
		}
	}
	return len(list), nil
}

// ConfirmHolds turns what the paid order orderRef held into bookings,
// inside billing's payment transaction, without checking again what the
// hold guarantees (capacity, exclusivity, deadlines): demandes become
// validated reservations (their place was already counted), annulations
// cancel their reservation. An annulation whose reservation was cancelled
// meanwhile (a closure decided by the mairie) is rejected, as is a
// demande whose day was closed meanwhile (ReasonDayClosed: the closure
// released its place) or that a path ignoring holds booked meanwhile;
// billing credits rejected lines. The held lines leave the cart and the holds are
// deleted. Confirmed[i].Line.ID is the cart line the hold came from.
func ConfirmHolds(ctx context.Context, tx *sql.Tx, familyID int64, orderRef string, now time.Time) (ConfirmResult, error) {
	var out ConfirmResult
	list, err := orderHolds(ctx, tx, orderRef)
	if err != nil || len(list) == 0 {
		return out, err
	}
	ids := make([]int64, 0, len(list))
	for _, h := range list {
		ids = append(ids, h.ID)
		if h.FamilyID != familyID {
			return out, fmt.Errorf("booking: holds of %s belong to family %d", orderRef, h.FamilyID)
		}
	}
	if err := retakeReopened(ctx, tx, orderRef, list); err != nil {
		return out, err
	}
	// Annulations first (the holds are read in that order), then every
	// demande in one statement.
	var booked map[heldDay]int64
	for _, h := range list {
		if h.Action != ActionCancel && booked == nil {
			if booked, err = bookHeld(ctx, tx, orderRef, now); err != nil {
				return out, err
			}
		}
		id, why, err := confirmHold(ctx, tx, h, booked, orderRef, now)
		if err != nil {
			return out, err
		}
		if why != "" {
			out.Rejected = append(out.Rejected, RemovedLine{Line: h.CartLine, Reason: why})
			continue
		}
		out.Confirmed = append(out.Confirmed, ConfirmedLine{Line: h.CartLine, ReservationID: id})
		out.TotalCents += h.Amount()
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM holds WHERE order_ref = ?`, orderRef); err != nil {
		return out, fmt.Errorf("booking: confirm %s: %w", orderRef, err)
	}
	return out, deleteLines(ctx, tx, familyID, ids)
}

// heldDay identifies a held demande within its order (holds_one: one per
// child, prestation and day).
type heldDay struct {
	childID, prestationID int64
	day                   calendar.Date
}

// bookHeld writes, in one statement, a validated reservation for every
// demande the order orderRef holds (its place was counted when held),
// except those a path ignoring holds booked meanwhile (the unique index
// of validated reservations refuses them): it returns the reservation
// of each demande booked.
func bookHeld(ctx context.Context, tx *sql.Tx, orderRef string, now time.Time) (map[heldDay]int64, error) {
	out := map[heldDay]int64{}
	err := tenants.Each(ctx, tx, func(row tenants.Row) error {
		var id int64
		var d heldDay
		if err := row.Scan(&id, &d.childID, &d.prestationID, &d.day); err != nil {
			return err
		}
		out[d] = id
		return nil
	}, `
		INSERT INTO reservations (family_id, child_id, prestation_id, regie_id, site_id, day, forfait_from, forfait_until,
			state, price_cents, order_ref, created_at, validated_at)
		SELECT family_id, child_id, prestation_id, regie_id, site_id, day, forfait_from, forfait_until,
			'validated', price_cents, order_ref, created_at, ?
		FROM holds WHERE order_ref = ? AND action = 'add' AND closed_at IS NULL ORDER BY id
		ON CONFLICT DO NOTHING
		RETURNING id, child_id, prestation_id, day`, tenants.FormatTime(now), orderRef)
	if err != nil {
		return nil, fmt.Errorf("booking: book %s: %w", orderRef, err)
	}
	return out, nil
}

// confirmHold confirms one held line: an annulation cancels its
// reservation; a demande was booked by bookHeld (booked). why is the
// French reason when it cannot be (the place it held is then given back).
func confirmHold(ctx context.Context, tx *sql.Tx, h hold, booked map[heldDay]int64, orderRef string, now time.Time) (int64, string, error) {
	if h.Action == ActionCancel {
		err := cancelReservation(ctx, tx, h.ReservationID, orderRef, now)
		if errors.Is(err, errNotValidated) {
			return 0, "réservation déjà annulée", nil
		}
		return h.ReservationID, "", err
	}
	if h.closed {
		return 0, cmp.Or(h.closedWhy, ReasonDayClosed), nil
	}
	if id, ok := booked[heldDay{h.ChildID, h.PrestationID, h.Day}]; ok {
		return id, "", nil
	}
	return 0, reasonLabels[ReasonBooked], freePlace(ctx, tx, h.PrestationID, h.Day, h.siteID)
}
