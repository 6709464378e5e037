package apptest

import (
	"context"
	"testing"
	"time"

	"espacefamille/app/accounts"
	"espacefamille/app/mail"
	"espacefamille/app/mail/smtptest"
	"espacefamille/tenants"
)

// Mailer is the one test sender: a real in-process SMTP server
// (smtptest; its Stop and Restart take it down and back up) and a
// mail.Sender that delivers the environment's outboxes to it, at the
// environment's clock, or at the wall clock when that is later (pages
// that run on the wall clock queue mail due then).
type Mailer struct {
	*smtptest.Server
	env    *Env
	sender *mail.Sender
}

// Mailer starts a mail server for the test, empty, kept until it ends.
func (e *Env) Mailer(t testing.TB) *Mailer {
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
	return &Mailer{Server: srv, env: e, sender: sender}
}

// Flush sends what the outboxes of the communes slugs hold ("" is the
// platform store's), as the background sender would, and returns how
// many messages were sent, put back for a retry and given up.
func (m *Mailer) Flush(t testing.TB, slugs ...string) mail.Counts {
	t.Helper()
	ctx := context.Background()
	var total mail.Counts
	flush := func(src mail.Source) error {
		c, err := m.sender.Flush(ctx, src)
		total.Sent, total.Retried, total.Failed = total.Sent+c.Sent, total.Retried+c.Retried, total.Failed+c.Failed
		return err
	}
	for _, slug := range slugs {
		var err error
		if slug == "" {
			err = flush(mail.Source{Name: accounts.PlatformOutbox, DB: m.env.Registry.Platform()})
		} else {
			err = m.env.Registry.WithCommune(ctx, slug, func(db *tenants.DB) error { return flush(mail.Source{Name: slug, DB: db}) })
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return total
}

// SendMail sends commune slug's outbox through a new Mailer and returns
// what its server received (the mail queued since the last send).
func (e *Env) SendMail(t testing.TB, slug string) []smtptest.Message {
	t.Helper()
	m := e.Mailer(t)
	m.Flush(t, slug)
	return m.Messages()
}
