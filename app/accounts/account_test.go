package accounts_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"espacefamille/app/accounts"
)

// requestChange asks, from Mon compte, to log in with newEmail.
func (cl *client) requestChange(prefix, newEmail, pw string) response {
	cl.e.t.Helper()
	return cl.submit(prefix+"/mon-compte", prefix+"/mon-compte/email", url.Values{"nouvel_email": {newEmail}, "mot_de_passe_email": {pw}})
}

// changeLink returns the path of the change link the new address received.
func (e *env) changeLink(newEmail string) string {
	e.t.Helper()
	m := e.lastMail(newEmail)
	if m.Subject != "Confirmez votre nouvelle adresse email Espace Famille" {
		e.t.Errorf("change mail subject %q", m.Subject)
	}
	link := linkIn(e.t, m.Text, "/mon-compte/email/")
	if !strings.Contains(m.HTML, publicURL+link) {
		e.t.Error("the HTML part lacks the change link")
	}
	return link
}

func TestEmailChangeIsMadeByTheLinkSentToTheNewAddress(t *testing.T) {
	e := newEnv(t)
	p := e.linked("p@example.org")
	r := p.get(pathA + "/famille")
	mustContain(t, "header", r.Body, `href="/malemort-du-comtat/mon-compte"`, "Mon compte")
	r = p.get(pathA + "/mon-compte")
	mustStatus(t, "Mon compte", r, http.StatusOK)
	mustContain(t, "Mon compte", r.Body, "Vous vous connectez avec", "p@example.org", "Nouvelle adresse email", "Téléphone",
		"Mot de passe actuel", "Mes communes", "Commune de Malemort du Comtat", "(commune actuelle)", "Ajouter à mon agenda")

	r = p.requestChange(pathA, "nouveau@example.org", "pas le bon mot de passe")
	mustStatus(t, "wrong password", r, http.StatusUnprocessableEntity)
	mustContain(t, "wrong password", r.Body, "Mot de passe incorrect.", `value="nouveau@example.org"`)
	r = p.requestChange(pathA, "p@example.org", password)
	mustStatus(t, "same address", r, http.StatusUnprocessableEntity)
	mustContain(t, "same address", r.Body, "C'est déjà l'adresse de votre compte.")
	r = p.requestChange(pathA, "pas-une-adresse", password)
	mustStatus(t, "bad address", r, http.StatusUnprocessableEntity)
	mustContain(t, "bad address", r.Body, "Saisissez une adresse email valide")

	r = p.requestChange(pathA, " Nouveau@Example.org ", password)
	mustStatus(t, "request", r, http.StatusSeeOther)
	r = p.get(r.Location)
	mustContain(t, "after request", r.Body, "Un lien de confirmation vient d'être envoyé à nouveau@example.org", "votre compte garde l'adresse p@example.org")
	if n := e.count("", `SELECT COUNT(*) FROM accounts WHERE email = 'p@example.org'`); n != 1 {
		t.Fatal("the address changed before the link was followed")
	}
	link := e.changeLink("nouveau@example.org")
	if !strings.HasPrefix(link, pathA+"/mon-compte/email/") {
		t.Errorf("link %q is not on the commune the change was asked from", link)
	}

	// Opening the link (a mail scanner does) changes nothing; the button does.
	r = p.get(link)
	mustStatus(t, "open link", r, http.StatusOK)
	mustContain(t, "open link", r.Body, "nouveau@example.org", "Confirmer ma nouvelle adresse")
	mustStatus(t, "open twice", p.get(link), http.StatusOK)
	before := len(e.smtp.Messages())
	r = p.submit(link, link, nil)
	mustStatus(t, "confirm", r, http.StatusSeeOther)
	r = p.get(r.Location)
	mustContain(t, "after confirm", r.Body, "Votre nouvelle adresse email est enregistrée.", "Vous vous connectez avec", "nouveau@example.org")

	old := e.lastMail("p@example.org")
	if len(e.smtp.Messages()) != before+1 || old.Subject != "L'adresse email de votre compte Espace Famille a changé" {
		t.Errorf("the old address got %q (%d new messages)", old.Subject, len(e.smtp.Messages())-before)
	}
	mustContain(t, "notice to the old address", old.Text, "vient d'être remplacée par nouveau@example.org")

	mustStatus(t, "link used", p.get(link), http.StatusNotFound)
	mustStatus(t, "confirm used", p.Do(http.MethodPost, link, url.Values{"_csrf": {p.CSRF}}), http.StatusNotFound)
	mustStatus(t, "old address", e.client().login(pathA, "p@example.org", password), http.StatusUnauthorized)
	mustStatus(t, "new address", e.client().login(pathA, "nouveau@example.org", password), http.StatusSeeOther)
}

