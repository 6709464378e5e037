package apptest

import (
	"context"
	"testing"
	"time"

	"espacefamille/app/mail"
	"espacefamille/app/mail/smtptest"
	"espacefamille/tenants"
)

// SendMail sends commune slug's outbox through a real in-process SMTP
// server and returns what that server received (the mail queued since the
// last send). It sends at the environment's clock, or at the wall clock
// when that is later: pages that run on the wall clock queue mail due then.
func (e *Env) SendMail(t testing.TB, slug string) []smtptest.Message {
	t.Helper()
	srv := smtptest.Start(t)
	sender, err := mail.NewSender(mail.Config{Host: srv.Host(), Port: srv.Port(), From: "noreply@ef.test", TLS: mail.TLSNone}, mail.Sources{}, Quiet(),
		mail.WithClock(func() time.Time {
			if now := time.Now(); now.After(e.Clock.Now()) {
				return now
			}
			return e.Clock.Now()
		}))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Registry.WithCommune(context.Background(), slug, func(db *tenants.DB) error {
		_, err := sender.Flush(context.Background(), mail.Source{Name: slug, DB: db})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return srv.Messages()
}
