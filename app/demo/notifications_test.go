package demo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"espacefamille/app/demo"
	"espacefamille/tenants"
)

// A fresh demo shows the notifications: the settings are on, and beside
// the invitation the mailbox holds the cut-off reminder of "Fille FAMILLE
// X" for the next week she can book, with absolute "Réserver maintenant"
// and unsubscribe links.
func TestDemoShowsASampleReminder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	reg, err := tenants.Open(ctx, tenants.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	now := time.Date(2026, time.December, 3, 14, 0, 0, 0, time.UTC)
	if _, err := demo.Ensure(ctx, reg, now); err != nil {
		t.Fatal(err)
	}
	if err := demo.QueueInvitation(ctx, reg, "http://localhost:8080/"+demo.Slug+"/", now); err != nil {
		t.Fatal(err)
	}
	err = reg.WithCommune(ctx, demo.Slug, func(db *tenants.DB) error {
		var to, subject, text, unsubscribe string
		if err := db.Reader().QueryRowContext(ctx, `SELECT to_addr, subject, text_body, unsubscribe_url FROM outbox WHERE kind = 'cutoff_reminder'`).
			Scan(&to, &subject, &text, &unsubscribe); err != nil {
			return err
		}
		// Thursday 3 December, 15h00 in Paris: Monday 7/12 closed at 10h00
		// today, Tuesday 8/12 closes tomorrow at 10h00.
		if to != demo.FamilyEmail || subject != "Rien n'est réservé pour Fille la semaine du 07/12" ||
			!strings.Contains(text, "réservations ouvertes jusqu'au vendredi 04/12 à 10h00") {
			t.Errorf("reminder to %s: %q", to, subject)
		}
		for _, w := range []string{"réservations ouvertes jusqu'au", "http://localhost:8080/" + demo.Slug + "/famille/reservations?",
			"http://localhost:8080/" + demo.Slug + "/desabonnement?jeton="} {
			if !strings.Contains(text, w) {
				t.Errorf("text lacks %q:\n%s", w, text)
			}
		}
		if !strings.HasPrefix(unsubscribe, "http://localhost:8080/"+demo.Slug+"/desabonnement?jeton=") {
			t.Errorf("List-Unsubscribe URL %q", unsubscribe)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
