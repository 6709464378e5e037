package admin

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/crypto/bcrypt"

	"espacefamille/app/web"
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
// log-in takes as long whether or not the address exists.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("espacefamille-dummy-password"), bcrypt.DefaultCost)

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
	keys := []string{"email:" + email, "ip:" + c.IP()}
	d := loginData{Email: email}
	until, err := lockedUntil(ctx, db(c).R, now, keys...)
	if err != nil {
		return err
	}
	if !until.IsZero() {
		d.Error = fmt.Sprintf("Trop de tentatives de connexion. Réessayez après %s.", until.In(web.Paris()).Format("15h04"))
		return web.RenderStatus(c, fiber.StatusTooManyRequests, "admin/connexion", "Connexion des agents", d)
	}
	st, err := staffByEmail(ctx, db(c).R, email)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	hash := []byte(st.passwordHash)
	if err != nil || st.Disabled || len(hash) == 0 {
		hash = dummyHash
	}
	ok := bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil && err == nil && !st.Disabled && st.HasPassword
	var token string
	err = db(c).Tx(ctx, func(tx *sql.Tx) error {
		if !ok {
			for _, k := range keys {
				if err := recordFailure(ctx, tx, k, now); err != nil {
					return err
				}
			}
			return nil
		}
		for _, k := range keys {
			if err := clearFailures(ctx, tx, k); err != nil {
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
	if !ok {
		d.Error = "Adresse email ou mot de passe incorrect."
		return web.RenderStatus(c, fiber.StatusUnauthorized, "admin/connexion", "Connexion des agents", d)
	}
	web.RotateCSRF(c)
	web.SetCookie(c, staffCookie, token, 0)
	return web.RedirectTo(c, "/admin/")
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
	if !validToken(token) {
		return nil
	}
	st, _, err := sessionStaff(c.UserContext(), db(c).R, token, now, pendingSeen(db(c), token))
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
	if !validToken(token) {
		return a.toLogin(c)
	}
	st, seen, err := sessionStaff(ctx, db(c).R, token, now, pendingSeen(db(c), token))
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

type setPasswordData struct {
	base
	Token  string
	Member Staff
	Errors formErrors
}

// showSetPassword shows the form of a staff invitation link.
func (a *Admin) showSetPassword(c *fiber.Ctx) error {
	token := c.Params("token")
	st, err := inviteTokenStaff(c.UserContext(), db(c).R, token, a.now())
	if errors.Is(err, ErrNotFound) {
		return web.NewError(fiber.StatusNotFound, "Ce lien n'est plus valide : il a déjà servi ou a expiré. Demandez à un administrateur de vous envoyer une nouvelle invitation.")
	}
	if err != nil {
		return err
	}
	return web.Render(c, "admin/mot-de-passe", "Choisir mon mot de passe", setPasswordData{Token: token, Member: st})
}

// setPassword sets the member's password through a one-time link.
func (a *Admin) setPassword(c *fiber.Ctx) error {
	token := c.Params("token")
	st, err := inviteTokenStaff(c.UserContext(), db(c).R, token, a.now())
	if errors.Is(err, ErrNotFound) {
		return web.NewError(fiber.StatusNotFound, "Ce lien n'est plus valide : il a déjà servi ou a expiré.")
	}
	if err != nil {
		return err
	}
	pw, confirm := c.FormValue("password"), c.FormValue("password_confirmation")
	errs := formErrors{}
	if msg := passwordProblem(pw); msg != "" {
		errs.add("password", msg)
	} else if pw != confirm {
		errs.add("password_confirmation", "Les deux mots de passe ne sont pas identiques.")
	}
	if len(errs) > 0 {
		return web.RenderStatus(c, fiber.StatusUnprocessableEntity, "admin/mot-de-passe", "Choisir mon mot de passe",
			setPasswordData{Token: token, Member: st, Errors: errs})
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
	if err != nil {
		return err
	}
	err = a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		ok, err := useInviteToken(ctx, tx, token, now)
		if err != nil {
			return err
		}
		if !ok {
			return web.NewError(fiber.StatusNotFound, "Ce lien n'est plus valide : il a déjà servi ou a expiré.")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE staff SET password_hash = ? WHERE id = ?`, string(hash), st.ID); err != nil {
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

// passwordProblem applies the same rule as parents' passwords: at least 12
// characters, no other composition rule.
func passwordProblem(p string) string {
	switch n := len([]rune(p)); {
	case n < 12:
		return "Le mot de passe doit comporter au moins 12 caractères."
	case len(p) > 72:
		return "Le mot de passe ne peut pas dépasser 72 octets."
	}
	return ""
}
