package booking

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"espacefamille/app/accounts"
	"espacefamille/app/calendar"
	"espacefamille/app/mail"
	"espacefamille/tenants"
)

// kindWaitlistOffer is the mail kind (templates/mail/waitlist_offer).
const kindWaitlistOffer = "waitlist_offer"

// OfferMail is what templates/mail/waitlist_offer reads.
type OfferMail struct {
	CommuneName string
	Child       string
	Prestation  string
	Day         calendar.Date
	Until       string // "lundi 07/12/2026 à 16h30"
	Link        string
}

// SendOffers, in one transaction, ends the offers whose time is over or
// whose day can no longer be booked (their places go to the next in
// line), then emails every new offer with a link to the agenda of its
// week, valid the commune's number of hours from now. It returns how many
// entries it changed. The web layer runs it after each commune request
// that changes something, and the housekeeping job for offers whose time
// is over; a flow that frees places in the background (the
// reconciliation expiring an order) calls MailOffers inside its own
// transaction.
func SendOffers(ctx context.Context, db *tenants.DB, platform tenants.Querier, com tenants.Commune, link func(path string) string, now time.Time) (int64, error) {
	var pending bool
	if err := db.Reader().QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM waitlist WHERE state = 'offered')`).Scan(&pending); err != nil {
		return 0, fmt.Errorf("booking: offers: %w", err)
	}
	if !pending {
		return 0, nil
	}
	var n int64
	err := db.Tx(ctx, func(sqltx *sql.Tx) error {
		var err error
		n, err = MailOffers(ctx, db, sqltx, platform, com, link, now)
		return err
	})
	return n, err
}

// MailOffers is SendOffers inside the caller's write transaction sqltx
// on db: the offers' emails go to the outbox with the change that freed
// their places, so the family hears of its place at once.
func MailOffers(ctx context.Context, db *tenants.DB, sqltx *sql.Tx, platform tenants.Querier, com tenants.Commune, link func(path string) string, now time.Time) (int64, error) {
	var n int64
	tx := db.InTx(sqltx)
	set, err := LoadWaitlistSettings(ctx, tx)
	if err != nil {
		return 0, err
	}
	cal, err := LoadCalendar(ctx, tx)
	if err != nil {
		return 0, err
	}
	// Each pass ends or mails at least one entry, or stops: a place
	// an ended offer gives back may be offered to the next in line,
	// whom the next pass mails.
	for range 1000 {
		e, err := nextOffer(ctx, tx, now)
		if errors.Is(err, sql.ErrNoRows) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
		p, err := LoadPrestation(ctx, tx, e.PrestationID)
		if err != nil {
			return n, err
		}
		ok, _ := CanBookFor(p, e.siteID, e.Day, cal, now)
		if !set.Enabled || !ok || (!e.OfferedUntil.IsZero() && !now.Before(e.OfferedUntil)) {
			if err := endWait(ctx, tx, e.ID, WaitOffered, WaitExpired, e.PrestationID, e.Day, e.siteID, now); err != nil {
				return n, err
			}
			continue
		}
		until := now.Add(time.Duration(set.OfferHours) * time.Hour)
		if cut := p.Booking.Cutoff(e.Day, cal); cut.Before(until) {
			until = cut // never past the booking deadline
		}
		if _, err := tx.ExecContext(ctx, `UPDATE waitlist SET mailed_at = ?, offered_until = ?, updated_at = ? WHERE id = ?`,
			tenants.FormatTime(now), tenants.FormatTime(until), tenants.FormatTime(now), e.ID); err != nil {
			return n, fmt.Errorf("booking: offer mailed: %w", err)
		}
		if err := queueOffer(ctx, sqltx, platform, com, link, e, until, now); err != nil {
			return n, err
		}
	}
	return n, nil
}

type offerRow struct {
	WaitEntry
	siteID int64
}

// nextOffer is an offer to mail, or one whose time is over.
func nextOffer(ctx context.Context, tx tenants.Querier, now time.Time) (offerRow, error) {
	var e offerRow
	var until string
	err := tx.QueryRowContext(ctx, `SELECT w.id, w.family_id, w.child_id, c.first_name, w.prestation_id, p.name, w.day, w.site_id, COALESCE(w.offered_until, '')
		FROM waitlist w JOIN children c ON c.id = w.child_id JOIN prestations p ON p.id = w.prestation_id
		WHERE w.state = 'offered' AND (w.mailed_at IS NULL OR w.offered_until <= ?) ORDER BY w.id LIMIT 1`, tenants.FormatTime(now)).
		Scan(&e.ID, &e.FamilyID, &e.ChildID, &e.ChildName, &e.PrestationID, &e.PrestationName, &e.Day, &e.siteID, &until)
	if err == nil && until != "" {
		e.OfferedUntil, _ = tenants.ParseTime(until)
	}
	return e, err
}

// queueOffer writes the offer's email to every address of the family.
func queueOffer(ctx context.Context, tx *sql.Tx, platform tenants.Querier, com tenants.Commune, link func(string) string, e offerRow, until, now time.Time) error {
	to, err := accounts.FamilyRecipients(ctx, tx, platform, e.FamilyID)
	if err != nil {
		return err
	}
	var regie int64
	if err := tx.QueryRowContext(ctx, `SELECT regie_id FROM prestations WHERE id = ?`, e.PrestationID).Scan(&regie); err != nil {
		return fmt.Errorf("booking: offer: %w", err)
	}
	m := OfferMail{CommuneName: com.Name, Child: e.ChildName, Prestation: e.PrestationName, Day: e.Day, Until: instantFR(until),
		Link: link(fmt.Sprintf("/famille/reservations?regie=%d&enfant=%d&semaine=%s#semaine-%s", regie, e.ChildID, e.Day, e.Day.Monday()))}
	text, html, err := mail.Render(kindWaitlistOffer, m)
	if err != nil {
		return err
	}
	from := mail.SenderName(ctx, tx, com.Name)
	for _, addr := range to {
		if _, err := mail.Enqueue(ctx, tx, mail.Message{Kind: kindWaitlistOffer, To: addr, FromName: from, Commune: com.Slug,
			Subject: "Une place s'est libérée le " + e.Day.FR() + " pour " + e.ChildName, Text: text, HTML: html}, now); err != nil {
			return err
		}
	}
	return nil
}
