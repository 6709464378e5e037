package names

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	const oneLine = "Un nom tient sur une ligne, sans retour à la ligne, tabulation ni caractère invisible."
	for _, tc := range []struct {
		name, in, want, problem string
		max                     int
	}{
		{"ordinary name with accents", "Zoé HÉLÈNE", "Zoé HÉLÈNE", "", 0},
		{"compound and apostrophe", "Jean-Pierre d'Arc", "Jean-Pierre d'Arc", "", 0},
		{"spaces around and inside are tidied", "  Marie   Curie ", "Marie Curie", "", 0},
		{"no-break space becomes a space", "Marie\u00a0Curie", "Marie Curie", "", 0},
		{"empty is left to the caller", "   ", "", "", 0},
		{"a pasted line break in a staff name is refused", "Jean\nDupont", "Jean\nDupont", oneLine, 0},
		{"carriage return", "Jean\r\nDupont", "Jean\r\nDupont", oneLine, 0},
		{"tab", "Jean\tDupont", "Jean\tDupont", oneLine, 0},
		{"nul byte", "Jean\x00", "Jean\x00", oneLine, 0},
		{"zero-width space", "Jean\u200bDupont", "Jean\u200bDupont", oneLine, 0},
		{"right-to-left override spoofs the display", "Jean\u202eDupont", "Jean\u202eDupont", oneLine, 0},
		{"line separator", "Jean\u2028Dupont", "Jean\u2028Dupont", oneLine, 0},
		{"invalid utf-8", "Jean\xff", "Jean\xff", oneLine, 0},
		{"trailing line break is only trimmed", "Jean Dupont\n", "Jean Dupont", "", 0},
		{"no letter at all", "=1+1", "=1+1", "Un nom comporte au moins une lettre.", 0},
		{"too long in characters", strings.Repeat("é", 11), strings.Repeat("é", 11), "Ce nom est trop long (10 caractères au plus).", 10},
		{"ten accented letters fit", strings.Repeat("é", 10), strings.Repeat("é", 10), "", 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.max == 0 {
				tc.max = 100
			}
			got, problem := Check(tc.in, tc.max)
			if got != tc.want || problem != tc.problem {
				t.Fatalf("Check(%q) = %q, %q; want %q, %q", tc.in, got, problem, tc.want, tc.problem)
			}
		})
	}
}

func FuzzCheck(f *testing.F) {
	f.Add("Zoé HÉLÈNE")
	f.Add("Jean\nDupont")
	f.Add("\u202e=1+1")
	f.Fuzz(func(t *testing.T, in string) {
		got, problem := Check(in, 100)
		if problem != "" {
			return
		}
		if strings.ContainsAny(got, "\n\r\t\x00") || strings.TrimSpace(got) != got || strings.Contains(got, "  ") {
			t.Fatalf("Check(%q) accepted %q", in, got)
		}
	})
}
