package web

import (
	"strings"
	"testing"
)

func TestSafeCSVCell(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, in, want string }{
		{"hyperlink formula from a family form is shown as text", `=HYPERLINK("http://x.example","clic")`, `'=HYPERLINK("http://x.example","clic")`},
		{"arithmetic formula", "=1+1", "'=1+1"},
		{"plus starts a formula", "+SUM(A1:A9)", "'+SUM(A1:A9)"},
		{"minus starts a formula", "-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"},
		{"at sign starts a formula", "@SUM(A1)", "'@SUM(A1)"},
		{"leading tab", "\t=1+1", "'\t=1+1"},
		{"leading carriage return", "\r=1+1", "'\r=1+1"},
		{"formula behind spaces", "  =1+1", "'  =1+1"},
		{"negative amount stays a number", "-2,55", "-2,55"},
		{"international phone stays a number", "+33 6 12 34 56 78", "+33 6 12 34 56 78"},
		{"lone minus is neutralised", "-", "'-"},
		{"ordinary family name", "MARTIN", "MARTIN"},
		{"hyphenated name inside is fine", "Jean-Pierre", "Jean-Pierre"},
		{"email is fine", "a@b.fr", "a@b.fr"},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := SafeCSVCell(tc.in); got != tc.want {
				t.Fatalf("SafeCSVCell(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestCSVWriterNeutralisesEveryCell(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	w, err := NewCSVWriter(&b)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write([]string{"Famille", "Montant"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Write([]string{"=1+1", "-2,55"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if want := "\ufeffFamille;Montant\n'=1+1;-2,55\n"; b.String() != want {
		t.Fatalf("csv = %q, want %q", b.String(), want)
	}
}
