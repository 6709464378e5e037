package booking

import (
	"fmt"

	"espacefamille/app/calendar"
)

// seen is what checkLines reads once for all the demandes of a cart
// instead of three queries per line: the children's validated
// reservations and held places over the cart's days, and the places
// booked on its slots. checkLines writes nothing between its checks, so
// one read inside the write transaction answers every line as the
// per-line queries would (checker.taken, groupConflict, slotBooked).
type seen struct {
	reservations map[childDay][]seenPlace
	holds        map[childDay][]seenPlace
	sites        map[slotSite]int // booked per prestation, day and site
	slots        map[slot]int     // booked per prestation and day, all sites
}

type childDay struct {
	child int64
	day   calendar.Date
}

// seenPlace is a validated reservation (id) or a held place (id 0) of a
// child's day.
type seenPlace struct {
	id, prestationID int64
	group            string
}

// prefetch reads what the demandes of lines need; without demandes it
// reads nothing.
func (k *checker) prefetch(lines []CartLine) error {
	var children, prestations []int64
	var from, to calendar.Date
	for _, l := range lines {
		if l.Action == ActionCancel {
			continue
		}
		if from.IsZero() || l.Day.Before(from) {
			from = l.Day
		}
		if l.Day.After(to) {
			to = l.Day
		}
		children = appendNew(children, l.ChildID)
		prestations = appendNew(prestations, l.PrestationID)
	}
	if len(children) == 0 {
		return nil
	}
	s := &seen{reservations: map[childDay][]seenPlace{}, holds: map[childDay][]seenPlace{},
		sites: map[slotSite]int{}, slots: map[slot]int{}}
	rows, err := k.tx.QueryContext(k.ctx, `
		SELECT r.child_id, r.day, r.id, r.prestation_id, p.exclusive_group
		FROM reservations r JOIN prestations p ON p.id = r.prestation_id
		WHERE r.child_id IN (SELECT value FROM json_each(?)) AND r.day BETWEEN ? AND ? AND r.state = 'validated'
		UNION ALL
		SELECT child_id, day, 0, prestation_id, exclusive_group FROM holds
		WHERE child_id IN (SELECT value FROM json_each(?)) AND day BETWEEN ? AND ? AND action = 'add' AND closed_at IS NULL`,
		jsonIDs(children), from, to, jsonIDs(children), from, to)
	if err != nil {
		return fmt.Errorf("booking: booked or held: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var cd childDay
		var p seenPlace
		if err := rows.Scan(&cd.child, &cd.day, &p.id, &p.prestationID, &p.group); err != nil {
			return fmt.Errorf("booking: booked or held: %w", err)
		}
		if p.id != 0 {
			s.reservations[cd] = append(s.reservations[cd], p)
		} else {
			s.holds[cd] = append(s.holds[cd], p)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("booking: booked or held: %w", err)
	}
	rows.Close()
	rows, err = k.tx.QueryContext(k.ctx, `SELECT prestation_id, day, site_id, booked FROM slot_counts
		WHERE prestation_id IN (SELECT value FROM json_each(?)) AND day BETWEEN ? AND ?`, jsonIDs(prestations), from, to)
	if err != nil {
		return fmt.Errorf("booking: booked places: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ss slotSite
		var n int
		if err := rows.Scan(&ss.PrestationID, &ss.Day, &ss.site, &n); err != nil {
			return fmt.Errorf("booking: booked places: %w", err)
		}
		s.sites[ss] += n
		s.slots[ss.slot] += n
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("booking: booked places: %w", err)
	}
	k.seen = s
	return nil
}

func appendNew(list []int64, id int64) []int64 {
	for _, v := range list {
		if v == id {
			return list
		}
	}
	return append(list, id)
}

// seenTaken is checker.taken from what prefetch read.
func (s *seen) taken(childID int64, p Prestation, day calendar.Date) (booked, held bool) {
	cd := childDay{childID, day}
	for _, r := range s.reservations[cd] {
		if r.prestationID == p.ID {
			booked = true
		}
	}
	for _, h := range s.holds[cd] {
		if h.prestationID == p.ID || (h.group != "" && h.group == p.ExclusiveGroup) {
			held = true
		}
	}
	return booked, held
}

// groupConflict is checker.groupConflict from what prefetch read.
func (s *seen) groupConflict(childID int64, p Prestation, day calendar.Date) []int64 {
	if p.ExclusiveGroup == "" {
		return nil
	}
	var ids []int64
	for _, r := range s.reservations[childDay{childID, day}] {
		if r.group == p.ExclusiveGroup && r.prestationID != p.ID {
			ids = append(ids, r.id)
		}
	}
	return ids
}

// booked is slotBooked from what prefetch read.
func (s *seen) booked(p Prestation, siteID int64, day calendar.Date) int {
	if p.CapacityScope == ScopeSite {
		return s.sites[slotSite{slot{p.ID, day}, siteID}]
	}
	return s.slots[slot{p.ID, day}]
}
