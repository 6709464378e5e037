package mail

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strconv"
	"strings"
	"time"
)

// TLSMode is how the connection to the SMTP server is protected (SMTP_TLS).
type TLSMode string

// The values of SMTP_TLS.
const (
	TLSStartTLS TLSMode = "starttls" // plain connection upgraded by STARTTLS, which is mandatory (default)
	TLSImplicit TLSMode = "tls"      // TLS from the first byte ("SMTPS", usually port 465)
	TLSNone     TLSMode = "none"     // no TLS at all: a local relay, or the tests' server
)

// DefaultTimeout bounds the dial and each SMTP command.
const DefaultTimeout = 15 * time.Second

// Config is the SMTP configuration; the zero Config means "no SMTP" (demo mailbox).
type Config struct {
	Host     string
	Port     int
	Username string
	Password string
	From     string  // envelope and header sender address (bare address)
	FromName string  // display name used when an outbox row has none
	TLS      TLSMode // TLSStartTLS when empty
	Timeout  time.Duration
	// TLSConfig replaces the default TLS settings (system roots, ServerName = Host);
	// tests use it to trust their own certificate. Not read from the environment.
	TLSConfig *tls.Config
}

// Enabled reports whether real SMTP is configured; when false, mail goes to the built-in mailbox.
func (c Config) Enabled() bool { return c.Host != "" }

// ConfigFromEnv reads SMTP_HOST, SMTP_PORT, SMTP_USERNAME, SMTP_PASSWORD,
// SMTP_FROM and SMTP_TLS through getenv (os.Getenv in production) and validates them.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	get := func(k string) string { return strings.TrimSpace(getenv(k)) }
	c := Config{
		Host:     get("SMTP_HOST"),
		Username: get("SMTP_USERNAME"),
		Password: getenv("SMTP_PASSWORD"), // a password may legitimately contain spaces
		TLS:      TLSMode(strings.ToLower(get("SMTP_TLS"))),
	}
	if c.Host == "" {
		var set []string
		for _, k := range []string{"SMTP_PORT", "SMTP_USERNAME", "SMTP_PASSWORD", "SMTP_FROM", "SMTP_TLS"} {
			if getenv(k) != "" {
				set = append(set, k)
			}
		}
		if len(set) > 0 {
			return Config{}, fmt.Errorf("SMTP_HOST is empty but %s is set: set SMTP_HOST to send real mail, or unset them to use the built-in mailbox",
				strings.Join(set, ", "))
		}
		return Config{}, nil
	}
	var errs []error
	if v := get("SMTP_PORT"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("SMTP_PORT: %q is not a port number (1-65535)", v))
		}
		c.Port = p
	}
	if v := get("SMTP_FROM"); v != "" {
		a, err := mail.ParseAddress(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("SMTP_FROM: %q is not an email address (%v); use noreply@example.org or \"Name <noreply@example.org>\"", v, err))
		} else {
			c.From, c.FromName = a.Address, a.Name
		}
	}
	if len(errs) > 0 {
		return Config{}, errors.Join(errs...)
	}
	c = c.withDefaults()
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// withDefaults fills the TLS mode, the port that goes with it, and the timeout.
func (c Config) withDefaults() Config {
	if c.TLS == "" {
		c.TLS = TLSStartTLS
	}
	if c.Port == 0 {
		switch c.TLS {
		case TLSImplicit:
			c.Port = 465
		case TLSNone:
			c.Port = 25
		default:
			c.Port = 587
		}
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	return c
}

// Validate reports every configuration problem at once, naming the variables.
// A disabled Config (no host) is valid.
func (c Config) Validate() error {
	if !c.Enabled() {
		return nil
	}
	c = c.withDefaults()
	var errs []error
	if strings.ContainsAny(c.Host, ":/ ") {
		errs = append(errs, fmt.Errorf("SMTP_HOST: %q must be a bare host name (put the port in SMTP_PORT)", c.Host))
	}
	if c.Port < 1 || c.Port > 65535 {
		errs = append(errs, fmt.Errorf("SMTP_PORT: %d is not a port number (1-65535)", c.Port))
	}
	switch c.TLS {
	case TLSStartTLS, TLSImplicit, TLSNone:
	default:
		errs = append(errs, fmt.Errorf("SMTP_TLS: %q is not one of starttls, tls, none", string(c.TLS)))
	}
	if c.From == "" {
		errs = append(errs, errors.New("SMTP_FROM is required when SMTP_HOST is set"))
	} else if a, err := mail.ParseAddress(c.From); err != nil || a.Address != c.From {
		errs = append(errs, fmt.Errorf("SMTP_FROM: %q is not a bare email address", c.From))
	}
	if c.Username != "" && c.Password == "" {
		errs = append(errs, errors.New("SMTP_USERNAME is set but SMTP_PASSWORD is empty"))
	}
	if c.Username == "" && c.Password != "" {
		errs = append(errs, errors.New("SMTP_PASSWORD is set but SMTP_USERNAME is empty"))
	}
	return errors.Join(errs...)
}

// LogValue lets the configuration be logged without its password.
func (c Config) LogValue() slog.Value {
	if !c.Enabled() {
		return slog.GroupValue(slog.String("mode", "mailbox"))
	}
	c = c.withDefaults()
	return slog.GroupValue(
		slog.String("mode", "smtp"),
		slog.String("host", c.Host),
		slog.Int("port", c.Port),
		slog.String("tls", string(c.TLS)),
		slog.String("from", c.From),
		slog.Bool("auth", c.Username != ""),
	)
}

// domain is the part of From after the @, used in Message-IDs.
func (c Config) domain() string {
	if i := strings.LastIndexByte(c.From, '@'); i >= 0 && i < len(c.From)-1 {
		return c.From[i+1:]
	}
	return "espacefamille.invalid"
}
