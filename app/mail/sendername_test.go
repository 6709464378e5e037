package mail_test

import (
	"context"
	"testing"

	"espacefamille/app/mail"
)

// A commune's emails come from its "sender_name" setting, else from its
// name: the setting missing, blank, or the settings unreadable.
func TestSenderNameFallsBackToTheCommuneName(t *testing.T) {
	const commune = "Commune de Malemort du Comtat"
	db := openDB(t)
	ctx := context.Background()
	if got := mail.SenderName(ctx, db.Reader(), commune); got != commune {
		t.Errorf("no settings table: %q", got)
	}
	if _, err := db.W.Exec(`CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ story, value, want string }{
		{"setting missing", "", commune},
		{"setting blank", "   ", commune},
		{"setting chosen by the commune", "Mairie de Malemort", "Mairie de Malemort"},
	} {
		if tc.value != "" {
			if _, err := db.W.Exec(`INSERT INTO settings (key, value) VALUES ('sender_name', ?)
				ON CONFLICT (key) DO UPDATE SET value = excluded.value`, tc.value); err != nil {
				t.Fatal(err)
			}
		}
		if got := mail.SenderName(ctx, db.Reader(), commune); got != tc.want {
			t.Errorf("%s: sender %q, want %q", tc.story, got, tc.want)
		}
	}
}
