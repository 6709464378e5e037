package admin

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/accounts"
	"espacefamille/app/auth"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// staffCookie holds the staff session token, scoped to the commune.
const staffCookie = "ef_staff"

type staffKey struct{}

// currentStaff returns the logged-in member, or nil.
func currentStaff(c *fiber.Ctx) *Staff {
	s, _ := c.Locals(staffKey{}).(*Staff)
	return s
}

// dummyHash is compared against when the email is unknown, so that a
// log-in takes as long whether or not the address exists. It is computed
// at the first log-in, not when the package loads.
var dummyHash = sync.OnceValues(func() (string, error) {
	return auth.HashPassword(context.Background(), "espacefamille-dummy-password")
})

// staffThrottle counts staff log-in attempts in the commune's
// staff_login_failures table, with the parents' code (auth.Throttle).
var staffThrottle = auth.NewThrottle("staff_login_failures")

type loginData struct {
	base
	Email string
	Error string
	Next  string
}

func (a *Admin) showLogin(c *fiber.Ctx) error {
	if currentStaffFromCookie(c, a.now()) != nil {
		return c.Redirect(web.URL(c, "/admin/"), fiber.StatusSeeOther)
	}
	return web.Render(c, "admin/connexion", "Connexion des agents", loginData{})
}

// login checks the email and password, with rate limiting per email and
// per address, and opens a staff session.
func (a *Admin) login(c *fiber.Ctx) error {
	ctx := c.UserContext()
	email := strings.ToLower(formValue(c, "email"))
	password := c.FormValue("password")
	now := a.now()
	d := loginData{Email: email}
	// The attempt is counted before the password is checked, atomically:
	// parallel attempts cannot all pass the limit.
	var att auth.Attempt
	err := db(c).Tx(ctx, func(tx *sql.Tx) error {
		var err error
		att, err = staffThrottle.Begin(ctx, tx, now, auth.Key{Name: "email:" + email, Limit: loginLimit},
			auth.Key{Name: "ip:" + c.IP(), Limit: loginLimit})
		return err
	})
	if err != nil {
		return err
	}
	if !att.Allowed {
		d.Error = fmt.Sprintf("Trop de tentatives de connexion. Réessayez après %s.", att.Until.In(web.Paris()).Format("15h04"))
		return web.RenderStatus(c, fiber.StatusTooManyRequests, "admin/connexion", "Connexion des agents", d)
	}
	st, ok, rehash, err := checkStaffPassword(ctx, db(c).Reader(), email, password)
	if err != nil {
		return err
	}
	var token string
	if ok {
		var newHash string
		if rehash {
			if newHash, err = auth.HashPassword(ctx, password); err != nil {
				return err
			}
		}
		err = db(c).Tx(ctx, func(tx *sql.Tx) error {
			if err := staffThrottle.Succeeded(ctx, tx, now, att); err != nil {
				return err
			}
			if newHash != "" {
				if err := setStaffPassword(ctx, tx, st.ID, newHash); err != nil {
					return err
				}
			}
			var err error
			token, err = createSession(ctx, tx, st.ID, now)
			return err
		})
		if err != nil {
			return err
		}
	}
	if !ok {
		d.Error = "Adresse email ou mot de passe incorrect."
		return web.RenderStatus(c, fiber.StatusUnauthorized, "admin/connexion", "Connexion des agents", d)
	}
	web.RotateCSRF(c)
	web.SetCookie(c, staffCookie, token, 0)
	return web.RedirectTo(c, "/admin/")
}

// checkStaffPassword finds the active member of email and checks the
// password; an unknown, disabled or not yet activated member costs the
// same hashing time. rehash asks for the password to be hashed again (a
// bcrypt hash from before argon2id).
func checkStaffPassword(ctx context.Context, q tenants.Querier, email, password string) (st Staff, ok, rehash bool, err error) {
	st, err = staffByEmail(ctx, q, email)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return st, false, false, err
	}
	if err != nil || st.Disabled || !st.HasPassword {
		dummy, derr := dummyHash()
		if derr != nil {
			return st, false, false, derr
		}
		_, _, err := auth.CheckPassword(ctx, dummy, password)
		return st, false, false, err
	}
	ok, rehash, err = auth.CheckPassword(ctx, st.passwordHash, password)
	return st, ok, rehash, err
}

// logout ends the session.
func (a *Admin) logout(c *fiber.Ctx) error {
	ctx := c.UserContext()
	if token := c.Cookies(staffCookie); token != "" {
		if err := db(c).Tx(ctx, func(tx *sql.Tx) error { return deleteSession(ctx, tx, token) }); err != nil {
			return err
		}
	}
	web.SetCookie(c, staffCookie, "", -1)
	web.RotateCSRF(c)
	web.AddFlash(c, "info", "Vous êtes déconnecté.")
	return web.RedirectTo(c, "/admin/connexion")
}

