package platform_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"espacefamille/app"
	"espacefamille/app/apptest"
	"espacefamille/app/platform"
)

const testTOTPKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" // 32 bytes, base64

func TestParseSecretKey(t *testing.T) {
	for _, tc := range []struct {
		story, key string
		ok         bool
	}{
		{"32 bytes in standard base64", testTOTPKey, true},
		{"with a trailing newline, as read from a file", testTOTPKey + "\n", true},
		{"16 bytes is too short for AES-256", "MDEyMzQ1Njc4OWFiY2RlZg==", false},
		{"not base64", "pas une clé !", false},
	} {
		t.Run(tc.story, func(t *testing.T) {
			if _, err := platform.ParseSecretKey(tc.key); (err == nil) != tc.ok {
				t.Fatalf("ParseSecretKey: %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

// With a key, the enrolled secret is stored sealed and log-in with TOTP
// still works; a secret stored in clear before the key (an older
// installation) is sealed by EncryptTOTPSecrets and still opens; without
// the key, sealed secrets are refused rather than read.
func TestTOTPSecretsSealedAtRest(t *testing.T) {
	key, err := platform.ParseSecretKey(testTOTPKey)
	if err != nil {
		t.Fatal(err)
	}
	env := apptest.New(t, apptest.AppConfig(func(c *app.Config) { c.TOTPKey = key }))
	ctx := context.Background()
	ep := enrol(t, env)
	stored := env.Text("", `SELECT totp_secret FROM provider_admins`)
	if !strings.HasPrefix(stored, "v1:") || strings.Contains(stored, ep.secret) {
		t.Fatalf("stored secret %q is not sealed", stored)
	}
	login := func(at time.Time) int {
		c := env.Client(t, apptest.BrowserCookies())
		c.Get("/plateforme/connexion")
		c.Post("/plateforme/connexion", url.Values{"email": {providerEmail}, "password": {providerPassword}})
		c.Get("/plateforme/double-authentification")
		code, _ := totp.GenerateCode(ep.secret, at)
		return c.Post("/plateforme/double-authentification", url.Values{"code": {code}}).Status
	}
	if st := login(time.Now().Add(30 * time.Second)); st != http.StatusSeeOther {
		t.Fatalf("log-in with a sealed secret: %d", st)
	}

	// An installation from before the key: the secret in clear.
	// (Its last used step forgotten, so that a code of this instant is new.)
	env.Exec("", `UPDATE provider_admins SET totp_secret = ?, totp_last_step = 0`, ep.secret)
	if n, err := platform.EncryptTOTPSecrets(ctx, env.Registry.Platform(), key); err != nil || n != 1 {
		t.Fatalf("encrypt: %d, %v; want 1", n, err)
	}
	if again := env.Text("", `SELECT totp_secret FROM provider_admins`); !strings.HasPrefix(again, "v1:") || again == stored {
		t.Fatalf("after encryption: %q", again)
	}
	if n, err := platform.EncryptTOTPSecrets(ctx, env.Registry.Platform(), key); err != nil || n != 0 {
		t.Fatalf("second run: %d, %v; want nothing to do", n, err)
	}
	if st := login(time.Now()); st != http.StatusSeeOther {
		t.Fatalf("log-in after the migration: %d", st)
	}
	if _, err := platform.EncryptTOTPSecrets(ctx, env.Registry.Platform(), nil); !errors.Is(err, platform.ErrNoTOTPKey) {
		t.Fatalf("sealed secrets without a key: %v, want ErrNoTOTPKey", err)
	}
}
