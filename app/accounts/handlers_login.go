package accounts

import (
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/web"
	"espacefamille/tenants"
)

// loginData is the "Mon compte" box.
type loginData struct {
	Email string
	Suite string // "adhesion": go to the code d'adhésion after log-in
	Error string
}

// message is a page that only says something, with links onwards.
type message struct {
	Heading string
	Lines   []string
	Links   []link
	Mailbox bool // demo: point to the built-in mailbox
}

type link struct{ Href, Label string }

func suiteOf(c *fiber.Ctx) string {
	if c.Query("suite") == "adhesion" || c.FormValue("suite") == "adhesion" {
		return "adhesion"
	}
	return ""
}

func (svc *Service) showLogin(c *fiber.Ctx) error {
	if web.User(c) != nil && suiteOf(c) == "" {
		return c.Redirect(web.URL(c, "/famille"), fiber.StatusSeeOther)
	}
	return web.Render(c, "famille/connexion", "Mon compte", loginData{Suite: suiteOf(c)})
}

// login checks the identifier and password, rate-limited per identifier
// and per client address, then opens a fresh session.
func (svc *Service) login(c *fiber.Ctx) error {
	ctx, now := c.UserContext(), svc.now()
	form := loginData{Email: truncate(NormalizeEmail(c.FormValue("identifiant")), 254), Suite: suiteOf(c)}
	password := c.FormValue("mot_de_passe")
	keys := []string{keyLoginEmail(form.Email), keyLoginIP(c.IP())}
	until, err := lockedUntil(ctx, svc.platform.R, now, keys...)
	if err != nil {
		return err
	}
	if !until.IsZero() {
		form.Error = "Trop de tentatives de connexion. Par sécurité, la connexion est suspendue jusqu'à " + clock(until) + "."
		return web.RenderStatus(c, fiber.StatusTooManyRequests, "famille/connexion", "Mon compte", form)
	}
	acc, ok, err := svc.authenticate(ctx, form.Email, password)
	if err != nil {
		return err
	}
	if !ok {
		if err := svc.fail(ctx, now, []string{keys[0], keys[1]}, []limit{loginLimit, loginIPLimit}); err != nil {
			return err
		}
		form.Error = "Identifiant ou mot de passe incorrect."
		return web.RenderStatus(c, fiber.StatusUnauthorized, "famille/connexion", "Mon compte", form)
	}
	if !acc.EmailConfirmed {
		if err := svc.resendConfirmation(c, acc, now); err != nil {
			return err
		}
		form.Error = "Votre adresse email n'est pas encore confirmée. Nous venons de vous envoyer un lien de confirmation : ouvrez-le, puis connectez-vous."
		return web.RenderStatus(c, fiber.StatusForbidden, "famille/connexion", "Mon compte", form)
	}
	if err := svc.platform.Tx(ctx, func(tx *sql.Tx) error { return clearFailures(ctx, tx, keys[0], now) }); err != nil {
		return err
	}
	if err := svc.startSession(c, acc.ID, now); err != nil {
		return err
	}
	if form.Suite == "adhesion" {
		return web.RedirectTo(c, "/adhesion")
	}
	return web.RedirectTo(c, "/famille")
}

// authenticate returns the account if the password matches. An unknown
// identifier costs the same hashing time as a known one.
func (svc *Service) authenticate(ctx context.Context, email, password string) (Account, bool, error) {
	acc, err := accountByEmail(ctx, svc.platform.R, email)
	if errors.Is(err, ErrNotFound) || email == "" {
		_, _ = CheckPassword(svc.dummyHash, password)
		return Account{}, false, nil
	}
	if err != nil {
		return Account{}, false, err
	}
	ok, err := CheckPassword(acc.PasswordHash, password)
	if err != nil {
		return Account{}, false, err
	}
	return acc, ok, nil
}

// fail records one failure against each key with its limit, in one
// platform transaction, and reports whether any key is now locked.
func (svc *Service) failLocked(ctx context.Context, now time.Time, keys []string, limits []limit) (bool, error) {
	locked := false
	err := svc.platform.Tx(ctx, func(tx *sql.Tx) error {
		for i, k := range keys {
			l, err := recordFailure(ctx, tx, k, limits[i], now)
			if err != nil {
				return err
			}
			locked = locked || l
		}
		if rand.IntN(100) == 0 { // between two housekeeping passes (PurgePlatform)
			_, err := purgeThrottles(ctx, tx, now)
			return err
		}
		return nil
	})
	return locked, err
}

func (svc *Service) fail(ctx context.Context, now time.Time, keys []string, limits []limit) error {
	_, err := svc.failLocked(ctx, now, keys, limits)
	return err
}

// logout ends the session and goes back to the commune's home page.
func (svc *Service) logout(c *fiber.Ctx) error {
	if err := endSession(c.UserContext(), c); err != nil {
		return err
	}
	web.AddFlash(c, "info", "Vous êtes déconnecté(e). À bientôt !")
	return web.RedirectTo(c, "/")
}

// showSignupQuestion asks "Possédez-vous déjà un compte … ?".
func (svc *Service) showSignupQuestion(c *fiber.Ctx) error {
	return web.Render(c, "famille/inscription", "Je n'ai pas de compte", nil)
}

// communeURL is the absolute URL of a page of the request's commune.
func (svc *Service) communeURL(c *fiber.Ctx, path string) string {
	return svc.web.CommuneURL(tenants.From(c).Commune, path)
}

// clock renders an instant as "10h45" in Paris time.
func clock(t time.Time) string { return t.In(web.Paris()).Format("15h04") }

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
