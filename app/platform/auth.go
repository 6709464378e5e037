package platform

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/accounts"
	"espacefamille/app/auth"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// sessionCookie holds the console's session token, scoped to /plateforme/.
const sessionCookie = "ef_provider"

// throttle counts the console's log-in and second-factor attempts in the
// platform's throttles table, beside the parents' (keys "provider:…").
var throttle = auth.NewThrottle("throttles")

// Limits: 5 passwords or 5 codes in 15 minutes for one address, one
// client address or one administrator; the next is refused for 15 minutes.
var (
	loginLimit = auth.Limit{Max: 5, Window: 15 * time.Minute, Hold: 15 * time.Minute}
	codeLimit  = auth.Limit{Max: 5, Window: 15 * time.Minute, Hold: 15 * time.Minute}
)

var dummyHash = sync.OnceValues(func() (string, error) {
	return auth.HashPassword(context.Background(), "espacefamille-provider-dummy")
})

var (
	errLinkUsed = web.NewError(fiber.StatusNotFound, "Ce lien n'est plus valide : il a déjà servi, a été remplacé par un lien plus récent ou a expiré. "+
		"Demandez un nouveau lien (espacefamille provider add-admin --reset).")
	errAlreadyEnrolled = web.NewError(fiber.StatusConflict, "La double authentification est déjà activée pour ce compte.")
)

type adminKey struct{}

// current returns the administrator of the request's session.
func current(c *fiber.Ctx) Admin {
	a, _ := c.Locals(adminKey{}).(Admin)
	return a
}

type loginData struct {
	Email, Error string
}

func (p *Console) showLogin(c *fiber.Ctx) error {
	return web.Render(c, "plateforme/connexion", "Console de l'hébergeur", loginData{})
}

// login checks the password, rate limited per address and per client,
// and opens a session that still needs its second factor.
func (p *Console) login(c *fiber.Ctx) error {
	ctx := c.UserContext()
	email, _ := NormalizeEmail(c.FormValue("email"))
	password := c.FormValue("password")
	now := p.now()
	d := loginData{Email: email}
	var att auth.Attempt
	err := p.db().Tx(ctx, func(tx *sql.Tx) error {
		var err error
		att, err = throttle.Begin(ctx, tx, now, auth.Key{Name: "provider:email:" + email, Limit: loginLimit},
			auth.Key{Name: "provider:ip:" + c.IP(), Limit: loginLimit})
		return err
	})
	if err != nil {
		return err
	}
	if !att.Allowed {
		d.Error = "Trop de tentatives de connexion. Réessayez après " + att.Until.In(web.Paris()).Format("15h04") + "."
		return web.RenderStatus(c, fiber.StatusTooManyRequests, "plateforme/connexion", "Console de l'hébergeur", d)
	}
	a, ok, err := checkPassword(ctx, p.db().Reader(), email, password)
	if err != nil {
		return err
	}
	if !ok {
		d.Error = "Adresse email ou mot de passe incorrect."
		return web.RenderStatus(c, fiber.StatusUnauthorized, "plateforme/connexion", "Console de l'hébergeur", d)
	}
	var token string
	err = p.db().Tx(ctx, func(tx *sql.Tx) error {
		if err := throttle.Succeeded(ctx, tx, now, att); err != nil {
			return err
		}
		token, err = createSession(ctx, tx, a.ID, stagePassword, now)
		return err
	})
	if err != nil {
		return err
	}
	web.RotateCSRF(c)
	web.SetCookie(c, sessionCookie, token, 0)
	if !a.Enrolled {
		return c.Redirect("/plateforme/double-authentification/activation", fiber.StatusSeeOther)
	}
	return c.Redirect("/plateforme/double-authentification", fiber.StatusSeeOther)
}

// checkPassword finds the enabled administrator of email and checks the
// password; an unknown one costs the same hashing time.
func checkPassword(ctx context.Context, q tenants.Querier, email, password string) (Admin, bool, error) {
	a, err := adminByEmail(ctx, q, email)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return a, false, err
	}
	hash := a.passwordHash
	if err != nil || a.Disabled || !a.HasPassword {
		if hash, err = dummyHash(); err != nil {
			return a, false, err
		}
		_, _, err := auth.CheckPassword(ctx, hash, password)
		return a, false, err
	}
	ok, _, err := auth.CheckPassword(ctx, hash, password)
	return a, ok, err
}

type codeData struct {
	Error string
	Enrol enrolment
	Codes []string // recovery codes, shown once after enrolment
}

func (p *Console) showVerify(c *fiber.Ctx) error {
	if !current(c).Enrolled {
		return c.Redirect("/plateforme/double-authentification/activation", fiber.StatusSeeOther)
	}
	return web.Render(c, "plateforme/verification", "Double authentification", codeData{})
}

