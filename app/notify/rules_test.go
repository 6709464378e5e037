package notify

import (
	"strings"
	"testing"
	"time"

	"espacefamille/app/calendar"
)

func paris(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, calendar.Paris())
}

// When the reminder of a cut-off goes out, as the commune set it.
func TestSendAtAndDue(t *testing.T) {
	cutoff := paris(2027, 1, 7, 10, 0) // Thursday 07/01 at 10h00
	tests := []struct {
		name    string
		s       Settings
		want    time.Time
		dueAt   time.Time
		wantDue bool
	}{
		{"the day before at 18h00 (the default)", Defaults, paris(2027, 1, 6, 18, 0), paris(2027, 1, 6, 18, 0), true},
		{"a minute before the moment: not yet", Defaults, paris(2027, 1, 6, 18, 0), paris(2027, 1, 6, 17, 59), false},
		{"three days before at 7h30", Settings{CutoffReminder: true, Hour: 7, Minute: 30, DaysBefore: 3}, paris(2027, 1, 4, 7, 30), paris(2027, 1, 5, 7, 30), true},
		{"the same day at 8h00, two hours before the cut-off", Settings{CutoffReminder: true, Hour: 8, DaysBefore: 0}, paris(2027, 1, 7, 8, 0), paris(2027, 1, 7, 9, 59), true},
		{"the cut-off itself: too late", Defaults, paris(2027, 1, 6, 18, 0), cutoff, false},
		{"across the change to summer time (Sunday 28/03)", Settings{Hour: 18, DaysBefore: 1}, paris(2027, 3, 27, 18, 0), paris(2027, 3, 27, 18, 0), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := cutoff
			if tc.want.Month() == time.March {
				c = paris(2027, 3, 28, 10, 0)
			}
			if got := tc.s.SendAt(c); !got.Equal(tc.want) {
				t.Errorf("SendAt = %v, want %v", got, tc.want)
			}
			if got := tc.s.Due(c, tc.dueAt); got != tc.wantDue {
				t.Errorf("Due at %v = %v, want %v", tc.dueAt, got, tc.wantDue)
			}
		})
	}
}

// The back office's form: what is accepted and the French refusals.
func TestParseSettings(t *testing.T) {
	tests := []struct {
		name   string
		form   map[string]string
		want   Settings
		errors string // the fields refused, joined
	}{
		{"all on, 18:00, the day before", map[string]string{"rappel": "1", "facture": "1", "paiement_echoue": "1", "heure_rappel": "18:00", "jours_avant": "1"},
			Defaults, ""},
		{"18h30 written the French way, everything off", map[string]string{"heure_rappel": "18h30", "jours_avant": " 0 "},
			Settings{Hour: 18, Minute: 30}, ""},
		{"9h means 9h00", map[string]string{"rappel": "1", "heure_rappel": "9h", "jours_avant": "2"}, Settings{CutoffReminder: true, Hour: 9, DaysBefore: 2}, ""},
		{"25:00 is no time", map[string]string{"heure_rappel": "25:00", "jours_avant": "1"}, Settings{}, "heure_rappel"},
		{"18:5 reads as 18:05", map[string]string{"heure_rappel": "18:5", "jours_avant": "1"}, Settings{Hour: 18, Minute: 5, DaysBefore: 1}, ""},
		{"a time without its hour", map[string]string{"heure_rappel": ":30", "jours_avant": "1"}, Settings{}, "heure_rappel"},
		{"15 days is beyond the 14 allowed", map[string]string{"heure_rappel": "18:00", "jours_avant": "15"}, Settings{}, "jours_avant"},
		{"days as a word", map[string]string{"heure_rappel": "18:00", "jours_avant": "un"}, Settings{}, "jours_avant"},
		{"both wrong, both said", map[string]string{"heure_rappel": "midi", "jours_avant": "-1"}, Settings{}, "heure_rappel,jours_avant"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, fe := ParseSettings(func(k string) string { return tc.form[k] })
			var fields []string
			for _, e := range fe {
				fields = append(fields, e.Field)
				if e.Message == "" {
					t.Errorf("%s refused without a message", e.Field)
				}
			}
			if strings.Join(fields, ",") != tc.errors {
				t.Fatalf("refused %v, want %q", fields, tc.errors)
			}
			if tc.errors == "" && got != tc.want {
				t.Errorf("settings %+v, want %+v", got, tc.want)
			}
		})
	}
}

// A token names one address and one kind in one commune; it survives its
// round trip and nothing else passes.
func TestTokenRoundTripAndRefusals(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	tok := token(key, "malemort", " Parent@Example.org ", NewInvoice)
	email, kind, err := parseToken(key, "malemort", tok)
	if err != nil || email != "parent@example.org" || kind != NewInvoice {
		t.Fatalf("round trip: %q %q %v", email, kind, err)
	}
	otherKey := []byte("fedcba9876543210fedcba9876543210")
	for name, check := range map[string]func() error{
		"another commune's slug": func() error { _, _, err := parseToken(key, "mazan", tok); return err },
		"another commune's key":  func() error { _, _, err := parseToken(otherKey, "malemort", tok); return err },
		"an unknown kind": func() error {
			_, _, err := parseToken(key, "malemort", token(key, "malemort", "a@example.org", Kind("everything")))
			return err
		},
		"no signature": func() error {
			p, _, _ := strings.Cut(tok, ".")
			_, _, err := parseToken(key, "malemort", p)
			return err
		},
	} {
		if err := check(); err != ErrBadToken {
			t.Errorf("%s: %v, want ErrBadToken", name, err)
		}
	}
}

// FuzzParseToken: whatever arrives in the URL, parsing never panics; a
// token that passes names a known kind and an address, and passes in no
// other commune.
func FuzzParseToken(f *testing.F) {
	key := []byte("0123456789abcdef0123456789abcdef")
	f.Add(token(key, "malemort", "a@example.org", CutoffReminder))
	f.Add("")
	f.Add(".")
	f.Add("Y3V0b2ZmX3JlbWluZGVyAGFAZXhhbXBsZS5vcmc.AAAA")
	f.Fuzz(func(t *testing.T, tok string) {
		email, kind, err := parseToken(key, "malemort", tok)
		if err != nil {
			return
		}
		if !kind.Valid() || email == "" {
			t.Errorf("accepted %q: kind %q, address %q", tok, kind, email)
		}
		if _, _, err := parseToken(key, "mazan", tok); err == nil {
			t.Errorf("%q passes in another commune", tok)
		}
	})
}
