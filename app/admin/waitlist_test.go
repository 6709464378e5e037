package admin_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
)

// waitFixture is alpha with a post-paid ACCUEIL of one place and n
// families of one child each.
type waitFixture struct {
	*fixture
	fams, kids []int64
	accueil    int64
	day        calendar.Date
}

func newWaitFixture(t *testing.T, n int) *waitFixture {
	t.Helper()
	f := newFixture(t)
	fams, kids := seedServices(t, f, n)
	admin := f.admin(t)
	form := prestationForm(2, "ACCUEIL", "3,00")
	form.Set("exclusive_group", "")
	form.Set("capacity", "1")
	return &waitFixture{fixture: f, fams: fams, kids: kids, accueil: createPrestation(t, f, admin, form), day: openDay(15)}
}

// book puts the day in family i's cart and validates it (post-paid).
func (w *waitFixture) book(t *testing.T, c *client, i int) {
	t.Helper()
	c.click(2, w.kids[i], w.accueil, w.day, string(booking.IntentBook))
	c.validate(2, w.kids[i], w.day)
}

func (w *waitFixture) join(t *testing.T, c *client, i int) string {
	t.Helper()
	c.agenda(2, w.kids[i], w.day)
	return c.PostFollow("/alpha/famille/reservations/case", url.Values{"regie": {"2"}, "enfant": {itoa(w.kids[i])}, "semaine": {w.day.String()},
		"attente": {itoa(w.accueil) + "|" + w.day.String()}}).Body
}

func (w *waitFixture) state(t *testing.T, i int) string {
	t.Helper()
	var s string
	w.For(t).Scan("alpha", `SELECT state FROM waitlist WHERE child_id = ? ORDER BY id DESC LIMIT 1`, []any{w.kids[i]}, &s)
	return s
}

func (w *waitFixture) booked(t *testing.T) int {
	t.Helper()
	return w.count(t, "alpha", `SELECT COALESCE(SUM(booked), 0) FROM slot_counts WHERE prestation_id = ? AND day = ?`, w.accueil, w.day)
}

// A full day: the second and third families join its waiting list from
// the agenda; the first cancels; the place goes to the first in line,
// held for her (nobody else can take it), emailed with a link, and booked
// through the agenda and the cart; the list moves up.
func TestWaitingListGivesAFreedPlaceToTheFirstInLine(t *testing.T) {
	t.Parallel()
	w := newWaitFixture(t, 3)
	a, b, c := w.parent(t, "alpha", w.fams[0]), w.parent(t, "alpha", w.fams[1]), w.parent(t, "alpha", w.fams[2])
	w.book(t, a, 0)
	if n := w.booked(t); n != 1 {
		t.Fatalf("booked %d, want the one place", n)
	}
	page := b.agenda(2, w.kids[1], w.day).Body
	wantContains(t, page, "Complet : toutes les places", "M'inscrire sur la liste d'attente")
	wantContains(t, w.join(t, b, 1), "est inscrit(e) sur la liste d&#39;attente du "+w.day.FR()+" (1er sur la liste)")
	wantContains(t, w.join(t, c, 2), "(2e sur la liste)")
	wantContains(t, w.join(t, c, 2), "(2e sur la liste)") // asking twice keeps the place in line
	if n := w.count(t, "alpha", `SELECT COUNT(*) FROM waitlist`); n != 2 {
		t.Fatalf("%d entries, want 2", n)
	}
	wantContains(t, c.agenda(2, w.kids[2], w.day).Body, "est sur la liste d&#39;attente (2e sur la liste)", "Liste d'attente (1)")

	// The first family cancels: the place is offered to B at once.
	a.click(2, w.kids[0], w.accueil, w.day, string(booking.IntentCancel))
	a.validate(2, w.kids[0], w.day)
	if s := w.state(t, 1); s != booking.WaitOffered {
		t.Fatalf("B's entry is %q, want offered", s)
	}
	if n := w.booked(t); n != 1 {
		t.Fatalf("booked %d: the offered place must stay taken", n)
	}
	var to, subject, text string
	w.For(t).Scan("alpha", `SELECT to_addr, subject, text_body FROM outbox WHERE kind = 'waitlist_offer'`, nil, &to, &subject, &text)
	if to != "f1@example.org" || !strings.Contains(subject, "Une place s'est libérée le "+w.day.FR()) || !strings.Contains(text, "/alpha/famille/reservations?regie=2") {
		t.Fatalf("offer mail to %q %q:\n%s", to, subject, text)
	}
	// Nobody else can take it: C's click is refused, A's too.
	wantContains(t, c.click(2, w.kids[2], w.accueil, w.day, string(booking.IntentBook)).Body, "complet")
	wantContains(t, a.click(2, w.kids[0], w.accueil, w.day, string(booking.IntentBook)).Body, "complet")
	// B sees it kept for her, books it and validates.
	wantContains(t, b.agenda(2, w.kids[1], w.day).Body, "Une place s&#39;est libérée : ACCUEIL le "+w.day.FR(), "Elle vous est gardée jusqu&#39;au")
	w.book(t, b, 1)
	if s := w.state(t, 1); s != booking.WaitBooked {
		t.Fatalf("B's entry is %q, want booked", s)
	}
	if n := w.count(t, "alpha", `SELECT COUNT(*) FROM reservations WHERE prestation_id = ? AND day = ? AND state = 'validated'`, w.accueil, w.day); n != 1 || w.booked(t) != 1 {
		t.Fatalf("%d validated, %d counted: want the one place, once", n, w.booked(t))
	}
	wantContains(t, c.agenda(2, w.kids[2], w.day).Body, "(1er sur la liste)")

	// The back office sees the day's list.
	admin := w.admin(t)
	wantContains(t, admin.Get("/alpha/admin/liste-attente?semaine="+w.day.String()).Body, "Le "+w.day.FR(), "FAMILLE B", "place obtenue", "FAMILLE C", "1er sur la liste")
}