// verify checks the second factor (a TOTP code or a recovery code) and
// turns the session into a full one.
func (p *Console) verify(c *fiber.Ctx) error {
	ctx := c.UserContext()
	a, now := current(c), p.now()
	code := c.FormValue("code")
	ok := false
	var att auth.Attempt
	err := p.db().Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if att, err = throttle.Begin(ctx, tx, now, auth.Key{Name: "provider:code:" + a.Email, Limit: codeLimit}); err != nil || !att.Allowed {
			return err
		}
		secret, err := p.totpKey.open(a.totpSecret, a.ID)
		if err != nil {
			return err
		}
		if step := matchTOTP(secret, code, now, a.totpLastStep); step > 0 {
			ok, err = useTOTPStep(ctx, tx, a.ID, step)
		} else {
			ok, err = useRecoveryCode(ctx, tx, a.ID, code, now)
		}
		if err != nil || !ok {
			return err
		}
		return throttle.Succeeded(ctx, tx, now, att)
	})
	if err != nil {
		return err
	}
	switch {
	case !att.Allowed:
		return web.RenderStatus(c, fiber.StatusTooManyRequests, "plateforme/verification", "Double authentification",
			codeData{Error: "Trop de codes erronés. Réessayez après " + att.Until.In(web.Paris()).Format("15h04") + "."})
	case !ok:
		return web.RenderStatus(c, fiber.StatusUnauthorized, "plateforme/verification", "Double authentification",
			codeData{Error: "Ce code n'est pas valide. Saisissez le code à 6 chiffres affiché par votre application, ou un code de secours."})
	}
	if err := p.upgradeSession(c, a, "login", ""); err != nil {
		return err
	}
	return c.Redirect("/plateforme/", fiber.StatusSeeOther)
}

// upgradeSession replaces the half session by a full one.
func (p *Console) upgradeSession(c *fiber.Ctx, a Admin, action, detail string) error {
	ctx, now := c.UserContext(), p.now()
	var token string
	err := p.db().Tx(ctx, func(tx *sql.Tx) error {
		if err := deleteSession(ctx, tx, c.Cookies(sessionCookie)); err != nil {
			return err
		}
		var err error
		if token, err = createSession(ctx, tx, a.ID, stageFull, now); err != nil {
			return err
		}
		return writeAudit(ctx, tx, a.Email, action, "", detail, now)
	})
	if err != nil {
		return err
	}
	web.RotateCSRF(c)
	web.SetCookie(c, sessionCookie, token, 0)
	return nil
}

// showEnrol shows the QR code of a new secret to an administrator who
// has no second factor yet.
func (p *Console) showEnrol(c *fiber.Ctx) error {
	a := current(c)
	if a.Enrolled {
		return c.Redirect("/plateforme/double-authentification", fiber.StatusSeeOther)
	}
	if a.totpPending == "" {
		secret, err := newTOTPSecret(a.Email)
		if err != nil {
			return err
		}
		ctx := c.UserContext()
		stored, err := p.totpKey.seal(secret, a.ID)
		if err != nil {
			return err
		}
		if err := p.db().Tx(ctx, func(tx *sql.Tx) error { return setPendingSecret(ctx, tx, a.ID, stored) }); err != nil {
			return err
		}
		a.totpPending = stored
	}
	return p.renderEnrol(c, fiber.StatusOK, a, "")
}

func (p *Console) renderEnrol(c *fiber.Ctx, status int, a Admin, msg string) error {
	secret, err := p.totpKey.open(a.totpPending, a.ID)
	if err != nil {
		return err
	}
	e, err := newEnrolment(a.Email, secret)
	if err != nil {
		return err
	}
	return web.RenderStatus(c, status, "plateforme/activation", "Activer la double authentification", codeData{Enrol: e, Error: msg})
}

// enrol confirms the pending secret with a first code, and shows the
// recovery codes once.
func (p *Console) enrol(c *fiber.Ctx) error {
	ctx := c.UserContext()
	a, now := current(c), p.now()
	if a.Enrolled || a.totpPending == "" {
		return c.Redirect("/plateforme/double-authentification", fiber.StatusSeeOther)
	}
	var att auth.Attempt
	step := int64(0)
	err := p.db().Tx(ctx, func(tx *sql.Tx) error {
		var err error
		att, err = throttle.Begin(ctx, tx, now, auth.Key{Name: "provider:code:" + a.Email, Limit: codeLimit})
		if err == nil && att.Allowed {
			var secret string
			if secret, err = p.totpKey.open(a.totpPending, a.ID); err != nil {
				return err
			}
			if step = matchTOTP(secret, c.FormValue("code"), now, 0); step > 0 {
				err = throttle.Succeeded(ctx, tx, now, att)
			}
		}
		return err
	})
	if err != nil {
		return err
	}
	if !att.Allowed {
		return p.renderEnrol(c, fiber.StatusTooManyRequests, a, "Trop de codes erronés. Réessayez après "+att.Until.In(web.Paris()).Format("15h04")+".")
	}
	if step == 0 {
		return p.renderEnrol(c, fiber.StatusUnprocessableEntity, a, "Ce code n'est pas valide. Vérifiez l'heure de votre téléphone et saisissez le code à 6 chiffres affiché.")
	}
	var codes []string
	err = p.db().Tx(ctx, func(tx *sql.Tx) error {
		var err error
		codes, err = confirmEnrolment(ctx, tx, a, step)
		return err
	})
	if err != nil {
		return err
	}
	if err := p.upgradeSession(c, a, "totp_enrol", ""); err != nil {
		return err
	}
	return web.Render(c, "plateforme/codes-de-secours", "Codes de secours", codeData{Codes: codes})
}

