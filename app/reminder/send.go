package reminder

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"espacefamille/app/accounts"
	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/custody"
	"espacefamille/app/families"
	"espacefamille/app/mail"
	"espacefamille/app/notify"
	"espacefamille/tenants"
)

// Weeks is how many weeks ahead, after the current one, a pass looks at.
const Weeks = 5

// Recheck is the longest a commune waits for its next look when no
// reminder is coming: settings, prestations or calendars may change.
const Recheck = 24 * time.Hour

// Mail is what templates/mail/cutoff_reminder reads.
type Mail struct {
	CommuneName string
	Sentence    string // "Rien n'est réservé pour Léa la semaine du 11/01 ; réservations ouvertes jusqu'au jeudi 07/01 à 10h00"
	Rule        string // "RESTAURATION SCOLAIRE : Réservation jusqu'à 2 jours ouvrés avant, 10h00"
	Link        string // the child's agenda on that week
	Unsubscribe string
}

// Result is what one commune's pass did.
type Result struct {
	Reminded int       // children reminded
	Emails   int       // emails queued
	Next     time.Time // when the commune's next reminder is due
}

// Commune sends the reminders of com that are due at now, each child's in
// its own short transaction, and says when the next one is due. pub is
// the platform's database (the parents' accounts; nil: the family's
// address on file only); abs makes commune paths absolute for the emails.
func Commune(ctx context.Context, db *tenants.DB, pub tenants.Querier, com tenants.Commune, abs func(tenants.Commune, string) string, now time.Time) (Result, error) {
	res := Result{Next: now.Add(Recheck)}
	q := db.Reader()
	st, err := notify.LoadSettings(ctx, q)
	if err != nil || !st.CutoffReminder {
		return res, err
	}
	cal, err := booking.LoadCalendar(ctx, q)
	if err != nil {
		return res, err
	}
	prestations, err := booking.AllPrestations(ctx, q)
	if err != nil || len(prestations) == 0 {
		return res, err
	}
	children, err := families.AllChildren(ctx, q)
	if err != nil {
		return res, err
	}
	linked, err := familiesWithAccount(ctx, q)
	if err != nil {
		return res, err
	}
	shared, err := sharedCalendars(ctx, q)
	if err != nil {
		return res, err
	}
	this := calendar.Today(now).Monday()
	for w := 1; w <= Weeks; w++ {
		monday := this.AddDays(7 * w)
		booked, err := booking.ChildrenBookedBetween(ctx, q, monday, monday.AddDays(6))
		if err != nil {
			return res, err
		}
		sent, err := remindedIn(ctx, q, monday)
		if err != nil {
			return res, err
		}
		for _, ch := range children {
			if keep, ok := shared[ch.ID]; ok {
				// Shared custody: the household that keeps the child
				// that week books it, and is the one reminded.
				ch.FamilyID = keep.Keeper(monday)
			}
			d, ok := Cutoff(prestations, ch, monday, cal, now)
			dec := Decide(Situation{Settings: st, Deadline: d, Bookable: ok, Booked: booked[ch.ID], Sent: sent[ch.ID],
				HasAccount: linked[ch.FamilyID]}, now)
			if !dec.Later.IsZero() && dec.Later.Before(res.Next) {
				res.Next = dec.Later
			}
			if !dec.Send {
				continue
			}
			n, err := remind(ctx, db, pub, com, abs, ch, monday, d, now)
			if err != nil {
				return res, fmt.Errorf("reminder: child %d, week of %s: %w", ch.ID, monday, err)
			}
			res.Reminded++
			res.Emails += n
		}
	}
	return res, nil
}

// remind queues one child's reminder and records it, in one transaction.
func remind(ctx context.Context, db *tenants.DB, pub tenants.Querier, com tenants.Commune, abs func(tenants.Commune, string) string,
	ch families.Child, monday calendar.Date, d Deadline, now time.Time) (n int, err error) {
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		n, err = Remind(ctx, tx, pub, com, abs, ch, monday, d, now)
		return err
	})
	return n, err
}

