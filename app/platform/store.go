// Package platform is the hosting provider's console (/plateforme/ on the
// platform's own host): its administrators with a second factor (TOTP,
// RFC 6238), the communes list, onboarding, suspension, and the platform
// audit log. Its tables live in the platform database.
package platform

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"espacefamille/app/auth"
	appmail "espacefamille/app/mail"
	"espacefamille/tenants"
)

// Lifetimes of the console's sessions and links.
const (
	idleTimeout = 30 * time.Minute
	maxSession  = 8 * time.Hour
	// secondFactorWindow: a session whose password was right must give its
	// second factor within this time.
	secondFactorWindow = 10 * time.Minute
	touchEvery         = time.Minute
	// InviteTTL is how long a set-password link lasts (inviteValidFor).
	InviteTTL      = 3 * 24 * time.Hour
	inviteValidFor = "3 jours"
)

// Session stages.
const (
	stagePassword = "password"
	stageFull     = "full"
)

// Errors of the store.
var (
	ErrNotFound = tenants.NotFound("platform: not found")
	// ErrAdminExists: add-admin for an address that already has an account.
	ErrAdminExists = errors.New("un administrateur de l'hébergeur a déjà cette adresse")
	// ErrBadEmail: add-admin for an address that is not one.
	ErrBadEmail = errors.New("adresse email invalide")
)

// Admin is a provider administrator.
type Admin struct {
	ID           int64
	Email        string
	Disabled     bool
	HasPassword  bool
	Enrolled     bool // has a second factor
	passwordHash string
	totpSecret   string
	totpPending  string
	totpLastStep int64
}

const adminColumns = `id, email, disabled, password_hash, totp_secret, totp_pending, totp_last_step`

func scanAdmin(row interface{ Scan(...any) error }) (Admin, error) {
	var a Admin
	err := row.Scan(&a.ID, &a.Email, &a.Disabled, &a.passwordHash, &a.totpSecret, &a.totpPending, &a.totpLastStep)
	if errors.Is(err, sql.ErrNoRows) {
		return a, ErrNotFound
	}
	a.HasPassword, a.Enrolled = a.passwordHash != "", a.totpSecret != ""
	return a, err
}

func adminByEmail(ctx context.Context, q tenants.Querier, email string) (Admin, error) {
	return scanAdmin(q.QueryRowContext(ctx, `SELECT `+adminColumns+` FROM provider_admins WHERE email = ?`, email))
}

func adminByID(ctx context.Context, q tenants.Querier, id int64) (Admin, error) {
	return scanAdmin(q.QueryRowContext(ctx, `SELECT `+adminColumns+` FROM provider_admins WHERE id = ?`, id))
}

// NormalizeEmail trims and lower-cases an address and checks it is one.
func NormalizeEmail(email string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
		return email, ErrBadEmail
	}
	return email, nil
}

