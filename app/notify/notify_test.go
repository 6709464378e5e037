package notify_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"espacefamille/app/apptest"
	"espacefamille/app/demo"
	"espacefamille/app/notify"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

const publicURL = "https://ef.example"

func newEnv(t *testing.T) *apptest.Env {
	t.Helper()
	return apptest.New(t, apptest.PublicURL(publicURL),
		apptest.WithCommune(tenants.NewCommune{Slug: "beta", Name: "Commune de Bêta"}, nil))
}

// unsubscribeLink is the commune-relative unsubscribe link of email from
// kind in slug's commune.
func unsubscribeLink(t *testing.T, e *apptest.Env, slug, email string, kind notify.Kind) string {
	t.Helper()
	com, err := e.Registry.Commune(context.Background(), slug)
	if err != nil {
		t.Fatal(err)
	}
	abs := func(c tenants.Commune, p string) string { return web.CommuneURL(publicURL, c, p) }
	link, err := notify.UnsubscribeURL(context.Background(), e.DB(slug).Reader(), com, abs, email, kind)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(link, publicURL+"/"+slug+notify.UnsubscribePath+"?jeton=") {
		t.Fatalf("link %q", link)
	}
	return strings.TrimPrefix(link, publicURL)
}

func optedOut(t *testing.T, e *apptest.Env, slug, email string, kind notify.Kind) bool {
	t.Helper()
	out, err := notify.OptedOut(context.Background(), e.DB(slug).Reader(), email, kind)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// oneClick posts as a mail client does (RFC 8058): no cookie, no CSRF
// token, the body "List-Unsubscribe=One-Click", to the URL as is.
func oneClick(t *testing.T, e *apptest.Env, path string) apptest.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, publicURL+path, strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return e.Client(t).Request(req)
}

// The unsubscribe link: GET shows what it stops and a button and changes
// nothing; the one-click POST of a mail client (no log-in, no CSRF token)
// stops that kind for that address only; the page's button does the same.
func TestUnsubscribeLinkGetShowsPostUnsubscribes(t *testing.T) {
	e := newEnv(t)
	link := unsubscribeLink(t, e, demo.Slug, "Parent@Example.org", notify.NewInvoice)

	page := e.Client(t, apptest.UnescapeBodies()).Get(link)
	if page.Status != http.StatusOK || !strings.Contains(page.Body, "parent@example.org") ||
		!strings.Contains(page.Body, "« Nouvelle facture »") || !strings.Contains(page.Body, "Ne plus recevoir ces emails") {
		t.Fatalf("GET: %d\n%s", page.Status, page.Body)
	}
	if page.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("Referrer-Policy = %q", page.Header.Get("Referrer-Policy"))
	}
	if optedOut(t, e, demo.Slug, "parent@example.org", notify.NewInvoice) {
		t.Fatal("GET unsubscribed (a mail scanner opening the link must change nothing)")
	}

	if r := oneClick(t, e, link); r.Status != http.StatusOK || !strings.Contains(r.Body, "Désabonnement confirmé") {
		t.Fatalf("one-click POST: %d\n%s", r.Status, r.Body)
	}
	if !optedOut(t, e, demo.Slug, "parent@example.org", notify.NewInvoice) {
		t.Error("the one-click POST did not unsubscribe")
	}
	for _, k := range []notify.Kind{notify.CutoffReminder, notify.PaymentFailed} {
		if optedOut(t, e, demo.Slug, "parent@example.org", k) {
			t.Errorf("unsubscribed from %s too", k)
		}
	}
	if r := oneClick(t, e, link); r.Status != http.StatusOK {
		t.Errorf("a second POST: %d", r.Status)
	}

	// The page's own button posts the token in the form.
	other := unsubscribeLink(t, e, demo.Slug, "autre@example.org", notify.PaymentFailed)
	c := e.Client(t, apptest.UnescapeBodies())
	c.Get(other)
	u, _ := url.Parse(other)
	r := c.Do(http.MethodPost, u.Path, url.Values{"jeton": {u.Query().Get("jeton")}})
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "ne recevra plus les emails « Paiement refusé ou abandonné »") {
		t.Fatalf("button: %d\n%s", r.Status, r.Body)
	}
	if !optedOut(t, e, demo.Slug, "autre@example.org", notify.PaymentFailed) {
		t.Error("the button did not unsubscribe")
	}
}

// A link is worth something only in its own commune, for its own address
// and kind: another commune's, an altered or a truncated one is a French
// 404 and changes nothing.
func TestUnsubscribeTokenIsBoundToItsCommune(t *testing.T) {
	e := newEnv(t)
	link := unsubscribeLink(t, e, demo.Slug, "parent@example.org", notify.CutoffReminder)
	u, _ := url.Parse(link)
	tok := u.Query().Get("jeton")
	payload, sig, _ := strings.Cut(tok, ".")
	forged := strings.Replace(link, payload, strings.TrimRight(payload, "=")+"A", 1)
	tests := []struct {
		name, path string
	}{
		{"the demo's link used on commune beta", "/beta" + notify.UnsubscribePath + "?jeton=" + url.QueryEscape(tok)},
		{"the address changed in the token", forged},
		{"the signature cut short", "/" + demo.Slug + notify.UnsubscribePath + "?jeton=" + payload + "." + sig[:len(sig)-2]},
		{"no token", "/" + demo.Slug + notify.UnsubscribePath},
		{"garbage", "/" + demo.Slug + notify.UnsubscribePath + "?jeton=%00%FF."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if r := e.Client(t).Get(tc.path); r.Status != http.StatusNotFound || !strings.Contains(r.Body, "lien de désabonnement n") {
				t.Errorf("GET: %d", r.Status)
			}
			if r := oneClick(t, e, tc.path); r.Status != http.StatusNotFound {
				t.Errorf("POST: %d", r.Status)
			}
		})
	}
	for _, slug := range []string{demo.Slug, "beta"} {
		if n := e.Count(slug, `SELECT count(*) FROM notification_optouts`); n != 0 {
			t.Errorf("%s: %d opt-outs written", slug, n)
		}
	}
	// Each commune signs with its own key.
	if a, b := unsubscribeLink(t, e, demo.Slug, "x@example.org", notify.NewInvoice), unsubscribeLink(t, e, "beta", "x@example.org", notify.NewInvoice); strings.TrimPrefix(a, "/"+demo.Slug) == strings.TrimPrefix(b, "/beta") {
		t.Error("two communes give the same link")
	}
}

