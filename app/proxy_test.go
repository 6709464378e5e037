package app_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// loginIPKeys starts the application with the given trusted proxies on a
// loopback listener (so the TCP peer is 127.0.0.1), makes one failed
// log-in carrying xff as X-Forwarded-For, and returns the client-address
// throttle keys the failure was counted against.
func loginIPKeys(t *testing.T, proxies []string, xff string) []string {
	t.Helper()
	ctx := context.Background()
	reg, base := serveLoopback(t, proxies)
	base += "/alpha"

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method, path string, form url.Values) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(form.Encode()))
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		req.Header.Set("Accept", "text/html")
		if xff != "" {
			req.Header.Set("X-Forwarded-For", xff)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	_, page := do(http.MethodGet, "/connexion", nil)
	m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token on the log-in page:\n%s", page)
	}
	resp, _ := do(http.MethodPost, "/connexion", url.Values{"_csrf": {m[1]}, "identifiant": {"personne@example.org"}, "mot_de_passe": {"ce n'est pas le bon"}})
	if resp.StatusCode >= 500 || resp.StatusCode == http.StatusForbidden {
		t.Fatalf("log-in post: %d", resp.StatusCode)
	}
	rows, err := reg.Platform().Reader().QueryContext(ctx, `SELECT key FROM throttles WHERE key LIKE 'login:ip:%'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		rows.Scan(&k)
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Issue 3's rate limits count failures per client address: behind a
// trusted reverse proxy that address comes from X-Forwarded-For; from any
// other peer the header is ignored, so a client cannot spread its
// attempts over invented addresses.
func TestForwardedForOnlyFromTrustedProxies(t *testing.T) {
	for _, tc := range []struct {
		name    string
		proxies []string
		xff     string
		want    string
	}{
		{"no proxy configured: header ignored", nil, "203.0.113.7", "login:ip:127.0.0.1"},
		{"untrusted peer: header ignored", []string{"10.0.0.0/8"}, "203.0.113.7", "login:ip:127.0.0.1"},
		{"trusted peer: client from the header", []string{"127.0.0.1"}, "203.0.113.7", "login:ip:203.0.113.7"},
		{"trusted range", []string{"10.0.0.0/8", "127.0.0.0/8"}, "203.0.113.7", "login:ip:203.0.113.7"},
		// nginx appends: what the client sent stays on the left.
		{"appending proxy: client's own entry ignored", []string{"127.0.0.1"}, "198.51.100.1, 203.0.113.7", "login:ip:203.0.113.7"},
		{"chain of trusted proxies skipped", []string{"127.0.0.1", "10.0.0.0/8"}, "198.51.100.1, 203.0.113.7, 10.1.2.3", "login:ip:203.0.113.7"},
		{"garbage header: the peer", []string{"127.0.0.1"}, "pas-une-adresse", "login:ip:127.0.0.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			keys := loginIPKeys(t, tc.proxies, tc.xff)
			if len(keys) != 1 || keys[0] != tc.want {
				t.Fatalf("throttle keys %v, want [%s]", keys, tc.want)
			}
		})
	}
}

// Cookies are Secure when the request came over TLS, which a trusted
// proxy tells with X-Forwarded-Proto; nobody else can claim it (app.Test's
// peer is 0.0.0.0).
func TestForwardedProtoOnlyFromTrustedProxies(t *testing.T) {
	for _, tc := range []struct {
		proxies []string
		secure  bool
	}{{nil, false}, {[]string{"10.0.0.0/8"}, false}, {[]string{"0.0.0.0"}, true}} {
		reg, srv := newAlphaApp(t, tc.proxies)
		req, _ := http.NewRequest(http.MethodGet, "http://localhost/alpha/connexion", nil)
		req.Header.Set("Accept", "text/html")
		req.Header.Set("X-Forwarded-Proto", "https")
		resp, err := srv.App.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		cookies := resp.Cookies()
		if len(cookies) == 0 {
			t.Fatalf("%v: no cookie set", tc.proxies)
		}
		for _, ck := range cookies {
			if ck.Secure != tc.secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
				t.Errorf("proxies %v: cookie %s Secure=%v HttpOnly=%v SameSite=%v, want Secure=%v", tc.proxies, ck.Name, ck.Secure, ck.HttpOnly, ck.SameSite, tc.secure)
			}
		}
		reg.Close()
	}
}
