package main

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

// serve seals the console's TOTP secrets stored in clear when a key is
// configured, and refuses to start when sealed secrets have no key.
func TestServeSealsTOTPSecretsWithTheKey(t *testing.T) {
	data := t.TempDir()
	envv := map[string]string{"ESPACEFAMILLE_DATA": data}
	if code, out, errs := cli(t, envv, "commune", "create", "--slug", "mazan", "--name", "Commune de Mazan"); code != 0 {
		t.Fatalf("create: %d %s %s", code, out, errs)
	}
	if code, out, errs := cli(t, envv, "provider", "add-admin", "--email", "ops@hebergeur.example"); code != 0 {
		t.Fatalf("add-admin: %d %s %s", code, out, errs)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, "platform.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE provider_admins SET totp_secret = 'JBSWY3DPEHPK3PXP'`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	if code, _, errs := cli(t, map[string]string{"ESPACEFAMILLE_DATA": data, "ESPACEFAMILLE_TOTP_KEY": "trop court"}, "serve", "--addr", "127.0.0.1:0"); code != 2 ||
		!strings.Contains(errs, "32 random bytes") {
		t.Fatalf("bad key: %d %s", code, errs)
	}
	keyed := map[string]string{"ESPACEFAMILLE_DATA": data, "ESPACEFAMILLE_TOTP_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="}
	_, stop, logs := startServer(t, keyed, "serve", "--addr", "127.0.0.1:0")
	stop()
	if !strings.Contains(logs.String(), "TOTP secrets encrypted") {
		t.Errorf("no log line of the encryption:\n%s", logs.String())
	}
	db, _ = sql.Open("sqlite", "file:"+filepath.Join(data, "platform.db"))
	var stored string
	if err := db.QueryRow(`SELECT totp_secret FROM provider_admins`).Scan(&stored); err != nil || !strings.HasPrefix(stored, "v1:") {
		t.Fatalf("stored secret %q (%v), want sealed", stored, err)
	}
	db.Close()
	if code, _, errs := cli(t, envv, "serve", "--addr", "127.0.0.1:0"); code == 0 || !strings.Contains(errs, "no key is configured") {
		t.Fatalf("serve without the key: %d %s", code, errs)
	}
}