func TestEmailChangeRefusesAnAddressOfAnotherAccount(t *testing.T) {
	e := newEnv(t)
	other := e.client()
	other.register(pathA, "autre@example.org")
	p := e.linked("p@example.org")
	before := len(e.smtp.Messages())
	r := p.requestChange(pathA, "AUTRE@example.org", password)
	mustStatus(t, "taken", r, http.StatusConflict)
	mustContain(t, "taken", r.Body, "Cette adresse email est déjà utilisée par un autre compte.")
	e.flush()
	if n := len(e.smtp.Messages()); n != before {
		t.Errorf("%d mail(s) sent for a refused change", n-before)
	}

	// Taken between the request and the link: the link changes nothing.
	mustStatus(t, "request", p.requestChange(pathA, "tardif@example.org", password), http.StatusSeeOther)
	link := e.changeLink("tardif@example.org")
	late := e.client()
	late.register(pathA, "tardif@example.org")
	r = p.submit(link, link, nil)
	mustStatus(t, "taken meanwhile", r, http.StatusConflict)
	mustContain(t, "taken meanwhile", r.Body, "votre adresse n'a pas changé")
	if n := e.count("", `SELECT COUNT(*) FROM accounts WHERE email = 'p@example.org'`); n != 1 {
		t.Error("the address changed to a taken one")
	}
}

func TestEmailChangeLinkSecurity(t *testing.T) {
	e := newEnv(t)
	a := e.linked("a@example.org")
	b := e.client()
	b.register(pathA, "b@example.org")
	mustStatus(t, "b log-in", b.login(pathA, "b@example.org", password), http.StatusSeeOther)

	mustStatus(t, "a asks", a.requestChange(pathA, "a2@example.org", password), http.StatusSeeOther)
	linkA := e.changeLink("a2@example.org")
	token := linkA[strings.LastIndex(linkA, "/")+1:]

	t.Run("another account's session cannot use the link", func(t *testing.T) {
		mustStatus(t, "b opens a's link", b.get(linkA), http.StatusForbidden)
		r := b.Do(http.MethodPost, linkA, url.Values{"_csrf": {b.CSRF}})
		mustStatus(t, "b confirms a's link", r, http.StatusForbidden)
		if e.count("", `SELECT COUNT(*) FROM accounts WHERE email IN ('a@example.org', 'b@example.org')`) != 2 {
			t.Error("an account changed")
		}
	})
	t.Run("a token that is not one, or is altered, is refused", func(t *testing.T) {
		for _, bad := range []string{"x", strings.Repeat("A", 43), token[:42] + "Z", token + "A"} {
			mustStatus(t, bad, e.client().get(pathA+"/mon-compte/email/"+bad), http.StatusNotFound)
		}
	})
	t.Run("the link is the platform's: another commune opens it and shows none of commune A", func(t *testing.T) {
		cl := e.client()
		r := cl.get("/beta/mon-compte/email/" + token)
		mustStatus(t, "on beta", r, http.StatusOK)
		for _, leak := range []string{"Malemort", "FAMILLE X", "a@example.org"} {
			if strings.Contains(r.Body, leak) {
				t.Errorf("the page on beta shows %q", leak)
			}
		}
		r = cl.submit("/beta/mon-compte/email/"+token, "/beta/mon-compte/email/"+token, nil)
		mustStatus(t, "confirm on beta, logged out", r, http.StatusSeeOther)
		if !strings.HasSuffix(r.Location, "/beta/connexion") {
			t.Errorf("sent to %q", r.Location)
		}
		if e.count("", `SELECT COUNT(*) FROM accounts WHERE email = 'a2@example.org'`) != 1 {
			t.Error("the change was not made")
		}
	})
	t.Run("a used link is refused", func(t *testing.T) {
		mustStatus(t, "reuse", e.client().get(linkA), http.StatusNotFound)
	})
	t.Run("a newer request ends the older link; a link expires after 24 hours", func(t *testing.T) {
		mustStatus(t, "b asks", b.requestChange(pathA, "b2@example.org", password), http.StatusSeeOther)
		first := e.changeLink("b2@example.org")
		mustStatus(t, "b asks again", b.requestChange(pathA, "b3@example.org", password), http.StatusSeeOther)
		second := e.changeLink("b3@example.org")
		mustStatus(t, "older link", b.get(first), http.StatusNotFound)
		e.clock.Advance(23 * time.Hour)
		mustStatus(t, "after 23 h", b.get(second), http.StatusOK)
		e.clock.Advance(time.Hour + time.Second)
		mustStatus(t, "after 24 h", e.client().get(second), http.StatusNotFound)
		if e.count("", `SELECT COUNT(*) FROM accounts WHERE email = 'b@example.org'`) != 1 {
			t.Error("b's address changed")
		}
	})
}

