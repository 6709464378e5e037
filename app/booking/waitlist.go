package booking

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"espacefamille/app/calendar"
	"espacefamille/tenants"
)

// The waiting list of a full day (issue 14; migration 00071). A child
// waits for a place of a prestation on a day (a forfait: its period's
// first day). When a place frees up (a cancellation, a hold released by
// an expired or abandoned order, a capacity raised), the first in line is
// offered it: the entry becomes "offered" and takes the place at once in
// slot_counts, counted like a hold, so that nobody else can book it; the
// family is emailed (SendOffers) and has the commune's number of hours to
// book it through the agenda and the cart, where the offered place counts
// as free for that child only. Holding or booking the day consumes the
// offer (its place becomes the booking's own); an unused offer expires
// and the place goes to the next in line. Every change runs inside the
// transaction that freed or took the place, under the writer's lock: a
// place is never given twice.

// Waiting list states.
const (
	WaitWaiting = "waiting"
	WaitOffered = "offered"
	WaitBooked  = "booked"
	WaitExpired = "expired"
	WaitLeft    = "left"
)

// Settings of the waiting list.
const (
	SettingWaitlist   = "waitlist_enabled"     // "0": no waiting list
	SettingOfferHours = "waitlist_offer_hours" // hours an offered place is kept
	DefaultOfferHours = 4
	MaxOfferHours     = 72
)

// WaitlistSettings are the commune's choices for its waiting list.
type WaitlistSettings struct {
	Enabled    bool
	OfferHours int
}

// LoadWaitlistSettings reads the settings: on, 4 hours, by default.
func LoadWaitlistSettings(ctx context.Context, q tenants.Querier) (WaitlistSettings, error) {
	s := WaitlistSettings{Enabled: true, OfferHours: DefaultOfferHours}
	on, err := Setting(ctx, q, SettingWaitlist)
	if err != nil {
		return s, err
	}
	s.Enabled = on != "0"
	h, err := Setting(ctx, q, SettingOfferHours)
	if err != nil {
		return s, err
	}
	if n, err := strconv.Atoi(h); err == nil && n >= 1 && n <= MaxOfferHours {
		s.OfferHours = n
	}
	return s, nil
}

// SaveWaitlistSettings writes the settings; hours outside 1–72 are a
// French error wrapping ErrRefused.
func SaveWaitlistSettings(ctx context.Context, tx *sql.Tx, s WaitlistSettings) error {
	if s.OfferHours < 1 || s.OfferHours > MaxOfferHours {
		return refuse("Le délai pour réserver une place libérée va de 1 à %d heures.", MaxOfferHours)
	}
	on := "1"
	if !s.Enabled {
		on = "0"
	}
	if err := SetSetting(ctx, tx, SettingWaitlist, on); err != nil {
		return err
	}
	return SetSetting(ctx, tx, SettingOfferHours, strconv.Itoa(s.OfferHours))
}

// Wait is a child's place in the waiting list of one slot, as the agenda
// shows it.
type Wait struct {
	State string
	Rank  int // 1 = first in line (waiting entries)
}

// childWaits reads a child's entries waiting or offered between from and
// to (a year earlier for forfaits' keys), with their rank.
func childWaits(ctx context.Context, q tenants.Querier, childID int64, from, to calendar.Date) (map[slot]Wait, error) {
	out := map[slot]Wait{}
	err := tenants.Each(ctx, q, func(row tenants.Row) error {
		var s slot
		var w Wait
		if err := row.Scan(&s.PrestationID, &s.Day, &w.State, &w.Rank); err != nil {
			return err
		}
		out[s] = w
		return nil
	}, `SELECT w.prestation_id, w.day, w.state,
		(SELECT COUNT(*) FROM waitlist o WHERE o.prestation_id = w.prestation_id AND o.day = w.day AND o.state = 'waiting' AND o.id <= w.id)
		FROM waitlist w WHERE w.child_id = ? AND w.state IN ('waiting', 'offered') AND w.day BETWEEN ? AND ?`,
		childID, from.AddDays(-366), to)
	if err != nil {
		return nil, fmt.Errorf("booking: waiting list: %w", err)
	}
	return out, nil
}

// WaitEntry is an entry of the waiting list, for the family's and the
// back office's lists.
type WaitEntry struct {
	ID             int64
	FamilyID       int64
	FamilyName     string
	ChildID        int64
	ChildName      string
	PrestationID   int64
	PrestationName string
	RegieID        int64
	Day            calendar.Date
	State          string
	Rank           int
	OfferedUntil   time.Time // offered and mailed: until when the place is kept
	CreatedAt      time.Time
}

