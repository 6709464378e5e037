package admin_test

import (
	"net/http"
	"net/url"
	"testing"
)

// A record that does not exist is "page introuvable" (404); a database
// that fails is the error page (500), never a 404 that hides it. Each
// failure is a table renamed away in the commune's real file.
func TestFailingQueryIsAServerErrorNotAMissingPage(t *testing.T) {
	t.Parallel()
	attendance := func(prestation string) url.Values {
		return url.Values{"day": {"04/03/2026"}, "prestation": {prestation}, "child": {"1"}, "status": {"present"}}
	}
	refund := func(family string) url.Values {
		return url.Values{"family": {family}, "regie": {"1"}, "amount": {"1,00"}, "means": {"cheque"}, "day": {"04/03/2026"}}
	}
	for _, tc := range []struct {
		name  string
		table string // renamed away before the request; "" for none
		path  string
		form  url.Values
		want  int
	}{
		{"attendance for a prestation that does not exist", "", "/alpha/admin/pointage", attendance("999"), http.StatusNotFound},
		{"attendance while the prestations cannot be read", "prestations", "/alpha/admin/pointage", attendance("1"), http.StatusInternalServerError},
		{"refund to a family that does not exist", "", "/alpha/admin/finances/remboursements", refund("999"), http.StatusNotFound},
		{"refund while the families cannot be read", "families", "/alpha/admin/finances/remboursements", refund("1"), http.StatusInternalServerError},
		{"new link for a staff member who does not exist", "", "/alpha/admin/agents/999/invitation", url.Values{}, http.StatusNotFound},
		{"role of a staff member who does not exist", "", "/alpha/admin/agents/999", url.Values{"role": {"agent"}}, http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			seedBookings(t, f)
			admin := f.admin(t)
			if tc.table != "" {
				f.exec(t, "alpha", `ALTER TABLE `+tc.table+` RENAME TO `+tc.table+`_gone`)
			}
			wantStatus(t, admin.Post(tc.path, tc.form), tc.want)
		})
	}
}