// "Mes notifications" on Mon compte: every kind ticked at first; what is
// unticked is opted out, in this commune only; the unsubscribe link and
// the page agree; CSRF and log-in are required.
func TestMonCompteNotificationChoices(t *testing.T) {
	e := newEnv(t)
	ids := e.Demo()
	email := "choix@example.org"
	e.ParentAccount(demo.Slug, ids.Family, email, apptest.ParentPassword)
	c := e.Client(t, apptest.UnescapeBodies())
	c.LoginParent(demo.Slug, email, apptest.ParentPassword)

	page := c.Get("/" + demo.Slug + "/mon-compte")
	if page.Status != http.StatusOK || !strings.Contains(page.Body, "Mes notifications") || strings.Count(page.Body, `name="notification"`) != 3 ||
		strings.Count(page.Body, "checked") < 3 {
		t.Fatalf("Mon compte: %d\n%s", page.Status, page.Body)
	}
	r := c.Post("/"+demo.Slug+"/mon-compte/notifications", url.Values{"notification": {string(notify.CutoffReminder), string(notify.PaymentFailed)}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", r.Status, r.Body)
	}
	if !optedOut(t, e, demo.Slug, email, notify.NewInvoice) || optedOut(t, e, demo.Slug, email, notify.CutoffReminder) ||
		optedOut(t, e, demo.Slug, email, notify.PaymentFailed) {
		t.Error("the choices saved are not the ones ticked")
	}
	page = c.Get("/" + demo.Slug + "/mon-compte")
	if !strings.Contains(page.Body, `value="invoice_available" id="notification-invoice_available" aria-describedby`) {
		t.Errorf("Nouvelle facture still ticked:\n%s", page.Body)
	}
	// Ticking it again subscribes again (after an unsubscribe link, too).
	c.Post("/"+demo.Slug+"/mon-compte/notifications", url.Values{"notification": {string(notify.NewInvoice)}})
	if optedOut(t, e, demo.Slug, email, notify.NewInvoice) || !optedOut(t, e, demo.Slug, email, notify.CutoffReminder) {
		t.Error("the second choice was not saved")
	}
	if n := e.Count("beta", `SELECT count(*) FROM notification_optouts`); n != 0 {
		t.Errorf("another commune got %d opt-outs", n)
	}
	if r := c.Do(http.MethodPost, "/"+demo.Slug+"/mon-compte/notifications", url.Values{}); r.Status != http.StatusForbidden {
		t.Errorf("without CSRF token: %d", r.Status)
	}
	if r := e.Client(t).Post("/"+demo.Slug+"/mon-compte/notifications", url.Values{}); r.Status != http.StatusSeeOther && r.Status != http.StatusForbidden {
		t.Errorf("logged out: %d", r.Status)
	}
}

// The back office's settings: each notification on or off and when the
// reminder goes out; a bad time is refused in French with the values
// kept; a change is journaled and replans the commune's reminders.
func TestBackOfficeNotificationSettings(t *testing.T) {
	e := newEnv(t)
	adm := e.DemoAdmin(t, apptest.UnescapeBodies())
	page := adm.Get("/" + demo.Slug + "/admin/notifications")
	if page.Status != http.StatusOK || !strings.Contains(page.Body, "Notifications aux familles") || !strings.Contains(page.Body, `value="18:00"`) {
		t.Fatalf("page: %d\n%s", page.Status, page.Body)
	}
	bad := adm.Post("/"+demo.Slug+"/admin/notifications", url.Values{"rappel": {"1"}, "heure_rappel": {"25h"}, "jours_avant": {"30"}})
	if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Body, "au format HH:MM") ||
		!strings.Contains(bad.Body, "entre 0 et 14") || !strings.Contains(bad.Body, `value="25h"`) {
		t.Fatalf("bad form: %d\n%s", bad.Status, bad.Body)
	}
	r := adm.Post("/"+demo.Slug+"/admin/notifications", url.Values{"facture": {"1"}, "heure_rappel": {"7h30"}, "jours_avant": {"2"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", r.Status, r.Body)
	}
	st, err := notify.LoadSettings(context.Background(), e.DB(demo.Slug).Reader())
	if err != nil {
		t.Fatal(err)
	}
	if want := (notify.Settings{NewInvoice: true, Hour: 7, Minute: 30, DaysBefore: 2}); st != want {
		t.Errorf("saved %+v, want %+v", st, want)
	}
	if n := e.Count(demo.Slug, `SELECT count(*) FROM audit_log WHERE entity = 'settings' AND entity_id = 'notifications'`); n != 1 {
		t.Errorf("%d journal entries", n)
	}
	due := e.Text("", `SELECT w.due_at FROM commune_work w JOIN communes c ON c.id = w.commune_id WHERE c.slug = ? AND w.kind = 'reminders'`, demo.Slug)
	if due == "" || due > tenants.FormatTime(time.Now()) {
		t.Errorf("reminders not replanned: due %q", due)
	}
}
