package accounts

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/auth"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// sessionCookie holds the session token; web.SetCookie scopes it to the
// commune (its host or its path prefix), HttpOnly, SameSite=Lax, Secure
// behind TLS. It has no Max-Age: the server ends sessions.
const sessionCookie = "ef_session"

type sessionKey struct{}

// session binds the request to its logged-in parent, if any: a live
// session of this commune whose account's password has not changed since
// log-in. Sessions live in the commune's database, so a cookie of commune
// A means nothing on commune B.
func (svc *Service) session(c *fiber.Ctx) error {
	t := tenants.From(c)
	token := c.Cookies(sessionCookie)
	if t == nil || token == "" {
		return c.Next()
	}
	if !auth.ValidToken(token) {
		web.SetCookie(c, sessionCookie, "", -1)
		return c.Next()
	}
	ctx, now := c.UserContext(), svc.now()
	row, err := loadSession(ctx, t.DB().Reader(), auth.HashToken(token))
	if v, ok := t.DB().Pending(seenBatch, row.Hash); ok && v.(time.Time).After(row.LastSeen) {
		row.LastSeen = v.(time.Time)
	}
	if errors.Is(err, ErrNotFound) {
		web.SetCookie(c, sessionCookie, "", -1)
		return c.Next()
	} else if err != nil {
		return err
	}
	acc, communes, err := sessionAccount(ctx, svc.platform.Reader(), row.AccountID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	if err != nil || !row.live(now) || acc.PasswordChangedAt.After(row.CreatedAt) {
		if err := t.DB().Tx(ctx, func(tx *sql.Tx) error { return deleteSession(ctx, tx, row.Hash) }); err != nil {
			return err
		}
		web.SetCookie(c, sessionCookie, "", -1)
		return c.Next()
	}
	if now.Sub(row.LastSeen) >= touchEvery {
		// Kept in memory and written in a batch (tenants.WriteLater): a
		// page view never waits for the commune's writer.
		t.DB().WriteLater(seenBatch, row.Hash, now, flushSeen)
	}
	c.Locals(sessionKey{}, &row)
	web.SetUser(c, &web.UserView{AccountID: acc.ID, DisplayName: acc.DisplayName(), FamilyID: row.FamilyID, FamilyName: row.FamilyName,
		Communes: communes})
	return c.Next()
}

// startSession opens a new session for the account (ending the one the
// browser had, if any), sets its cookie and renews the CSRF secret, so
// that nothing from before log-in survives it.
func (svc *Service) startSession(c *fiber.Ctx, accountID int64, now time.Time) error {
	t := tenants.From(c)
	ctx := c.UserContext()
	// createSession purges idle sessions: the "last seen" times still in
	// memory are written first.
	if err := t.DB().FlushLater(ctx); err != nil {
		return err
	}
	var token string
	err := t.DB().Tx(ctx, func(tx *sql.Tx) error {
		if old := c.Cookies(sessionCookie); auth.ValidToken(old) {
			if err := deleteSession(ctx, tx, auth.HashToken(old)); err != nil {
				return err
			}
		}
		var err error
		token, err = createSession(ctx, tx, accountID, now)
		return err
	})
	if err != nil {
		return err
	}
	web.SetCookie(c, sessionCookie, token, 0)
	web.RotateCSRF(c)
	return nil
}

// endSession deletes the browser's session and its cookie.
func endSession(ctx context.Context, c *fiber.Ctx) error {
	t := tenants.From(c)
	if old := c.Cookies(sessionCookie); t != nil && auth.ValidToken(old) {
		if err := t.DB().Tx(ctx, func(tx *sql.Tx) error { return deleteSession(ctx, tx, auth.HashToken(old)) }); err != nil {
			return err
		}
	}
	web.SetCookie(c, sessionCookie, "", -1)
	web.RotateCSRF(c)
	return nil
}

// RequireLogin sends a visitor who is not logged in to the log-in page.
func RequireLogin(c *fiber.Ctx) error {
	if web.User(c) == nil {
		web.AddFlash(c, "info", "Connectez-vous pour accéder à votre espace.")
		return c.Redirect(web.URL(c, "/connexion"), fiber.StatusSeeOther)
	}
	return c.Next()
}

// RequireFamily lets through a logged-in parent linked to a family of this
// commune; others go to the log-in page, or to the code d'adhésion page:
// never to another commune's data. Later domains (bookings, invoices) put
// it in front of their family pages and read web.User(c).FamilyID.
func RequireFamily(c *fiber.Ctx) error {
	u := web.User(c)
	switch {
	case u == nil:
		return RequireLogin(c)
	case u.FamilyID == 0:
		return c.Redirect(web.URL(c, "/adhesion"), fiber.StatusSeeOther)
	}
	return c.Next()
}

// OpenSession opens a session of the account on the commune's database, as
// a successful log-in does, and returns the token its cookie carries. It is
// for tools that log many parents in without their passwords (the load
// tool: a thousand argon2 checks would measure nothing but argon2).
func OpenSession(ctx context.Context, db *tenants.DB, accountID int64, now time.Time) (string, error) {
	if err := db.FlushLater(ctx); err != nil {
		return "", err
	}
	var token string
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		token, err = createSession(ctx, tx, accountID, now)
		return err
	})
	return token, err
}

// SessionCookie is the name of the parents' session cookie.
const SessionCookie = sessionCookie
