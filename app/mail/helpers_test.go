package mail_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"espacefamille/app/mail"
	"espacefamille/app/mail/smtptest"
)

const outboxSchema = `
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  to_addr TEXT NOT NULL,
  to_name TEXT NOT NULL DEFAULT '',
  from_name TEXT NOT NULL DEFAULT '',
  subject TEXT NOT NULL,
  text_body TEXT NOT NULL,
  html_body TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sending','sent','failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  sent_at TEXT,
  commune TEXT NOT NULL DEFAULT '',
  unsubscribe_url TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);`

// openDB creates a commune-like SQLite file with the outbox table. conns is
// the pool size: 1 mimics the one-connection writer pool.
func openDB(t *testing.T, conns int) *sql.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "commune.db")
	dsn := "file:" + path + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(conns)
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(outboxSchema); err != nil {
		t.Fatal(err)
	}
	return db
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
func enqueue(t *testing.T, db *sql.DB, now time.Time, msgs ...mail.Message) []int64 {
	t.Helper()
	tx, err := db.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, m := range msgs {
		id, err := mail.Enqueue(context.Background(), tx, m, now)
		if err != nil {
			tx.Rollback()
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return ids
}

func entry(t *testing.T, db *sql.DB, id int64) mail.Entry {
	t.Helper()
	e, err := mail.Get(context.Background(), db, id)
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
