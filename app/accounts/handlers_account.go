package accounts

import (
	"database/sql"
	"errors"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/auth"
	"espacefamille/app/mail"
	"espacefamille/app/notify"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// accountData is the "Mon compte" page: the account's address, phone,
// password, the communes it is linked to, and the family's calendar link
// (when the account has a family in this commune).
type accountData struct {
	Email    string
	Phone    string
	Communes []communeLink
	Feed     feedView
	// Notifications are "Mes notifications": the emails of this commune
	// the address receives.
	Notifications []notify.Choice
	// The forms as submitted, when one comes back with errors.
	NewEmail   string
	PhoneInput string
	Errors     FieldErrors
}

// Errors of the "Mon compte" forms.
var (
	errChangeLinkInvalid = web.NewError(fiber.StatusNotFound,
		"Ce lien n'est plus valable : il sert une seule fois, pendant 24 heures. Demandez un nouveau changement d'adresse depuis « Mon compte ».")
	errChangeOtherAccount = web.NewError(fiber.StatusForbidden,
		"Ce lien concerne un autre compte que celui avec lequel vous êtes connecté(e). Déconnectez-vous, puis ouvrez-le de nouveau.")
)

const accountTitle = "Mon compte"

// showAccount shows "Mon compte".
func (svc *Service) showAccount(c *fiber.Ctx) error {
	return svc.renderAccount(c, fiber.StatusOK, accountData{Errors: FieldErrors{}})
}

// renderAccount renders "Mon compte" with the form values and errors of d.
func (svc *Service) renderAccount(c *fiber.Ctx, status int, d accountData) error {
	u := web.User(c)
	ctx := c.UserContext()
	acc, err := accountByID(ctx, svc.platform.Reader(), u.AccountID)
	if err != nil {
		return err
	}
	d.Email, d.Phone = acc.Email, FormatPhone(acc.Phone)
	if d.PhoneInput == "" {
		d.PhoneInput = d.Phone
	}
	if d.Communes, err = svc.communeLinks(c); err != nil {
		return err
	}
	shown := d.Feed // the link just made, shown once
	if d.Feed, err = svc.feedView(c); err != nil {
		return err
	}
	d.Feed.URL, d.Feed.Webcal = shown.URL, shown.Webcal
	if d.Notifications, err = svc.notificationChoices(c, acc.Email); err != nil {
		return err
	}
	return web.RenderStatus(c, status, "famille/mon-compte", accountTitle, d)
}

// requestEmailChange checks the current password and sends a one-time
// link to the new address; nothing changes until it is followed. The
// requests of an account are rate-limited (each one sends an email).
func (svc *Service) requestEmailChange(c *fiber.Ctx) error {
	t, u := tenants.From(c), web.User(c)
	ctx, now := c.UserContext(), svc.now()
	d := accountData{NewEmail: truncate(NormalizeEmail(c.FormValue("nouvel_email")), 254), Errors: FieldErrors{}}
	acc, err := accountByID(ctx, svc.platform.Reader(), u.AccountID)
	if err != nil {
		return err
	}
	if msg := emailProblem(d.NewEmail); msg != "" {
		d.Errors["nouvel_email"] = msg
	} else if d.NewEmail == acc.Email {
		d.Errors["nouvel_email"] = "C'est déjà l'adresse de votre compte."
	}
	password := c.FormValue("mot_de_passe_email")
	if password == "" {
		d.Errors["mot_de_passe_email"] = "Saisissez votre mot de passe actuel."
	}
	if len(d.Errors) > 0 {
		return svc.renderAccount(c, fiber.StatusUnprocessableEntity, d)
	}
	att, err := svc.begin(ctx, now, auth.Key{Name: keyEmailChange(acc.ID), Limit: emailChangeLimit})
	if err != nil {
		return err
	}
	if !att.Allowed {
		d.Errors["nouvel_email"] = "Trop de demandes de changement d'adresse : réessayez après " + clock(att.Until) + "."
		return svc.renderAccount(c, fiber.StatusTooManyRequests, d)
	}
	if ok, _, err := auth.CheckPassword(ctx, acc.PasswordHash, password); err != nil {
		return err
	} else if !ok {
		d.Errors["mot_de_passe_email"] = "Mot de passe incorrect."
		return svc.renderAccount(c, fiber.StatusUnprocessableEntity, d)
	}
	from := mail.SenderName(ctx, t.DB().Reader(), t.Commune.Name)
	err = svc.platform.Tx(ctx, func(tx *sql.Tx) error {
		if taken, err := emailTaken(ctx, tx, d.NewEmail, acc.ID); err != nil {
			return err
		} else if taken {
			return errEmailTaken
		}
		token, err := insertEmailChange(ctx, tx, acc.ID, d.NewEmail, now)
		if err != nil {
			return err
		}
		md := mailData{CommuneName: t.Commune.Name, commune: t.Commune.Slug, Name: acc.DisplayName(), Email: d.NewEmail,
			URL: svc.communeURL(c, "/mon-compte/email/"+token)}
		return enqueue(ctx, tx, mailEmailChange, d.NewEmail, from, md, now)
	})
	if errors.Is(err, errEmailTaken) {
		d.Errors["nouvel_email"] = "Cette adresse email est déjà utilisée par un autre compte. Choisissez-en une autre."
		return svc.renderAccount(c, fiber.StatusConflict, d)
	} else if err != nil {
		return err
	}
	svc.notify(PlatformOutbox)
	web.AddFlash(c, "success", "Un lien de confirmation vient d'être envoyé à "+d.NewEmail+
		" : ouvrez-le dans les 24 heures pour valider la nouvelle adresse. D'ici là, votre compte garde l'adresse "+acc.Email+".")
	return web.RedirectTo(c, "/mon-compte")
}

// emailChangeData is the page of a change link: the new address and the
// button that makes the change.
type emailChangeData struct {
	Token    string
	NewEmail string
}

// showEmailChange shows what a change link will do, without using it (a
// mail scanner opening the link changes nothing). The link works in any
// commune (it is the platform's), and shows nothing but the new address.
func (svc *Service) showEmailChange(c *fiber.Ctx) error {
	token := c.Params("token")
	ch, err := pendingEmailChange(c.UserContext(), svc.platform.Reader(), token, svc.now())
	if errors.Is(err, ErrNotFound) {
		return errChangeLinkInvalid
	} else if err != nil {
		return err
	}
	if u := web.User(c); u != nil && u.AccountID != ch.AccountID {
		return errChangeOtherAccount
	}
	return web.Render(c, "famille/mon-compte-email", "Nouvelle adresse email", emailChangeData{Token: token, NewEmail: ch.NewEmail})
}

// confirmEmailChange uses the link once: the account's address becomes
// the new one, and the old address is told, in the same transaction.
func (svc *Service) confirmEmailChange(c *fiber.Ctx) error {
	t, u := tenants.From(c), web.User(c)
	ctx, now := c.UserContext(), svc.now()
	from := mail.SenderName(ctx, t.DB().Reader(), t.Commune.Name)
	err := svc.platform.Tx(ctx, func(tx *sql.Tx) error {
		ch, err := useEmailChange(ctx, tx, c.Params("token"), now)
		if err != nil {
			return err
		}
		if u != nil && u.AccountID != ch.AccountID {
			return errChangeOtherAccount // rolled back: the link stays usable by its owner
		}
		acc, err := accountByID(ctx, tx, ch.AccountID)
		if err != nil {
			return err
		}
		if err := setEmail(ctx, tx, acc.ID, ch.NewEmail, now); err != nil {
			return err
		}
		md := mailData{CommuneName: t.Commune.Name, commune: t.Commune.Slug, Name: acc.DisplayName(), Email: ch.NewEmail}
		return enqueue(ctx, tx, mailEmailChanged, acc.Email, from, md, now)
	})
	switch {
	case errors.Is(err, ErrNotFound):
		return errChangeLinkInvalid
	case errors.Is(err, errEmailTaken):
		return web.NewError(fiber.StatusConflict,
			"Cette adresse email est désormais utilisée par un autre compte : votre adresse n'a pas changé. Choisissez-en une autre depuis « Mon compte ».")
	case err != nil:
		return err
	}
	svc.notify(PlatformOutbox)
	if u == nil {
		web.AddFlash(c, "success", "Votre nouvelle adresse email est enregistrée. Connectez-vous avec elle.")
		return web.RedirectTo(c, "/connexion")
	}
	web.AddFlash(c, "success", "Votre nouvelle adresse email est enregistrée.")
	return web.RedirectTo(c, "/mon-compte")
}

// changePhone stores a French phone number.
func (svc *Service) changePhone(c *fiber.Ctx) error {
	u := web.User(c)
	ctx := c.UserContext()
	d := accountData{PhoneInput: truncate(clean(c.FormValue("telephone")), 40), Errors: FieldErrors{}}
	phone, ok := FrenchPhone(d.PhoneInput)
	if !ok {
		d.Errors["telephone"] = "Saisissez un numéro de téléphone français de 10 chiffres, par exemple 06 12 34 56 78 ou +33 6 12 34 56 78."
		return svc.renderAccount(c, fiber.StatusUnprocessableEntity, d)
	}
	if err := svc.platform.Tx(ctx, func(tx *sql.Tx) error { return setPhone(ctx, tx, u.AccountID, phone) }); err != nil {
		return err
	}
	web.AddFlash(c, "success", "Votre numéro de téléphone est enregistré.")
	return web.RedirectTo(c, "/mon-compte")
}

// changePassword checks the current password (rate-limited per account),
// stores the new one and moves the session epoch: every other session of
// the account ends, in every commune; this browser gets a fresh one.
func (svc *Service) changePassword(c *fiber.Ctx) error {
	t, u := tenants.From(c), web.User(c)
	ctx, now := c.UserContext(), svc.now()
	d := accountData{Errors: FieldErrors{}}
	current, password := c.FormValue("mot_de_passe_actuel"), c.FormValue("mot_de_passe")
	if current == "" {
		d.Errors["mot_de_passe_actuel"] = "Saisissez votre mot de passe actuel."
	}
	if msg := PasswordProblem(password); msg != "" {
		d.Errors["mot_de_passe"] = msg
	} else if c.FormValue("mot_de_passe_confirmation") != password {
		d.Errors["mot_de_passe_confirmation"] = "Les deux mots de passe ne sont pas identiques."
	}
	if len(d.Errors) > 0 {
		return svc.renderAccount(c, fiber.StatusUnprocessableEntity, d)
	}
	att, err := svc.begin(ctx, now, auth.Key{Name: keyPasswordChange(u.AccountID), Limit: passwordChangeLimit})
	if err != nil {
		return err
	}
	if !att.Allowed {
		d.Errors["mot_de_passe_actuel"] = "Trop de tentatives : le changement de mot de passe est bloqué jusqu'à " + clock(att.Until) + "."
		return svc.renderAccount(c, fiber.StatusTooManyRequests, d)
	}
	acc, err := accountByID(ctx, svc.platform.Reader(), u.AccountID)
	if err != nil {
		return err
	}
	if ok, _, err := auth.CheckPassword(ctx, acc.PasswordHash, current); err != nil {
		return err
	} else if !ok {
		d.Errors["mot_de_passe_actuel"] = "Mot de passe actuel incorrect."
		return svc.renderAccount(c, fiber.StatusUnprocessableEntity, d)
	}
	hash, err := auth.HashPassword(ctx, password)
	if err != nil {
		return err
	}
	err = svc.platform.Tx(ctx, func(tx *sql.Tx) error {
		if err := setPassword(ctx, tx, acc.ID, hash, now); err != nil {
			return err
		}
		return throttle.Succeeded(ctx, tx, now, att)
	})
	if err != nil {
		return err
	}
	// The epoch already ends them; deleting this commune's rows keeps the table clean.
	if err := t.DB().Tx(ctx, func(tx *sql.Tx) error { return deleteAccountSessions(ctx, tx, acc.ID) }); err != nil {
		return err
	}
	if err := svc.startSession(c, acc.ID, now); err != nil {
		return err
	}
	web.AddFlash(c, "success", "Votre mot de passe est modifié. Vos autres sessions ont été fermées.")
	return web.RedirectTo(c, "/mon-compte")
}
