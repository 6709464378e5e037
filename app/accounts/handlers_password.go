package accounts

import (
	"database/sql"
	"errors"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/auth"
	"espacefamille/app/mail"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// forgotData is the "Mot de passe oublié" form.
type forgotData struct {
	Email string
	Error string
}

// resetData is the form choosing a new password.
type resetData struct {
	Token  string
	Errors FieldErrors
}

var errLinkInvalid = web.NewError(fiber.StatusNotFound,
	"Ce lien n'est plus valable : il sert une seule fois, pendant une heure. Demandez-en un nouveau avec « Mot de passe oublié ».")

func (svc *Service) showForgot(c *fiber.Ctx) error {
	return web.Render(c, "famille/mot-de-passe-oublie", "Mot de passe oublié", forgotData{})
}

// forgot queues a reset link when the address has an account, and answers
// the same either way. Reset emails to one address are rate-limited.
func (svc *Service) forgot(c *fiber.Ctx) error {
	t := tenants.From(c)
	ctx, now := c.UserContext(), svc.now()
	email := truncate(NormalizeEmail(c.FormValue("identifiant")), 254)
	if emailProblem(email) != "" {
		return web.RenderStatus(c, fiber.StatusUnprocessableEntity, "famille/mot-de-passe-oublie", "Mot de passe oublié",
			forgotData{Email: email, Error: "Saisissez l'adresse email de votre compte, par exemple prenom.nom@exemple.fr."})
	}
	from := mail.SenderName(ctx, t.DB().Reader(), t.Commune.Name)
	queued := false
	err := svc.platform.Tx(ctx, func(tx *sql.Tx) error {
		acc, err := accountByEmail(ctx, tx, email)
		if errors.Is(err, ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		if att, err := throttle.Begin(ctx, tx, now, auth.Key{Name: keyResetMail(email), Limit: resetMailLimit}); err != nil || !att.Allowed {
			return err
		}
		token, err := insertToken(ctx, tx, acc.ID, purposeReset, t.Commune.ID, now)
		if err != nil {
			return err
		}
		queued = true
		d := mailData{CommuneName: t.Commune.Name, commune: t.Commune.Slug, Name: acc.DisplayName(), URL: svc.communeURL(c, "/mot-de-passe/"+token)}
		return enqueue(ctx, tx, mailReset, acc.Email, from, d, now)
	})
	if err != nil {
		return err
	}
	if queued {
		svc.notify(PlatformOutbox)
	}
	return web.Render(c, "famille/message", "Mot de passe oublié", message{
		Heading: "Mot de passe oublié",
		Lines: []string{
			"Si un compte existe pour cette adresse, vous allez recevoir un courriel contenant un lien pour choisir un nouveau mot de passe.",
			"Ce lien est valable une heure et une seule fois. Si vous ne voyez pas le mail, pensez à vérifier dans les Spam.",
		},
		Links:   []link{{"/connexion", "Retour à la connexion"}},
		Mailbox: svc.web.Demo,
	})
}

// showReset shows the new-password form of a valid link (without using it,
// so that a mail scanner opening the link spends nothing).
func (svc *Service) showReset(c *fiber.Ctx) error {
	token := c.Params("token")
	status, _, err := checkToken(c.UserContext(), svc.platform.Reader(), token, purposeReset, svc.now())
	if err != nil {
		return err
	}
	if status != tokenValid {
		return errLinkInvalid
	}
	return web.Render(c, "famille/mot-de-passe", "Nouveau mot de passe", resetData{Token: token, Errors: FieldErrors{}})
}

// reset uses the link once: new password, new session epoch (every other
// session of the account ends, in every commune), and a fresh session here.
func (svc *Service) reset(c *fiber.Ctx) error {
	t := tenants.From(c)
	ctx, now := c.UserContext(), svc.now()
	token := c.Params("token")
	password := c.FormValue("mot_de_passe")
	errs := FieldErrors{}
	if msg := PasswordProblem(password); msg != "" {
		errs["mot_de_passe"] = msg
	} else if c.FormValue("mot_de_passe_confirmation") != password {
		errs["mot_de_passe_confirmation"] = "Les deux mots de passe ne sont pas identiques."
	}
	if len(errs) > 0 {
		return web.RenderStatus(c, fiber.StatusUnprocessableEntity, "famille/mot-de-passe", "Nouveau mot de passe", resetData{Token: token, Errors: errs})
	}
	hash, err := auth.HashPassword(ctx, password)
	if err != nil {
		return err
	}
	var accountID int64
	err = svc.platform.Tx(ctx, func(tx *sql.Tx) error {
		if accountID, err = useToken(ctx, tx, token, purposeReset, now); err != nil {
			return err
		}
		return setPassword(ctx, tx, accountID, hash, now)
	})
	if errors.Is(err, ErrNotFound) {
		return errLinkInvalid
	} else if err != nil {
		return err
	}
	// The epoch already ends them; deleting this commune's rows keeps the table clean.
	if err := t.DB().Tx(ctx, func(tx *sql.Tx) error { return deleteAccountSessions(ctx, tx, accountID) }); err != nil {
		return err
	}
	if err := svc.startSession(c, accountID, now); err != nil {
		return err
	}
	web.AddFlash(c, "success", "Votre mot de passe a été modifié. Vos autres sessions ont été fermées.")
	return web.RedirectTo(c, "/famille")
}
