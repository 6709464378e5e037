package admin_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const oneLine = "Un nom tient sur une ligne, sans retour à la ligne, tabulation ni caractère invisible."

// A line break pasted into a name gave a 500 (staff) or was silently
// rewritten: every name field of the back office answers with the same
// French validation message, and nothing is written.
func TestNameFieldsRefuseLineBreaksWithAFrenchMessage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.admin(t)
	r := c.Post("/alpha/admin/familles", url.Values{"name": {"FAMILLE X"}})
	wantStatus(t, r, http.StatusSeeOther)
	fam := r.Location
	for _, tc := range []struct {
		name, path string
		form       url.Values
	}{
		{"staff member's name with a line break", "/alpha/admin/agents",
			url.Values{"email": {"jean@alpha.example"}, "name": {"Jean\nDupont"}, "role": {"agent"}}},
		{"staff member's name with a right-to-left override", "/alpha/admin/agents",
			url.Values{"email": {"jean@alpha.example"}, "name": {"Jean\u202eDupont"}, "role": {"agent"}}},
		{"family name", "/alpha/admin/familles", url.Values{"name": {"FAMILLE\r\nY"}}},
		{"child's first name", fam + "/enfants",
			url.Values{"first_name": {"Lé\na"}, "last_name": {"FAMILLE X"}, "birth_date": {"03/04/2016"}}},
		{"child's last name", fam + "/enfants",
			url.Values{"first_name": {"Léa"}, "last_name": {"FAMILLE\tX"}, "birth_date": {"03/04/2016"}}},
		{"guardian's last name", fam + "/responsables", url.Values{"last_name": {"HÉ\nLÈNE"}, "first_name": {"Zoé"}}},
		{"guardian's first name", fam + "/responsables", url.Values{"last_name": {"HÉLÈNE"}, "first_name": {"Zo\u200bé"}}},
		{"sender name of the commune's emails", "/alpha/admin/parametres", url.Values{"name": {"Commune d'Alpha"},
			"sender_name": {"Mairie\r\nBcc: x@evil.example"}, "accessibility_compliance": {"partiellement conforme"}}},
		{"régie name", "/alpha/admin/regies", url.Values{"name": {"REGIE\nCANTINE"}, "mode": {"prepaid"}, "provider": {"payfip"},
			"numcli": {"123456"}, "saisie": {"T"}}},
	} {
		r := c.Post(tc.path, tc.form)
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, strings.ReplaceAll(oneLine, "'", "&#39;")) {
			t.Errorf("%s: status %d, want 422 with %q\n%s", tc.name, r.Status, oneLine, r.Body)
		}
	}
	if n := f.count(t, "alpha", `SELECT count(*) FROM staff WHERE email = 'jean@alpha.example'`); n != 0 {
		t.Fatal("the staff member was created")
	}
	if n := f.count(t, "alpha", `SELECT (SELECT count(*) FROM families) + (SELECT count(*) FROM children) + (SELECT count(*) FROM guardians)
		+ (SELECT count(*) FROM regies)`); n != 1 {
		t.Fatalf("rows written: %d, want only FAMILLE X", n)
	}
}
