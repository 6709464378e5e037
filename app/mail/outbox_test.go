package mail_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"espacefamille/app/mail"
	"espacefamille/app/mail/smtptest"
)

func TestEnqueueValidation(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	tests := []struct {
		name string
		edit func(*mail.Message)
	}{
		{"not an address", func(m *mail.Message) { m.To = "parent-at-example.fr" }},
		{"display name in the address", func(m *mail.Message) { m.To = "Parent <parent@example.fr>" }},
		{"empty address", func(m *mail.Message) { m.To = "" }},
		{"empty subject", func(m *mail.Message) { m.Subject = "  " }},
		{"empty text", func(m *mail.Message) { m.Text = "" }},
		{"empty kind", func(m *mail.Message) { m.Kind = "" }},
		{"header injection in subject", func(m *mail.Message) { m.Subject = "Bonjour\r\nBcc: victim@example.fr" }},
		{"line break in a name", func(m *mail.Message) { m.FromName = "Mairie\nX" }},
	}
	for _, tt := range tests {
		m := invitation("parent@example.fr")
		tt.edit(&m)
		tx, err := db.W.BeginTx(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = mail.Enqueue(context.Background(), tx, m, time.Now())
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if !errors.Is(err, mail.ErrInvalidMessage) {
			t.Errorf("%s: error = %v, want ErrInvalidMessage", tt.name, err)
		}
	}
	if list, err := mail.List(context.Background(), db.Reader(), 0); err != nil || len(list) != 0 {
		t.Fatalf("invalid messages were written: %d rows, %v", len(list), err)
	}
}

func TestEnqueueRollsBackWithTheAction(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	tx, err := db.W.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mail.Enqueue(context.Background(), tx, invitation("a@example.fr"), time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if list, _ := mail.List(context.Background(), db.Reader(), 10); len(list) != 0 {
		t.Fatalf("a rolled-back email is in the outbox")
	}
}

func TestMailboxModeKeepsMailReadable(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	clk := newClock()
	s := newSender(t, mail.Config{}, mail.Sources{}, mail.WithClock(clk.Now)) // no SMTP: demo mailbox
	ids := enqueue(t, db, clk.Now(), invitation("a@example.fr"), invitation("b@example.fr"))
	if got := flush(t, s, mail.Source{Name: "malemort", DB: db}); got != (mail.Counts{Sent: 2}) {
		t.Fatalf("counts = %+v", got)
	}
	list, err := mail.List(context.Background(), db.Reader(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != ids[1] || list[1].ID != ids[0] {
		t.Fatalf("List = %+v, want both, newest first", list)
	}
	e := list[1]
	want := invitation("a@example.fr")
	if e.Status != mail.StatusSent || e.Subject != want.Subject || e.Text != want.Text || e.HTML != want.HTML ||
		e.ToName != want.ToName || e.FromName != want.FromName || e.Kind != "invitation" || !e.CreatedAt.Equal(clk.Now()) {
		t.Errorf("entry = %+v", e)
	}
	if _, err := mail.Get(context.Background(), db.Reader(), 999); !errors.Is(err, mail.ErrNotFound) {
		t.Errorf("Get(999) error = %v, want ErrNotFound", err)
	}
}

func TestSTARTTLSWithAuthentication(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.WithSTARTTLS(), smtptest.WithAuth("mairie", "s3cret"))
	db := openDB(t)
	cfg := smtpConfig(srv)
	cfg.TLS, cfg.TLSConfig, cfg.Username, cfg.Password = mail.TLSStartTLS, srv.ClientTLSConfig(), "mairie", "s3cret"
	s := newSender(t, cfg, mail.Sources{})
	enqueue(t, db, time.Now(), invitation("a@example.fr"))
	if got := flush(t, s, mail.Source{Name: "malemort", DB: db}); got != (mail.Counts{Sent: 1}) {
		t.Fatalf("counts = %+v", got)
	}
}

func TestImplicitTLS(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.WithImplicitTLS())
	db := openDB(t)
	cfg := smtpConfig(srv)
	cfg.TLS, cfg.TLSConfig = mail.TLSImplicit, srv.ClientTLSConfig()
	s := newSender(t, cfg, mail.Sources{})
	enqueue(t, db, time.Now(), invitation("a@example.fr"))
	if got := flush(t, s, mail.Source{Name: "malemort", DB: db}); got != (mail.Counts{Sent: 1}) {
		t.Fatalf("counts = %+v", got)
	}
}

func TestMandatorySTARTTLSRefusesAPlainServer(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t) // no STARTTLS offered
	db := openDB(t)
	cfg := smtpConfig(srv)
	cfg.TLS = mail.TLSStartTLS
	s := newSender(t, cfg, mail.Sources{})
	ids := enqueue(t, db, time.Now(), invitation("a@example.fr"))
	if got := flush(t, s, mail.Source{Name: "malemort", DB: db}); got != (mail.Counts{Retried: 1}) {
		t.Fatalf("counts = %+v, want 1 retried", got)
	}
	if e := entry(t, db, ids[0]); e.Status != mail.StatusPending || len(srv.Messages()) != 0 {
		t.Fatalf("row = %+v, %d messages received", e, len(srv.Messages()))
	}
}

func TestWrongPasswordIsRetriedNotFailed(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.WithAuth("mairie", "s3cret"))
	db := openDB(t)
	cfg := smtpConfig(srv)
	cfg.Username, cfg.Password = "mairie", "wrong"
	s := newSender(t, cfg, mail.Sources{})
	ids := enqueue(t, db, time.Now(), invitation("a@example.fr"))
	if got := flush(t, s, mail.Source{Name: "malemort", DB: db}); got != (mail.Counts{Retried: 1}) {
		t.Fatalf("counts = %+v, want 1 retried (an operator error must not lose mail)", got)
	}
	if e := entry(t, db, ids[0]); e.Status != mail.StatusPending {
		t.Fatalf("row = %+v", e)
	}
}

