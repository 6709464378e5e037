package accounts

import (
	"database/sql"
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/auth"
	"espacefamille/app/mail"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// signupData is the sign-up form page.
type signupData struct {
	Form       Signup
	Errors     FieldErrors
	Civilities any
}

func (svc *Service) showSignupForm(c *fiber.Ctx) error {
	// Both consents are ticked by default, as the memento asks.
	form := Signup{ConsentInvoices: true, ConsentFamily: true}
	return web.Render(c, "famille/inscription-formulaire", "Créer mon compte", signupData{Form: form, Errors: FieldErrors{}, Civilities: Civilities})
}

// signup creates the account and queues its confirmation email, or, when
// the address is already used, queues a notice to that address instead.
// Both answers look the same, so the form never tells who has an account.
func (svc *Service) signup(c *fiber.Ctx) error {
	form := ParseSignup(func(k string) string { return c.FormValue(k) })
	if errs := form.Validate(); len(errs) > 0 {
		form.Password, form.PasswordConfirm = "", "" // never sent back
		return web.RenderStatus(c, fiber.StatusUnprocessableEntity, "famille/inscription-formulaire", "Créer mon compte",
			signupData{Form: form, Errors: errs, Civilities: Civilities})
	}
	hash, err := auth.HashPassword(c.UserContext(), form.Password)
	if err != nil {
		return err
	}
	t := tenants.From(c)
	ctx, now := c.UserContext(), svc.now()
	from := mail.SenderName(ctx, t.DB().Reader(), t.Commune.Name)
	err = svc.platform.Tx(ctx, func(tx *sql.Tx) error {
		id, err := insertAccount(ctx, tx, form, hash, now)
		if errors.Is(err, errEmailTaken) {
			return svc.queueEmailTaken(c, tx, form.Email, from, now)
		}
		if err != nil {
			return err
		}
		token, err := insertToken(ctx, tx, id, purposeConfirm, t.Commune.ID, now)
		if err != nil {
			return err
		}
		d := mailData{CommuneName: t.Commune.Name, commune: t.Commune.Slug, Name: form.FirstName + " " + form.LastName, URL: svc.communeURL(c, "/confirmation/"+token)}
		return enqueue(ctx, tx, mailConfirmation, form.Email, from, d, now)
	})
	if err != nil {
		return err
	}
	svc.notify(PlatformOutbox)
	return web.RedirectTo(c, "/inscription/envoyee")
}

// queueEmailTaken tells the owner of an address that someone tried to
// create a second account with it, at most a few times an hour.
func (svc *Service) queueEmailTaken(c *fiber.Ctx, tx *sql.Tx, email, from string, now time.Time) error {
	ctx := c.UserContext()
	key := "signup:email:" + email
	if att, err := throttle.Begin(ctx, tx, now, auth.Key{Name: key, Limit: resetMailLimit}); err != nil || !att.Allowed {
		return err
	}
	d := mailData{CommuneName: tenants.From(c).Commune.Name, commune: tenants.From(c).Commune.Slug, URL: svc.communeURL(c, "/connexion"),
		ResetURL: svc.communeURL(c, "/mot-de-passe-oublie")}
	return enqueue(ctx, tx, mailEmailTaken, email, from, d, now)
}

func (svc *Service) showSignupSent(c *fiber.Ctx) error {
	return web.Render(c, "famille/message", "Demande enregistrée", message{
		Heading: "Demande enregistrée",
		Lines: []string{
			"Si cette adresse n'est pas déjà utilisée, vous allez recevoir un courriel pour confirmer la création de votre compte.",
			"Ouvrez le lien qu'il contient (il est valable une heure), puis connectez-vous et saisissez votre code d'adhésion.",
			"Si vous ne voyez pas le mail, pensez à vérifier dans les Spam.",
		},
		Links:   []link{{"/connexion?suite=adhesion", "Je me connecte"}},
		Mailbox: svc.web.Demo,
	})
}

// resendConfirmation sends a new confirmation link to an account that
// logged in with the right password before confirming its address (the
// first link may have expired), at most once every 5 minutes.
func (svc *Service) resendConfirmation(c *fiber.Ctx, acc Account, now time.Time) error {
	t := tenants.From(c)
	ctx := c.UserContext()
	from := mail.SenderName(ctx, t.DB().Reader(), t.Commune.Name)
	sent := false
	err := svc.platform.Tx(ctx, func(tx *sql.Tx) error {
		recent, err := recentToken(ctx, tx, acc.ID, purposeConfirm, now.Add(-5*time.Minute))
		if err != nil || recent {
			return err
		}
		token, err := insertToken(ctx, tx, acc.ID, purposeConfirm, t.Commune.ID, now)
		if err != nil {
			return err
		}
		sent = true
		d := mailData{CommuneName: t.Commune.Name, commune: t.Commune.Slug, Name: acc.DisplayName(), URL: svc.communeURL(c, "/confirmation/"+token)}
		return enqueue(ctx, tx, mailConfirmation, acc.Email, from, d, now)
	})
	if sent {
		svc.notify(PlatformOutbox)
	}
	return err
}

// confirm uses a confirmation link. The link only confirms the address:
// logging in still takes the password, so a link that reaches someone
// else (or an account created by someone else with this address) opens
// nothing.
func (svc *Service) confirm(c *fiber.Ctx) error {
	ctx, now := c.UserContext(), svc.now()
	token := c.Params("token")
	status, _, err := checkToken(ctx, svc.platform.Reader(), token, purposeConfirm, now)
	if err != nil {
		return err
	}
	switch status {
	case tokenUsed:
		web.AddFlash(c, "info", "Votre adresse email est déjà confirmée. Connectez-vous pour continuer.")
		return web.RedirectTo(c, "/connexion?suite=adhesion")
	case tokenInvalid:
		return web.NewError(fiber.StatusNotFound, "Ce lien de confirmation n'est pas valable ou a expiré (il est valable une heure). "+
			"Connectez-vous avec votre adresse email et votre mot de passe : un nouveau lien vous sera envoyé.")
	}
	err = svc.platform.Tx(ctx, func(tx *sql.Tx) error {
		id, err := useToken(ctx, tx, token, purposeConfirm, now)
		if errors.Is(err, ErrNotFound) {
			return nil // used a moment ago by a concurrent request: same outcome
		}
		if err != nil {
			return err
		}
		return confirmEmail(ctx, tx, id, now)
	})
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", "Votre adresse email est confirmée. Connectez-vous, puis saisissez votre code d'adhésion.")
	return web.RedirectTo(c, "/connexion?suite=adhesion")
}
