package accounts

import (
	"context"
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/auth"
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
	// The attempt is counted before the password is checked, atomically:
	// parallel attempts cannot all pass the limit (auth.Throttle).
	att, err := svc.begin(ctx, now, auth.Key{Name: keyLoginEmail(form.Email), Limit: loginLimit},
		auth.Key{Name: keyLoginIP(c.IP()), Limit: loginIPLimit})
	if err != nil {
		return err
	}
	if !att.Allowed {
		form.Error = "Trop de tentatives de connexion. Par sécurité, la connexion est suspendue jusqu'à " + clock(att.Until) + "."
		return web.RenderStatus(c, fiber.StatusTooManyRequests, "famille/connexion", "Mon compte", form)
	}
	acc, ok, err := svc.authenticate(ctx, form.Email, password)
	if err != nil {
		return err
	}
	if !ok {
		form.Error = "Identifiant ou mot de passe incorrect."
		return web.RenderStatus(c, fiber.StatusUnauthorized, "famille/connexion", "Mon compte", form)
	}
	if err := svc.succeeded(ctx, now, att); err != nil {
		return err
	}
	if !acc.EmailConfirmed {
		if err := svc.resendConfirmation(c, acc, now); err != nil {
			return err
		}
		form.Error = "Votre adresse email n'est pas encore confirmée. Nous venons de vous envoyer un lien de confirmation : ouvrez-le, puis connectez-vous."
		return web.RenderStatus(c, fiber.StatusForbidden, "famille/connexion", "Mon compte", form)
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
	acc, err := accountByEmail(ctx, svc.platform.Reader(), email)
	if errors.Is(err, ErrNotFound) || email == "" {
		_, _, err := auth.CheckPassword(ctx, svc.dummyHash, password)
		return Account{}, false, err
	}
	if err != nil {
		return Account{}, false, err
	}
	ok, _, err := auth.CheckPassword(ctx, acc.PasswordHash, password)
	if err != nil {
		return Account{}, false, err
	}
	return acc, ok, nil
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
