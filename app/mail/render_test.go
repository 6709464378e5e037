package mail_test

import (
	"slices"
	"strings"
	"testing"

	"espacefamille/app/mail"
)

// Every mail kind of templates/mail/ renders, in text and HTML, with
// every field it reads present.
func TestEveryMailKindRenders(t *testing.T) {
	if err := mail.CheckTemplates(); err != nil {
		t.Fatal(err)
	}
	kinds := mail.Kinds()
	for _, want := range []string{"closure", "confirmation", "email_taken", "invitation", "password_reset", "staff_invitation"} {
		if !slices.Contains(kinds, want) {
			t.Errorf("mail kind %q is missing from templates/mail (have %v)", want, kinds)
		}
	}
	data := map[string]any{"CommuneName": "Commune de Malemort du Comtat", "Name": "FAMILLE X", "URL": "https://ef.test/lien",
		"ResetURL": "https://ef.test/reset", "Code": "KUD31S77V7", "Email": "agent@mairie.example", "Role": "Administrateur",
		"ValidFor": "7 jours", "Day": "07/12/2026", "Reason": "Grève", "Lines": []string{"Fille FAMILLE X – REPAS (2,55 €)"},
		"From": "Mairie de Malemort"}
	for _, kind := range kinds {
		text, html, err := mail.Render(kind, data)
		if err != nil {
			t.Errorf("%s: %v", kind, err)
			continue
		}
		for part, body := range map[string]string{"text": text, "html": html} {
			if strings.TrimSpace(body) == "" || strings.Contains(body, "<no value>") {
				t.Errorf("%s (%s): empty or a field missing:\n%s", kind, part, body)
			}
		}
		if !strings.Contains(html, `lang="fr"`) || !strings.Contains(html, "Commune de Malemort du Comtat") {
			t.Errorf("%s: the HTML part lacks the layout", kind)
		}
	}
	if _, _, err := mail.Render("no_such_kind", data); err == nil {
		t.Error("an unknown kind rendered")
	}
}
