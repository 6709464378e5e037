package accounts

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"espacefamille/app/mail"
)

// Mail kinds, also the template names under templates/mail/.
const (
	mailInvitation   = "invitation"
	mailConfirmation = "confirmation"
	mailEmailTaken   = "email_taken"
	mailReset        = "password_reset"
	mailEmailChange  = "email_change"  // to the new address: the link that makes the change
	mailEmailChanged = "email_changed" // to the old address: the change is done
)

var mailSubjects = map[string]string{
	mailInvitation:   "Votre Espace Famille – %s",
	mailConfirmation: "Confirmez la création de votre compte Espace Famille",
	mailEmailTaken:   "Votre compte Espace Famille",
	mailReset:        "Réinitialisation de votre mot de passe Espace Famille",
	mailEmailChange:  "Confirmez votre nouvelle adresse email Espace Famille",
	mailEmailChanged: "L'adresse email de votre compte Espace Famille a changé",
}

// mailData is what every mail template receives.
type mailData struct {
	CommuneName string
	Name        string // the recipient's name: "FAMILLE X", "Y FAMILLE X"
	URL         string // the main link of the email
	ResetURL    string
	Code        string
	Email       string // the new address of an email change
	commune     string // the slug the mail belongs to (mail.Message.Commune)
}

// renderMail builds the message of kind for to, from templates/mail/
// (mail.Render).
func renderMail(kind, to, fromName string, d mailData) (mail.Message, error) {
	text, html, err := mail.Render(kind, d)
	if err != nil {
		return mail.Message{}, err
	}
	subject := mailSubjects[kind]
	if kind == mailInvitation {
		subject = fmt.Sprintf(subject, d.CommuneName)
	}
	return mail.Message{Kind: kind, To: to, ToName: d.Name, FromName: fromName, Subject: subject,
		Text: text, HTML: html, Commune: d.commune}, nil
}

// enqueue renders the mail and writes it to the outbox of tx's database.
func enqueue(ctx context.Context, tx *sql.Tx, kind, to, fromName string, d mailData, now time.Time) error {
	m, err := renderMail(kind, to, fromName, d)
	if err != nil {
		return err
	}
	_, err = mail.Enqueue(ctx, tx, m, now)
	return err
}
