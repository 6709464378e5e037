package mail_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"espacefamille/app/apptest"
	"espacefamille/app/mail"
	"espacefamille/app/mail/smtptest"
	"espacefamille/tenants"
)

// openDB creates a database with the outbox table as the migrations
// define it (the platform's: TestBothOutboxesHaveOneDefinition keeps the
// communes' the same), opened as the tenants package opens a commune
// (one-connection writer, read pool).
func openDB(t *testing.T) *tenants.DB {
	t.Helper()
	return apptest.EmptyDB(t, tenants.PlatformSchema)
}

// pool opens n more connections on db's file (no writer queue): writers
// that contend for SQLite's own lock, as several processes would.
func pool(t *testing.T, db *tenants.DB, n int) *sql.DB {
	t.Helper()
	p, err := sql.Open("sqlite", "file:"+db.Path()+"?_pragma=busy_timeout(5000)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	p.SetMaxOpenConns(n)
	t.Cleanup(func() { p.Close() })
	return p
}

// clock is a settable clock for back-off tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 11, 27, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func smtpConfig(srv *smtptest.Server) mail.Config {
	return mail.Config{Host: srv.Host(), Port: srv.Port(), From: "noreply@espacefamille.test", TLS: mail.TLSNone, Timeout: 5 * time.Second}
}

func newSender(t *testing.T, cfg mail.Config, src mail.Sources, opts ...mail.Option) *mail.Sender {
	t.Helper()
	s, err := mail.NewSender(cfg, src, quietLogger(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// commune is one test's commune outbox ("malemort") with a sender over a
// real SMTP server and a settable clock (opts add to WithClock).
func commune(t *testing.T, opts ...mail.Option) (srv *smtptest.Server, db *tenants.DB, clk *clock, s *mail.Sender, src mail.Source) {
	t.Helper()
	srv = smtptest.Start(t)
	db = openDB(t)
	clk = newClock()
	s = newSender(t, smtpConfig(srv), mail.Sources{}, append([]mail.Option{mail.WithClock(clk.Now)}, opts...)...)
	return srv, db, clk, s, mail.Source{Name: "malemort", DB: db}
}

func invitation(to string) mail.Message {
	return mail.Message{
		Kind:     "invitation",
		To:       to,
		ToName:   "Élodie FAMILLE X",
		FromName: "Commune de Malemort du Comtat",
		Subject:  "Votre code d'adhésion – Espace Famille à Malemort",
		Text:     "Bonjour,\nVotre code d'adhésion : ABCD-1234\nhttps://malemort.example.fr/malemort/adhesion?code=ABCD-1234\nÀ bientôt, l'équipe périscolaire.",
		HTML:     `<p>Bonjour,</p><p>Votre code d'adhésion : <strong>ABCD-1234</strong></p><p><a href="https://malemort.example.fr/malemort/adhesion?code=ABCD-1234">Je me connecte</a></p><p>À bientôt, l'équipe périscolaire.</p>`,
	}
}

// enqueue writes messages in one committed transaction and returns their ids.
func enqueue(t *testing.T, db *tenants.DB, now time.Time, msgs ...mail.Message) []int64 {
	t.Helper()
	var ids []int64
	err := db.Tx(context.Background(), func(tx *sql.Tx) error {
		for _, m := range msgs {
			id, err := mail.Enqueue(context.Background(), tx, m, now)
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func entry(t *testing.T, db *tenants.DB, id int64) mail.Entry {
	t.Helper()
	e, err := mail.Get(context.Background(), db.Reader(), id)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func flush(t *testing.T, s *mail.Sender, src mail.Source) mail.Counts {
	t.Helper()
	c, err := s.Flush(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
