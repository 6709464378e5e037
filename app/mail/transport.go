package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Outgoing is one claimed outbox row handed to a Transport.
type Outgoing struct {
	Source    string // the source (database) name, part of the Message-ID
	ID        int64  // the outbox row id
	Kind      string
	To        string
	ToName    string
	FromName  string
	Subject   string
	Text      string
	HTML      string
	Attempt   int       // 1 for the first try
	CreatedAt time.Time // the Date header
	// Unsubscribe is the one-click unsubscribe URL (RFC 8058), "" for
	// an email that is not a notification.
	Unsubscribe string
}

// Transport delivers a batch of messages, over one connection where it can.
//
// Send returns one error per message, in order (nil = delivered; wrap with
// PermanentError when retrying cannot help), or a non-nil batch error when
// nothing was delivered because the server could not be reached or refused
// the session (dial, TLS, authentication). A batch error is always temporary.
type Transport interface {
	Send(ctx context.Context, batch []Outgoing) ([]error, error)
}

type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// PermanentError marks err as a delivery failure that no retry will fix.
func PermanentError(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// IsPermanent reports whether err was marked by PermanentError.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// MessageID is the Message-ID (without angle brackets) of an outbox row: the
// same row always gets the same id, so a duplicate delivery is recognisable.
// created is part of it because SQLite may reuse the id of a purged last row.
func MessageID(source string, id int64, created time.Time, domain string) string {
	return fmt.Sprintf("outbox.%d.%d.%s@%s", id, created.Unix(), sanitizeIDPart(source), domain)
}

// sanitizeIDPart keeps a source name within the dot-atom characters of a Message-ID.
func sanitizeIDPart(s string) string {
	if s == "" {
		return "unnamed"
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return '-'
	}, s)
}

// Mailbox is the demo transport: it delivers nothing over the network, and the
// outbox row, marked 'sent', is the mailbox the demo page reads (see List).
type Mailbox struct{}

// Send accepts every message.
func (Mailbox) Send(_ context.Context, batch []Outgoing) ([]error, error) {
	return make([]error, len(batch)), nil
}

// NewTransport returns the SMTP transport for an enabled cfg, and the Mailbox otherwise.
func NewTransport(cfg Config) (Transport, error) {
	if !cfg.Enabled() {
		return Mailbox{}, nil
	}
	return NewSMTP(cfg)
}

// SMTP is the go-mail transport.
type SMTP struct {
	cfg Config
}

// NewSMTP validates cfg and returns an SMTP transport; each Send opens one connection.
func NewSMTP(cfg Config) (*SMTP, error) {
	if !cfg.Enabled() {
		return nil, errors.New("mail: SMTP transport needs SMTP_HOST")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	if _, err := newClient(cfg, nil); err != nil { // catch option errors at start-up
		return nil, err
	}
	return &SMTP{cfg: cfg}, nil
}

// newClient builds a go-mail client for one connection. dialed receives the raw
// connection so that Send can close it when the handshake fails after the dial
// (go-mail leaves it open then).
func newClient(cfg Config, dialed *net.Conn) (*gomail.Client, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.TLSConfig != nil {
		tc = cfg.TLSConfig.Clone()
	}
	if tc.ServerName == "" {
		tc.ServerName = cfg.Host
	}
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		nd := &net.Dialer{}
		var (
			c   net.Conn
			err error
		)
		if cfg.TLS == TLSImplicit {
			c, err = (&tls.Dialer{NetDialer: nd, Config: tc}).DialContext(ctx, network, addr)
		} else {
			c, err = nd.DialContext(ctx, network, addr)
		}
		if dialed != nil {
			*dialed = c
		}
		return c, err
	}
	opts := []gomail.Option{
		gomail.WithPort(cfg.Port),
		gomail.WithTimeout(cfg.Timeout),
		gomail.WithTLSConfig(tc),
		gomail.WithDialContextFunc(dial),
	}
	switch cfg.TLS {
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL()) // the dialer already speaks TLS: no STARTTLS
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if cfg.Username != "" {
		// PLAIN and LOGIN refuse to run unencrypted (except to localhost);
		// SMTP_TLS=none with credentials is the operator's explicit choice.
		mechs := []gomail.SMTPAuthType{gomail.SMTPAuthPlain, gomail.SMTPAuthLogin}
		if cfg.TLS == TLSNone {
			mechs = []gomail.SMTPAuthType{gomail.SMTPAuthPlainNoEnc, gomail.SMTPAuthLoginNoEnc}
		}
		opts = append(opts,
			gomail.WithOpportunisticSMTPAuth(mechs...),
			gomail.WithUsername(cfg.Username),
			gomail.WithPassword(cfg.Password))
	}
	c, err := gomail.NewClient(cfg.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("mail: SMTP client: %w", err)
	}
	return c, nil
}

