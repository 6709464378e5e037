package main

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"espacefamille/app/demo"
	"espacefamille/app/families"
	"espacefamille/app/mail/smtptest"
	"espacefamille/tenants"
)

// demoData creates a data directory holding the demo commune and one more
// family without any email address.
func demoData(t *testing.T) string {
	t.Helper()
	data := t.TempDir()
	ctx := context.Background()
	reg, err := tenants.Open(ctx, tenants.Options{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	if _, err := demo.Ensure(ctx, reg, time.Now()); err != nil {
		t.Fatal(err)
	}
	err = reg.WithCommune(ctx, demo.Slug, func(db *tenants.DB) error {
		_, err := db.W.Exec(`INSERT INTO families (name, created_at) VALUES ('FAMILLE SANS MAIL', '2025-01-01T00:00:00Z')`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func codeStatus(t *testing.T, data, code string) string {
	t.Helper()
	ctx := context.Background()
	reg, err := tenants.Open(ctx, tenants.Options{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	var s string
	reg.WithCommune(ctx, demo.Slug, func(db *tenants.DB) error {
		return db.Reader().QueryRowContext(context.Background(), `SELECT status FROM adhesion_codes WHERE code_hash = ?`, families.HashCode(code)).Scan(&s)
	})
	return s
}

func TestFamilyInviteSendsTheCodeOverSMTP(t *testing.T) {
	data := demoData(t)
	srv := smtptest.Start(t)
	envv := map[string]string{"ESPACEFAMILLE_DATA": data, "SMTP_HOST": srv.Host(), "SMTP_PORT": strconv.Itoa(srv.Port()),
		"SMTP_FROM": "noreply@espacefamille.example", "SMTP_TLS": "none", "ESPACEFAMILLE_PUBLIC_URL": "https://espacefamille.example"}
	code, out, errs := cli(t, envv, "family", "invite", "--commune", demo.Slug, "--family", "1")
	if code != 0 || !strings.Contains(out, "FAMILLE X (n° 1): invitation queued for famille.x@example.org") || !strings.Contains(out, "mail: 1 sent") {
		t.Fatalf("invite: %d %q %q", code, out, errs)
	}
	msgs := srv.Wait(t, 1, 5*time.Second)
	m := msgs[0]
	if m.From.Name != "Commune de Malemort du Comtat" || m.EnvelopeTo[0] != "famille.x@example.org" {
		t.Errorf("from %v to %v", m.From, m.EnvelopeTo)
	}
	for _, want := range []string{
		"Bonjour FAMILLE X,",
		"pour les services de la collectivité Commune de Malemort du Comtat, afin de réaliser vos démarches. Pour cela, rendez-vous sur https://espacefamille.example/malemort-du-comtat/",
		"Si vous ne voyez pas le mail, pensez à vérifier dans les Spam.",
	} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("invitation lacks %q:\n%s", want, m.Text)
		}
	}
	got := regexp.MustCompile(`création de votre compte\): ([A-Z0-9]{10})`).FindStringSubmatch(m.Text)
	if got == nil {
		t.Fatalf("no code in:\n%s", m.Text)
	}
	if s := codeStatus(t, data, got[1]); s != "active" {
		t.Errorf("the emailed code is %q, want active", s)
	}
	if s := codeStatus(t, data, demo.AdhesionCode); s != "revoked" {
		t.Errorf("the replaced code is %q, want revoked", s)
	}
}

func TestFamilyInviteAllPendingReportsProgress(t *testing.T) {
	data := demoData(t)
	envv := map[string]string{"ESPACEFAMILLE_DATA": data}
	code, out, _ := cli(t, envv, "family", "invite", "--commune", demo.Slug, "--all-pending")
	// The demo's FAMILLE Y (n° 2, Lou's father in shared custody) is pending too.
	if code != 1 || !strings.Contains(out, "[1/3] FAMILLE X (n° 1): invitation queued") || !strings.Contains(out, "[2/3] FAMILLE Y (n° 2): invitation queued") ||
		!strings.Contains(out, "[3/3] family n° 3: NOT invited") || !strings.Contains(out, "summary: 2 invitation(s) queued, 1 failed (of 3 pending)") ||
		!strings.Contains(out, "SMTP_HOST is not set") {
		t.Fatalf("all-pending: %d\n%s", code, out)
	}
}

func TestFamilyInviteBadArguments(t *testing.T) {
	data := demoData(t)
	envv := map[string]string{"ESPACEFAMILLE_DATA": data}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no target", []string{"family", "invite", "--commune", demo.Slug}, "either --family ID or --all-pending"},
		{"both targets", []string{"family", "invite", "--commune", demo.Slug, "--family", "1", "--all-pending"}, "either --family ID or --all-pending"},
		{"no commune", []string{"family", "invite", "--family", "1"}, "--commune is required"},
		{"unknown commune", []string{"family", "invite", "--commune", "gordes", "--family", "1"}, "commune introuvable: gordes"},
		{"unknown family", []string{"family", "invite", "--commune", demo.Slug, "--family", "99"}, "famille introuvable"},
		{"family without email", []string{"family", "invite", "--commune", demo.Slug, "--family", "3"}, "pas d'adresse email"}, // n° 2 is the demo's FAMILLE Y
		{"bad SMTP config", []string{"family", "invite", "--commune", demo.Slug, "--family", "1"}, "SMTP_HOST is empty"},
		{"unknown subcommand", []string{"family", "delete"}, "unknown subcommand"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := envv
			if tc.name == "bad SMTP config" {
				e = map[string]string{"ESPACEFAMILLE_DATA": data, "SMTP_PORT": "25"}
			}
			code, _, errs := cli(t, e, tc.args...)
			if code != 2 || !strings.Contains(errs, tc.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, errs, tc.want)
			}
		})
	}
	if s := codeStatus(t, data, demo.AdhesionCode); s != "active" {
		t.Fatalf("a refused command changed the codes: %q", s)
	}
}
