package mail_test

import (
	"strings"
	"testing"
	"time"

	"espacefamille/app/mail"
	"espacefamille/app/mail/smtptest"
)

// A notification carries its one-click unsubscribe URL in the
// List-Unsubscribe header with List-Unsubscribe-Post (RFC 8058), unfolded
// however long the URL; an email that is not a notification has neither.
func TestNotificationCarriesOneClickUnsubscribeHeaders(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	db := openDB(t, 1)
	clk := newClock()
	s := newSender(t, smtpConfig(srv), mail.Sources{}, mail.WithClock(clk.Now))
	src := mail.Source{Name: "malemort", DB: db}

	link := "https://malemort.example.fr/malemort/desabonnement?jeton=" + strings.Repeat("aB3-_", 30) + ".sig"
	notice := invitation("elodie.famillex@example.fr")
	notice.Kind, notice.Unsubscribe = "invoice_available", link
	plain := invitation("other@example.fr")
	ids := enqueue(t, db, clk.Now(), notice, plain)
	clk.Advance(time.Second)
	if got := flush(t, s, src); got != (mail.Counts{Sent: 2}) {
		t.Fatalf("counts = %+v, want 2 sent", got)
	}
	if e := entry(t, db, ids[0]); e.Unsubscribe != link {
		t.Errorf("stored URL = %q", e.Unsubscribe)
	}
	for _, m := range srv.Messages() {
		lu, lup := m.Header.Get("List-Unsubscribe"), m.Header.Get("List-Unsubscribe-Post")
		switch m.EnvelopeTo[0] {
		case "elodie.famillex@example.fr":
			if strings.Join(strings.Fields(lu), "") != "<"+link+">" {
				t.Errorf("List-Unsubscribe = %q, want <%s>", lu, link)
			}
			if lup != "List-Unsubscribe=One-Click" {
				t.Errorf("List-Unsubscribe-Post = %q", lup)
			}
		default:
			if lu != "" || lup != "" {
				t.Errorf("a plain email has List-Unsubscribe %q / %q", lu, lup)
			}
		}
	}
}

// An unsubscribe URL that is not http(s) or holds a line break is refused
// before anything is written (it would become a header).
func TestEnqueueRefusesABadUnsubscribeURL(t *testing.T) {
	t.Parallel()
	db := openDB(t, 1)
	for _, bad := range []string{"/malemort/desabonnement?jeton=x", "https://a.example/x\r\nBcc: evil@example.com", "mailto:x@example.fr"} {
		m := invitation("elodie.famillex@example.fr")
		m.Unsubscribe = bad
		if err := m.Validate(); err == nil {
			t.Errorf("unsubscribe URL %q accepted", bad)
		}
	}
	if n, err := mail.List(t.Context(), db, 10); err != nil || len(n) != 0 {
		t.Errorf("outbox = %d rows, %v", len(n), err)
	}
}
