package mail_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"espacefamille/app/mail"
	"espacefamille/app/mail/smtptest"
)

func TestFlushDeliversWithHeadersAndBothParts(t *testing.T) {
	t.Parallel()
	srv, db, clk, s, src := commune(t)

	msg := invitation("elodie.famillex@example.fr")
	ids := enqueue(t, db, clk.Now(), msg)
	clk.Advance(time.Second)

	if got := flush(t, s, src); got != (mail.Counts{Sent: 1}) {
		t.Fatalf("counts = %+v, want 1 sent", got)
	}
	got := srv.Messages()
	if len(got) != 1 {
		t.Fatalf("server received %d messages, want 1", len(got))
	}
	m := got[0]
	if m.ParseErr != nil {
		t.Fatalf("parse: %v\n%s", m.ParseErr, m.Raw)
	}
	if m.From == nil || m.From.Name != "Commune de Malemort du Comtat" || m.From.Address != "noreply@espacefamille.test" {
		t.Errorf("From = %+v", m.From)
	}
	if len(m.To) != 1 || m.To[0].Name != "Élodie FAMILLE X" || m.To[0].Address != "elodie.famillex@example.fr" {
		t.Errorf("To = %+v", m.To)
	}
	if m.EnvelopeFrom != "noreply@espacefamille.test" || len(m.EnvelopeTo) != 1 || m.EnvelopeTo[0] != "elodie.famillex@example.fr" {
		t.Errorf("envelope = %q → %q", m.EnvelopeFrom, m.EnvelopeTo)
	}
	if m.Subject != msg.Subject {
		t.Errorf("Subject = %q, want %q", m.Subject, msg.Subject)
	}
	if raw := m.Header.Get("Subject"); !strings.Contains(raw, "=?UTF-8?") {
		t.Errorf("raw Subject %q is not RFC 2047 encoded", raw)
	}
	for i, b := range m.Raw[:strings.Index(string(m.Raw), "\r\n\r\n")] {
		if b >= 0x80 {
			t.Fatalf("non-ASCII byte in headers at %d", i)
		}
	}
	if m.Text != strings.ReplaceAll(msg.Text, "\n", "\r\n") && m.Text != msg.Text {
		t.Errorf("Text = %q", m.Text)
	}
	if !strings.Contains(m.Text, "ABCD-1234") || !strings.Contains(m.Text, "À bientôt") {
		t.Errorf("Text lacks the code or the accents: %q", m.Text)
	}
	if !strings.Contains(m.HTML, `<a href="https://malemort.example.fr/malemort/adhesion?code=ABCD-1234">Je me connecte</a>`) {
		t.Errorf("HTML = %q", m.HTML)
	}
	if ct := m.Header.Get("Content-Type"); !strings.HasPrefix(ct, "multipart/alternative") {
		t.Errorf("Content-Type = %q", ct)
	}
	created := clk.Now().Add(-time.Second)
	wantID := fmt.Sprintf("<outbox.%d.%d.malemort@espacefamille.test>", ids[0], created.Unix())
	if m.MessageID != wantID {
		t.Errorf("Message-ID = %q, want %q", m.MessageID, wantID)
	}
	if !m.Date.Equal(created) {
		t.Errorf("Date = %v, want %v", m.Date, created)
	}

	e := entry(t, db, ids[0])
	if e.Status != mail.StatusSent || e.Attempts != 1 || !e.SentAt.Equal(clk.Now()) || e.LastError != "" {
		t.Errorf("row after delivery = %+v", e)
	}
	if got := flush(t, s, src); got != (mail.Counts{}) {
		t.Errorf("second flush = %+v, want nothing", got)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("server has %d messages after a second flush, want 1", n)
	}
}

func TestBatchUsesOneConnection(t *testing.T) {
	t.Parallel()
	srv, db, clk, s, src := commune(t, mail.WithBatchSize(10))
	var msgs []mail.Message
	for i := range 25 {
		msgs = append(msgs, invitation(fmt.Sprintf("parent%d@example.fr", i)))
	}
	enqueue(t, db, clk.Now(), msgs...)
	if got := flush(t, s, src); got.Sent != 25 {
		t.Fatalf("counts = %+v", got)
	}
	if n := srv.Sessions(); n != 3 {
		t.Errorf("%d SMTP sessions for 25 messages in batches of 10, want 3", n)
	}
	for i, m := range srv.Messages() { // queue order is kept
		if want := fmt.Sprintf("parent%d@example.fr", i); m.EnvelopeTo[0] != want {
			t.Fatalf("message %d went to %s, want %s", i, m.EnvelopeTo[0], want)
		}
	}
}

