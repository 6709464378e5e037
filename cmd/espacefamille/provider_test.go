package main

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"espacefamille/app/mail/smtptest"
)

var providerLink = regexp.MustCompile(`https?://\S+/plateforme/mot-de-passe/[A-Za-z0-9_-]{43}`)

// provider add-admin mails the set-password link when SMTP is set; the
// link leads to the console's password form, then its log-in.
func TestProviderAddAdminMailsTheLink(t *testing.T) {
	data := t.TempDir()
	srv := smtptest.Start(t)
	envv := map[string]string{"ESPACEFAMILLE_DATA": data, "SMTP_HOST": srv.Host(), "SMTP_PORT": strconv.Itoa(srv.Port()),
		"SMTP_FROM": "noreply@espacefamille.example", "SMTP_TLS": "none", "ESPACEFAMILLE_PLATFORM_HOST": "console.ef.example"}
	if code, out, errs := cli(t, envv, "commune", "create", "--slug", "mazan", "--name", "Commune de Mazan"); code != 0 {
		t.Fatalf("create: %d\n%s\n%s", code, out, errs)
	}
	code, out, errs := cli(t, envv, "provider", "add-admin", "--email", "Ops@Hebergeur.example")
	if code != 0 || !strings.Contains(out, "provider administrator ops@hebergeur.example: set-password link queued") || !strings.Contains(out, "mail: 1 sent") {
		t.Fatalf("add-admin: %d\n%s\n%s", code, out, errs)
	}
	if providerLink.MatchString(out) {
		t.Error("the link is printed although the mail was sent")
	}
	m := srv.Wait(t, 1, 5*time.Second)[0]
	link := providerLink.FindString(m.Text)
	if m.EnvelopeTo[0] != "ops@hebergeur.example" || !strings.HasPrefix(link, "https://console.ef.example/plateforme/mot-de-passe/") ||
		!strings.Contains(m.Text, "double authentification") {
		t.Fatalf("mail to %v:\n%s", m.EnvelopeTo, m.Text)
	}
	_, c, done := backOffice(t, data)
	defer done()
	u, _ := url.Parse(link)
	c.Host = "console.ef.example"
	if r := c.Submit(u.Path, u.Path, url.Values{"password": {"une phrase de passe solide"}, "password_confirmation": {"une phrase de passe solide"}}); r.Status != http.StatusSeeOther || r.Location != "/plateforme/connexion" {
		t.Fatalf("set password: %d → %q\n%s", r.Status, r.Location, r.Body)
	}
}

// Without SMTP the link is printed; an address already taken, a missing or
// malformed --email are refused with status 2.
func TestProviderAddAdminPrintsTheLinkAndRefusesBadArguments(t *testing.T) {
	data := t.TempDir()
	envv := map[string]string{"ESPACEFAMILLE_DATA": data, "ESPACEFAMILLE_PUBLIC_URL": "https://ef.example"}
	if code, out, errs := cli(t, envv, "commune", "create", "--slug", "mazan", "--name", "Commune de Mazan"); code != 0 {
		t.Fatalf("create: %d\n%s\n%s", code, out, errs)
	}
	code, out, errs := cli(t, envv, "provider", "add-admin", "--email", "ops@hebergeur.example")
	first := providerLink.FindString(out)
	if code != 0 || !strings.HasPrefix(first, "https://ef.example/plateforme/mot-de-passe/") {
		t.Fatalf("add-admin: %d\n%s\n%s", code, out, errs)
	}
	code, out, _ = cli(t, envv, "provider", "add-admin", "--email", "ops@hebergeur.example", "--reset")
	if second := providerLink.FindString(out); code != 0 || second == "" || second == first {
		t.Fatalf("add-admin --reset: %d\n%s", code, out)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"address taken", []string{"--email", "OPS@hebergeur.example"}, "--reset sends a new link"},
		{"no email", nil, "--email is required"},
		{"not an address", []string{"--email", "ops"}, "adresse email invalide"},
		{"reset of nobody", []string{"--email", "x@y.example", "--reset"}, "no provider administrator has the address"},
	} {
		code, _, errs := cli(t, envv, append([]string{"provider", "add-admin"}, tc.args...)...)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("%s: exit %d, stderr %q, want 2 and %q", tc.name, code, errs, tc.want)
		}
	}
}

// commune suspend|resume|rename|hosts change the registry as the console
// does and write the platform audit log; bad arguments exit with 2 and
// change nothing.
func TestCommuneSuspendResumeRenameHosts(t *testing.T) {
	data := t.TempDir()
	envv := map[string]string{"ESPACEFAMILLE_DATA": data, "ESPACEFAMILLE_PLATFORM_HOST": "console.ef.example"}
	if code, out, errs := cli(t, envv, "commune", "create", "--slug", "mazan", "--name", "Commune de Mazan"); code != 0 {
		t.Fatalf("create: %d\n%s\n%s", code, out, errs)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"suspend", "mazan"}, "Commune de Mazan (mazan): suspended"},
		{[]string{"resume", "mazan"}, "Commune de Mazan (mazan): active"},
		{[]string{"rename", "mazan", "--name", "Ville de Mazan"}, `mazan: renamed "Ville de Mazan"`},
		{[]string{"hosts", "mazan", "--host", "Famille.Mazan.example", "--host", "www.mazan.example"}, "mazan: host names: famille.mazan.example www.mazan.example"},
	} {
		if code, out, errs := cli(t, envv, append([]string{"commune"}, tc.args...)...); code != 0 || !strings.Contains(out, tc.want) {
			t.Errorf("commune %v: %d\n%s\n%s", tc.args, code, out, errs)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"suspend"}, "the commune's slug is required"},
		{[]string{"suspend", "inconnue"}, "inconnue"},
		{[]string{"rename", "mazan", "--name", " "}, "le nom de la commune est obligatoire"},
		{[]string{"hosts", "mazan", "--host", "console.ef.example"}, "c'est celui de la plateforme"},
		{[]string{"hosts", "mazan", "--host", "pas un hôte"}, "nom d'hôte invalide"},
		{[]string{"resume", "mazan", "extra"}, `unexpected argument "extra"`},
	} {
		if code, _, errs := cli(t, envv, append([]string{"commune"}, tc.args...)...); code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("commune %v: exit %d, stderr %q, want 2 and %q", tc.args, code, errs, tc.want)
		}
	}
	_, list, _ := cli(t, envv, "commune", "list")
	if !strings.Contains(list, "Ville de Mazan") || !strings.Contains(list, "active") {
		t.Errorf("list after the changes:\n%s", list)
	}
	e, _, done := backOffice(t, data)
	defer done()
	var n int
	if err := e.Registry.Platform().Reader().QueryRowContext(context.Background(), `SELECT count(*) FROM platform_audit WHERE actor = 'ligne de commande' AND commune = 'mazan'`).Scan(&n); err != nil || n != 4 {
		t.Errorf("audit lines of the command line: %d, %v; want 4", n, err)
	}
}
