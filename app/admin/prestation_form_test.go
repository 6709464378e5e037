package admin_test

import (
	"net/http"
	"strings"
	"testing"
)

// The prestation form's QF grid works as rows of inputs without
// JavaScript: "Ajouter une tranche" and "Retirer" show the form again with
// what was typed, a wrong grid is explained in French next to its row and
// saves nothing, the single price may stay empty beside a grid, and the
// fields follow the prestation's kind.
func TestPrestationFormBracketRowsWithoutJavaScript(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	seedServices(t, f, 0)
	admin := f.admin(t)

	r := admin.Get("/alpha/admin/prestations/nouvelle")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.Body, `name="bracket_count" value="3"`, `id="qf_max_2"`, "Ajouter une tranche", `aria-label="Retirer la tranche 3"`)
	if strings.Contains(r.Body, `id="qf_max_3"`) || strings.Contains(r.Body, "<textarea") {
		t.Fatal("a new form shows three rows of inputs and no text syntax")
	}
	// A meal: no forfait period shown.
	wantContains(t, r.Body, `data-kinds="forfait" hidden`)

	form := prestationForm(1, "REPAS QF", "")
	setBrackets(form, [2]string{"400", "0,90"}, [2]string{"800", "1,80"}, [2]string{"", "2,90"})
	form.Set("add_bracket", "1")
	r = admin.Post("/alpha/admin/prestations", form)
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.Body, `name="bracket_count" value="4"`, `id="qf_max_3"`, `name="qf_min_1" value="401"`, `name="qf_price_2" value="2,90"`)
	if n := f.count(t, "alpha", `SELECT count(*) FROM prestations`); n != 0 {
		t.Fatal("adding a row saved the prestation")
	}

	form.Del("add_bracket")
	form.Set("remove_bracket", "1")
	r = admin.Post("/alpha/admin/prestations", form)
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.Body, `name="qf_max_0" value="400"`, `name="qf_price_1" value="2,90"`)
	if strings.Contains(r.Body, `value="1,80"`) {
		t.Fatal("the removed row is still shown")
	}

	// A gap is explained next to its row; nothing is saved.
	form.Del("remove_bracket")
	setBrackets(form, [2]string{"400", "0,90"}, [2]string{"800", "1,80"}, [2]string{"", "2,90"})
	form.Set("qf_min_1", "500")
	r = admin.Post("/alpha/admin/prestations", form)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r.Body, "Tranche 2 : il manque les QF de 401 à 499", `id="qf_min_1" name="qf_min_1" value="500"`)
	// The last bracket stays open-ended.
	form.Del("qf_min_1")
	form.Set("qf_max_2", "1200")
	r = admin.Post("/alpha/admin/prestations", form)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r.Body, "Tranche 3 : la dernière tranche reste ouverte")
	// Neither a price nor a grid.
	noGrid := prestationForm(1, "REPAS SANS PRIX", "")
	r = admin.Post("/alpha/admin/prestations", noGrid)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r.Body, "Indiquez le prix unique, ou les tranches de quotient familial.")
	if n := f.count(t, "alpha", `SELECT count(*) FROM prestations`); n != 0 {
		t.Fatal("a refused form saved a prestation")
	}

	// A grid with the single price left empty is saved; the single price
	// mirrors the open bracket.
	form.Set("qf_max_2", "")
	p := createPrestation(t, f, admin, form)
	if n := f.count(t, "alpha", `SELECT price_cents FROM prestations WHERE id = ?`, p); n != 290 {
		t.Fatalf("single price = %d, want the open bracket's 290", n)
	}
	if n := f.count(t, "alpha", `SELECT count(*) FROM price_brackets WHERE prestation_id = ?`, p); n != 3 {
		t.Fatalf("%d brackets stored, want 3", n)
	}
	r = admin.Get("/alpha/admin/prestations/" + itoa(p))
	wantContains(t, r.Body, `name="qf_min_1" value="401"`, `name="qf_max_1" value="800"`, `name="qf_min_2" value="801"`,
		`name="qf_max_2" value=""`, `name="price" value=""`)

	// A garderie by the session has no exclusive group; a forfait asks for
	// its period, shown once its kind is chosen (without JavaScript, by
	// "Afficher les champs de ce type").
	session := prestationForm(2, "GARDERIE DU SOIR", "1,10")
	session.Set("kind", "session")
	session.Set("exclusive_group", "repas")
	s := createPrestation(t, f, admin, session)
	if n := f.count(t, "alpha", `SELECT count(*) FROM prestations WHERE id = ? AND category = 'session' AND exclusive_group = '' AND kind = 'daily'`, s); n != 1 {
		t.Fatal("a session prestation is stored as a daily session without exclusive group")
	}
	r = admin.Get("/alpha/admin/prestations/" + itoa(s))
	wantContains(t, r.Body, `<option value="session" selected>`, `data-kinds="meal forfait" hidden`)

	forfait := prestationForm(2, "GARDERIE AU MOIS", "25,00")
	forfait.Set("kind", "forfait")
	forfait.Set("refresh", "1")
	r = admin.Post("/alpha/admin/prestations", forfait)
	wantStatus(t, r, http.StatusOK)
	if strings.Contains(r.Body, `data-kinds="forfait" hidden`) {
		t.Fatal("the forfait period stays hidden for a forfait")
	}
	forfait.Del("refresh")
	r = admin.Post("/alpha/admin/prestations", forfait)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r.Body, "Choisissez la période du forfait")
	forfait.Set("forfait", "month")
	createPrestation(t, f, admin, forfait)
}