func TestEmailChangeRequestsAreRateLimited(t *testing.T) {
	e := newEnv(t)
	p := e.linked("p@example.org")
	for i := range 5 {
		mustStatus(t, "request", p.requestChange(pathA, "n"+string(rune('a'+i))+"@example.org", password), http.StatusSeeOther)
	}
	r := p.requestChange(pathA, "nf@example.org", password)
	mustStatus(t, "sixth request", r, http.StatusTooManyRequests)
	mustContain(t, "sixth request", r.Body, "Trop de demandes de changement d'adresse")
	e.clock.Advance(61 * time.Minute)
	mustStatus(t, "log in again (idle session)", p.login(pathA, "p@example.org", password), http.StatusSeeOther)
	mustStatus(t, "an hour later", p.requestChange(pathA, "ng@example.org", password), http.StatusSeeOther)
}

func TestPhoneMustBeAFrenchNumber(t *testing.T) {
	e := newEnv(t)
	p := e.linked("p@example.org")
	for _, bad := range []string{"", "12345", "06 12 34 56 7", "+44 20 7946 0958", "00 12 34 56 78", "06-12-34-56-78-90", "06 12 34 56 7a"} {
		r := p.submit(pathA+"/mon-compte", pathA+"/mon-compte/telephone", url.Values{"telephone": {bad}})
		mustStatus(t, "phone "+bad, r, http.StatusUnprocessableEntity)
		mustContain(t, "phone "+bad, r.Body, "Saisissez un numéro de téléphone français de 10 chiffres")
	}
	r := p.submit(pathA+"/mon-compte", pathA+"/mon-compte/telephone", url.Values{"telephone": {"+33 7 01 02 03 04"}})
	mustStatus(t, "good phone", r, http.StatusSeeOther)
	r = p.get(r.Location)
	mustContain(t, "after phone", r.Body, "Votre numéro de téléphone est enregistré.", `value="07 01 02 03 04"`)
	if got := e.Text("", `SELECT phone FROM accounts WHERE email = 'p@example.org'`); got != "0701020304" {
		t.Errorf("stored phone %q", got)
	}
}

func TestFrenchPhone(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"mobile with spaces", "06 12 34 56 78", "0612345678"},
		{"landline with dots", "04.90.12.34.56", "0490123456"},
		{"international +33", "+33 6 12 34 56 78", "0612345678"},
		{"international 0033", "0033612345678", "0612345678"},
		{"nine digits is too short", "06 12 34 56 7", ""},
		{"a foreign number is refused", "+44 20 7946 0958", ""},
		{"00 is not a French prefix", "0012345678", ""},
		{"letters are refused", "06 12 34 56 7a", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := accounts.FrenchPhone(tt.in)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("FrenchPhone(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
			}
		})
	}
}

