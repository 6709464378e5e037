package admin_test

import (
	"net/http"
	"strings"
	"testing"
)

// A name typed in a form or brought by an import comes out of every export
// as text, never as a spreadsheet formula (OWASP "CSV injection").
func TestExportsNeutraliseSpreadsheetFormulas(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	seedBookings(t, f)
	f.exec(t, "alpha", `UPDATE families SET name = '=HYPERLINK("http://evil.example","FAMILLE X")' WHERE id = 1`)
	f.exec(t, "alpha", `UPDATE schools SET name = '@SUM(1+1)*cmd|'' /C calc''!A0' WHERE id = 1`)
	f.exec(t, "alpha", `UPDATE prestations SET name = '+1+1' WHERE id = 1`)
	f.exec(t, "alpha", `INSERT INTO credits (family_id, regie_id, kind, amount_cents, label, created_at)
		VALUES (1, 1, 'manual', -255, '=1+1', '2026-01-02T00:00:00Z')`)
	c := f.admin(t)

	r := c.Get("/alpha/admin/cuisine.csv?jour=04/03/2026")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.Body, `04/03/2026;'@SUM(1+1)*cmd|' /C calc'!A0;'+1+1;2;1;1`)

	r = c.Get("/alpha/admin/finances/export.csv?liste=avoirs")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.Body, `;"'=HYPERLINK(""http://evil.example"",""FAMILLE X"")";'=1+1;manual;-2,55`)
	for _, line := range strings.Split(r.Body, "\n") {
		for _, cell := range strings.Split(line, ";") {
			if strings.HasPrefix(strings.Trim(cell, `"`), "=") {
				t.Fatalf("a cell starts with '=': %q", line)
			}
		}
	}
}