func TestSMTPDownThenUpDeliversEachMessageOnce(t *testing.T) {
	t.Parallel()
	srv, db, clk, s, src := commune(t)
	ids := enqueue(t, db, clk.Now(), invitation("a@example.fr"), invitation("b@example.fr"), invitation("c@example.fr"))

	srv.Stop()
	if got := flush(t, s, src); got != (mail.Counts{Retried: 3}) {
		t.Fatalf("flush while down = %+v, want 3 retried", got)
	}
	for _, id := range ids {
		e := entry(t, db, id)
		lo, hi := clk.Now().Add(30*time.Second), clk.Now().Add(33*time.Second)
		if e.Status != mail.StatusPending || e.Attempts != 1 || e.LastError == "" ||
			e.NextAttemptAt.Before(lo) || e.NextAttemptAt.After(hi) {
			t.Fatalf("row %d after a failed try = %+v, want pending, 1 attempt, next in [%v, %v]", id, e, lo, hi)
		}
	}
	if got := flush(t, s, src); got != (mail.Counts{}) {
		t.Fatalf("flush before the back-off ends = %+v, want nothing", got)
	}

	clk.Advance(40 * time.Second)
	if got := flush(t, s, src); got != (mail.Counts{Retried: 3}) {
		t.Fatalf("second flush while down = %+v", got)
	}
	for _, id := range ids {
		e := entry(t, db, id)
		if e.Attempts != 2 || e.NextAttemptAt.Before(clk.Now().Add(time.Minute)) {
			t.Fatalf("row %d after 2 failed tries = %+v, want next ≥ now+1m", id, e)
		}
	}

	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	clk.Advance(2 * time.Minute)
	if got := flush(t, s, src); got != (mail.Counts{Sent: 3}) {
		t.Fatalf("flush after the server is back = %+v, want 3 sent", got)
	}
	clk.Advance(2 * time.Hour)
	if got := flush(t, s, src); got != (mail.Counts{}) {
		t.Fatalf("flush later = %+v, want nothing", got)
	}
	seen := map[string]int{}
	for _, m := range srv.Messages() {
		seen[m.EnvelopeTo[0]]++
	}
	if len(seen) != 3 || seen["a@example.fr"] != 1 || seen["b@example.fr"] != 1 || seen["c@example.fr"] != 1 {
		t.Fatalf("deliveries per recipient = %v, want each exactly once", seen)
	}
	for _, id := range ids {
		if e := entry(t, db, id); e.Status != mail.StatusSent || e.Attempts != 3 || e.LastError != "" {
			t.Errorf("row %d = %+v, want sent after 3 attempts", id, e)
		}
	}
}

func TestTemporaryRejectionIsRetried(t *testing.T) {
	t.Parallel()
	srv, db, clk, s, src := commune(t)
	ids := enqueue(t, db, clk.Now(), invitation("a@example.fr"))

	srv.Reject(451, "try again later")
	if got := flush(t, s, src); got != (mail.Counts{Retried: 1}) {
		t.Fatalf("counts = %+v, want 1 retried", got)
	}
	if e := entry(t, db, ids[0]); e.Status != mail.StatusPending || !strings.Contains(e.LastError, "451") {
		t.Fatalf("row = %+v", e)
	}
	srv.Accept()
	clk.Advance(time.Minute)
	if got := flush(t, s, src); got != (mail.Counts{Sent: 1}) {
		t.Fatalf("counts = %+v, want 1 sent", got)
	}
}

func TestPermanentRecipientRejectionFailsAtOnce(t *testing.T) {
	t.Parallel()
	srv, db, clk, s, src := commune(t)
	srv.RejectRecipient("nobody@example.fr", 550, "no such user")
	ids := enqueue(t, db, clk.Now(), invitation("nobody@example.fr"), invitation("parent@example.fr"))

	if got := flush(t, s, src); got != (mail.Counts{Sent: 1, Failed: 1}) {
		t.Fatalf("counts = %+v, want 1 sent and 1 failed", got)
	}
	if e := entry(t, db, ids[0]); e.Status != mail.StatusFailed || e.Attempts != 1 || !strings.Contains(e.LastError, "550") {
		t.Errorf("rejected row = %+v", e)
	}
	if e := entry(t, db, ids[1]); e.Status != mail.StatusSent {
		t.Errorf("good row = %+v", e)
	}
	if msgs := srv.Messages(); len(msgs) != 1 || msgs[0].EnvelopeTo[0] != "parent@example.fr" {
		t.Errorf("server received %d messages", len(msgs))
	}
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	t.Parallel()
	srv, db, clk, s, src := commune(t, mail.WithMaxAttempts(3))
	srv.Stop()
	ids := enqueue(t, db, clk.Now(), invitation("a@example.fr"))
	want := []mail.Counts{{Retried: 1}, {Retried: 1}, {Failed: 1}, {}}
	for i, w := range want {
		if got := flush(t, s, src); got != w {
			t.Fatalf("flush %d = %+v, want %+v", i+1, got, w)
		}
		clk.Advance(2 * time.Hour)
	}
	if e := entry(t, db, ids[0]); e.Status != mail.StatusFailed || e.Attempts != 3 || !strings.Contains(e.LastError, "gave up after 3 attempts") {
		t.Errorf("row = %+v", e)
	}
}

