package accounts

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"espacefamille/app/calendar"
	"espacefamille/app/mail"
	"espacefamille/tenants"
)

// RGPD: a parent's account that no commune uses any more (its communes
// were archived or deleted) is kept OrphanKeep, then deleted. Its owner is
// told by email when it becomes orphaned; linking another commune in the
// meantime (an adhesion code) keeps it.

// OrphanKeep is how long an account linked to no commune is kept.
const OrphanKeep = 30 * 24 * time.Hour

// mailOrphaned is the kind (and template) of the notice.
const mailOrphaned = "account_orphaned"

// orphanMail is what the notice's template receives.
type orphanMail struct {
	CommuneName string // the commune that stopped
	Name        string
	DeleteOn    string // JJ/MM/AAAA
	URL         string // the platform's address
}

// DetachCommune removes every membership of the commune communeID (it is
// being archived or deleted), inside the platform transaction tx, and
// tells each account left with no commune, through the platform's outbox,
// that it will be deleted after OrphanKeep unless it joins another
// commune. It returns the addresses told.
func DetachCommune(ctx context.Context, tx *sql.Tx, c tenants.Commune, publicURL string, now time.Time) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT a.id, a.email, a.first_name, a.last_name FROM memberships m JOIN accounts a ON a.id = m.account_id
		WHERE m.commune_id = ? AND a.orphaned_at = ''
		  AND NOT EXISTS (SELECT 1 FROM memberships o WHERE o.account_id = m.account_id AND o.commune_id != m.commune_id)
		ORDER BY a.id`, c.ID)
	if err != nil {
		return nil, fmt.Errorf("accounts: orphaned accounts: %w", err)
	}
	type orphan struct {
		id          int64
		email, name string
	}
	list, err := tenants.Collect(rows, func(row interface{ Scan(...any) error }) (orphan, error) {
		var o orphan
		var first, last string
		err := row.Scan(&o.id, &o.email, &first, &last)
		o.name = Account{FirstName: first, LastName: last}.DisplayName()
		return o, err
	})
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM memberships WHERE commune_id = ?`, c.ID); err != nil {
		return nil, fmt.Errorf("accounts: remove memberships: %w", err)
	}
	deleteOn := calendar.Today(now.Add(OrphanKeep)).FR()
	var told []string
	for _, o := range list {
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET orphaned_at = ? WHERE id = ?`, tenants.FormatTime(now), o.id); err != nil {
			return nil, fmt.Errorf("accounts: mark orphaned: %w", err)
		}
		text, html, err := mail.Render(mailOrphaned, orphanMail{CommuneName: c.Name, Name: o.name, DeleteOn: deleteOn, URL: publicURL})
		if err != nil {
			return nil, err
		}
		m := mail.Message{Kind: mailOrphaned, To: o.email, ToName: o.name, FromName: "Espace Famille",
			Subject: "Votre compte Espace Famille sera supprimé le " + deleteOn, Text: text, HTML: html}
		if _, err := mail.Enqueue(ctx, tx, m, now); err != nil {
			return nil, err
		}
		told = append(told, o.email)
	}
	return told, nil
}

// PurgeOrphans deletes the accounts told they were linked to no commune
// more than OrphanKeep before now and still linked to none (their tokens
// and throttles go with them), and forgets the notice of those that joined
// a commune since. For the housekeeping job; it returns the accounts
// deleted.
func PurgeOrphans(ctx context.Context, db *tenants.DB, now time.Time) (int64, error) {
	var n int64
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET orphaned_at = '' WHERE orphaned_at != ''
			AND EXISTS (SELECT 1 FROM memberships m WHERE m.account_id = accounts.id)`); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM accounts WHERE orphaned_at != '' AND orphaned_at <= ?
			AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.account_id = accounts.id)`, tenants.FormatTime(now.Add(-OrphanKeep)))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("accounts: delete orphaned accounts: %w", err)
	}
	return n, nil
}

// EndCommuneSessions ends every parent's session in the commune's database
// (the commune is being archived).
func EndCommuneSessions(ctx context.Context, db *tenants.DB) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions`); err != nil {
			return fmt.Errorf("accounts: end the commune's sessions: %w", err)
		}
		return nil
	})
}
