package booking_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A parent joins the waiting list of a full day from the agenda's button,
// sees the entry and its rank on "Liste d'attente", is told in the agenda
// when a place is kept for the child, and takes the entry off the list;
// a malformed button or another family's entry changes nothing.
func TestParentJoinsSeesAndLeavesAWaitingList(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.fullDay(f.classique, "2026-12-10")
	c := f.client(f.fam)
	c.get(f.agendaPath(f.cantine, f.fille, "2026-12-07"))
	join := func(value string) (int, string) {
		return c.post("/famille/reservations/case", url.Values{"regie": {itoa(f.cantine)}, "enfant": {itoa(f.fille)}, "semaine": {"2026-12-07"},
			"attente": {value}})
	}
	for _, bad := range []string{itoa(f.classique), "x|2026-12-10", "0|2026-12-10", itoa(f.classique) + "|10/12/2026", itoa(f.classique) + "|2026-12-10|reserver"} {
		if status, _ := join(bad); status != http.StatusBadRequest {
			t.Errorf("attente=%q: %d, want 400", bad, status)
		}
	}
	status, body := join(itoa(f.classique) + "|2026-12-10")
	mustContain(t, body, "Fille est inscrit(e) sur la liste d&#39;attente du 10/12/2026 (1er sur la liste).")
	if status != http.StatusOK {
		t.Fatalf("join: %d", status)
	}
	// A day with places left is refused with the reason, in the agenda.
	_, body = join(itoa(f.classique) + "|2026-12-11")
	mustContain(t, body, "Il reste des places le 11/12/2026 : cliquez sur la case pour réserver.")

	list := c.get("/famille/liste-attente")
	mustContain(t, list, "REPAS CLASSIQUE ENFANT", "10/12/2026", "1er sur la liste")
	id := f.id(`SELECT id FROM waitlist WHERE child_id = ? AND state = 'waiting'`, f.fille)

	// The place is kept for her until 17:30 on the 8th: the agenda says so.
	f.exec(`UPDATE waitlist SET state = 'offered', offered_at = '2026-12-08T12:30:00Z', offered_until = '2026-12-08T16:30:00Z' WHERE id = ?`, id)
	body = c.get(f.agendaPath(f.cantine, f.fille, "2026-12-07"))
	mustContain(t, body, "Une place s&#39;est libérée : REPAS CLASSIQUE ENFANT le 10/12/2026 pour Fille FAMILLE X. Elle vous est gardée jusqu&#39;au mardi 08/12/2026 à 17h30 : cliquez sur la case puis validez votre panier.")

	other, _ := f.addFamily("FAMILLE Z", 1)
	z := f.client(other)
	z.get("/famille/liste-attente")
	if status, _, _ := z.do(http.MethodPost, "/famille/liste-attente/"+itoa(id)+"/quitter", url.Values{}); status != http.StatusNotFound {
		t.Fatalf("another family leaves FAMILLE X's entry: %d", status)
	}
	if status, _, _ := c.do(http.MethodPost, "/famille/liste-attente/abc/quitter", url.Values{}); status != http.StatusNotFound {
		t.Fatalf("a malformed entry: %d", status)
	}
	status, body = c.post("/famille/liste-attente/"+itoa(id)+"/quitter", url.Values{})
	mustContain(t, body, "Vous avez quitté la liste d&#39;attente.")
	if status != http.StatusOK || strings.Contains(body, "1er sur la liste") || f.count(`SELECT COUNT(*) FROM waitlist WHERE state IN ('waiting', 'offered')`) != 0 {
		t.Fatalf("after leaving: %d\n%s", status, body)
	}
}