// StateText is the entry's state for people: "2e sur la liste", "place
// réservée pour vous jusqu'au 07/12/2026 à 16h30".
func (e WaitEntry) StateText() string {
	switch e.State {
	case WaitWaiting:
		if e.Rank == 1 {
			return "1er sur la liste"
		}
		return strconv.Itoa(e.Rank) + "e sur la liste"
	case WaitOffered:
		if e.OfferedUntil.IsZero() {
			return "une place s'est libérée : le courriel part dans quelques minutes"
		}
		return "une place vous est réservée jusqu'au " + instantFR(e.OfferedUntil)
	case WaitBooked:
		return "place obtenue"
	case WaitExpired:
		return "place libérée non réservée à temps"
	}
	return "a quitté la liste"
}

const waitColumns = `w.id, w.family_id, f.name, w.child_id, c.first_name || ' ' || c.last_name, w.prestation_id, p.name, w.regie_id,
	w.day, w.state, (SELECT COUNT(*) FROM waitlist o WHERE o.prestation_id = w.prestation_id AND o.day = w.day AND o.state = 'waiting' AND o.id <= w.id),
	COALESCE(w.offered_until, ''), w.created_at
	FROM waitlist w JOIN families f ON f.id = w.family_id JOIN children c ON c.id = w.child_id JOIN prestations p ON p.id = w.prestation_id`

func scanWait(r tenants.Row) (WaitEntry, error) {
	var e WaitEntry
	var until, created string
	err := r.Scan(&e.ID, &e.FamilyID, &e.FamilyName, &e.ChildID, &e.ChildName, &e.PrestationID, &e.PrestationName, &e.RegieID,
		&e.Day, &e.State, &e.Rank, &until, &created)
	if err != nil {
		return e, err
	}
	if until != "" {
		e.OfferedUntil, _ = tenants.ParseTime(until)
	}
	e.CreatedAt, _ = tenants.ParseTime(created)
	return e, nil
}

// FamilyWaits lists the family's entries from day on, waiting and offered
// first.
func FamilyWaits(ctx context.Context, q tenants.Querier, familyID int64, from calendar.Date) ([]WaitEntry, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+waitColumns+`
		WHERE w.family_id = ? AND w.day >= ? AND w.state IN ('waiting', 'offered') ORDER BY w.day, p.position, w.id`, familyID, from.AddDays(-366))
	if err != nil {
		return nil, fmt.Errorf("booking: family waiting list: %w", err)
	}
	return tenants.Collect(rows, scanWait)
}

// Waits lists the waiting lists of the days from..to for the back office,
// by day, prestation and order of arrival, every state.
func Waits(ctx context.Context, q tenants.Querier, from, to calendar.Date) ([]WaitEntry, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+waitColumns+`
		WHERE w.day BETWEEN ? AND ? ORDER BY w.day, p.position, w.id`, from, to)
	if err != nil {
		return nil, fmt.Errorf("booking: waiting lists: %w", err)
	}
	return tenants.Collect(rows, scanWait)
}