// AddAdmin creates a provider administrator without a password and
// issues their set-password link token, in tx.
func AddAdmin(ctx context.Context, tx *sql.Tx, email string, now time.Time) (Admin, string, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return Admin{}, "", err
	}
	if _, err := adminByEmail(ctx, tx, email); err == nil {
		return Admin{}, "", ErrAdminExists
	} else if !errors.Is(err, ErrNotFound) {
		return Admin{}, "", err
	}
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO provider_admins (email, created_at) VALUES (?, ?) RETURNING id`,
		email, tenants.FormatTime(now)).Scan(&id); err != nil {
		return Admin{}, "", fmt.Errorf("platform: add admin: %w", err)
	}
	token, err := createLinkToken(ctx, tx, id, now)
	if err != nil {
		return Admin{}, "", err
	}
	return Admin{ID: id, Email: email}, token, writeAudit(ctx, tx, "système", "admin_add", "", email, now)
}

// ResetAdmin issues a new set-password link to an existing administrator:
// the password and the second factor are to be chosen again.
func ResetAdmin(ctx context.Context, tx *sql.Tx, email string, now time.Time) (Admin, string, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return Admin{}, "", err
	}
	a, err := adminByEmail(ctx, tx, email)
	if err != nil {
		return a, "", err
	}
	token, err := createLinkToken(ctx, tx, a.ID, now)
	if err != nil {
		return a, "", err
	}
	return a, token, writeAudit(ctx, tx, "système", "admin_reset", "", email, now)
}

func createLinkToken(ctx context.Context, tx *sql.Tx, adminID int64, now time.Time) (string, error) {
	if _, err := tx.ExecContext(ctx, `DELETE FROM provider_tokens WHERE admin_id = ? AND used_at IS NULL`, adminID); err != nil {
		return "", err
	}
	token, hash := auth.NewToken()
	if _, err := tx.ExecContext(ctx, `INSERT INTO provider_tokens (token_hash, admin_id, expires_at, created_at) VALUES (?, ?, ?, ?)`,
		hash, adminID, tenants.FormatTime(now.Add(InviteTTL)), tenants.FormatTime(now)); err != nil {
		return "", fmt.Errorf("platform: link token: %w", err)
	}
	return token, nil
}

// linkAdmin returns the administrator of a live, unused link token.
func linkAdmin(ctx context.Context, q tenants.Querier, token string, now time.Time) (Admin, error) {
	if !auth.ValidToken(token) {
		return Admin{}, ErrNotFound
	}
	var id int64
	var expires, used tenants.Time
	_, err := auth.FindToken(token, func(hash string) error {
		return q.QueryRowContext(ctx, `SELECT admin_id, expires_at, used_at FROM provider_tokens WHERE token_hash = ?`, hash).
			Scan(&id, &expires, &used)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return Admin{}, ErrNotFound
	}
	if err != nil {
		return Admin{}, err
	}
	if !used.IsZero() || now.After(expires.Time) {
		return Admin{}, ErrNotFound
	}
	return adminByID(ctx, q, id)
}

// useLink marks the token used and sets the password; the second factor
// is enrolled again at the next log-in, and every session ends.
func useLink(ctx context.Context, tx *sql.Tx, token string, adminID int64, hash string, now time.Time) (bool, error) {
	if err := auth.UpgradeToken(ctx, tx, "provider_tokens", token); err != nil {
		return false, err
	}
	res, err := tx.ExecContext(ctx, `UPDATE provider_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at >= ?`,
		tenants.FormatTime(now), auth.HashToken(token), tenants.FormatTime(now))
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE provider_admins
		SET password_hash = ?, totp_secret = '', totp_pending = '', totp_last_step = 0 WHERE id = ?`, hash, adminID); err != nil {
		return false, fmt.Errorf("platform: set password: %w", err)
	}
	if err := endSessions(ctx, tx, adminID); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM provider_recovery_codes WHERE admin_id = ?`, adminID); err != nil {
		return false, fmt.Errorf("platform: recovery codes: %w", err)
	}
	return true, nil
}

// createSession opens a session at stage and returns its token.
func createSession(ctx context.Context, tx *sql.Tx, adminID int64, stage string, now time.Time) (string, error) {
	token, hash := auth.NewToken()
	exp := now.Add(maxSession)
	if stage == stagePassword {
		exp = now.Add(secondFactorWindow)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO provider_sessions (token_hash, admin_id, stage, created_at, last_seen_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)`, hash, adminID, stage, tenants.FormatTime(now), tenants.FormatTime(now), tenants.FormatTime(exp)); err != nil {
		return "", fmt.Errorf("platform: create session: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM provider_sessions WHERE expires_at < ? OR last_seen_at < ?`,
		tenants.FormatTime(now), tenants.FormatTime(now.Add(-idleTimeout))); err != nil {
		return "", fmt.Errorf("platform: purge sessions: %w", err)
	}
	return token, nil
}

// sessionAdmin returns the live session's administrator, its stage and
// when it was last seen. A session stored under the old form of its
// token's hash is rewritten to the current one (auth.FindToken).
func sessionAdmin(ctx context.Context, db *tenants.DB, token string, now time.Time) (Admin, string, time.Time, error) {
	if !auth.ValidToken(token) {
		return Admin{}, "", time.Time{}, ErrNotFound
	}
	q := db.Reader()
	var id int64
	var stage string
	var lastSeen, expires tenants.Time
	legacy, err := auth.FindToken(token, func(hash string) error {
		return q.QueryRowContext(ctx, `SELECT admin_id, stage, last_seen_at, expires_at FROM provider_sessions WHERE token_hash = ?`,
			hash).Scan(&id, &stage, &lastSeen, &expires)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return Admin{}, "", time.Time{}, ErrNotFound
	}
	if err != nil {
		return Admin{}, "", time.Time{}, fmt.Errorf("platform: session: %w", err)
	}
	if now.After(expires.Time) || now.Sub(lastSeen.Time) > idleTimeout {
		return Admin{}, "", time.Time{}, ErrNotFound
	}
	a, err := adminByID(ctx, q, id)
	if err != nil || a.Disabled || !a.HasPassword {
		return Admin{}, "", time.Time{}, ErrNotFound
	}
	if legacy {
		if err := db.Tx(ctx, func(tx *sql.Tx) error { return auth.UpgradeToken(ctx, tx, "provider_sessions", token) }); err != nil {
			return Admin{}, "", time.Time{}, err
		}
	}
	return a, stage, lastSeen.Time, nil
}

func touchSession(ctx context.Context, tx *sql.Tx, token string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE provider_sessions SET last_seen_at = ? WHERE token_hash = ?`, tenants.FormatTime(now), auth.HashToken(token))
	return err
}

func endSessions(ctx context.Context, tx *sql.Tx, adminID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM provider_sessions WHERE admin_id = ?`, adminID); err != nil {
		return fmt.Errorf("platform: end sessions: %w", err)
	}
	return nil
}

