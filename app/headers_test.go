package app_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Every response carries the security headers: pages, errors, static
// files, the health check, a refused form, and the errors fasthttp raises
// before any middleware runs (a body over the limit).
func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	f := newFixture(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go f.srv.App.Listener(ln)
	t.Cleanup(func() { f.srv.App.ShutdownWithTimeout(5 * time.Second) })
	base := "http://" + ln.Addr().String()
	for _, tc := range []struct {
		method, path, ctype string
		body                []byte
		status              int
	}{
		{"GET", "/alpha/", "", nil, 200},
		{"GET", "/alpha/connexion", "", nil, 200},
		{"GET", "/alpha/famille/reservations", "", nil, 303},
		{"GET", "/alpha/nulle-part", "", nil, 404},
		{"GET", "/inconnue/", "", nil, 404},
		{"GET", "/static/style.css", "", nil, 200},
		{"GET", "/static/agenda.js", "", nil, 200},
		{"GET", "/healthz", "", nil, 200},
		{"POST", "/alpha/connexion", "application/x-www-form-urlencoded", []byte("identifiant=a%40b.fr&mot_de_passe=x"), 403},
		{"POST", "/alpha/connexion", "application/x-www-form-urlencoded", bytes.Repeat([]byte("a"), 9<<20), 413},
	} {
		req, _ := http.NewRequest(tc.method, base+tc.path, bytes.NewReader(tc.body))
		req.Header.Set("Accept", "text/html")
		if tc.ctype != "" {
			req.Header.Set("Content-Type", tc.ctype)
		}
		var resp *http.Response
		if tc.status == 413 { // announce the body only: the server answers from the headers
			resp, err = announceOnly(base, req, len(tc.body))
		} else {
			resp, err = (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		}
		if err != nil {
			t.Fatalf("%s %s: %v", tc.method, tc.path, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s %s: status %d, want %d", tc.method, tc.path, resp.StatusCode, tc.status)
		}
		for h, want := range map[string]string{
			"Content-Security-Policy": "script-src 'self'",
			"X-Content-Type-Options":  "nosniff",
			"X-Frame-Options":         "DENY",
			"Referrer-Policy":         "same-origin",
		} {
			if got := resp.Header.Get(h); !strings.Contains(got, want) {
				t.Errorf("%s %s (%d): %s = %q, want %q", tc.method, tc.path, resp.StatusCode, h, got, want)
			}
		}
		if resp.StatusCode >= 400 && (strings.Contains(string(b), "sql") || strings.Contains(string(b), "goroutine")) {
			t.Errorf("%s %s: the error page leaks internals:\n%s", tc.method, tc.path, b)
		}
	}
}

// announceOnly sends req's headers with a Content-Length of n and no body,
// and reads the answer.
func announceOnly(base string, req *http.Request, n int) (*http.Response, error) {
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: %s\r\nAccept: text/html\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n",
		req.Method, req.URL.RequestURI(), req.URL.Host, req.Header.Get("Content-Type"), n)
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		return nil, err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp, nil
}