// A commune's share of the platform's outbox is the mail that names it;
// mail without a commune belongs to none.
func TestListCommuneKeepsToItsCommune(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := context.Background()
	tx, err := db.W.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct{ to, commune string }{{"a@example.fr", "mazan"}, {"b@example.fr", "malemort"}, {"c@example.fr", ""}, {"d@example.fr", "mazan"}} {
		msg := invitation(m.to)
		msg.Commune = m.commune
		if _, err := mail.Enqueue(ctx, tx, msg, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	list, err := mail.ListCommune(ctx, db.Reader(), "mazan", 10)
	if err != nil || len(list) != 2 || list[0].To != "d@example.fr" || list[1].To != "a@example.fr" {
		t.Fatalf("mazan's mail: %+v, %v; want d then a", list, err)
	}
	if list, err := mail.ListCommune(ctx, db.Reader(), "", 10); err != nil || len(list) != 0 {
		t.Fatalf("the empty slug lists %d messages, %v", len(list), err)
	}
}

// The sender writes a commune's outbox through DB.Tx, like every other
// writer: it queues for the writer in turn and its transactions are
// counted (here: taking back a stuck row, claiming the batch, settling it).
// Writing on the bare writer handle skipped the queue and the accounting.
func TestSenderWritesThroughTheWriterQueue(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	clk := newClock()
	s := newSender(t, mail.Config{}, mail.Sources{}, mail.WithClock(clk.Now))
	ids := enqueue(t, db, clk.Now(), invitation("a@example.fr"), invitation("b@example.fr"))
	if _, err := db.W.Exec(`UPDATE outbox SET status = 'sending' WHERE id = ?`, ids[0]); err != nil {
		t.Fatal(err)
	}
	clk.Advance(mail.DefaultStuckAfter + time.Minute)
	if got := flush(t, s, mail.Source{Name: "malemort", DB: db}); got != (mail.Counts{Sent: 2}) {
		t.Fatalf("counts = %+v, want both sent", got)
	}
	var mailTxs int64
	for _, st := range db.WriterStats() {
		if st.Label == mail.TxLabel {
			mailTxs = st.Count
		}
	}
	if mailTxs != 3 {
		t.Fatalf("%d write transactions of the sender went through DB.Tx, want 3 (recover, claim, settle); stats %+v",
			mailTxs, db.WriterStats())
	}
}
