package booking

import (
	"context"
	"database/sql"
	"fmt"

	"espacefamille/app/calendar"
	"espacefamille/tenants"
)

// retakeReopened runs at payment, before the holds of the order orderRef
// are booked: a held demande whose day a closure released (closed) and
// that is open again (the closure was lifted before the payment arrived)
// takes its place back when one is left, and is booked like the others
// (its hold restored, the place counted again). A day still closed stays
// ReasonDayClosed; a day open again but full meanwhile is "complet", one
// the child got meanwhile (the same prestation, or another of its
// exclusive group, booked or held) "déjà réservé": billing credits them.
// It updates list in place.
func retakeReopened(ctx context.Context, tx *sql.Tx, orderRef string, list []hold) error {
	var cal *calendar.Calendar
	for i := range list {
		h := &list[i]
		if !h.closed || h.Action == ActionCancel {
			continue
		}
		if cal == nil {
			var err error
			if cal, err = LoadCalendar(ctx, tx); err != nil {
				return err
			}
		}
		p, err := LoadPrestation(ctx, tx, h.PrestationID)
		if err != nil {
			return err
		}
		if ok, _ := DayOpenFor(p, h.siteID, h.Day, cal); !ok {
			continue // still closed: the closure wins
		}
		var taken bool
		if err := tx.QueryRowContext(ctx, `SELECT
			EXISTS (SELECT 1 FROM reservations r JOIN prestations rp ON rp.id = r.prestation_id
				WHERE r.child_id = ? AND r.day = ? AND r.state = 'validated'
				AND (r.prestation_id = ? OR (rp.exclusive_group <> '' AND rp.exclusive_group = ?)))
			OR EXISTS (SELECT 1 FROM holds WHERE child_id = ? AND day = ? AND action = 'add' AND closed_at IS NULL
				AND (prestation_id = ? OR (exclusive_group <> '' AND exclusive_group = ?)))`,
			h.ChildID, h.Day, p.ID, p.ExclusiveGroup, h.ChildID, h.Day, p.ID, p.ExclusiveGroup).Scan(&taken); err != nil {
			return fmt.Errorf("booking: reopened day taken: %w", err)
		}
		if taken {
			h.closedWhy = reasonLabels[ReasonBooked]
			continue
		}
		booked, err := slotBooked(ctx, tx, p, h.siteID, h.Day)
		if err != nil {
			return err
		}
		if Full(p, booked) {
			h.closedWhy = reasonLabels[ReasonFull]
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE holds SET closed_at = NULL WHERE order_ref = ? AND cart_line_id = ? AND action = 'add'`,
			orderRef, h.ID); err != nil {
			return fmt.Errorf("booking: retake %s: %w", orderRef, err)
		}
		if err := bumpSlot(ctx, tx, h.PrestationID, h.Day, h.siteID, 1); err != nil {
			return err
		}
		h.closed = false
	}
	return nil
}

// ReopenedOrdersOn counts the orders waiting for their payment that hold
// a demande of day a closure had released and that is open again (read
// in the transaction that lifts the closure): at payment, each such day
// is booked when a place is left (retakeReopened). The back office says
// how many when it deletes a closure.
func ReopenedOrdersOn(ctx context.Context, q tenants.Querier, day calendar.Date) (int, error) {
	type released struct {
		ref              string
		prestation, site int64
	}
	list, err := tenants.All(ctx, q, func(row tenants.Row) (released, error) {
		var h released
		return h, row.Scan(&h.ref, &h.prestation, &h.site)
	}, `SELECT order_ref, prestation_id, site_id FROM holds
		WHERE day = ? AND action = 'add' AND closed_at IS NOT NULL AND forfait_from IS NULL`, day)
	if err != nil || len(list) == 0 {
		return 0, err
	}
	cal, err := LoadCalendar(ctx, q)
	if err != nil {
		return 0, err
	}
	orders := map[string]bool{}
	for _, h := range list {
		p, err := LoadPrestation(ctx, q, h.prestation)
		if err != nil {
			return 0, err
		}
		if ok, _ := DayOpenFor(p, h.site, day, cal); ok {
			orders[h.ref] = true
		}
	}
	return len(orders), nil
}
