package accounts

import (
	"strings"
	"testing"
	"unicode/utf8"

	"espacefamille/app/names"
)

func valid() map[string]string {
	return map[string]string{
		"civilite": "Mme", "nom": "FAMILLE X", "prenom": "Y", "email": "p@example.org", "email_confirmation": "p@example.org",
		"mot_de_passe": "douze caract", "mot_de_passe_confirmation": "douze caract", "telephone": "06 12 34 56 78",
		"adresse": "1 chemin des Écoliers", "code_postal": "84570", "ville": "Malemort-du-Comtat",
	}
}

func TestSignupValidation(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change map[string]string
		field  string // "" = valid
	}{
		{"valid form", nil, ""},
		{"email normalised before comparing", map[string]string{"email": " P@Example.ORG", "email_confirmation": "p@example.org "}, ""},
		{"international phone", map[string]string{"telephone": "+33 6 12 34 56 78"}, ""},
		{"phone with dots", map[string]string{"telephone": "06.12.34.56.78"}, ""},
		{"exactly 12 characters, accents count once", map[string]string{"mot_de_passe": "éééééééééééé", "mot_de_passe_confirmation": "éééééééééééé"}, ""},
		{"11 characters", map[string]string{"mot_de_passe": "onze caract", "mot_de_passe_confirmation": "onze caract"}, "mot_de_passe"},
		{"129 characters", map[string]string{"mot_de_passe": strings.Repeat("a", 129), "mot_de_passe_confirmation": strings.Repeat("a", 129)}, "mot_de_passe"},
		{"unknown civility", map[string]string{"civilite": "Dr"}, "civilite"},
		{"email without domain dot", map[string]string{"email": "p@localhost", "email_confirmation": "p@localhost"}, "email"},
		{"email with a display name", map[string]string{"email": "P <p@example.org>", "email_confirmation": "P <p@example.org>"}, "email"},
		{"letters in phone", map[string]string{"telephone": "06 12 AB 56 78"}, "telephone"},
		{"plus in the middle of phone", map[string]string{"telephone": "06+1234567890"}, "telephone"},
		{"postal code with letters", map[string]string{"code_postal": "8457A"}, "code_postal"},
		{"name too long", map[string]string{"nom": strings.Repeat("x", 101)}, "nom"},
		{"name of spaces only", map[string]string{"prenom": " \t "}, "prenom"},
		{"line break inside the name is refused, not joined", map[string]string{"nom": "FAMILLE\nX"}, "nom"},
		{"tab inside the first name", map[string]string{"prenom": "Zo\té"}, "prenom"},
		{"zero-width space in the first name", map[string]string{"prenom": "Zo\u200bé"}, "prenom"},
		{"missing address", map[string]string{"adresse": ""}, "adresse"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := valid()
			for k, x := range tc.change {
				v[k] = x
			}
			errs := ParseSignup(func(k string) string { return v[k] }).Validate()
			switch {
			case tc.field == "" && len(errs) > 0:
				t.Fatalf("unexpected errors %v", errs)
			case tc.field != "" && errs[tc.field] == "":
				t.Fatalf("no error on %s (errors %v)", tc.field, errs)
			case tc.field != "" && len(errs) != 1:
				t.Fatalf("errors beyond %s: %v", tc.field, errs)
			}
		})
	}
}

func TestParseSignupNormalises(t *testing.T) {
	v := valid()
	v["nom"], v["email"], v["mot_de_passe"] = "  FAMILLE   X \n", " P@Example.ORG ", " espaces compris "
	s := ParseSignup(func(k string) string { return v[k] })
	if s.LastName != "FAMILLE X" || s.Email != "p@example.org" || s.Password != " espaces compris " {
		t.Fatalf("parsed %+v", s)
	}
	if s.ConsentInvoices || s.ConsentFamily {
		t.Fatal("unticked boxes read as ticked")
	}
	if d, ok := normalizePhone("+33 (0)6 12-34.56 78"); !ok || d != "+330612345678" {
		t.Fatalf("phone %q %v", d, ok)
	}
}

// FuzzSignup: whatever is posted, parsing never panics, a valid form holds
// clean single-line text, and normalisation is stable.
func FuzzSignup(f *testing.F) {
	f.Add("M", "FAMILLE X", "Y", " P@Example.org", "06 12 34 56 78", "84570", "douze caract")
	f.Add("", "\x00\n", "\u00a0", "a@b.c", "+", "", "")
	f.Add("Mme", "é", "ß", "<a@b.fr>", "((((", "00000", "\xff\xfe")
	f.Fuzz(func(t *testing.T, civ, nom, prenom, email, phone, cp, pw string) {
		v := map[string]string{"civilite": civ, "nom": nom, "prenom": prenom, "email": email, "email_confirmation": email,
			"telephone": phone, "code_postal": cp, "mot_de_passe": pw, "mot_de_passe_confirmation": pw,
			"adresse": nom, "ville": prenom}
		s := ParseSignup(func(k string) string { return v[k] })
		errs := s.Validate()
		if s.Email != NormalizeEmail(s.Email) || names.Tidy(s.LastName) != s.LastName {
			t.Fatalf("normalisation not stable: %q %q", s.Email, s.LastName)
		}
		if len(errs) > 0 {
			return
		}
		for _, x := range []string{s.LastName, s.FirstName, s.Email, s.Address, s.City, s.PostalCode} {
			if strings.ContainsAny(x, "\r\n\t\x00") || !utf8.ValidString(x) || x == "" {
				t.Fatalf("valid form with unclean field %q", x)
			}
		}
		if d, ok := normalizePhone(s.Phone); !ok || len(strings.TrimPrefix(d, "+")) < 10 {
			t.Fatalf("valid form with bad phone %q", s.Phone)
		}
		if n := utf8.RuneCountInString(s.Password); n < MinPasswordLen || n > MaxPasswordLen {
			t.Fatalf("valid form with password of %d characters", n)
		}
	})
}
