package main

import (
	"flag"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"espacefamille/app/platform"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// option is one configuration value: its flag, its environment variable,
// its default and its validation.
type option struct {
	flag, env, def, usage string
	check                 func(string) error
}

// options is the one table of configuration shared by the subcommands.
var options = map[string]option{
	"data":       {"data", "ESPACEFAMILLE_DATA", "./data", "data directory (platform.db and communes/)", nonEmpty},
	"addr":       {"addr", "ESPACEFAMILLE_ADDR", ":8080", "listen address", nonEmpty},
	"cache-size": {"cache-size", "ESPACEFAMILLE_CACHE_SIZE", "auto", "maximum number of commune databases kept open (auto: from the file-descriptor limit and memory)", autoOrPositiveInt},
	"public-url": {"public-url", "ESPACEFAMILLE_PUBLIC_URL", "", "public base URL used in emails (default http://localhost<addr>)", httpURL},
	"log-level":  {"log-level", "ESPACEFAMILLE_LOG_LEVEL", "info", "log level: debug, info, warn, error", logLevel},
	"log-format": {"log-format", "ESPACEFAMILLE_LOG_FORMAT", "text", "log format: text or json", oneOf("text", "json")},
	"trusted-proxies": {"trusted-proxies", "ESPACEFAMILLE_TRUSTED_PROXIES", "",
		"comma-separated IPs or CIDRs of the reverse proxies whose X-Forwarded-For/-Proto/-Host are believed (default none)", proxyList},
	"platform-host": {"platform-host", "ESPACEFAMILLE_PLATFORM_HOST", "",
		"the platform's own host name: the provider's console (/plateforme/) is served there only (default: any host that is no commune's)", hostName},
	"backup-dir": {"backup-dir", "ESPACEFAMILLE_BACKUP_DIR", "",
		"directory of the daily backups (communes changed since their last backup, and the platform database); empty: no scheduled backup", nil},
	"backup-at": {"backup-at", "ESPACEFAMILLE_BACKUP_AT", "02:30", "hour of the daily backup, HH:MM Europe/Paris", backupAt},
	"backup-retention": {"backup-retention", "ESPACEFAMILLE_BACKUP_RETENTION", "30",
		"days a backup is kept (each commune's newest is always kept)", positiveInt},
	"archive-retention": {"archive-retention", "ESPACEFAMILLE_ARCHIVE_RETENTION", "365",
		"days an archived or deleted commune's final backup (and data) is kept before it is deleted for good", positiveInt},
	"totp-key": {"totp-key", "ESPACEFAMILLE_TOTP_KEY", "",
		"key sealing the console administrators' TOTP secrets at rest: 32 random bytes in base64 (head -c 32 /dev/urandom | base64); prefer the environment or --totp-key-file to a flag", totpKey},
	"totp-key-file": {"totp-key-file", "ESPACEFAMILLE_TOTP_KEY_FILE", "",
		"file holding the TOTP key (used when --totp-key is empty)", nil},
	"metrics-addr": {"metrics-addr", "ESPACEFAMILLE_METRICS_ADDR", "",
		"listen address of the Prometheus /metrics endpoint, e.g. 127.0.0.1:9090; empty: off", nil},
	"replica-url": {"replica-url", "ESPACEFAMILLE_REPLICA_URL", "",
		"replicate every open commune file and the platform database continuously (Litestream) to file:///DIR or s3://BUCKET/PREFIX?endpoint=URL; empty: off", replicaURL},
	"platform-dsn": {"platform-dsn", "ESPACEFAMILLE_PLATFORM_DSN", "",
		"keep the platform store (communes, host names, accounts, memberships, console) in this PostgreSQL database, shared by several nodes: postgres://USER:PASSWORD@HOST:PORT/DB?sslmode=…; prefer the environment to a flag (the password); empty: <data>/platform.db", platformDSN},
	"allow-simulator": {"allow-simulator", "ESPACEFAMILLE_ALLOW_SIMULATOR", "false",
		"offer the built-in payment simulator outside the demo (it validates bookings without any money: test and staging nodes only)", boolean},
}

// boolOptions are the options given as a bare flag (--allow-simulator) or
// with a value (--allow-simulator=false, ESPACEFAMILLE_ALLOW_SIMULATOR=1).
var boolOptions = map[string]bool{"allow-simulator": true}

// boolValue is a string-backed flag.Value that may stand alone.
type boolValue struct{ s *string }

func (b boolValue) String() string {
	if b.s == nil {
		return ""
	}
	return *b.s
}
func (b boolValue) Set(v string) error { *b.s = v; return boolean(v) }
func (b boolValue) IsBoolFlag() bool   { return true }

func boolean(s string) error {
	if _, err := strconv.ParseBool(s); err != nil {
		return fmt.Errorf("must be true or false (1 or 0), got %q", s)
	}
	return nil
}

// isTrue reads a validated boolean option.
func isTrue(s string) bool { v, _ := strconv.ParseBool(s); return v }

// bind declares the named options on fs, defaulting from the environment.
func bind(fs *flag.FlagSet, getenv func(string) string, names ...string) map[string]*string {
	out := map[string]*string{}
	for _, n := range names {
		o := options[n]
		def := o.def
		if v := getenv(o.env); v != "" {
			def = v
		}
		usage := fmt.Sprintf("%s (env %s)", o.usage, o.env)
		if boolOptions[n] {
			v := def
			fs.Var(boolValue{&v}, o.flag, usage)
			out[n] = &v
			continue
		}
		out[n] = fs.String(o.flag, def, usage)
	}
	return out
}

// validate checks every bound option.
func validate(vals map[string]*string) error {
	for n, v := range vals {
		if options[n].check == nil {
			continue
		}
		if err := options[n].check(*v); err != nil {
			return fmt.Errorf("--%s: %w", n, err)
		}
	}
	return nil
}

func nonEmpty(s string) error {
	if strings.TrimSpace(s) == "" {
		return fmt.Errorf("must not be empty")
	}
	return nil
}

func totpKey(s string) error {
	if s == "" {
		return nil
	}
	_, err := platform.ParseSecretKey(s)
	return err
}

func backupAt(s string) error {
	_, _, err := tenants.ParseBackupAt(s)
	return err
}

func replicaURL(s string) error {
	if s == "" {
		return nil
	}
	_, err := tenants.ValidateReplicaURL(s)
	return err
}

func platformDSN(s string) error {
	if s == "" || tenants.IsPostgresDSN(s) {
		return nil
	}
	return fmt.Errorf("must be a postgres:// or postgresql:// URL (or empty for <data>/platform.db)")
}

func positiveInt(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 1_000_000 {
		return fmt.Errorf("must be a whole number between 1 and 1000000, got %q", s)
	}
	return nil
}

func autoOrPositiveInt(s string) error {
	if s == "auto" {
		return nil
	}
	if positiveInt(s) != nil {
		return fmt.Errorf("must be auto or a whole number between 1 and 1000000, got %q", s)
	}
	return nil
}

func httpURL(s string) error {
	if s == "" || strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") {
		return nil
	}
	return fmt.Errorf("must start with http:// or https://, got %q", s)
}

func proxyList(s string) error {
	_, err := web.ParseTrustedProxies([]string{s})
	return err
}

// splitList turns a comma-separated option into its non-empty items.
func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func logLevel(s string) error {
	var l slog.Level
	return l.UnmarshalText([]byte(s))
}

func oneOf(vals ...string) func(string) error {
	return func(s string) error {
		for _, v := range vals {
			if s == v {
				return nil
			}
		}
		return fmt.Errorf("must be one of %s, got %q", strings.Join(vals, ", "), s)
	}
}

func hostName(s string) error {
	if s == "" {
		return nil
	}
	_, err := tenants.NormalizeHost(s)
	return err
}

// normalHost is a validated host option, normalised ("" stays "").
func normalHost(s string) string {
	h, _ := tenants.NormalizeHost(s)
	if s == "" {
		return ""
	}
	return h
}
