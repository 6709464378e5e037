package admin_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/tenants"
)

// A canteen strike closes the canteen only, and a school's closure
// concerns its children only: each goes through the same preview →
// confirm flow, cancels and credits only what it concerns, emails only
// the families concerned, and the agenda and the booking checks honour it.
func TestClosureOfOnePrestationOrOneSchool(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	fams, kids := seedServices(t, f, 2) // FAMILLE A at school 1, FAMILLE B moved to school 2
	f.exec(t, "alpha", `UPDATE children SET school_id = 2 WHERE id = ?`, kids[1])
	admin := f.admin(t)
	meal := createPrestation(t, f, admin, prestationForm(1, "REPAS CLASSIQUE ENFANT", "2,55"))
	evening := prestationForm(1, "GARDERIE DU SOIR", "1,00")
	evening.Set("exclusive_group", "")
	garderie := createPrestation(t, f, admin, evening)
	day := openDay(15)
	for i := range fams {
		parent := f.parent(t, "alpha", fams[i])
		parent.click(1, kids[i], meal, day, "reserver")
		parent.click(1, kids[i], garderie, day, "reserver")
		payCart(t, f, fams[i], 1)
	}
	validated := func(prestation, child int64) int {
		return f.count(t, "alpha", `SELECT count(*) FROM reservations WHERE state = 'validated' AND prestation_id = ? AND child_id = ?`, prestation, child)
	}

	// The canteen strike: preview, then confirm.
	strike := url.Values{"day": {day.FR()}, "reason": {"Grève cantine"}, "prestation": {itoa(meal)}}
	r := admin.Post("/alpha/admin/calendrier/fermetures", strike)
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.Body, "Concerne : <strong>REPAS CLASSIQUE ENFANT</strong>", "2 famille(s)", "Enfant FAMILLE A – REPAS CLASSIQUE ENFANT")
	if strings.Contains(r.Body, "GARDERIE DU SOIR (") {
		t.Fatalf("the preview lists the garderie:\n%s", r.Body)
	}
	wantStatus(t, admin.Post("/alpha/admin/calendrier/fermetures/confirmer", strike), http.StatusSeeOther)
	for i := range kids {
		if validated(meal, kids[i]) != 0 || validated(garderie, kids[i]) != 1 {
			t.Fatalf("child %d: the strike must cancel the meal and keep the garderie", i)
		}
	}
	if n := f.count(t, "alpha", `SELECT COALESCE(SUM(amount_cents), 0) FROM credits WHERE kind = 'closure'`); n != 2*255 {
		t.Fatalf("credited %d, want two meals", n)
	}
	if n := f.count(t, "alpha", `SELECT count(*) FROM closures`); n != 0 {
		t.Fatal("a canteen strike closed the whole commune")
	}
	// The parent's agenda: the meal is closed, the garderie is not.
	a := f.parent(t, "alpha", fams[0])
	body := a.agenda(1, kids[0], day).Body
	if got := cell(t, body, "REPAS CLASSIQUE ENFANT", day); got != "closed closure" {
		t.Errorf("meal cell %q, want a closure", got)
	}
	if got := cell(t, body, "GARDERIE DU SOIR", day); got != "validated" {
		t.Errorf("garderie cell %q, want still validated", got)
	}
	wantContains(t, a.click(1, kids[0], meal, day, "reserver").Body, "fermeture")
	if n := f.count(t, "alpha", `SELECT count(*) FROM cart_lines WHERE prestation_id = ?`, meal); n != 0 {
		t.Fatal("a meal of the strike day went into the cart")
	}

	// School 2 closes the next day: only FAMILLE B's child is concerned.
	next := openDay(int(day.Sub(openDay(0))) + 1)
	for i := range fams {
		f.parent(t, "alpha", fams[i]).click(1, kids[i], meal, next, "reserver")
		payCart(t, f, fams[i], 1)
	}
	mailsToA := func() int {
		return f.count(t, "alpha", `SELECT count(*) FROM outbox WHERE kind = 'closure' AND to_name = 'FAMILLE A'`)
	}
	before := mailsToA()
	school := url.Values{"day": {next.FR()}, "reason": {"Sortie scolaire"}, "school": {"2"}}
	r = admin.Post("/alpha/admin/calendrier/fermetures", school)
	wantContains(t, r.Body, "1 famille(s)", "FAMILLE B", "enfants de École du Hameau")
	wantStatus(t, admin.Post("/alpha/admin/calendrier/fermetures/confirmer", school), http.StatusSeeOther)
	if validated(meal, kids[0]) != 1 || validated(meal, kids[1]) != 0 {
		t.Fatal("the school's closure must cancel only its child's meal")
	}
	if n := mailsToA() - before; n != 0 {
		t.Fatalf("FAMILLE A got %d emails about school 2's closure", n)
	}
	if n := f.count(t, "alpha", `SELECT count(*) FROM outbox WHERE kind = 'closure' AND to_name = 'FAMILLE B' AND subject LIKE ?`, "%"+next.FR()+"%"); n == 0 {
		t.Fatal("FAMILLE B was not told")
	}
	if got := cell(t, a.agenda(1, kids[0], next).Body, "REPAS CLASSIQUE ENFANT", next); got != "validated" {
		t.Errorf("school 1's child sees %q on school 2's closure", got)
	}
	b := f.parent(t, "alpha", fams[1])
	if got := cell(t, b.agenda(1, kids[1], next).Body, "REPAS CLASSIQUE ENFANT", next); got != "closed closure" {
		t.Errorf("school 2's child sees %q, want a closure", got)
	}

	// The calendar lists both, in French; the journal records their scope;
	// deleting one reopens it.
	cal := admin.Get("/alpha/admin/calendrier").Body
	wantContains(t, cal, "Grève cantine – REPAS CLASSIQUE ENFANT", "Sortie scolaire – toutes les prestations – enfants de École du Hameau")
	wantContains(t, admin.Get("/alpha/admin/journal?objet=closure").Body, "Création de la fermeture du "+day.FR(), "Portée :")
	id := f.count(t, "alpha", `SELECT id FROM partial_closures WHERE reason = 'Sortie scolaire'`)
	wantStatus(t, admin.Post("/alpha/admin/calendrier/fermetures-partielles/"+itoa(int64(id))+"/supprimer", nil), http.StatusSeeOther)
	if got := cell(t, b.agenda(1, kids[1], next).Body, "REPAS CLASSIQUE ENFANT", next); got == "closed closure" {
		t.Error("the deleted closure still closes the day")
	}
	// A scope naming another commune's or an unknown prestation is refused.
	bad := url.Values{"day": {day.FR()}, "reason": {"x"}, "prestation": {"999"}}
	wantStatus(t, admin.Post("/alpha/admin/calendrier/fermetures", bad), http.StatusUnprocessableEntity)
	// Agents cannot close anything.
	wantStatus(t, f.agent(t).Post("/alpha/admin/calendrier/fermetures-partielles/1/supprimer", nil), http.StatusForbidden)
}

