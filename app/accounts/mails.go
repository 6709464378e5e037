package accounts

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	htmltemplate "html/template"
	"sync"
	texttemplate "text/template"
	"time"

	"espacefamille/app/mail"
	"espacefamille/templates"
)

// Mail kinds, also the template names under templates/mail/.
const (
	mailInvitation   = "invitation"
	mailConfirmation = "confirmation"
	mailEmailTaken   = "email_taken"
	mailReset        = "password_reset"
)

var mailSubjects = map[string]string{
	mailInvitation:   "Votre Espace Famille – %s",
	mailConfirmation: "Confirmez la création de votre compte Espace Famille",
	mailEmailTaken:   "Votre compte Espace Famille",
	mailReset:        "Réinitialisation de votre mot de passe Espace Famille",
}

type mailSet struct {
	text map[string]*texttemplate.Template
	html map[string]*htmltemplate.Template
}

// loadMails parses the embedded mail templates once; a broken template is
// an error at the first use (and in the tests).
var loadMails = sync.OnceValues(func() (*mailSet, error) {
	set := &mailSet{text: map[string]*texttemplate.Template{}, html: map[string]*htmltemplate.Template{}}
	for kind := range mailSubjects {
		t, err := texttemplate.ParseFS(templates.FS, "mail/"+kind+".txt.tmpl")
		if err != nil {
			return nil, fmt.Errorf("accounts: mail template %s: %w", kind, err)
		}
		h, err := htmltemplate.ParseFS(templates.FS, "mail/layout.html.tmpl", "mail/"+kind+".html.tmpl")
		if err != nil {
			return nil, fmt.Errorf("accounts: mail template %s: %w", kind, err)
		}
		set.text[kind], set.html[kind] = t, h
	}
	return set, nil
})

// mailData is what every mail template receives.
type mailData struct {
	CommuneName string
	Name        string // the recipient's name: "FAMILLE X", "Y FAMILLE X"
	URL         string // the main link of the email
	ResetURL    string
	Code        string
}

// renderMail builds the message of kind for to.
func renderMail(kind, to, fromName string, d mailData) (mail.Message, error) {
	set, err := loadMails()
	if err != nil {
		return mail.Message{}, err
	}
	var text, html bytes.Buffer
	if err := set.text[kind].Execute(&text, d); err != nil {
		return mail.Message{}, fmt.Errorf("accounts: render %s: %w", kind, err)
	}
	if err := set.html[kind].ExecuteTemplate(&html, "layout", d); err != nil {
		return mail.Message{}, fmt.Errorf("accounts: render %s: %w", kind, err)
	}
	subject := mailSubjects[kind]
	if kind == mailInvitation {
		subject = fmt.Sprintf(subject, d.CommuneName)
	}
	return mail.Message{Kind: kind, To: to, ToName: d.Name, FromName: fromName, Subject: subject,
		Text: text.String(), HTML: html.String()}, nil
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

// senderName is the name the commune's emails come from: its configured
// sender name, or its display name.
func senderName(ctx context.Context, q querier, communeName string) string {
	var v string
	// A missing setting (or a failed read) falls back to the commune's name.
	if err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'sender_name'`).Scan(&v); err != nil || v == "" {
		return communeName
	}
	return v
}