func TestStuckSendingRowsAreRecovered(t *testing.T) {
	t.Parallel()
	_, db, clk, s, src := commune(t)
	ids := enqueue(t, db, clk.Now().Add(-time.Hour), invitation("old@example.fr"), invitation("recent@example.fr"))
	// A crash left both in 'sending': one claimed 10 minutes ago, one a minute ago.
	claimAt := func(id int64, at time.Time) {
		if _, err := db.W.Exec(`UPDATE outbox SET status='sending', next_attempt_at=? WHERE id=?`, at.UTC().Format("2006-01-02T15:04:05Z"), id); err != nil {
			t.Fatal(err)
		}
	}
	claimAt(ids[0], clk.Now().Add(-10*time.Minute))
	claimAt(ids[1], clk.Now().Add(-time.Minute))

	if got := flush(t, s, src); got != (mail.Counts{Sent: 1}) {
		t.Fatalf("counts = %+v, want the old stuck row sent", got)
	}
	if e := entry(t, db, ids[0]); e.Status != mail.StatusSent || e.Attempts != 2 {
		t.Errorf("old row = %+v, want sent, the interrupted try counted", e)
	}
	if e := entry(t, db, ids[1]); e.Status != mail.StatusSending {
		t.Errorf("recent row = %+v, want still sending", e)
	}
	clk.Advance(5 * time.Minute)
	if got := flush(t, s, src); got != (mail.Counts{Sent: 1}) {
		t.Fatalf("counts = %+v, want the second row sent", got)
	}
}

func TestRedeliveryAfterCrashKeepsMessageID(t *testing.T) {
	t.Parallel()
	srv, db, clk, s, src := commune(t)
	ids := enqueue(t, db, clk.Now(), invitation("a@example.fr"))
	flush(t, s, src)
	// Simulate a crash between the delivery and the settlement.
	if _, err := db.W.Exec(`UPDATE outbox SET status='sending', sent_at=NULL WHERE id=?`, ids[0]); err != nil {
		t.Fatal(err)
	}
	clk.Advance(10 * time.Minute)
	flush(t, s, src)
	msgs := srv.Messages()
	if len(msgs) != 2 || msgs[0].MessageID == "" || msgs[0].MessageID != msgs[1].MessageID {
		t.Fatalf("duplicate not recognisable: %d messages, ids %q", len(msgs), []string{msgs[0].MessageID, msgs[len(msgs)-1].MessageID})
	}
}

func TestConcurrentEnqueue(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	db := openDB(t)
	writers := pool(t, db, 8)
	clk := newClock()
	s := newSender(t, smtpConfig(srv), mail.Sources{}, mail.WithClock(clk.Now))
	const workers, each = 20, 5
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				err := func() error {
					tx, err := writers.BeginTx(context.Background(), nil)
					if err != nil {
						return err
					}
					defer tx.Rollback()
					if _, err := mail.Enqueue(context.Background(), tx, invitation(fmt.Sprintf("p%d-%d@example.fr", w, i)), clk.Now()); err != nil {
						return err
					}
					return tx.Commit()
				}()
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent enqueue: %v", err)
	}
	if got := flush(t, s, mail.Source{Name: "malemort", DB: db}); got.Sent != workers*each {
		t.Fatalf("counts = %+v, want %d sent", got, workers*each)
	}
	ids, rcpts := map[string]bool{}, map[string]bool{}
	for _, m := range srv.Messages() {
		ids[m.MessageID], rcpts[m.EnvelopeTo[0]] = true, true
	}
	if len(ids) != workers*each || len(rcpts) != workers*each {
		t.Fatalf("%d distinct Message-IDs and %d recipients, want %d", len(ids), len(rcpts), workers*each)
	}
}
