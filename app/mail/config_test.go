package mail_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"espacefamille/app/mail"
)

func TestConfigFromEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     map[string]string
		want    mail.Config
		wantErr []string // substrings of the error
	}{
		{name: "nothing set: demo mailbox", env: nil, want: mail.Config{}},
		{name: "host and from: STARTTLS on 587",
			env:  map[string]string{"SMTP_HOST": "smtp.example.org", "SMTP_FROM": "noreply@example.org"},
			want: mail.Config{Host: "smtp.example.org", Port: 587, From: "noreply@example.org", TLS: mail.TLSStartTLS, Timeout: mail.DefaultTimeout}},
		{name: "implicit TLS defaults to 465",
			env:  map[string]string{"SMTP_HOST": "smtp.example.org", "SMTP_FROM": "noreply@example.org", "SMTP_TLS": "TLS"},
			want: mail.Config{Host: "smtp.example.org", Port: 465, From: "noreply@example.org", TLS: mail.TLSImplicit, Timeout: mail.DefaultTimeout}},
		{name: "no TLS defaults to 25, explicit port wins elsewhere",
			env:  map[string]string{"SMTP_HOST": "localhost", "SMTP_FROM": "noreply@example.org", "SMTP_TLS": "none"},
			want: mail.Config{Host: "localhost", Port: 25, From: "noreply@example.org", TLS: mail.TLSNone, Timeout: mail.DefaultTimeout}},
		{name: "from with a display name, credentials, explicit port",
			env: map[string]string{"SMTP_HOST": "smtp.example.org", "SMTP_PORT": "2525", "SMTP_FROM": "Espace Famille <noreply@example.org>",
				"SMTP_USERNAME": "user", "SMTP_PASSWORD": " secret with spaces "},
			want: mail.Config{Host: "smtp.example.org", Port: 2525, From: "noreply@example.org", FromName: "Espace Famille",
				Username: "user", Password: " secret with spaces ", TLS: mail.TLSStartTLS, Timeout: mail.DefaultTimeout}},
		{name: "host without from", env: map[string]string{"SMTP_HOST": "smtp.example.org"},
			wantErr: []string{"SMTP_FROM is required"}},
		{name: "bad values reported together",
			env:     map[string]string{"SMTP_HOST": "smtp.example.org:587", "SMTP_FROM": "noreply@example.org", "SMTP_TLS": "ssl", "SMTP_USERNAME": "u"},
			wantErr: []string{"SMTP_HOST", "SMTP_TLS", "SMTP_PASSWORD is empty"}},
		{name: "port not a number", env: map[string]string{"SMTP_HOST": "h", "SMTP_FROM": "a@b.fr", "SMTP_PORT": "smtp"},
			wantErr: []string{"SMTP_PORT"}},
		{name: "port out of range", env: map[string]string{"SMTP_HOST": "h", "SMTP_FROM": "a@b.fr", "SMTP_PORT": "70000"},
			wantErr: []string{"SMTP_PORT"}},
		{name: "from not an address", env: map[string]string{"SMTP_HOST": "h", "SMTP_FROM": "mairie"},
			wantErr: []string{"SMTP_FROM"}},
		{name: "settings without a host", env: map[string]string{"SMTP_FROM": "a@b.fr", "SMTP_PASSWORD": "x"},
			wantErr: []string{"SMTP_HOST is empty", "SMTP_PASSWORD", "SMTP_FROM"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := mail.ConfigFromEnv(func(k string) string { return tt.env[k] })
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatalf("no error, config %+v", got)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not mention %q", err, w)
					}
				}
				if strings.Contains(err.Error(), "secret") {
					t.Errorf("error leaks the password: %q", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
			if got.Enabled() != (tt.want.Host != "") {
				t.Errorf("Enabled() = %v", got.Enabled())
			}
		})
	}
}

func TestConfigLogValueHidesPassword(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	cfg := mail.Config{Host: "smtp.example.org", From: "a@example.org", Username: "u", Password: "hunter2"}
	slog.New(slog.NewTextHandler(&buf, nil)).Info("config", "smtp", cfg)
	if strings.Contains(buf.String(), "hunter2") || !strings.Contains(buf.String(), "smtp.example.org") {
		t.Errorf("log line = %q", buf.String())
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	want := map[int]time.Duration{1: 30 * time.Second, 2: time.Minute, 3: 2 * time.Minute, 4: 4 * time.Minute,
		7: 32 * time.Minute, 8: time.Hour, 12: time.Hour, 100: time.Hour}
	for n, w := range want {
		if got := mail.Backoff(n); got != w {
			t.Errorf("Backoff(%d) = %v, want %v", n, got, w)
		}
	}
}
