package app_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"espacefamille/app/apptest"
	"espacefamille/app/demo"
)

// browser is a plain HTTP client with cookies against a running app.
type browser struct {
	t    *testing.T
	base string // "http://127.0.0.1:PORT/malemort-du-comtat"
	c    *http.Client
}

func (b *browser) do(method, path string, form url.Values) (int, string, http.Header) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	u := path
	if !strings.HasPrefix(u, "http") {
		u = b.base + path
	}
	req, _ := http.NewRequest(method, u, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept", "text/html")
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out), resp.Header
}

var csrfRE = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// post submits a form of page (read first for its CSRF token) and
// returns the status and the redirect's target.
func (b *browser) post(page, action string, form url.Values) (int, string) {
	b.t.Helper()
	_, body, _ := b.do(http.MethodGet, page, nil)
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		b.t.Fatalf("no CSRF token on %s:\n%s", page, body)
	}
	form.Set("_csrf", html.UnescapeString(m[1]))
	status, _, h := b.do(http.MethodPost, action, form)
	return status, h.Get("Location")
}

// The production wiring, end to end without a browser: app.New's
// middleware order puts the accounts session before booking's
// RequireFamily, so a parent who signed up through the form, confirmed
// the address and linked FAMILLE X with the code d'adhésion books a meal
// and sees it in the cart.
func TestBookingThroughRealSession(t *testing.T) {
	ctx := context.Background()
	env := apptest.New(t, apptest.Listen())
	reg := env.Registry
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, base: env.URL + "/" + demo.Slug,
		c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}

	// Nobody logged in: the agenda sends to the log-in page.
	if status, _, h := b.do(http.MethodGet, "/famille/reservations", nil); status != http.StatusSeeOther || !strings.HasSuffix(h.Get("Location"), "/connexion") {
		t.Fatalf("anonymous agenda: %d → %q", status, h.Get("Location"))
	}

	const email, password = "parent.wiring@example.org", "une phrase de passe solide"
	status, loc := b.post("/inscription/formulaire", "/inscription/formulaire", url.Values{
		"civilite": {"M"}, "nom": {"FAMILLE X"}, "prenom": {"Y"}, "email": {email}, "email_confirmation": {email},
		"mot_de_passe": {password}, "mot_de_passe_confirmation": {password}, "telephone": {"06 12 34 56 78"},
		"adresse": {"1 chemin des Écoliers"}, "code_postal": {"84570"}, "ville": {"Malemort-du-Comtat"},
		"consentement_factures": {"1"}, "consentement_espace": {"1"},
	})
	if status != http.StatusSeeOther {
		t.Fatalf("sign-up: %d → %q", status, loc)
	}
	var text string
	if err := reg.Platform().Reader().QueryRowContext(ctx, `SELECT text_body FROM outbox WHERE to_addr = ? ORDER BY id DESC LIMIT 1`, email).Scan(&text); err != nil {
		t.Fatalf("confirmation email: %v", err)
	}
	link := regexp.MustCompile(`https?://\S+/confirmation/[A-Za-z0-9_-]+`).FindString(text)
	if link == "" {
		t.Fatalf("no confirmation link in:\n%s", text)
	}
	if status, body, _ := b.do(http.MethodGet, link, nil); status != http.StatusOK && status != http.StatusSeeOther {
		t.Fatalf("confirmation: %d\n%s", status, body)
	}
	if status, loc := b.post("/connexion", "/connexion", url.Values{"identifiant": {email}, "mot_de_passe": {password}}); status != http.StatusSeeOther {
		t.Fatalf("log-in: %d → %q", status, loc)
	}
	// Logged in without an adhesion: the agenda sends to the code page.
	if status, _, h := b.do(http.MethodGet, "/famille/reservations", nil); status != http.StatusSeeOther || !strings.HasSuffix(h.Get("Location"), "/adhesion") {
		t.Fatalf("agenda before the code: %d → %q", status, h.Get("Location"))
	}
	if status, loc := b.post("/adhesion", "/adhesion", url.Values{"code": {strings.ToLower(demo.AdhesionCode)}}); status != http.StatusSeeOther {
		t.Fatalf("code d'adhésion: %d → %q", status, loc)
	}

	// The agenda of FAMILLE X's first child; the first réservable classic
	// meal within a few pages (the demo is seeded relative to today, which
	// may fall in the holidays).
	cellRE := regexp.MustCompile(`<button type="submit" name="case" value="([^"]+)" class="cell-button" title="[^"]*" aria-label="REPAS CLASSIQUE ENFANT, (\d\d/\d\d/\d{4}) : réservable"`)
	path := "/famille/reservations"
	var body, cell, day string
	for page := 0; page < 4 && cell == ""; page++ {
		var status int
		status, body, _ = b.do(http.MethodGet, path, nil)
		if status != http.StatusOK {
			t.Fatalf("agenda %s: %d\n%s", path, status, body)
		}
		for _, want := range []string{"Mes réservations", "Fille FAMILLE X", "Votre panier est vide"} {
			if !strings.Contains(body, want) {
				t.Fatalf("agenda %s lacks %q:\n%s", path, want, body)
			}
		}
		if m := cellRE.FindStringSubmatch(body); m != nil {
			cell, day = html.UnescapeString(m[1]), m[2]
			break
		}
		next := regexp.MustCompile(`<a href="([^"]+)">Suivant</a>`).FindStringSubmatch(body)
		if next == nil {
			t.Fatalf("no Suivant link:\n%s", body)
		}
		path = strings.TrimPrefix(html.UnescapeString(next[1]), "/"+demo.Slug)
	}
	if cell == "" {
		t.Fatal("no réservable REPAS CLASSIQUE ENFANT in 16 weeks")
	}
	hidden := func(name string) string {
		m := regexp.MustCompile(`name="` + name + `" value="([^"]*)"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no %s field", name)
		}
		return m[1]
	}
	status, loc = b.post(path, "/famille/reservations/case", url.Values{
		"regie": {hidden("regie")}, "enfant": {hidden("enfant")}, "semaine": {hidden("semaine")}, "case": {cell}})
	if status != http.StatusSeeOther {
		t.Fatalf("click on %s: %d → %q", cell, status, loc)
	}
	_, body, _ = b.do(http.MethodGet, strings.TrimPrefix(strings.SplitN(loc, "#", 2)[0], "/"+demo.Slug), nil)
	for _, want := range []string{"1 REPAS CLASSIQUE ENFANT", "Total à payer : 2,55\u00a0€",
		fmt.Sprintf(`aria-label="REPAS CLASSIQUE ENFANT, %s : demande en cours"`, day)} {
		if !strings.Contains(body, want) {
			t.Errorf("after the click, the page lacks %q", want)
		}
	}
	checkCellsAccessible(t, body)
	if t.Failed() {
		t.Logf("page:\n%s", body)
	}

	// The agenda's script posts the same form with X-Requested-With: fetch
	// and gets the page itself (200, no redirect) to take the cells from.
	m := regexp.MustCompile(`name="case" value="([^"]+)" class="cell-button" title="[^"]*" aria-label="REPAS CLASSIQUE ENFANT, ` + day + ` : demande en cours"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no pending cell to click again")
	}
	_, page, _ := b.do(http.MethodGet, strings.TrimPrefix(strings.SplitN(loc, "#", 2)[0], "/"+demo.Slug), nil)
	req, _ := http.NewRequest(http.MethodPost, b.base+"/famille/reservations/case", strings.NewReader(url.Values{
		"_csrf": {html.UnescapeString(csrfRE.FindStringSubmatch(page)[1])}, "regie": {hidden("regie")}, "enfant": {hidden("enfant")},
		"semaine": {hidden("semaine")}, "case": {html.UnescapeString(m[1])}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Requested-With", "fetch")
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(raw), "Votre panier est vide") ||
		!strings.Contains(string(raw), fmt.Sprintf(`aria-label="REPAS CLASSIQUE ENFANT, %s : réservable"`, day)) {
		t.Errorf("fetch click: %d, want 200 and the page with the cell réservable again:\n%s", resp.StatusCode, raw)
	}

	// The same click without the session's cookies is refused: CSRF first.
	stranger := &browser{t: t, base: b.base, c: &http.Client{CheckRedirect: b.c.CheckRedirect}}
	if status, _, _ := stranger.do(http.MethodPost, "/famille/reservations/case", url.Values{"case": {cell}}); status != http.StatusForbidden {
		t.Errorf("click without session nor token: %d, want 403", status)
	}
}

var (
	cellRE       = regexp.MustCompile(`(?s)<td class="cell ([a-z_ ]+)"[^>]*>(.*?)</td>`)
	iconRE       = regexp.MustCompile(`<span aria-hidden="true"[^>]*>(○|🕒|✓|✗|–)</span>`)
	stateTexts   = `(réservable|demande en cours|demande validée|annulation en cours|non réservable : [^<"]+)`
	buttonRE     = regexp.MustCompile(`<button [^>]*aria-label="[^"]+, \d\d/\d\d/\d{4} : ` + stateTexts + `"`)
	readerTextRE = regexp.MustCompile(`<span class="visually-hidden">(?:[^<,]+, )?\d\d/\d\d/\d{4} : ` + stateTexts + `</span>`)
)

// checkCellsAccessible checks that every agenda cell says its state in
// words to screen readers (the button's label, or hidden text) and hides
// its icon from them (issue 4: "by an icon and by text for screen
// readers"), whatever the state.
func checkCellsAccessible(t *testing.T, body string) {
	t.Helper()
	cells := cellRE.FindAllStringSubmatch(body, -1)
	if len(cells) < 20 {
		t.Fatalf("%d agenda cells found", len(cells))
	}
	states := map[string]bool{}
	for _, m := range cells {
		class, inner := m[1], m[2]
		states[strings.Fields(class)[0]] = true
		icons := iconRE.FindAllString(inner, -1)
		if len(icons) != 1 || strings.Count(inner, "aria-hidden") < 1 {
			t.Errorf("cell %q: want exactly one icon, hidden from screen readers: %s", class, inner)
		}
		visible := iconRE.ReplaceAllString(inner, "")
		for _, glyph := range []string{"○", "🕒", "✓", "✗", "–"} {
			if strings.Contains(visible, glyph) {
				t.Errorf("cell %q: icon %s outside an aria-hidden span: %s", class, glyph, inner)
			}
		}
		if strings.Contains(inner, "<button") {
			if !buttonRE.MatchString(inner) {
				t.Errorf("cell %q: button without its state in its label: %s", class, inner)
			}
		} else if !readerTextRE.MatchString(inner) {
			t.Errorf("cell %q: no text for screen readers: %s", class, inner)
		}
	}
	for _, want := range []string{"bookable", "pending", "closed"} {
		if !states[want] {
			t.Errorf("no %s cell on the page (states %v)", want, states)
		}
	}
}
