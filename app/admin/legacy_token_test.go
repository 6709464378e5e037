package admin_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"testing"
	"time"

	"espacefamille/app/auth"
)

// Staff's sessions and links were stored under a bare SHA-256 of their
// token before parents, staff and provider administrators shared
// auth.HashToken. Nobody is logged out by the change: an old session still
// opens the back office and is rewritten to the current form on first use;
// an old set-password link still sets the password.
func TestOldStaffTokensStillWorkAndAreRewritten(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	bare := func(token string) string {
		sum := sha256.Sum256([]byte(token))
		return hex.EncodeToString(sum[:])
	}
	now := time.Now().UTC()
	at := func(d time.Duration) string { return now.Add(d).Format("2006-01-02T15:04:05Z") }

	session, _ := auth.NewToken()
	f.exec(t, "alpha", `INSERT INTO staff_sessions (token_hash, staff_id, created_at, last_seen_at, expires_at)
		SELECT ?, id, ?, ?, ? FROM staff WHERE email = ?`, bare(session), at(-time.Minute), at(-time.Minute), at(time.Hour), adminEmail)
	c := f.client(t)
	c.SetCookie("/alpha/admin/", &http.Cookie{Name: "ef_staff", Value: session, Path: "/"})
	r := c.Get("/alpha/admin/")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.Body, "Personne admin")
	if n := f.count(t, "alpha", `SELECT COUNT(*) FROM staff_sessions WHERE token_hash = ?`, auth.HashToken(session)); n != 1 {
		t.Fatalf("old session not rewritten to the current hash (%d rows)", n)
	}
	if n := f.count(t, "alpha", `SELECT COUNT(*) FROM staff_sessions WHERE token_hash = ?`, bare(session)); n != 0 {
		t.Fatalf("old hash still stored (%d rows)", n)
	}
	wantStatus(t, c.Get("/alpha/admin/agents"), http.StatusOK)

	link, _ := auth.NewToken()
	f.exec(t, "alpha", `INSERT INTO staff_tokens (token_hash, staff_id, expires_at, created_at)
		SELECT ?, id, ?, ? FROM staff WHERE email = ?`, bare(link), at(24*time.Hour), at(-time.Hour), agentEmail)
	n := f.client(t)
	wantContains(t, n.Get("/alpha/admin/mot-de-passe/"+link).Body, agentEmail)
	r = n.Post("/alpha/admin/mot-de-passe/"+link, url.Values{"password": {"un mot de passe long"}, "password_confirmation": {"un mot de passe long"}})
	wantStatus(t, r, http.StatusSeeOther)
	wantStatus(t, n.Get("/alpha/admin/mot-de-passe/"+link), http.StatusNotFound)
	n.LoginStaff("alpha", agentEmail, "un mot de passe long")

	// A token nobody issued is refused under either form.
	stranger, _ := auth.NewToken()
	s := f.client(t)
	s.SetCookie("/alpha/admin/", &http.Cookie{Name: "ef_staff", Value: stranger, Path: "/"})
	wantStatus(t, s.Get("/alpha/admin/"), http.StatusSeeOther)
}
