package admin_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The pointage of a class is one form: "Tous présents" marks every child
// left unmarked present, in the same submit as the exceptions already
// ticked; the PAI flag shows beside the child; a later submit changes only
// what changed; every change is audited; a refused line writes nothing.
func TestAttendanceListAllPresentThenExceptions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	seedBookings(t, f) // Fille (PAI) and Garçon booked on 04/03/2026
	f.exec(t, "alpha", `UPDATE children SET class_name = 'CP' WHERE id = 1`)
	f.exec(t, "alpha", `UPDATE children SET class_name = 'CE1' WHERE id = 2`)
	agent := f.agent(t)
	status := func(child int) string {
		switch {
		case f.count(t, "alpha", `SELECT count(*) FROM attendance WHERE child_id = ? AND day = '2026-03-04' AND status = 'present'`, child) == 1:
			return "present"
		case f.count(t, "alpha", `SELECT count(*) FROM attendance WHERE child_id = ? AND day = '2026-03-04' AND status = 'absent'`, child) == 1:
			return "absent"
		}
		return ""
	}
	audits := func() int { return f.count(t, "alpha", `SELECT count(*) FROM audit_log WHERE entity = 'attendance'`) }
	post := func(form url.Values) int {
		t.Helper()
		base := url.Values{"day": {"04/03/2026"}, "prestation": {"1"}}
		for k, v := range form {
			base[k] = v
		}
		return agent.Post("/alpha/admin/pointage/liste", base).Status
	}

	page := agent.Get("/alpha/admin/pointage?jour=04/03/2026&prestation=1").Body
	wantContains(t, page, "Tous présents", `name="statut-1"`, `name="statut-2"`, "Fille FAMILLE X <abbr class=\"pai\"",
		"École du Centre – CP", "École du Centre – CE1", "non pointé")
	if strings.Contains(page, "Garçon FAMILLE X <abbr") {
		t.Error("a child without PAI is flagged")
	}
	if strings.Contains(page, `value="justified"`) {
		t.Error("an agent is offered the justified absence")
	}

	// Garçon is ticked absent, then "Tous présents": Fille present, Garçon absent.
	if st := post(url.Values{"tous": {"1"}, "statut-2": {"absent"}}); st != http.StatusSeeOther {
		t.Fatalf("status %d", st)
	}
	if status(1) != "present" || status(2) != "absent" {
		t.Fatalf("after Tous présents: Fille %q, Garçon %q", status(1), status(2))
	}
	if n := audits(); n != 2 {
		t.Fatalf("%d audit entries, want one per child", n)
	}
	// The exception changes: Fille leaves early. Only she is written.
	post(url.Values{"statut-1": {"absent"}, "statut-2": {"absent"}})
	if status(1) != "absent" || audits() != 3 {
		t.Fatalf("Fille %q, %d audit entries", status(1), audits())
	}
	// "Tous présents" does not overwrite a child already pointed absent.
	post(url.Values{"tous": {"1"}})
	if status(1) != "absent" || status(2) != "absent" {
		t.Fatal("Tous présents overwrote recorded absences")
	}
	// A line the agent may not record refuses the whole submit.
	if st := post(url.Values{"statut-1": {"present"}, "statut-2": {"justified"}}); st != http.StatusForbidden {
		t.Fatalf("justified by an agent: %d", st)
	}
	if status(1) != "absent" {
		t.Fatal("a refused submit wrote a line")
	}
	// The administrator justifies Garçon's absence: one credit.
	admin := f.admin(t)
	wantContains(t, admin.Get("/alpha/admin/pointage?jour=04/03/2026&prestation=1").Body, `value="justified"`)
	r := admin.Post("/alpha/admin/pointage/liste", url.Values{"day": {"04/03/2026"}, "prestation": {"1"}, "statut-2": {"justified"}})
	wantStatus(t, r, http.StatusSeeOther)
	admin.Post("/alpha/admin/pointage/liste", url.Values{"day": {"04/03/2026"}, "prestation": {"1"}, "statut-2": {"justified"}})
	if n := f.count(t, "alpha", `SELECT count(*) FROM attendance WHERE child_id = 2 AND justified = 1`); n != 1 {
		t.Fatal("the absence is not justified")
	}
	wantContains(t, admin.Get("/alpha/admin/journal?objet=attendance").Body, "Pointage : absence justifiée du 04/03/2026", "Enfant :</span> Garçon FAMILLE X")
}

// A class narrows the list and "Tous présents" marks that class only.
func TestAttendanceOfOneClass(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	seedBookings(t, f)
	f.exec(t, "alpha", `UPDATE children SET class_name = 'CP' WHERE id = 1`)
	f.exec(t, "alpha", `UPDATE children SET class_name = 'CE1' WHERE id = 2`)
	agent := f.agent(t)
	page := agent.Get("/alpha/admin/pointage?jour=04/03/2026&prestation=1&classe=" + url.QueryEscape("1/CP")).Body
	wantContains(t, page, "Fille FAMILLE X")
	if strings.Contains(page, "Garçon FAMILLE X") {
		t.Fatal("the CP list shows a CE1 child")
	}
	r := agent.Post("/alpha/admin/pointage/liste", url.Values{"day": {"04/03/2026"}, "prestation": {"1"}, "classe": {"1/CP"}, "tous": {"1"}})
	wantStatus(t, r, http.StatusSeeOther)
	if !strings.Contains(r.Header.Get("Location"), "classe=1%2FCP") {
		t.Errorf("back to %q, want the CP list", r.Header.Get("Location"))
	}
	if n := f.count(t, "alpha", `SELECT count(*) FROM attendance WHERE status = 'present'`); n != 1 {
		t.Fatalf("%d children marked present, want the CP's one", n)
	}
	// A future day cannot be pointed, even as a list.
	wantStatus(t, agent.Post("/alpha/admin/pointage/liste", url.Values{"day": {"01/01/2099"}, "prestation": {"1"}, "tous": {"1"}}), http.StatusUnprocessableEntity)
}
