package platform_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"testing"

	"espacefamille/app/apptest"
	"espacefamille/app/auth"
)

// Provider administrators' sessions and links were stored under a bare
// SHA-256 of their token before auth.HashToken served everyone: an old
// session still opens the console, and is rewritten on first use; an old
// set-password link still opens its page.
func TestOldProviderTokensStillWorkAndAreRewritten(t *testing.T) {
	env := apptest.New(t)
	ep := enrol(t, env)
	bare := func(token string) string {
		sum := sha256.Sum256([]byte(token))
		return hex.EncodeToString(sum[:])
	}
	token := ep.c.Cookie("/plateforme/", "ef_provider")
	if !auth.ValidToken(token) {
		t.Fatalf("no session cookie after enrolment (%q)", token)
	}
	env.Exec("", `UPDATE provider_sessions SET token_hash = ? WHERE token_hash = ?`, bare(token), auth.HashToken(token))
	if r := ep.c.Get("/plateforme/"); r.Status != http.StatusOK {
		t.Fatalf("session stored in the old form: %d, want 200", r.Status)
	}
	if n := env.Int("", `SELECT count(*) FROM provider_sessions WHERE token_hash = ?`, auth.HashToken(token)); n != 1 {
		t.Fatalf("session not rewritten to the current form (%d rows)", n)
	}

	link := inviteProvider(t, env, "second@hebergeur.example")
	linkToken := link[len("/plateforme/mot-de-passe/"):]
	env.Exec("", `UPDATE provider_tokens SET token_hash = ? WHERE token_hash = ?`, bare(linkToken), auth.HashToken(linkToken))
	c := env.Client(t, apptest.BrowserCookies())
	if r := c.Get(link); r.Status != http.StatusOK {
		t.Fatalf("link stored in the old form: %d, want 200", r.Status)
	}
}