// holdCart is "Valider" on a family's cart: its demandes are held for the
// order ref, which then waits for its payment.
func holdCart(t *testing.T, f *fixture, family, regie int64, ref string) {
	t.Helper()
	ctx := context.Background()
	err := f.reg.WithCommune(ctx, "alpha", func(db *tenants.DB) error {
		return db.Tx(ctx, func(tx *sql.Tx) error {
			chk, err := booking.HoldCart(ctx, db, tx, family, regie, ref, time.Now())
			if err == nil && len(chk.Lines) == 0 {
				t.Errorf("%s holds nothing: %+v", ref, chk.Removed)
			}
			return err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// threeOrdersWaitOnAMeal has three families (FAMILLE C moved to school 2)
// book a meal on day and validate: three orders wait for their payment.
func threeOrdersWaitOnAMeal(t *testing.T, f *fixture) (*client, calendar.Date) {
	t.Helper()
	fams, kids := seedServices(t, f, 3)
	f.exec(t, "alpha", `UPDATE children SET school_id = 2 WHERE id = ?`, kids[2])
	admin := f.admin(t)
	meal := createPrestation(t, f, admin, prestationForm(1, "REPAS CLASSIQUE ENFANT", "2,55"))
	day := openDay(15)
	for i := range fams {
		f.parent(t, "alpha", fams[i]).click(1, kids[i], meal, day, "reserver")
		holdCart(t, f, fams[i], 1, "CMD-"+itoa(int64(i)))
	}
	return admin, day
}

// A day closed while orders wait for their payment: the preview says how
// many, confirming releases their places at once and says so; a closure
// that does not concern them leaves them alone.
func TestClosureTellsHowManyOrdersWaitingForPaymentItConcerns(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin, day := threeOrdersWaitOnAMeal(t, f)
	held := func() int {
		return f.count(t, "alpha", `SELECT COALESCE(SUM(booked), 0) FROM slot_counts WHERE day = ?`, day)
	}
	if held() != 3 {
		t.Fatalf("%d places held, want 3", held())
	}

	// School 1 closes: two orders wait for a meal there.
	school := url.Values{"day": {day.FR()}, "reason": {"Sortie scolaire"}, "school": {"1"}}
	r := admin.Post("/alpha/admin/calendrier/fermetures", school)
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.Body, "2 commandes en attente de paiement réservent ce jour : leurs places seront libérées ; au paiement, ce jour ne sera pas réservé et son montant sera porté en avoir de la famille.")
	if held() != 3 {
		t.Fatal("the preview released places")
	}
	wantStatus(t, admin.Post("/alpha/admin/calendrier/fermetures/confirmer", school), http.StatusSeeOther)
	wantContains(t, admin.Get("/alpha/admin/calendrier").Body, "2 commandes en attente de paiement réservaient ce jour : leurs places sont libérées")
	if held() != 1 {
		t.Fatalf("%d places held after the closure, want 1 (school 2's child)", held())
	}
	if n := f.count(t, "alpha", `SELECT count(*) FROM holds WHERE closed_at IS NOT NULL`); n != 2 {
		t.Fatalf("%d holds marked closed, want 2", n)
	}
	wantContains(t, admin.Get("/alpha/admin/journal?objet=closure").Body, "Création de la fermeture du "+day.FR())

	// Then the whole commune: one order is left waiting (the others were
	// released already and are not counted twice).
	whole := url.Values{"day": {day.FR()}, "reason": {"Grève"}}
	f.exec(t, "alpha", `DELETE FROM partial_closures`)
	r = admin.Post("/alpha/admin/calendrier/fermetures", whole)
	wantContains(t, r.Body, "1 commande en attente de paiement réserve ce jour : sa place sera libérée")
	wantStatus(t, admin.Post("/alpha/admin/calendrier/fermetures/confirmer", whole), http.StatusSeeOther)
	wantContains(t, admin.Get("/alpha/admin/calendrier").Body, "1 commande en attente de paiement réservait ce jour : sa place est libérée")
	if held() != 0 {
		t.Fatalf("%d places held after closing the commune", held())
	}

	// A closure with no order waiting says nothing about orders.
	other := url.Values{"day": {day.AddDays(1).FR()}, "reason": {"Pont"}}
	if body := admin.Post("/alpha/admin/calendrier/fermetures", other).Body; strings.Contains(body, "en attente de paiement") {
		t.Fatalf("a closure with no pending order mentions some:\n%s", body)
	}
}

// A closure deleted while orders that include its day wait for their
// payment: the confirmation says how many will book the day at payment
// if a place is left; a day another closure still closes for them is not
// counted, nor is a closure no order waits on.
func TestDeletedClosureTellsHowManyOrdersWaitingForPaymentIncludeTheDay(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin, day := threeOrdersWaitOnAMeal(t, f)
	// School 1 closes (two orders), then the whole commune (the third).
	for _, form := range []url.Values{{"day": {day.FR()}, "reason": {"Sortie scolaire"}, "school": {"1"}}, {"day": {day.FR()}, "reason": {"Grève"}}} {
		wantStatus(t, admin.Post("/alpha/admin/calendrier/fermetures/confirmer", form), http.StatusSeeOther)
	}
	if n := f.count(t, "alpha", `SELECT count(*) FROM holds WHERE closed_at IS NOT NULL`); n != 3 {
		t.Fatalf("%d holds marked closed, want 3", n)
	}
	admin.Get("/alpha/admin/calendrier") // the creation's flash shown

	// The commune's closure deleted: school 1 is still closed, only FAMILLE C's order books the day again.
	wantStatus(t, admin.Post("/alpha/admin/calendrier/fermetures/"+day.String()+"/supprimer", nil), http.StatusSeeOther)
	wantContains(t, admin.Get("/alpha/admin/calendrier").Body, "Le "+day.FR()+" n&#39;est plus un jour de fermeture",
		"1 commande en attente de paiement comprend ce jour : s&#39;il reste de la place au moment du paiement, il sera réservé.")
	// The school's closure deleted: the three orders include an open day again.
	id := f.count(t, "alpha", `SELECT id FROM partial_closures WHERE reason = 'Sortie scolaire'`)
	wantStatus(t, admin.Post("/alpha/admin/calendrier/fermetures-partielles/"+itoa(int64(id))+"/supprimer", nil), http.StatusSeeOther)
	wantContains(t, admin.Get("/alpha/admin/calendrier").Body,
		"3 commandes en attente de paiement comprennent ce jour : s&#39;il reste de la place au moment du paiement, il sera réservé.")

	// A closure no order waits on says nothing about orders.
	other := url.Values{"day": {day.AddDays(1).FR()}, "reason": {"Pont"}}
	wantStatus(t, admin.Post("/alpha/admin/calendrier/fermetures/confirmer", other), http.StatusSeeOther)
	admin.Get("/alpha/admin/calendrier")
	wantStatus(t, admin.Post("/alpha/admin/calendrier/fermetures/"+day.AddDays(1).String()+"/supprimer", nil), http.StatusSeeOther)
	if body := admin.Get("/alpha/admin/calendrier").Body; !strings.Contains(body, "n&#39;est plus un jour de fermeture") || strings.Contains(body, "en attente de paiement") {
		t.Fatalf("the deletion of a closure no order waits on: %s", body)
	}
}
