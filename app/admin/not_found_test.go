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
	attendanceOf := func(child string) url.Values {
		return url.Values{"day": {"04/03/2026"}, "prestation": {"1"}, "child": {child}, "status": {"present"}}
	}
	list := func(prestation string) url.Values {
		return url.Values{"day": {"04/03/2026"}, "prestation": {prestation}, "tous": {"1"}}
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
		{"attendance of a child who does not exist", "", "/alpha/admin/pointage", attendanceOf("999"), http.StatusNotFound},
		{"attendance while the children cannot be read", "children", "/alpha/admin/pointage", attendanceOf("1"), http.StatusInternalServerError},
		{"attendance list for a prestation that does not exist", "", "/alpha/admin/pointage/liste", list("999"), http.StatusNotFound},
		{"attendance list while the prestations cannot be read", "prestations", "/alpha/admin/pointage/liste", list("1"), http.StatusInternalServerError},
		{"refund to a family that does not exist", "", "/alpha/admin/finances/remboursements", refund("999"), http.StatusNotFound},
		{"refund while the families cannot be read", "families", "/alpha/admin/finances/remboursements", refund("1"), http.StatusInternalServerError},
		{"new link for a staff member who does not exist", "", "/alpha/admin/agents/999/invitation", url.Values{}, http.StatusNotFound},
		{"role of a staff member who does not exist", "", "/alpha/admin/agents/999", url.Values{"role": {"agent"}}, http.StatusNotFound},
		// A nil form is a GET of the edit page.
		{"régie that does not exist", "", "/alpha/admin/regies/999", nil, http.StatusNotFound},
		{"régie while the régies cannot be read", "regies", "/alpha/admin/regies/1", nil, http.StatusInternalServerError},
		{"prestation that does not exist", "", "/alpha/admin/prestations/999", nil, http.StatusNotFound},
		{"prestation while the prestations cannot be read", "prestations", "/alpha/admin/prestations/1", nil, http.StatusInternalServerError},
		{"news that does not exist", "", "/alpha/admin/actualites/999", nil, http.StatusNotFound},
		{"news while the news cannot be read", "news", "/alpha/admin/actualites/1", nil, http.StatusInternalServerError},
		{"deleting news that does not exist", "", "/alpha/admin/actualites/999/supprimer", url.Values{}, http.StatusNotFound},
		{"deleting news while the news cannot be read", "news", "/alpha/admin/actualites/1/supprimer", url.Values{}, http.StatusInternalServerError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			seedBookings(t, f)
			admin := f.admin(t)
			if tc.table != "" {
				f.exec(t, "alpha", `ALTER TABLE `+tc.table+` RENAME TO `+tc.table+`_gone`)
			}
			if tc.form == nil {
				wantStatus(t, admin.Get(tc.path), tc.want)
				return
			}
			wantStatus(t, admin.Post(tc.path, tc.form), tc.want)
		})
	}
}