// Remind queues the reminder of child ch about the week of monday, whose
// cut-off is d, to the family's addresses (accounts.FamilyRecipients) as
// the notification notify.CutoffReminder, and records it in the caller's
// transaction; a child already reminded about that week (another pass)
// gets nothing. It returns how many emails were queued.
func Remind(ctx context.Context, tx *sql.Tx, pub tenants.Querier, com tenants.Commune, abs func(tenants.Commune, string) string,
	ch families.Child, monday calendar.Date, d Deadline, now time.Time) (int, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO cutoff_reminders (child_id, week, sent_at, recipients) VALUES (?, ?, ?, 0)
		ON CONFLICT (child_id, week) DO NOTHING`, ch.ID, monday, tenants.FormatTime(now))
	if err != nil {
		return 0, err
	}
	if k, err := res.RowsAffected(); err != nil || k == 0 {
		return 0, err
	}
	to, err := accounts.FamilyRecipients(ctx, tx, pub, ch.FamilyID)
	if err != nil {
		return 0, err
	}
	m := Mail{CommuneName: com.Name, Sentence: Sentence(ch.FirstName, monday, d.At),
		Rule: d.Prestation.Name + " : " + d.Prestation.BookingRule(), Link: abs(com, AgendaPath(d.Prestation.RegieID, ch.ID, monday))}
	n, err := notify.Send(ctx, tx, com, abs, notify.CutoffReminder, to, func(unsubscribe string) (notify.Letter, error) {
		m.Unsubscribe = unsubscribe
		text, html, err := mail.Render(string(notify.CutoffReminder), m)
		return notify.Letter{Subject: Subject(ch.FirstName, monday), Text: text, HTML: html}, err
	}, now)
	if err != nil {
		return n, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE cutoff_reminders SET recipients = ? WHERE child_id = ? AND week = ?`, n, ch.ID, monday)
	return n, err
}

// AgendaPath is "Mes réservations" of the child on the week, in the régie
// of the prestation whose cut-off comes first: the page the parent books
// that week from.
func AgendaPath(regieID, childID int64, monday calendar.Date) string {
	return "/famille/reservations?" + url.Values{"regie": {strconv.FormatInt(regieID, 10)},
		"enfant": {strconv.FormatInt(childID, 10)}, "semaine": {monday.String()}}.Encode() + "#semaine-" + monday.String()
}

// sharedCalendars reads the custody calendars of the commune's children
// in shared custody (issue 14), by child.
func sharedCalendars(ctx context.Context, q tenants.Querier) (map[int64]custody.Calendar, error) {
	list, err := families.SharedChildren(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]custody.Calendar, len(list))
	for _, s := range list {
		if out[s.ChildID], err = custody.LoadFor(ctx, q, s.ChildID, s.HomeID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// familiesWithAccount lists the families a parent's account is linked to:
// only they can book online.
func familiesWithAccount(ctx context.Context, q tenants.Querier) (map[int64]bool, error) {
	return idSet(ctx, q, "families with an account", `SELECT DISTINCT family_id FROM family_accounts`)
}

// remindedIn lists the children already reminded about the week.
func remindedIn(ctx context.Context, q tenants.Querier, monday calendar.Date) (map[int64]bool, error) {
	return idSet(ctx, q, "reminded children", `SELECT child_id FROM cutoff_reminders WHERE week = ?`, monday)
}

// idSet runs a query of one id column and returns its ids as a set.
func idSet(ctx context.Context, q tenants.Querier, what, query string, args ...any) (map[int64]bool, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("reminder: %s: %w", what, err)
	}
	ids, err := tenants.Column[int64](rows)
	if err != nil {
		return nil, fmt.Errorf("reminder: %s: %w", what, err)
	}
	out := make(map[int64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}