// currentStaffFromCookie returns the member of a live session, or nil.
func currentStaffFromCookie(c *fiber.Ctx, now time.Time) *Staff {
	token := c.Cookies(staffCookie)
	if !auth.ValidToken(token) {
		return nil
	}
	st, _, err := sessionStaff(c.UserContext(), db(c), token, now, pendingSeen(db(c), token))
	if err != nil {
		return nil
	}
	return &st
}

// requireStaff lets only logged-in staff of this commune through; others
// are sent to the log-in page.
func (a *Admin) requireStaff(c *fiber.Ctx) error {
	ctx := c.UserContext()
	now := a.now()
	token := c.Cookies(staffCookie)
	if !auth.ValidToken(token) {
		return a.toLogin(c)
	}
	st, seen, err := sessionStaff(ctx, db(c), token, now, pendingSeen(db(c), token))
	if errors.Is(err, ErrNotFound) {
		web.SetCookie(c, staffCookie, "", -1)
		return a.toLogin(c)
	}
	if err != nil {
		return err
	}
	if now.Sub(seen) > touchEvery {
		touchSession(db(c), token, now)
	}
	c.Locals(staffKey{}, &st)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Next()
}

func (a *Admin) toLogin(c *fiber.Ctx) error {
	if c.Method() == fiber.MethodGet {
		web.AddFlash(c, "info", "Connectez-vous pour accéder à l'espace des agents.")
	}
	return c.Redirect(web.URL(c, "/admin/connexion"), fiber.StatusSeeOther)
}

// requireAdmin refuses agents with a French 403 page.
func (a *Admin) requireAdmin(c *fiber.Ctx) error {
	if st := currentStaff(c); st == nil || st.Role != RoleAdmin {
		return errForbidden
	}
	return c.Next()
}

// change runs fn in one write transaction of the request's commune.
func (a *Admin) change(c *fiber.Ctx, fn func(ctx context.Context, tx *sql.Tx, now time.Time) error) error {
	ctx := c.UserContext()
	now := a.now()
	return db(c).Tx(ctx, func(tx *sql.Tx) error { return fn(ctx, tx, now) })
}

// errLinkUsed answers a set-password link that was used, replaced or
// expired. The first administrator of a commune has no colleague to ask:
// the provider sends a new link (espacefamille staff reset).
var errLinkUsed = web.NewError(fiber.StatusNotFound, "Ce lien n'est plus valide : il a déjà servi, a été remplacé par un lien plus récent ou a expiré. "+
	"Demandez à un administrateur de la commune, ou à l'hébergeur de l'Espace Famille, de vous envoyer un nouveau lien.")

type setPasswordData struct {
	base
	Token  string
	Member Staff
	Errors formErrors
}

// showSetPassword shows the form of a staff invitation link.
func (a *Admin) showSetPassword(c *fiber.Ctx) error {
	token := c.Params("token")
	st, err := inviteTokenStaff(c.UserContext(), db(c).Reader(), token, a.now())
	if errors.Is(err, ErrNotFound) {
		return errLinkUsed
	}
	if err != nil {
		return err
	}
	return web.Render(c, "admin/mot-de-passe", "Choisir mon mot de passe", setPasswordData{Token: token, Member: st})
}

// setPassword sets the member's password through a one-time link.
func (a *Admin) setPassword(c *fiber.Ctx) error {
	token := c.Params("token")
	st, err := inviteTokenStaff(c.UserContext(), db(c).Reader(), token, a.now())
	if errors.Is(err, ErrNotFound) {
		return errLinkUsed
	}
	if err != nil {
		return err
	}
	pw, confirm := c.FormValue("password"), c.FormValue("password_confirmation")
	errs := formErrors{}
	if msg := accounts.PasswordProblem(pw); msg != "" { // the parents' rule
		errs.add("password", msg)
	} else if pw != confirm {
		errs.add("password_confirmation", "Les deux mots de passe ne sont pas identiques.")
	}
	if len(errs) > 0 {
		return web.RenderStatus(c, fiber.StatusUnprocessableEntity, "admin/mot-de-passe", "Choisir mon mot de passe",
			setPasswordData{Token: token, Member: st, Errors: errs})
	}
	hash, err := auth.HashPassword(c.UserContext(), pw)
	if err != nil {
		return err
	}
	err = a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		ok, err := useInviteToken(ctx, tx, token, now)
		if err != nil {
			return err
		}
		if !ok {
			return errLinkUsed
		}
		if err := setStaffPassword(ctx, tx, st.ID, hash); err != nil {
			return err
		}
		if err := deleteStaffSessions(ctx, tx, st.ID); err != nil {
			return err
		}
		return audit(ctx, tx, &st, "password_set", "staff", st.ID, nil, map[string]string{"email": st.Email}, now)
	})
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", "Votre mot de passe est enregistré. Vous pouvez vous connecter.")
	return web.RedirectTo(c, "/admin/connexion")
}
