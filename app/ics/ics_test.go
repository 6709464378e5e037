package ics

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestEscape(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain French text stays as is", "Cantine – Léa", "Cantine – Léa"},
		{"comma and semicolon of a prestation name are escaped", "Repas; sans porc, bio", `Repas\; sans porc\, bio`},
		{"a backslash is doubled", `a\b`, `a\\b`},
		{"a line break becomes \\n", "ligne 1\r\nligne 2\nligne 3", `ligne 1\nligne 2\nligne 3`},
		{"a tab or a lone CR becomes a space", "a\tb\rc", "a b c"},
		{"invalid UTF-8 becomes a replacement character", "a\xffb", "a\uFFFDb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Escape(tt.in); got != tt.want {
				t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ name, in string }{
		{"a short line is not folded", "SUMMARY:Cantine"},
		{"exactly 75 octets is not folded", "SUMMARY:" + strings.Repeat("a", 67)},
		{"76 octets fold once", "SUMMARY:" + strings.Repeat("a", 68)},
		{"accented letters never split across lines", "DESCRIPTION:" + strings.Repeat("é", 100)},
		{"a long line folds many times", "X:" + strings.Repeat("0123456789", 40)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkFolded(t, tt.in, Fold(tt.in))
		})
	}
	if got := Fold("SUMMARY:" + strings.Repeat("a", 68)); got != "SUMMARY:"+strings.Repeat("a", 67)+"\r\n a" {
		t.Errorf("76 octets: %q", got)
	}
}

func checkFolded(t *testing.T, in, out string) {
	t.Helper()
	for i, l := range strings.Split(out, "\r\n") {
		if len(l) > maxLine {
			t.Errorf("line %d has %d octets: %q", i, len(l), l)
		}
		if i > 0 && !strings.HasPrefix(l, " ") {
			t.Errorf("continuation line %d does not start with a space: %q", i, l)
		}
		if !utf8.ValidString(l) && utf8.ValidString(in) {
			t.Errorf("line %d splits a character: %q", i, l)
		}
	}
	if Unfold(out) != in {
		t.Errorf("Unfold(Fold(%q)) = %q", in, Unfold(out))
	}
}

func TestWriteAllDayEventsWithCRLF(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	var buf bytes.Buffer
	err := Write(&buf, Calendar{ProdID: "-//Espace Famille//Agenda famille//FR", Name: "Repas, garderie; FAMILLE X", TimeZone: "Europe/Paris",
		Stamp: time.Date(2026, 12, 3, 11, 0, 0, 0, time.UTC),
		Events: []Event{{UID: "r-1@malemort", Start: time.Date(2026, 12, 7, 0, 0, 0, 0, paris), End: time.Date(2026, 12, 7, 0, 0, 0, 0, paris),
			Summary: "REPAS CLASSIQUE ENFANT – Léa", Description: "Réservation\nde Léa"}}})
	if err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Count(out, "\n") != strings.Count(out, "\r\n") {
		t.Errorf("a line ends without CRLF:\n%q", out)
	}
	for _, want := range []string{"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", "X-WR-CALNAME:Repas\\, garderie\\; FAMILLE X\r\n",
		"UID:r-1@malemort\r\n", "DTSTART;VALUE=DATE:20261207\r\n", "DTEND;VALUE=DATE:20261208\r\n", "DTSTAMP:20261203T110000Z\r\n",
		"SUMMARY:REPAS CLASSIQUE ENFANT – Léa\r\n", `DESCRIPTION:Réservation\nde Léa` + "\r\n", "END:VCALENDAR\r\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
}

// FuzzEscapeFold checks that any text survives escaping and folding: no
// line longer than 75 octets, no raw line break or control character in
// a value, and unfolding then unescaping gives the text back (with line
// breaks as LF and other controls as spaces).
func FuzzEscapeFold(f *testing.F) {
	for _, s := range []string{"", "Cantine – Léa", "a;b,c\\d", "l1\r\nl2\nl3\r", strings.Repeat("é", 80), "\xff\xfe", "\\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		esc := Escape(s)
		if strings.ContainsAny(esc, "\r\n") {
			t.Fatalf("Escape(%q) = %q holds a raw line break", s, esc)
		}
		line := "DESCRIPTION:" + esc
		folded := Fold(line)
		checkFolded(t, line, folded)
		want := strings.ToValidUTF8(strings.ReplaceAll(s, "\r\n", "\n"), "\uFFFD")
		want = strings.Map(func(r rune) rune {
			if r != '\n' && (r < 0x20 || r == 0x7f) {
				return ' '
			}
			return r
		}, want)
		if got := Unescape(strings.TrimPrefix(Unfold(folded), "DESCRIPTION:")); got != want {
			t.Fatalf("round trip of %q: got %q, want %q", s, got, want)
		}
	})
}
