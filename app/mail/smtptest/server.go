// Package smtptest is an in-process SMTP server for tests: it records the
// messages it receives (with their text and HTML parts decoded), can refuse
// mail on demand, and can be stopped and restarted on the same port to
// simulate an outage.
//
//	srv := smtptest.Start(t)
//	// configure the code under test with srv.Host(), srv.Port(), SMTP_TLS=none
//	msgs := srv.Wait(t, 1, 5*time.Second)
package smtptest

import (
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Option configures a Server.
type Option func(*Server)

// WithSTARTTLS offers STARTTLS with a self-signed certificate (see ClientTLSConfig).
func WithSTARTTLS() Option { return func(s *Server) { s.startTLS = true } }

// WithImplicitTLS speaks TLS from the first byte, like port 465 (see ClientTLSConfig).
func WithImplicitTLS() Option { return func(s *Server) { s.implicitTLS = true } }

// WithAuth requires AUTH PLAIN with these credentials before MAIL FROM.
func WithAuth(username, password string) Option {
	return func(s *Server) { s.username, s.password = username, password }
}

// Server is a running test SMTP server.
type Server struct {
	startTLS, implicitTLS bool
	username, password    string
	tlsConfig             *tls.Config
	clientTLS             *tls.Config
	addr                  string // fixed after the first listen, reused by Restart

	mu          sync.Mutex
	srv         *smtp.Server
	ln          net.Listener
	messages    []Message
	changed     chan struct{} // closed and replaced when messages changes
	sessions    int
	rejectAll   *smtp.SMTPError
	rejectRcpts map[string]*smtp.SMTPError
}

// Start runs a server on 127.0.0.1 on a free port; it is closed when the test ends.
func Start(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s := &Server{changed: make(chan struct{}), rejectRcpts: make(map[string]*smtp.SMTPError), addr: "127.0.0.1:0"}
	for _, o := range opts {
		o(s)
	}
	if s.startTLS || s.implicitTLS {
		var err error
		if s.tlsConfig, s.clientTLS, err = selfSigned(); err != nil {
			tb.Fatalf("smtptest: certificate: %v", err)
		}
	}
	if err := s.listen(); err != nil {
		tb.Fatalf("smtptest: %v", err)
	}
	tb.Cleanup(s.Stop)
	return s
}

func (s *Server) listen() error {
	l, err := net.Listen("tcp", s.addr)
	if err != nil {
		return err
	}
	if s.implicitTLS {
		l = tls.NewListener(l, s.tlsConfig)
	}
	srv := smtp.NewServer(backend{s})
	srv.Domain = "smtptest.localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.MaxMessageBytes = 10 << 20
	srv.AllowInsecureAuth = !s.startTLS && !s.implicitTLS
	srv.ErrorLog = log.New(io.Discard, "", 0)
	if s.startTLS {
		srv.TLSConfig = s.tlsConfig
	}
	s.mu.Lock()
	s.addr = l.Addr().String()
	s.srv, s.ln = srv, l
	s.mu.Unlock()
	go srv.Serve(l) //nolint:errcheck // returns when Stop closes the server
	return nil
}

// Addr is host:port.
func (s *Server) Addr() string { return s.addr }

// Host is the listening IP address.
func (s *Server) Host() string { h, _, _ := net.SplitHostPort(s.addr); return h }

// Port is the listening port.
func (s *Server) Port() int {
	_, p, _ := net.SplitHostPort(s.addr)
	n, _ := strconv.Atoi(p)
	return n
}

// ClientTLSConfig trusts the server's self-signed certificate (nil without TLS).
func (s *Server) ClientTLSConfig() *tls.Config {
	if s.clientTLS == nil {
		return nil
	}
	return s.clientTLS.Clone()
}

// Stop closes the listener and every open connection: the server is "down".
func (s *Server) Stop() {
	s.mu.Lock()
	srv, ln := s.srv, s.ln
	s.srv, s.ln = nil, nil
	s.mu.Unlock()
	if srv != nil {
		_ = ln.Close() // Serve may not have registered it with srv yet
		_ = srv.Close()
	}
}

// Restart listens again on the same port after Stop: the server is "back".
func (s *Server) Restart() error {
	s.mu.Lock()
	running := s.srv != nil
	s.mu.Unlock()
	if running {
		return errors.New("smtptest: server is running")
	}
	var err error
	for range 50 { // the port may take a moment to be free again
		if err = s.listen(); err == nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return err
}

// Reject answers every MAIL FROM with code (e.g. 421 or 451 temporary, 554 permanent).
func (s *Server) Reject(code int, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejectAll = smtpError(code, message)
}

// RejectRecipient answers RCPT TO for addr with code (e.g. 550 "no such user").
func (s *Server) RejectRecipient(addr string, code int, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejectRcpts[strings.ToLower(addr)] = smtpError(code, message)
}

// Accept lifts every rejection.
func (s *Server) Accept() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejectAll = nil
	s.rejectRcpts = make(map[string]*smtp.SMTPError)
}

func smtpError(code int, message string) *smtp.SMTPError {
	return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{code / 100, 0, 0}, Message: message}
}

// Messages returns a copy of every message received so far, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Sessions is the number of SMTP connections accepted so far.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions
}

// Reset forgets the messages received so far.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = nil
	close(s.changed)
	s.changed = make(chan struct{})
}

// Wait returns the messages once at least n have arrived, failing the test after timeout.
func (s *Server) Wait(tb testing.TB, n int, timeout time.Duration) []Message {
	tb.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		msgs, changed := append([]Message(nil), s.messages...), s.changed
		s.mu.Unlock()
		if len(msgs) >= n {
			return msgs
		}
		select {
		case <-changed:
		case <-deadline.C:
			tb.Fatalf("smtptest: got %d messages after %s, want %d", len(msgs), timeout, n)
			return nil
		}
	}
}

func (s *Server) record(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = append(s.messages, m)
	close(s.changed)
	s.changed = make(chan struct{})
}

type backend struct{ s *Server }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) {
	b.s.mu.Lock()
	b.s.sessions++
	b.s.mu.Unlock()
	return &session{s: b.s, authed: b.s.username == ""}, nil
}

type session struct {
	s      *Server
	authed bool
	from   string
	to     []string
}

func (ss *session) AuthMechanisms() []string {
	if ss.s.username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, password string) error {
		if username != ss.s.username || password != ss.s.password {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "bad credentials"}
		}
		ss.authed = true
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if !ss.authed {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "authentication required"}
	}
	ss.s.mu.Lock()
	rej := ss.s.rejectAll
	ss.s.mu.Unlock()
	if rej != nil {
		return rej
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.s.mu.Lock()
	rej := ss.s.rejectRcpts[strings.ToLower(to)]
	ss.s.mu.Unlock()
	if rej != nil {
		return rej
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := parse(raw)
	m.EnvelopeFrom, m.EnvelopeTo = ss.from, append([]string(nil), ss.to...)
	ss.s.record(m)
	return nil
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }
