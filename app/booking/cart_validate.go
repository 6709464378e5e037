package booking

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"espacefamille/app/calendar"
	"espacefamille/app/custody"
	"espacefamille/app/families"
	"espacefamille/tenants"
)

// CartCheck is a cart re-validated by CheckCart: the lines that still
// hold, those removed with their French reasons, and the total in cents
// of the kept lines (cancellations negative).
type CartCheck struct {
	Lines      []CartLine
	Removed    []RemovedLine
	TotalCents int64
}

// checker holds what re-checking lines inside one transaction caches.
type checker struct {
	ctx      context.Context
	tx       tenants.Querier // the write transaction
	familyID int64
	now      time.Time
	cfg      *communeConfig
	cal      *calendar.Calendar
	children map[int64]*families.Child  // nil: not (any more) in the family
	custody  map[int64]custody.Calendar // of the children read, by id
	seen     *seen                      // what prefetch read for checkLines (nil: query per line)
	waits    map[childSlot]waitRow      // the family's waiting lists (nil: not read yet)
}

// offered reports whether the waiting list holds a place of the slot for
// the child.
func (k *checker) offered(childID, prestationID int64, day calendar.Date) (bool, error) {
	waits, err := k.familyWaits()
	return waits[childSlot{childID, slot{prestationID, day}}].state == WaitOffered, err
}

// familyWaits returns the family's waiting-list entries, read once per
// checker (the transaction's later changes to them go through it).
func (k *checker) familyWaits() (map[childSlot]waitRow, error) {
	if k.waits == nil {
		w, err := familyOffers(k.ctx, k.tx, k.familyID)
		if err != nil {
			return nil, err
		}
		k.waits = w
	}
	return k.waits, nil
}

// newChecker re-checks lines against cfg, or, when cfg is nil (a caller
// with a bare transaction), against the configuration read through tx.
func newChecker(ctx context.Context, tx tenants.Querier, cfg *communeConfig, familyID int64, now time.Time) (*checker, error) {
	if cfg == nil {
		var err error
		if cfg, err = configIn(ctx, tx); err != nil {
			return nil, err
		}
	}
	return &checker{ctx: ctx, tx: tx, familyID: familyID, now: now, cfg: cfg, cal: cfg.cal, children: map[int64]*families.Child{},
		custody: map[int64]custody.Calendar{}}, nil
}

func (k *checker) prestation(id int64) (Prestation, error) { return k.cfg.prestation(id) }