// An offer not used in time expires: the place goes to the next in line,
// whose email goes through the real SMTP path; a family that leaves the
// list while offered gives the place on too.
func TestWaitingListOfferExpiresToTheNextInLine(t *testing.T) {
	t.Parallel()
	w := newWaitFixture(t, 4)
	ctx := context.Background()
	a := w.parent(t, "alpha", w.fams[0])
	w.book(t, a, 0)
	for i := 1; i <= 3; i++ {
		w.join(t, w.parent(t, "alpha", w.fams[i]), i)
	}
	admin := w.admin(t)
	admin.Get("/alpha/admin/liste-attente")
	r := admin.Post("/alpha/admin/liste-attente/parametres", url.Values{"attente": {"1"}, "heures": {"0"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r.Body, "va de 1 à 72 heures")
	wantStatus(t, admin.Post("/alpha/admin/liste-attente/parametres", url.Values{"attente": {"1"}, "heures": {"2"}}), http.StatusSeeOther)

	a.click(2, w.kids[0], w.accueil, w.day, string(booking.IntentCancel))
	a.validate(2, w.kids[0], w.day)
	if w.state(t, 1) != booking.WaitOffered {
		t.Fatal("B not offered")
	}
	db := w.For(t).DB("alpha")
	com, err := w.reg.Commune(ctx, "alpha")
	if err != nil {
		t.Fatal(err)
	}
	link := func(p string) string { return "http://node.example/alpha" + p }
	later := time.Now().Add(2*time.Hour + time.Minute)
	if _, err := booking.SendOffers(ctx, db, w.reg.Platform().Reader(), com, link, later); err != nil {
		t.Fatal(err)
	}
	if s1, s2 := w.state(t, 1), w.state(t, 2); s1 != booking.WaitExpired || s2 != booking.WaitOffered {
		t.Fatalf("after the delay: B %q, C %q; want expired, offered", s1, s2)
	}
	if w.booked(t) != 1 {
		t.Fatalf("booked %d, want the one place held for C", w.booked(t))
	}
	// C leaves the list: D is offered the place.
	var cEntry int64
	w.For(t).Scan("alpha", `SELECT id FROM waitlist WHERE child_id = ?`, []any{w.kids[2]}, &cEntry)
	c := w.parent(t, "alpha", w.fams[2])
	wantContains(t, c.Get("/alpha/famille/liste-attente").Body, "une place vous est réservée jusqu&#39;au")
	wantContains(t, c.PostFollow("/alpha/famille/liste-attente/"+itoa(cEntry)+"/quitter", url.Values{}).Body, "Vous avez quitté la liste d&#39;attente.")
	if w.state(t, 3) != booking.WaitOffered || w.booked(t) != 1 {
		t.Fatalf("D %q, booked %d", w.state(t, 3), w.booked(t))
	}
	// Another family cannot leave D's entry.
	var dEntry int64
	w.For(t).Scan("alpha", `SELECT id FROM waitlist WHERE child_id = ?`, []any{w.kids[3]}, &dEntry)
	wantStatus(t, c.Post("/alpha/famille/liste-attente/"+itoa(dEntry)+"/quitter", url.Values{}), http.StatusNotFound)

	// The offers' emails through real SMTP: B's, C's (queued two hours
	// later), D's.
	env := w.For(t)
	env.Clock.Set(later)
	var got []string
	for _, m := range env.SendMail(t, "alpha") {
		if strings.HasPrefix(m.Subject, "Une place s'est libérée") {
			if a := m.To[0].Address; strings.HasPrefix(a, "f") { // the families' own addresses (their accounts get one too)
				got = append(got, a)
			}
			if !strings.Contains(m.Text, "Elle est gardée pour vous jusqu'au") || !strings.Contains(m.HTML, "Réserver la place du "+w.day.FR()) {
				t.Errorf("offer mail:\n%s", m.Text)
			}
		}
	}
	if strings.Join(got, " ") != "f1@example.org f2@example.org f3@example.org" {
		t.Fatalf("offers mailed to %v", got)
	}
}

// Capacity 1, one place freed, many families at once: the place is given
// once, to the first in line; the concurrent requests of the others are
// refused, and so are concurrent requests on a day with one place left.
func TestWaitingListNeverGivesAPlaceTwice(t *testing.T) {
	t.Parallel()
	const n = 8
	w := newWaitFixture(t, n)
	ctx := context.Background()
	db := w.For(t).DB("alpha")
	now := time.Now()
	click := func(i int, intent booking.Intent) error {
		_, err := booking.ToggleCell(ctx, db, booking.Click{FamilyID: w.fams[i], RegieID: 2, ChildID: w.kids[i], PrestationID: w.accueil, Day: w.day, Intent: intent}, now)
		return err
	}
	validate := func(i int) (int, error) {
		res, err := booking.ValidatePostpaid(ctx, db, w.fams[i], 2, now)
		return len(res.Confirmed), err
	}
	// Everybody at once on the last place.
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := click(i, booking.IntentBook); err != nil {
				if !errors.Is(err, booking.ErrRefused) {
					t.Error(err)
				}
				return
			}
			k, err := validate(i)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			won += k
			mu.Unlock()
		}()
	}
	wg.Wait()
	if won != 1 || w.booked(t) != 1 {
		t.Fatalf("%d bookings, %d counted: want 1", won, w.booked(t))
	}
	var holder int
	for i := range n {
		if w.count(t, "alpha", `SELECT COUNT(*) FROM reservations WHERE child_id = ? AND state = 'validated'`, w.kids[i]) == 1 {
			holder = i
		}
	}
	// The others join the waiting list, in order.
	var line []int
	for i := range n {
		if i == holder {
			continue
		}
		if _, err := booking.JoinWaitlist(ctx, db, booking.Click{FamilyID: w.fams[i], RegieID: 2, ChildID: w.kids[i], PrestationID: w.accueil, Day: w.day}, now); err != nil {
			t.Fatal(err)
		}
		line = append(line, i)
	}
	// The holder cancels while everybody on the list tries to book at once.
	if err := click(holder, booking.IntentCancel); err != nil {
		t.Fatal(err)
	}
	won = 0
	for _, i := range line {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := click(i, booking.IntentBook); err != nil {
				return
			}
			k, err := validate(i)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			won += k
			mu.Unlock()
		}()
	}
	wg.Add(1)
	go func() { defer wg.Done(); validate(holder) }()
	wg.Wait()
	validated := w.count(t, "alpha", `SELECT COUNT(*) FROM reservations WHERE prestation_id = ? AND day = ? AND state = 'validated'`, w.accueil, w.day)
	offered := w.count(t, "alpha", `SELECT COUNT(*) FROM waitlist WHERE state = 'offered'`)
	if validated+offered != 1 || w.booked(t) != 1 {
		t.Fatalf("validated %d, offered %d, counted %d: the place was given twice or lost", validated, offered, w.booked(t))
	}
	// Whoever got it was the first in line.
	first := line[0]
	if validated == 1 && w.count(t, "alpha", `SELECT COUNT(*) FROM reservations WHERE child_id = ? AND state = 'validated'`, w.kids[first]) != 1 {
		t.Fatal("the place went to someone other than the first in line")
	}
	if offered == 1 && w.state(t, first) != booking.WaitOffered {
		t.Fatal("the offer is not the first in line's")
	}
}