// JoinWaitlist puts a child of the family on the waiting list of a full
// day of a prestation of the régie, in one transaction, and returns the
// child's rank. Only a day the child could book but for the capacity is
// accepted; a refusal wraps ErrRefused with a French message; a child or
// prestation not of the family's commune and régie is ErrNotFound. Asking
// twice gives the same place in line.
func JoinWaitlist(ctx context.Context, db *tenants.DB, in Click, now time.Time) (int, error) {
	var rank int
	err := db.Tx(ctx, func(sqltx *sql.Tx) error {
		tx := db.InTx(sqltx)
		set, err := LoadWaitlistSettings(ctx, tx)
		if err != nil {
			return err
		}
		if !set.Enabled {
			return refuse("La mairie n'a pas ouvert de liste d'attente.")
		}
		cfg, err := loadConfig(ctx, db, tx)
		if err != nil {
			return err
		}
		b, err := booker(ctx, tx, cfg, in.FamilyID, in.RegieID, in.ChildID, in.Day, in.Day, now)
		if err != nil {
			return err
		}
		p, ok := findPrestation(b.Prestations, in.PrestationID)
		if !ok {
			return ErrNotFound
		}
		key, _, err := Key(p, in.Day, b.Calendar)
		if err != nil {
			return refuse("Pas de %s le %s.", p.Name, in.Day.FR())
		}
		if w, ok := b.Ledger.waits[slot{p.ID, key}]; ok {
			rank = w.Rank
			return nil
		}
		cell := CellFor(CellInput{Prestation: p, Day: in.Day, Calendar: b.Calendar, Now: now, Ledger: b.Ledger, Child: &b.Child})
		switch {
		case cell.State == CellBookable:
			return refuse("Il reste des places le %s : cliquez sur la case pour réserver.", key.FR())
		case cell.State != CellClosed:
			return refuse("%s est déjà demandé ou réservé le %s.", p.Name, key.FR())
		case cell.Reason.Code != ReasonFull:
			return refuse("Liste d'attente impossible le %s : %s.", key.FR(), cell.Reason.String())
		}
		at := tenants.FormatTime(now)
		if _, err := tx.ExecContext(ctx, `INSERT INTO waitlist (family_id, child_id, prestation_id, regie_id, site_id, day, state, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, 'waiting', ?, ?)`, in.FamilyID, in.ChildID, p.ID, p.RegieID, b.Child.SchoolID, key, at, at); err != nil {
			return fmt.Errorf("booking: join waiting list: %w", err)
		}
		return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM waitlist WHERE prestation_id = ? AND day = ? AND state = 'waiting'`, p.ID, key).Scan(&rank)
	})
	return rank, err
}

// LeaveWaitlist takes the family's entry off the waiting list; an offered
// place goes to the next in line. ErrNotFound for an entry of another
// family or no longer on the list.
func LeaveWaitlist(ctx context.Context, db *tenants.DB, familyID, entryID int64, now time.Time) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		var state string
		var pid, site int64
		var day calendar.Date
		err := tx.QueryRowContext(ctx, `SELECT state, prestation_id, day, site_id FROM waitlist
			WHERE id = ? AND family_id = ? AND state IN ('waiting', 'offered')`, entryID, familyID).Scan(&state, &pid, &day, &site)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("booking: leave waiting list: %w", err)
		}
		return endWait(ctx, tx, entryID, state, WaitLeft, pid, day, site, now)
	})
}

// endWait closes an entry (left, expired); an offered one gives its place
// back, to the next in line.
func endWait(ctx context.Context, tx tenants.Querier, id int64, was, state string, pid int64, day calendar.Date, site int64, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE waitlist SET state = ?, updated_at = ? WHERE id = ?`, state, tenants.FormatTime(now), id); err != nil {
		return fmt.Errorf("booking: waiting list: %w", err)
	}
	if was != WaitOffered {
		return nil
	}
	return freePlace(ctx, tx, pid, day, site)
}

// freePlace gives back one place of a slot (a cancellation, a released
// hold, an offer ended) and offers it to the first in line, in the same
// transaction: between the two, nobody else can take it.
func freePlace(ctx context.Context, tx tenants.Querier, prestationID int64, day calendar.Date, siteID int64) error {
	if err := bumpSlot(ctx, tx, prestationID, day, siteID, -1); err != nil {
		return err
	}
	return offerNext(ctx, tx, prestationID, day)
}

// offerNext offers the free places of a slot to the children waiting for
// it, first come first served: each offered entry takes its place in
// slot_counts at once. The email goes out with SendOffers.
func offerNext(ctx context.Context, tx tenants.Querier, prestationID int64, day calendar.Date) error {
	type waiting struct{ id, site int64 }
	rows, err := tx.QueryContext(ctx, `SELECT id, site_id FROM waitlist WHERE prestation_id = ? AND day = ? AND state = 'waiting' ORDER BY id`,
		prestationID, day)
	if err != nil {
		return fmt.Errorf("booking: waiting list: %w", err)
	}
	list, err := tenants.Collect(rows, func(r tenants.Row) (waiting, error) {
		var w waiting
		return w, r.Scan(&w.id, &w.site)
	})
	if err != nil || len(list) == 0 {
		return err
	}
	p, err := LoadPrestation(ctx, tx, prestationID)
	if err != nil {
		return err
	}
	for _, w := range list {
		booked, err := slotBooked(ctx, tx, p, w.site, day)
		if err != nil {
			return err
		}
		if Full(p, booked) {
			if p.CapacityScope == ScopeSite {
				continue // another school may have room
			}
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE waitlist SET state = 'offered', offered_at = ?, updated_at = ? WHERE id = ?`,
			tenants.FormatTime(time.Now()), tenants.FormatTime(time.Now()), w.id); err != nil {
			return fmt.Errorf("booking: offer a place: %w", err)
		}
		if err := bumpSlot(ctx, tx, prestationID, day, w.site, 1); err != nil {
			return err
		}
	}
	return nil
}

// OfferFreedPlaces offers, after a change of a prestation's capacity,
// the places it frees to the children waiting for its days.
func OfferFreedPlaces(ctx context.Context, tx *sql.Tx, prestationID int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT day FROM waitlist WHERE prestation_id = ? AND state = 'waiting'`, prestationID)
	if err != nil {
		return fmt.Errorf("booking: waiting list: %w", err)
	}
	days, err := tenants.Collect(rows, func(r tenants.Row) (calendar.Date, error) {
		var d calendar.Date
		return d, r.Scan(&d)
	})
	if err != nil {
		return err
	}
	for _, d := range days {
		if err := offerNext(ctx, tx, prestationID, d); err != nil {
			return err
		}
	}
	return nil
}

// familyOffers reads the family's entries still on a list, by child and
// slot (one query for a whole cart).
func familyOffers(ctx context.Context, q tenants.Querier, familyID int64) (map[childSlot]waitRow, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, child_id, prestation_id, day, state, site_id FROM waitlist
		WHERE family_id = ? AND state IN ('waiting', 'offered')`, familyID)
	if err != nil {
		return nil, fmt.Errorf("booking: waiting list: %w", err)
	}
	list, err := tenants.Collect(rows, func(r tenants.Row) (waitRow, error) {
		var w waitRow
		return w, r.Scan(&w.id, &w.child, &w.prestation, &w.day, &w.state, &w.site)
	})
	if err != nil {
		return nil, err
	}
	out := make(map[childSlot]waitRow, len(list))
	for _, w := range list {
		out[childSlot{w.child, slot{w.prestation, w.day}}] = w
	}
	return out, nil
}

type childSlot struct {
	child int64
	slot
}

type waitRow struct {
	id, child, prestation, site int64
	day                         calendar.Date
	state                       string
}

// takeWaits closes the entries of the days the family's lines now hold
// or book ("booked"); an offered place is handed over to the booking,
// which counted its own. holdRef is the order whose holds took them (""
// for bookings): if it ends without payment, returnPlace gives the place
// back to the entry.
func takeWaits(ctx context.Context, tx tenants.Querier, familyID int64, lines []CartLine, holdRef string, now time.Time) error {
	adds := demandes(lines)
	if len(adds) == 0 {
		return nil
	}
	waits, err := familyOffers(ctx, tx, familyID)
	if err != nil {
		return err
	}
	return takeOffered(ctx, tx, waits, adds, holdRef, now)
}

// demandes are the lines that ask for a place (not annulations).
func demandes(lines []CartLine) []CartLine {
	var adds []CartLine
	for _, l := range lines {
		if l.Action != ActionCancel {
			adds = append(adds, l)
		}
	}
	return adds
}

// takeOffered is takeWaits with the family's entries already read in the
// same transaction (waits) and the demandes among the lines (adds).
func takeOffered(ctx context.Context, tx tenants.Querier, waits map[childSlot]waitRow, adds []CartLine, holdRef string, now time.Time) error {
	for _, l := range adds {
		w, ok := waits[childSlot{l.ChildID, slot{l.PrestationID, l.Day}}]
		if !ok {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE waitlist SET state = 'booked', hold_ref = NULLIF(?, ''), updated_at = ? WHERE id = ?`,
			holdRef, tenants.FormatTime(now), w.id); err != nil {
			return fmt.Errorf("booking: waiting list: %w", err)
		}
		if w.state == WaitOffered {
			if err := bumpSlot(ctx, tx, w.prestation, w.day, w.site, -1); err != nil {
				return err
			}
		}
	}
	return nil
}