func (k *checker) child(id int64) (*families.Child, error) {
	if c, ok := k.children[id]; ok {
		return c, nil
	}
	c, err := FamilyChild(k.ctx, k.tx, k.familyID, id)
	if errors.Is(err, ErrNotFound) {
		k.children[id] = nil
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	keep, err := custody.LoadFor(k.ctx, k.tx, c.ID, c.FamilyID)
	if err != nil {
		return nil, err
	}
	k.children[id], k.custody[id] = &c, keep
	return &c, nil
}

// keeps says why the family may not book the child's day under the
// custody calendar ("garde de l'autre parent"), or "".
func (k *checker) keeps(l CartLine) string {
	if keep, ok := k.custody[l.ChildID]; ok && !keep.Books(k.familyID, l.Day) {
		return reasonLabels[ReasonOtherParent]
	}
	return ""
}

// taken says whether the child's day of p is already booked (a validated
// reservation of p) or held by an order waiting for its payment (p, or
// another prestation of its exclusive group), in one query.
func (k *checker) taken(childID int64, p Prestation, day calendar.Date) (booked, held bool, err error) {
	err = k.tx.QueryRowContext(k.ctx, `SELECT
		EXISTS (SELECT 1 FROM reservations WHERE child_id = ? AND prestation_id = ? AND day = ? AND state = 'validated'),
		EXISTS (SELECT 1 FROM holds WHERE child_id = ? AND day = ? AND action = 'add' AND closed_at IS NULL
			AND (prestation_id = ? OR (exclusive_group <> '' AND exclusive_group = ?)))`,
		childID, p.ID, day, childID, day, p.ID, p.ExclusiveGroup).Scan(&booked, &held)
	if err != nil {
		return false, false, fmt.Errorf("booking: booked or held: %w", err)
	}
	return booked, held, nil
}

// groupConflict returns the child's validated reservations, on day, of
// the other prestations of p's exclusive group.
func (k *checker) groupConflict(childID int64, p Prestation, day calendar.Date) ([]int64, error) {
	if p.ExclusiveGroup == "" {
		return nil, nil
	}
	ids, err := tenants.Values[int64](k.ctx, k.tx, `SELECT r.id FROM reservations r JOIN prestations p ON p.id = r.prestation_id
		WHERE r.child_id = ? AND r.day = ? AND r.state = 'validated' AND p.exclusive_group = ? AND p.id <> ?`,
		childID, day, p.ExclusiveGroup, p.ID)
	if err != nil {
		return nil, fmt.Errorf("booking: exclusive group: %w", err)
	}
	return ids, nil
}

func (k *checker) isTaken(childID int64, p Prestation, day calendar.Date) (booked, held bool, err error) {
	if k.seen != nil {
		booked, held = k.seen.taken(childID, p, day)
		return booked, held, nil
	}
	return k.taken(childID, p, day)
}

func (k *checker) conflicts(childID int64, p Prestation, day calendar.Date) ([]int64, error) {
	if k.seen != nil {
		return k.seen.groupConflict(childID, p, day), nil
	}
	return k.groupConflict(childID, p, day)
}

func (k *checker) slotBooked(p Prestation, siteID int64, day calendar.Date) (int, error) {
	if k.seen != nil {
		return k.seen.booked(p, siteID, day), nil
	}
	return slotBooked(k.ctx, k.tx, p, siteID, day)
}

// checkCancel says why a cancellation line no longer holds, or "".
func (k *checker) checkCancel(l CartLine, p Prestation) (string, error) {
	if c, err := k.child(l.ChildID); err != nil || c == nil {
		return reasonLabels[ReasonChild], err
	}
	r, err := LoadReservation(k.ctx, k.tx, l.ReservationID)
	if errors.Is(err, ErrNotFound) || (err == nil && (r.State != StateValidated || r.FamilyID != k.familyID || r.ChildID != l.ChildID)) {
		return "réservation déjà annulée", nil
	}
	if err != nil {
		return "", err
	}
	if !CanCancel(p, l.Day, k.cal, k.now) {
		return "délai d'annulation dépassé", nil
	}
	return "", nil
}

// checkAdd says why a demande no longer holds, or "": child, deadline and
// calendar, already booked, exclusivity (cancelled is the set of
// reservations whose cancellation goes through with it), and capacity
// (extra counts the places this cart already takes).
func (k *checker) checkAdd(l CartLine, p Prestation, cancelled map[int64]bool, extra map[slotSite]int, deadlines bool) (string, error) {
	c, err := k.child(l.ChildID)
	if err != nil || c == nil {
		return reasonLabels[ReasonChild], err
	}
	if why := k.keeps(l); why != "" {
		return why, nil
	}
	if ok, r := p.Audience.Allows(*c); !ok {
		return r.String(), nil
	}
	if deadlines {
		if ok, r := CanBookFor(p, c.SchoolID, l.Day, k.cal, k.now); !ok {
			return r.String(), nil
		}
	}
	// A place held by an order waiting for its payment is taken too: the
	// same child's day, or its exclusive group (another order's hold).
	switch booked, held, err := k.isTaken(l.ChildID, p, l.Day); {
	case err != nil:
		return "", err
	case booked:
		return reasonLabels[ReasonBooked], nil
	case held:
		return reasonLabels[ReasonHeld], nil
	}
	others, err := k.conflicts(l.ChildID, p, l.Day)
	if err != nil {
		return "", err
	}
	for _, id := range others {
		if !cancelled[id] {
			return reasonLabels[ReasonExclusive], nil
		}
	}
	if p.Capacity > 0 {
		site := int64(0)
		if p.CapacityScope == ScopeSite {
			site = c.SchoolID
		}
		booked, err := k.slotBooked(p, c.SchoolID, l.Day)
		if err != nil {
			return "", err
		}
		offered, err := k.offered(l.ChildID, p.ID, l.Day)
		if err != nil {
			return "", err
		}
		if offered {
			booked-- // the place the waiting list holds for this child
		}
		s := slotSite{slot{p.ID, l.Day}, site}
		if Full(p, booked+extra[s]) {
			return reasonLabels[ReasonFull], nil
		}
		extra[s]++
	}
	return "", nil
}

// checkDeadline says why a demande no longer holds for its child, its
// calendar or its deadline, or "".
func (k *checker) checkDeadline(l CartLine, p Prestation) (string, error) {
	c, err := k.child(l.ChildID)
	if err != nil || c == nil {
		return reasonLabels[ReasonChild], err
	}
	if why := k.keeps(l); why != "" {
		return why, nil
	}
	if ok, r := p.Audience.Allows(*c); !ok {
		return r.String(), nil
	}
	if ok, r := CanBookFor(p, c.SchoolID, l.Day, k.cal, k.now); !ok {
		return r.String(), nil
	}
	return "", nil
}

type slotSite struct {
	slot
	site int64
}

// CheckCart re-validates, inside the caller's transaction, every line of
// a family's cart for one régie: child still in the family, prestation of
// that régie, booking and cancellation deadlines, calendar, capacity,
// exclusivity, not already booked. Lines that no longer hold are deleted
// from the cart and returned with their French reasons; the kept lines
// come back with their prices (copied when added) and the total.
func CheckCart(ctx context.Context, tx *sql.Tx, familyID, regieID int64, now time.Time) (CartCheck, error) {
	return checkCart(ctx, tx, nil, familyID, regieID, now, true)
}

// checkCart is CheckCart; without full, demandes are checked for their
// child, deadlines and calendar only, for a caller that runs ConfirmLines
// (which checks capacity, exclusivity and "already booked") right after,
// in the same transaction.
func checkCart(ctx context.Context, tx tenants.Querier, cfg *communeConfig, familyID, regieID int64, now time.Time, full bool) (CartCheck, error) {
	k, err := newChecker(ctx, tx, cfg, familyID, now)
	if err != nil {
		return CartCheck{}, err
	}
	return checkLines(k, regieID, full)
}

// checkLines is checkCart over the checker k.
func checkLines(k *checker, regieID int64, full bool) (CartCheck, error) {
	var out CartCheck
	ctx, tx, familyID := k.ctx, k.tx, k.familyID
	lines, err := CartLines(ctx, tx, familyID, regieID)
	if err != nil {
		return out, err
	}
	orig := slices.Clone(lines)
	if full {
		if err := k.prefetch(lines); err != nil {
			return out, err
		}
		defer func() { k.seen = nil }() // HoldCart writes after the checks
	}
	// Cancellations first: a demande may replace a validated booking of
	// its exclusive group only if that booking's cancellation holds.
	slices.SortStableFunc(lines, func(a, b CartLine) int {
		if a.Action == b.Action {
			return 0
		}
		if a.Action == ActionCancel {
			return -1
		}
		return 1
	})
	cancelled := map[int64]bool{}
	extra := map[slotSite]int{}
	taken := map[[3]any]bool{} // (child, group, day) of kept demandes
	for _, l := range lines {
		p, err := k.prestation(l.PrestationID)
		why := ""
		switch {
		case errors.Is(err, ErrNotFound) || (err == nil && p.RegieID != regieID):
			why = reasonLabels[ReasonPrestation]
		case err != nil:
			return out, err
		case l.Action == ActionCancel:
			why, err = k.checkCancel(l, p)
		case !full:
			why, err = k.checkDeadline(l, p)
		default:
			why, err = k.checkAdd(l, p, cancelled, extra, true)
			g := [3]any{l.ChildID, p.ExclusiveGroup, l.Day}
			if why == "" && p.ExclusiveGroup != "" {
				if taken[g] {
					why = reasonLabels[ReasonExclusive]
				}
				taken[g] = true
			}
		}
		if err != nil {
			return out, err
		}
		if why != "" {
			out.Removed = append(out.Removed, RemovedLine{Line: l, Reason: why})
			continue
		}
		if l.Action == ActionCancel {
			cancelled[l.ReservationID] = true
		}
		out.Lines = append(out.Lines, l)
		out.TotalCents += l.Amount()
	}
	ids := make([]int64, len(out.Removed))
	for i, r := range out.Removed {
		ids[i] = r.Line.ID
	}
	if err := deleteLines(ctx, tx, familyID, ids); err != nil {
		return out, err
	}
	// Keep the page's order (child, prestation, day).
	kept := map[int64]bool{}
	for _, l := range out.Lines {
		kept[l.ID] = true
	}
	out.Lines = slices.DeleteFunc(orig, func(l CartLine) bool { return !kept[l.ID] })
	return out, nil
}

// ConfirmedLine is a cart line turned into a validated reservation (a
// demande) or a cancelled one (an annulation).
type ConfirmedLine struct {
	Line          CartLine
	ReservationID int64
}

// ConfirmResult is what ConfirmLines did: confirmed lines, rejected lines
// with their French reasons (billing credits what was paid for them), and
// the total of the confirmed lines in cents (cancellations negative).
type ConfirmResult struct {
	Confirmed  []ConfirmedLine
	Rejected   []RemovedLine
	TotalCents int64
}

// ConfirmLines turns the family's cart lines lineIDs, inside the caller's
// transaction, into validated reservations (demandes, priced as in the
// cart, with orderRef) and cancelled reservations (annulations, with
// orderRef as cancel_order_ref). Capacity, exclusivity, the child and
// "not already booked" are checked again; deadlines are not (they were
// checked by CheckCart when the order was made: call CheckCart again
// first for a payment that arrives late). A line that no longer fits is
// rejected, not confirmed. Every line found is deleted from the cart; an
// id that is not a line of the family is rejected.
func ConfirmLines(ctx context.Context, tx *sql.Tx, familyID int64, lineIDs []int64, orderRef string, now time.Time) (ConfirmResult, error) {
	return confirmLines(ctx, tx, nil, familyID, lineIDs, orderRef, now)
}

// confirmLines is ConfirmLines with the configuration cfg (nil: read it
// through tx).
func confirmLines(ctx context.Context, tx tenants.Querier, cfg *communeConfig, familyID int64, lineIDs []int64, orderRef string, now time.Time) (ConfirmResult, error) {
	var out ConfirmResult
	if len(lineIDs) == 0 {
		return out, nil
	}
	lines, err := cartLines(ctx, tx, `l.family_id = ? AND l.id IN (SELECT value FROM json_each(?))`, familyID, jsonIDs(lineIDs))
	if err != nil {
		return out, err
	}
	found := map[int64]bool{}
	for _, l := range lines {
		found[l.ID] = true
	}
	for _, id := range lineIDs {
		if !found[id] {
			out.Rejected = append(out.Rejected, RemovedLine{Line: CartLine{ID: id}, Reason: "demande introuvable (déjà traitée ou retirée du panier)"})
		}
	}
	k, err := newChecker(ctx, tx, cfg, familyID, now)
	if err != nil {
		return out, err
	}
	cancelled := map[int64]bool{}
	reject := func(l CartLine, why string) { out.Rejected = append(out.Rejected, RemovedLine{Line: l, Reason: why}) }
	for _, l := range lines {
		if l.Action != ActionCancel {
			continue
		}
		if c, err := k.child(l.ChildID); err != nil {
			return out, err
		} else if c == nil {
			reject(l, reasonLabels[ReasonChild])
			continue
		}
		r, err := LoadReservation(ctx, tx, l.ReservationID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return out, err
		}
		if err != nil || r.FamilyID != familyID || r.ChildID != l.ChildID {
			reject(l, "réservation déjà annulée")
			continue
		}
		if err := cancelReservation(ctx, tx, l.ReservationID, orderRef, now); errors.Is(err, errNotValidated) {
			reject(l, "réservation déjà annulée")
			continue
		} else if err != nil {
			return out, err
		}
		cancelled[l.ReservationID] = true
		out.Confirmed = append(out.Confirmed, ConfirmedLine{Line: l, ReservationID: l.ReservationID})
		out.TotalCents += l.Amount()
	}
	extra := map[slotSite]int{}
	for _, l := range lines {
		if l.Action == ActionCancel {
			continue
		}
		p, err := k.prestation(l.PrestationID)
		if err != nil {
			return out, err
		}
		why, err := k.checkAdd(l, p, cancelled, extra, false)
		if err != nil {
			return out, err
		}
		if why != "" {
			reject(l, why)
			continue
		}
		// The place is counted on the child's school: per-site capacities
		// and the kitchen's numbers per site read it.
		c, _ := k.child(l.ChildID)
		id, err := insertReservation(ctx, tx, l, c.SchoolID, orderRef, now)
		if err != nil {
			return out, err
		}
		out.Confirmed = append(out.Confirmed, ConfirmedLine{Line: l, ReservationID: id})
		out.TotalCents += l.Amount()
	}
	ids := make([]int64, 0, len(lines))
	for _, l := range lines {
		ids = append(ids, l.ID)
	}
	booked := make([]CartLine, 0, len(out.Confirmed))
	for _, c := range out.Confirmed {
		booked = append(booked, c.Line)
	}
	if err := takeWaits(ctx, tx, familyID, booked, "", now); err != nil {
		return out, err
	}
	return out, deleteLines(ctx, tx, familyID, ids)
}