func TestPasswordChangeNeedsTheCurrentOneAndEndsOtherSessions(t *testing.T) {
	e := newEnv(t)
	p := e.linked("p@example.org")
	laptop := e.client()
	mustStatus(t, "laptop", laptop.login(pathA, "p@example.org", password), http.StatusSeeOther)
	e.clock.Advance(time.Minute)
	const newPassword = "une autre phrase de passe"
	change := func(current, next, confirm string) response {
		return p.submit(pathA+"/mon-compte", pathA+"/mon-compte/mot-de-passe",
			url.Values{"mot_de_passe_actuel": {current}, "mot_de_passe": {next}, "mot_de_passe_confirmation": {confirm}})
	}
	r := change(password, "court", "court")
	mustStatus(t, "short", r, http.StatusUnprocessableEntity)
	mustContain(t, "short", r.Body, "au moins 12 caractères")
	r = change(password, newPassword, newPassword+"x")
	mustStatus(t, "mismatch", r, http.StatusUnprocessableEntity)
	mustContain(t, "mismatch", r.Body, "Les deux mots de passe ne sont pas identiques.")
	r = change("pas le bon mot de passe", newPassword, newPassword)
	mustStatus(t, "wrong current", r, http.StatusUnprocessableEntity)
	mustContain(t, "wrong current", r.Body, "Mot de passe actuel incorrect.")
	if strings.Contains(r.Body, newPassword) {
		t.Error("the page repeats a password")
	}

	r = change(password, newPassword, newPassword)
	mustStatus(t, "change", r, http.StatusSeeOther)
	r = p.get(r.Location)
	mustStatus(t, "still logged in here", r, http.StatusOK)
	mustContain(t, "after change", r.Body, "Votre mot de passe est modifié. Vos autres sessions ont été fermées.")
	mustStatus(t, "laptop logged out", laptop.get(pathA+"/famille"), http.StatusSeeOther)
	mustStatus(t, "old password", e.client().login(pathA, "p@example.org", password), http.StatusUnauthorized)
	mustStatus(t, "new password", e.client().login(pathA, "p@example.org", newPassword), http.StatusSeeOther)
	if !strings.HasPrefix(e.Text("", `SELECT password_hash FROM accounts WHERE email = 'p@example.org'`), "$argon2id$") {
		t.Error("the new password is not an argon2id hash")
	}
}

func TestWrongCurrentPasswordsAreRateLimited(t *testing.T) {
	e := newEnv(t)
	p := e.linked("p@example.org")
	const newPassword = "une autre phrase de passe"
	change := func(current string) response {
		return p.submit(pathA+"/mon-compte", pathA+"/mon-compte/mot-de-passe",
			url.Values{"mot_de_passe_actuel": {current}, "mot_de_passe": {newPassword}, "mot_de_passe_confirmation": {newPassword}})
	}
	for range 5 {
		mustStatus(t, "wrong", change("pas le bon mot de passe"), http.StatusUnprocessableEntity)
	}
	r := change(password) // even the right one: the account is held
	mustStatus(t, "held", r, http.StatusTooManyRequests)
	mustContain(t, "held", r.Body, "Trop de tentatives")
	e.clock.Advance(16 * time.Minute)
	mustStatus(t, "after the hold", change(password), http.StatusSeeOther)
}

func TestMonCompteNeedsLogInAndCSRF(t *testing.T) {
	e := newEnv(t)
	anon := e.client()
	r := anon.get(pathA + "/mon-compte")
	mustStatus(t, "anonymous", r, http.StatusSeeOther)
	if !strings.HasSuffix(r.Location, "/connexion") {
		t.Errorf("anonymous sent to %q", r.Location)
	}
	p := e.linked("p@example.org")
	for _, action := range []string{"/mon-compte/email", "/mon-compte/telephone", "/mon-compte/mot-de-passe", "/mon-compte/agenda"} {
		r := p.Do(http.MethodPost, pathA+action, url.Values{"nouvel_email": {"x@example.org"}, "telephone": {"0612345678"}})
		mustStatus(t, action+" without CSRF", r, http.StatusForbidden)
	}
}