// returnPlace gives back the place of a demande the order holdRef held
// and releases without payment: when the hold had taken the family's
// waiting-list entry, the entry gets it back, as the parent expects (an
// offer still running keeps the place until its own expiry, and is mailed
// if it was not yet; a waiting entry is back in its place in line, and
// the place offered to the first in line); otherwise the place goes to
// the first in line (freePlace).
func returnPlace(ctx context.Context, tx tenants.Querier, holdRef string, h hold, now time.Time) error {
	var id int64
	var offeredAt, until sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT id, offered_at, offered_until FROM waitlist
		WHERE hold_ref = ? AND child_id = ? AND prestation_id = ? AND day = ? AND state = 'booked'`,
		holdRef, h.ChildID, h.PrestationID, h.Day).Scan(&id, &offeredAt, &until)
	if errors.Is(err, sql.ErrNoRows) {
		return freePlace(ctx, tx, h.PrestationID, h.Day, h.siteID)
	}
	if err != nil {
		return fmt.Errorf("booking: waiting list of %s: %w", holdRef, err)
	}
	state := WaitWaiting
	if offeredAt.Valid {
		state = WaitExpired
		if end, err := tenants.ParseTime(until.String); !until.Valid || (err == nil && now.Before(end)) {
			state = WaitOffered
		}
	}
	_, err = tx.ExecContext(ctx, `UPDATE waitlist SET state = ?, hold_ref = NULL, updated_at = ? WHERE id = ?`, state, tenants.FormatTime(now), id)
	if tenants.IsUnique(err) {
		// The child is on that list again (joined since): this entry ends.
		state = WaitExpired
		_, err = tx.ExecContext(ctx, `UPDATE waitlist SET state = ?, hold_ref = NULL, updated_at = ? WHERE id = ?`, state, tenants.FormatTime(now), id)
	}
	if err != nil {
		return fmt.Errorf("booking: waiting list of %s: %w", holdRef, err)
	}
	if state == WaitOffered {
		return nil // the place the hold counted is the offer's again
	}
	return freePlace(ctx, tx, h.PrestationID, h.Day, h.siteID)
}

// KeptOffer is a waiting-list offer that an order left unpaid gave back
// to the family (returnPlace): the place stays reserved for the child on
// Day until Until.
type KeptOffer struct {
	FirstName string
	Day       calendar.Date
	Until     time.Time
}

// Sentence tells the parent, in French, that the place is still theirs:
// "La place proposée pour Léa le 07/12 reste réservée pour vous jusqu'au
// 05/12/2026 à 16:30 : vous pouvez la valider à nouveau dans Mes
// réservations."
func (k KeptOffer) Sentence() string {
	t := k.Until.In(calendar.Paris())
	return fmt.Sprintf("La place proposée pour %s le %02d/%02d reste réservée pour vous jusqu'au %s à %02d:%02d : "+
		"vous pouvez la valider à nouveau dans Mes réservations.", k.FirstName, k.Day.Day(), k.Day.Month(),
		calendar.Today(t).FR(), t.Hour(), t.Minute())
}

// OffersHeldBy lists the waiting-list entries whose place the pending
// order orderRef holds; read before the order is released, KeptOffers
// then tells which of them went back to their offer.
func OffersHeldBy(ctx context.Context, q tenants.Querier, orderRef string) ([]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT id FROM waitlist WHERE hold_ref = ? AND state = 'booked' ORDER BY id`, orderRef)
	if err != nil {
		return nil, fmt.Errorf("booking: waiting list of %s: %w", orderRef, err)
	}
	return tenants.Collect(rows, func(r tenants.Row) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
}

// KeptOffers reads, among the entries ids (OffersHeldBy), those offered
// again with a known expiry (an offer not mailed yet is told by its own
// email), by day and child.
func KeptOffers(ctx context.Context, q tenants.Querier, ids []int64) ([]KeptOffer, error) {
	var out []KeptOffer
	for _, id := range ids {
		var k KeptOffer
		var until string
		err := q.QueryRowContext(ctx, `SELECT c.first_name, w.day, w.offered_until FROM waitlist w JOIN children c ON c.id = w.child_id
			WHERE w.id = ? AND w.state = 'offered' AND w.offered_until IS NOT NULL`, id).Scan(&k.FirstName, &k.Day, &until)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("booking: waiting list: %w", err)
		}
		if k.Until, err = tenants.ParseTime(until); err != nil {
			return nil, fmt.Errorf("booking: waiting list offer %d: %w", id, err)
		}
		out = append(out, k)
	}
	slices.SortStableFunc(out, func(a, b KeptOffer) int {
		return cmp.Or(a.Day.Compare(b.Day), strings.Compare(a.FirstName, b.FirstName))
	})
	return out, nil
}