type passwordData struct {
	Token  string
	Email  string
	Errors map[string]string
}

func (p *Console) showSetPassword(c *fiber.Ctx) error {
	a, err := linkAdmin(c.UserContext(), p.db().Reader(), c.Params("token"), p.now())
	if errors.Is(err, ErrNotFound) {
		return errLinkUsed
	} else if err != nil {
		return err
	}
	return web.Render(c, "plateforme/mot-de-passe", "Choisir mon mot de passe", passwordData{Token: c.Params("token"), Email: a.Email})
}

// setPassword sets the administrator's password through a one-time
// link; the second factor is then enrolled (again) at log-in.
func (p *Console) setPassword(c *fiber.Ctx) error {
	ctx, token := c.UserContext(), c.Params("token")
	a, err := linkAdmin(ctx, p.db().Reader(), token, p.now())
	if errors.Is(err, ErrNotFound) {
		return errLinkUsed
	} else if err != nil {
		return err
	}
	pw := c.FormValue("password")
	errs := map[string]string{}
	if msg := accounts.PasswordProblem(pw); msg != "" {
		errs["password"] = msg
	} else if pw != c.FormValue("password_confirmation") {
		errs["password_confirmation"] = "Les deux mots de passe ne sont pas identiques."
	}
	if len(errs) > 0 {
		return web.RenderStatus(c, fiber.StatusUnprocessableEntity, "plateforme/mot-de-passe", "Choisir mon mot de passe",
			passwordData{Token: token, Email: a.Email, Errors: errs})
	}
	hash, err := auth.HashPassword(ctx, pw)
	if err != nil {
		return err
	}
	now := p.now()
	err = p.db().Tx(ctx, func(tx *sql.Tx) error {
		ok, err := useLink(ctx, tx, token, a.ID, hash, now)
		if err != nil {
			return err
		}
		if !ok {
			return errLinkUsed
		}
		return writeAudit(ctx, tx, a.Email, "password_set", "", "", now)
	})
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", "Votre mot de passe est enregistré. Connectez-vous pour activer la double authentification.")
	return c.Redirect("/plateforme/connexion", fiber.StatusSeeOther)
}

// logout ends the session.
func (p *Console) logout(c *fiber.Ctx) error {
	ctx := c.UserContext()
	if token := c.Cookies(sessionCookie); token != "" {
		if err := p.db().Tx(ctx, func(tx *sql.Tx) error { return deleteSession(ctx, tx, token) }); err != nil {
			return err
		}
	}
	web.SetCookie(c, sessionCookie, "", -1)
	web.RotateCSRF(c)
	web.AddFlash(c, "info", "Vous êtes déconnecté.")
	return c.Redirect("/plateforme/connexion", fiber.StatusSeeOther)
}

// requireStage lets through a session at stage (a full session also
// passes a "password" check of its own pages only when it is full).
func (p *Console) requireStage(stage string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, now := c.UserContext(), p.now()
		token := c.Cookies(sessionCookie)
		a, got, seen, err := sessionAdmin(ctx, p.db(), token, now)
		if errors.Is(err, ErrNotFound) || err == nil && got != stage {
			if err == nil && got == stageFull {
				return c.Redirect("/plateforme/", fiber.StatusSeeOther)
			}
			if err == nil && got == stagePassword {
				return c.Redirect("/plateforme/double-authentification", fiber.StatusSeeOther)
			}
			if c.Method() == fiber.MethodGet {
				web.AddFlash(c, "info", "Connectez-vous pour accéder à la console de l'hébergeur.")
			}
			return c.Redirect("/plateforme/connexion", fiber.StatusSeeOther)
		}
		if err != nil {
			return err
		}
		if now.Sub(seen) > touchEvery {
			if err := p.db().Tx(ctx, func(tx *sql.Tx) error { return touchSession(ctx, tx, token, now) }); err != nil {
				return err
			}
		}
		c.Locals(adminKey{}, a)
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.Next()
	}
}