// Send delivers the batch over one SMTP connection.
func (t *SMTP) Send(ctx context.Context, batch []Outgoing) ([]error, error) {
	errs := make([]error, len(batch))
	msgs := make([]*gomail.Msg, 0, len(batch))
	index := make([]int, 0, len(batch)) // msgs[k] is batch[index[k]]
	for i, o := range batch {
		m, err := t.build(o)
		if err != nil {
			errs[i] = PermanentError(err)
			continue
		}
		msgs = append(msgs, m)
		index = append(index, i)
	}
	if len(msgs) == 0 {
		return errs, nil
	}
	var raw net.Conn
	client, err := newClient(t.cfg, &raw)
	if err != nil {
		return nil, err
	}
	conn, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		if raw != nil {
			_ = raw.Close()
		}
		return nil, fmt.Errorf("connect to %s:%d: %w", t.cfg.Host, t.cfg.Port, err)
	}
	batchErr := client.SendWithSMTPClient(conn, msgs...)
	_ = client.CloseWithSMTPClient(conn) // delivered messages stay delivered even if QUIT fails
	for k, m := range msgs {
		errs[index[k]] = deliveryError(m, batchErr)
	}
	return errs, nil
}

// deliveryError classifies the fate of one message after SendWithSMTPClient.
func deliveryError(m *gomail.Msg, batchErr error) error {
	if m.IsDelivered() { // accepted at the end of DATA: a later RSET failure does not matter
		return nil
	}
	err := m.SendError()
	if err == nil {
		// The connection check before the batch failed; nothing was attempted.
		if batchErr == nil {
			batchErr = errors.New("not delivered")
		}
		return batchErr
	}
	var se *gomail.SendError
	if errors.As(err, &se) && !se.IsTemp() && se.ErrorCode() >= 500 &&
		(se.Reason == gomail.ErrSMTPRcptTo || se.Reason == gomail.ErrSMTPDataClose) {
		return PermanentError(err)
	}
	return err
}

func (t *SMTP) build(o Outgoing) (*gomail.Msg, error) {
	m := gomail.NewMsg()
	fromName := o.FromName
	if fromName == "" {
		fromName = t.cfg.FromName
	}
	if err := m.FromFormat(fromName, t.cfg.From); err != nil {
		return nil, fmt.Errorf("sender address: %w", err)
	}
	if err := m.AddToFormat(o.ToName, o.To); err != nil {
		return nil, fmt.Errorf("recipient address: %w", err)
	}
	m.Subject(o.Subject)
	m.SetMessageIDWithValue(MessageID(o.Source, o.ID, o.CreatedAt, t.cfg.domain()))
	m.SetDateWithValue(o.CreatedAt)
	m.SetGenHeader("Auto-Submitted", "auto-generated")
	if o.Unsubscribe != "" {
		// RFC 8058: the URL takes a POST without log-in; mail clients
		// show "Se désabonner" and post List-Unsubscribe=One-Click.
		m.SetGenHeader(gomail.HeaderListUnsubscribe, "<"+o.Unsubscribe+">")
		m.SetGenHeader(gomail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
	}
	m.SetBodyString(gomail.TypeTextPlain, o.Text)
	if o.HTML != "" {
		m.AddAlternativeString(gomail.TypeTextHTML, o.HTML)
	}
	return m, nil
}