func deleteSession(ctx context.Context, tx *sql.Tx, token string) error {
	if err := auth.UpgradeToken(ctx, tx, "provider_sessions", token); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM provider_sessions WHERE token_hash = ?`, auth.HashToken(token))
	return err
}

// AuditEntry is one line of the platform audit log.
type AuditEntry struct {
	At      time.Time
	Actor   string
	Action  string
	Commune string
	Detail  string
}

var actionLabels = map[string]string{
	"admin_add": "administrateur ajouté", "admin_reset": "nouveau lien d'administrateur", "password_set": "mot de passe choisi",
	"totp_enrol": "double authentification activée", "login": "connexion", "commune_create": "collectivité créée",
	"commune_suspend": "commune suspendue", "commune_rename": "commune renommée", "commune_hosts": "noms d'hôte changés", "commune_resume": "commune rouverte", "invitation_resend": "invitation renvoyée",
	"commune_backup": "sauvegarde faite", "commune_backup_failed": "sauvegarde en échec", "commune_archive": "commune archivée",
	"commune_delete": "commune supprimée", "commune_move": "déplacement demandé",
}

// ActionLabel is the action in French.
func (e AuditEntry) ActionLabel() string {
	if l, ok := actionLabels[e.Action]; ok {
		return l
	}
	return e.Action
}

// writeAudit appends an action to the platform audit log, in tx.
func writeAudit(ctx context.Context, tx *sql.Tx, actor, action, commune, detail string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO platform_audit (at, actor, action, commune, detail) VALUES (?, ?, ?, ?, ?)`,
		tenants.FormatTime(now), actor, action, commune, detail); err != nil {
		return fmt.Errorf("platform: audit: %w", err)
	}
	return nil
}

// auditLog returns the latest entries of the platform audit log, of one
// commune when commune is not "".
func auditLog(ctx context.Context, q tenants.Querier, commune string, limit int) ([]AuditEntry, error) {
	rows, err := q.QueryContext(ctx, `SELECT at, actor, action, commune, detail FROM platform_audit
		WHERE ? = '' OR commune = ? ORDER BY id DESC LIMIT ?`, commune, commune, limit)
	if err != nil {
		return nil, fmt.Errorf("platform: audit log: %w", err)
	}
	return tenants.Collect(rows, func(row interface{ Scan(...any) error }) (AuditEntry, error) {
		var e AuditEntry
		var at string
		err := row.Scan(&at, &e.Actor, &e.Action, &e.Commune, &e.Detail)
		e.At = tenants.StoredTime(at)
		return e, err
	})
}

// Invite is InviteAdmin in its own transaction of the platform database
// (the command line; tests).
func Invite(ctx context.Context, db *tenants.DB, email, consoleURL string, reset bool, now time.Time) (Invitation, error) {
	var inv Invitation
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		inv, err = InviteAdmin(ctx, tx, email, consoleURL, reset, now)
		return err
	})
	return inv, err
}

// Invitation is a set-password link issued to a provider administrator.
type Invitation struct {
	Email string
	Link  string
}

// InviteAdmin adds a provider administrator (or, with reset, issues a new
// link to an existing one: password and second factor chosen again) and
// queues the email with the set-password link in the platform outbox, in
// tx. consoleURL is the console's base URL ("https://plateforme.example").
func InviteAdmin(ctx context.Context, tx *sql.Tx, email, consoleURL string, reset bool, now time.Time) (Invitation, error) {
	add := AddAdmin
	if reset {
		add = ResetAdmin
	}
	a, token, err := add(ctx, tx, email, now)
	if err != nil {
		return Invitation{}, err
	}
	inv := Invitation{Email: a.Email, Link: strings.TrimSuffix(consoleURL, "/") + tenants.ConsolePath + "/mot-de-passe/" + token}
	text, html, err := appmail.Render("provider_invitation", map[string]string{
		"CommuneName": "Console de l'hébergeur", "Email": a.Email, "URL": inv.Link, "ValidFor": inviteValidFor})
	if err != nil {
		return inv, err
	}
	_, err = appmail.Enqueue(ctx, tx, appmail.Message{Kind: "provider_invitation", To: a.Email, FromName: "Espace Famille",
		Subject: "Votre accès à la console de l'hébergeur – Espace Famille", Text: text, HTML: html}, now)
	return inv, err
}

// Audit writes an action done outside the console (the command line) to
// the platform audit log, in its own transaction.
func Audit(ctx context.Context, db *tenants.DB, actor, action, commune, detail string, now time.Time) error {
	return db.Tx(ctx, func(tx *sql.Tx) error { return writeAudit(ctx, tx, actor, action, commune, detail, now) })
}

// CLIActor names the command line in the platform audit log.
const CLIActor = "ligne de commande"
