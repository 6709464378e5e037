package notify

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"espacefamille/app/mail"
	"espacefamille/tenants"
)

// Letter is one notification email for one recipient, rendered by the
// sending package with that recipient's unsubscribe URL (which the body
// shows as "Ne plus recevoir ces emails").
type Letter struct {
	Subject, Text, HTML string
}

// Render builds the letter for one address; unsubscribe is its absolute
// one-click unsubscribe URL.
type Render func(unsubscribe string) (Letter, error)

// Send queues a notification of kind to each address in to, inside the
// caller's write transaction: nothing when the commune turned kind off;
// never to an address that opted out of it; each email with its own
// List-Unsubscribe URL. It returns how many emails were queued. abs makes
// a commune-relative path absolute (web.Server.CommuneURL); an abs that
// gives no http(s) URL (a test without a public URL) leaves the
// List-Unsubscribe headers out.
func Send(ctx context.Context, tx *sql.Tx, com tenants.Commune, abs func(tenants.Commune, string) string,
	kind Kind, to []string, render Render, now time.Time) (int, error) {
	if len(to) == 0 {
		return 0, nil
	}
	st, err := LoadSettings(ctx, tx)
	if err != nil || !st.On(kind) {
		return 0, err
	}
	from := mail.SenderName(ctx, tx, com.Name)
	n := 0
	for _, addr := range to {
		out, err := OptedOut(ctx, tx, addr, kind)
		if err != nil {
			return n, err
		}
		if out {
			continue
		}
		link, err := UnsubscribeURL(ctx, tx, com, abs, addr, kind)
		if err != nil {
			return n, err
		}
		l, err := render(link)
		if err != nil {
			return n, err
		}
		header := link
		if !strings.HasPrefix(link, "https://") && !strings.HasPrefix(link, "http://") {
			header = ""
		}
		if _, err := mail.Enqueue(ctx, tx, mail.Message{Kind: string(kind), To: addr, FromName: from, Commune: com.Slug,
			Subject: l.Subject, Text: l.Text, HTML: l.HTML, Unsubscribe: header}, now); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
