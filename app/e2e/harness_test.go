package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// The harness's own checks, on fixture pages: its helpers act, and its
// failures are clear and fast.

const fixtureForm = `<!DOCTYPE html><html lang="fr"><head><meta name="viewport" content="width=device-width, initial-scale=1"><title>Formulaire</title></head><body>
<h1>Création de compte</h1>
<form method="post" action="/envoye">
<label for="nom">Nom *</label> <input id="nom" name="nom" value="ancien">
<label>Prénom <input name="prenom"></label>
<label for="civ">Civilité</label> <select id="civ" name="civ"><option value="">—</option><option value="mme">Madame</option><option value="m">Monsieur</option></select>
<label for="ne">Date de naissance</label> <input type="date" id="ne" name="ne">
<input type="checkbox" id="cgu" name="cgu" checked> <label for="cgu">Factures en ligne</label>
<button type="button" onclick="document.getElementById('msg').textContent='Cliqué'">Tester</button>
<p id="msg"></p>
<button type="submit">Enregistrer</button>
</form></body></html>`

const fixtureBroken = `<!DOCTYPE html><html><head><title></title></head><body style="margin:0">
<h1>Un</h1><h1>Deux</h1><input name="x"><img src="data:,"><a href="#" tabindex="2">lien</a>
<div style="width:2000px">large</div>
<p style="width:4em;overflow-wrap:anywhere">GARDERIE</p>
<p style="width:4em">Marie-Claire l'enfant</p></body></html>`

func fixtureServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.URL.Path {
		case "/form":
			fmt.Fprint(w, fixtureForm)
		case "/envoye":
			r.ParseForm()
			// A slow answer: Click must wait for it.
			time.Sleep(300 * time.Millisecond)
			fmt.Fprintf(w, `<!DOCTYPE html><html lang="fr"><head><meta name="viewport" content="width=device-width, initial-scale=1"><title>Envoyé</title></head><body><h1>Envoyé</h1><p>%s|%s|%s|%s|%s</p></body></html>`,
				r.Form.Get("nom"), r.Form.Get("prenom"), r.Form.Get("civ"), r.Form.Get("ne"), r.Form.Get("cgu"))
		case "/broken":
			fmt.Fprint(w, fixtureBroken)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestHarnessHelpers(t *testing.T) {
	t.Parallel()
	h := New(t)
	fx := fixtureServer(t)
	for _, size := range Sizes {
		t.Run(size.Name, func(t *testing.T) {
			t.Parallel()
			tab := h.Tab(t, size)
			tab.Go(fx.URL + "/form")
			tab.A11y()
			tab.Fill("Nom", "Lefèvre-Çaöù")
			tab.Fill("Prénom", "Zoé")
			tab.Fill("Civilité", "Madame")
			tab.Fill("Date de naissance", "2017-11-28")
			tab.Uncheck("Factures en ligne")
			tab.Click("Tester") // no navigation: returns after the grace
			tab.See("Cliqué")
			tab.Click("Enregistrer")
			if got := tab.Path(); got != "/envoye" {
				t.Fatalf("after submit, path %q", got)
			}
			tab.See("Lefèvre-Çaöù|Zoé|mme|2017-11-28|")
			tab.NotSee("Cliqué")
		})
	}
}

// fakeTB records failures instead of reporting them; Fatal ends the
// goroutine, as testing does.
type fakeTB struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.Errorf(format, args...)
	runtime.Goexit()
}
func (f *fakeTB) Logf(string, ...any) {}

// run runs steps as a fake test and returns what it reported.
func (f *fakeTB) run(steps func()) string {
	done := make(chan struct{})
	go func() { defer close(done); steps() }()
	<-done
	f.mu.Lock()
	defer f.mu.Unlock()
	out := strings.Join(f.errors, "\n")
	f.errors = nil
	return out
}

func TestHarnessFailures(t *testing.T) {
	t.Parallel()
	h := New(t)
	fx := fixtureServer(t)
	fake := &fakeTB{TB: t}
	tab := h.Tab(fake, Desktop)
	// Short enough to keep the test quick, long enough for a loaded CI
	// machine to load the fixture pages; failing must not depend on timing.
	tab.SetTimeout(2 * time.Second)

	cases := []struct {
		name string
		step func()
		want []string
	}{
		{"missing text", func() { tab.Go(fx.URL + "/form"); tab.See("Mot de passe oublié") },
			[]string{`See("Mot de passe oublié")`, "not on the page", "Création de compte"}},
		{"missing button", func() { tab.Click("Valider") },
			[]string{`Click("Valider")`, "no visible link or button", `"Enregistrer"`}},
		{"missing label", func() { tab.Fill("Mot de passe", "x") },
			[]string{"no <label> reads", `"Nom"`, `"Civilité"`}},
		{"unknown option", func() { tab.Fill("Civilité", "Docteur") },
			[]string{"no option", "Madame"}},
		{"accessibility and width", func() { tab.Go(fx.URL + "/broken"); tab.A11y(); tab.FitsWidth() },
			[]string{`lang=""`, "<title> is empty", "2 <h1>", "has no label", "no alt", "positive tabindex", "wider than the window",
				`broken across two lines: "GARDERIE"`}},
	}
	for _, c := range cases {
		got := fake.run(c.step)
		t.Logf("%s reports:\n%s", c.name, got)
		// Breaks at a hyphen, an apostrophe or a space are between words.
		for _, w := range []string{`"Marie"`, `"Claire"`, `"enfant"`} {
			if strings.Contains(got, w) {
				t.Errorf("%s: a break between words reported as broken: %s", c.name, w)
			}
		}
		if got == "" {
			t.Errorf("%s: no failure reported", c.name)
		}
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: report lacks %q:\n%s", c.name, w, got)
			}
		}
	}
}

func TestHarnessScripts(t *testing.T) {
	t.Parallel()
	h := New(t)
	fx := fixtureServer(t)
	for _, size := range []Size{Desktop, Desktop.WithoutJS()} {
		tab := h.Tab(t, size)
		tab.Go(fx.URL + "/form")
		if got, want := tab.ScriptsEnabled(), !size.NoScript; got != want {
			t.Errorf("%s: ScriptsEnabled() = %v, want %v", size.Name, got, want)
		}
	}
}

// On the app's own pages too, whose CSP blocks inline scripts: the answer
// must not depend on the page's policy.
func TestHarnessScriptsOnAppPage(t *testing.T) {
	t.Parallel()
	h := New(t)
	for _, size := range []Size{Desktop, Desktop.WithoutJS()} {
		t.Run(size.Name, func(t *testing.T) {
			t.Parallel()
			tab := h.Tab(t, size)
			tab.Go(Commune + "/")
			tab.See("Je me connecte")
			if got, want := tab.ScriptsEnabled(), !size.NoScript; got != want {
				t.Errorf("ScriptsEnabled() = %v, want %v", got, want)
			}
			// The page's CSP is in force: an injected inline script does not
			// run even with JavaScript on, so it could not have told.
			var ran bool
			tab.Eval(`(() => { const s = document.createElement('script');
				s.textContent = 'window.__e2eInline = true'; document.head.appendChild(s); s.remove();
				return window.__e2eInline === true; })()`, &ran)
			if ran {
				t.Error("an inline script ran: the page's CSP no longer blocks it, the test proves nothing")
			}
		})
	}
}
