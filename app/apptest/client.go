package apptest

import (
	"bytes"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/web"
)

// Client is one browser on the env's server, through App.Test: it keeps
// cookies and the last CSRF token seen in a page.
type Client struct {
	T   testing.TB
	env *Env
	// Host is the request's host (default: the public URL's host); a
	// commune's own host reaches it without a path prefix.
	Host string
	// Base prefixes every path that does not already name one of the env's
	// communes ("/malemort-du-comtat").
	Base string
	// Header is added to every request.
	Header http.Header
	// Jar keeps the cookies.
	Jar http.CookieJar
	// CSRF is the last CSRF token seen in a page.
	CSRF string
	// Unescape compares bodies as text ("n'ai", not "n&#39;ai").
	Unescape bool
}

// ClientOption adjusts a Client.
type ClientOption func(*Client)

// InCommune prefixes the client's paths with a commune's slug.
func InCommune(slug string) ClientOption { return func(c *Client) { c.Base = "/" + slug } }

// OnHost sends the client's requests to host.
func OnHost(host string) ClientOption { return func(c *Client) { c.Host = host } }

// BrowserCookies keeps cookies as a browser does, by domain and path; by
// default every cookie is sent with every request, whatever its path.
func BrowserCookies() ClientOption {
	return func(c *Client) { c.Jar, _ = cookiejar.New(nil) }
}

// UnescapeBodies unescapes HTML entities in the bodies returned.
func UnescapeBodies() ClientOption { return func(c *Client) { c.Unescape = true } }

// Client returns a new browser; its failures are reported to t.
func (e *Env) Client(t testing.TB, opts ...ClientOption) *Client {
	c := &Client{T: t, env: e, Header: http.Header{}, Jar: allCookies{}}
	if u, err := url.Parse(e.PublicURL); err == nil {
		c.Host = u.Host
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Response is what a request got.
type Response struct {
	Status   int
	Body     string
	Location string
	Header   http.Header
}

// CSRFRE finds a page's CSRF token.
var CSRFRE = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func (c *Client) url(path string) string {
	if c.Base != "" && !c.env.isCommunePath(path) {
		path = c.Base + path
	}
	return "http://" + c.Host + path
}

// Request sends req, prepared by the caller, with the client's cookies and
// headers.
func (c *Client) Request(req *http.Request) Response {
	c.T.Helper()
	req.Header.Set("Accept", "text/html")
	for k, vs := range c.Header {
		req.Header[k] = vs
	}
	for _, ck := range c.Jar.Cookies(req.URL) {
		req.AddCookie(ck)
	}
	resp, err := c.env.Server.App.Test(req, -1)
	if err != nil {
		c.T.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	c.Jar.SetCookies(req.URL, resp.Cookies())
	if m := CSRFRE.FindSubmatch(b); m != nil {
		c.CSRF = string(m[1])
	}
	body := string(b)
	if c.Unescape {
		body = html.UnescapeString(body)
	}
	return Response{Status: resp.StatusCode, Body: body, Location: resp.Header.Get("Location"), Header: resp.Header}
}

// Do sends a request as it is: a form (nil: no body) goes without any
// CSRF token it does not hold.
func (c *Client) Do(method, path string, form url.Values) Response {
	c.T.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.url(path), body)
	if err != nil {
		c.T.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return c.Request(req)
}

// Send is Do with the last CSRF token added to a form that has no
// "_csrf" field, as the page's form would carry it.
func (c *Client) Send(method, path string, form url.Values) Response {
	c.T.Helper()
	if form != nil && method != http.MethodGet {
		if _, ok := form["_csrf"]; !ok {
			form.Set("_csrf", c.CSRF)
		}
	}
	return c.Do(method, path, form)
}

// Get fetches a page.
func (c *Client) Get(path string) Response {
	c.T.Helper()
	return c.Do(http.MethodGet, path, nil)
}

// Post submits a form (nil: empty) with the last CSRF token.
func (c *Client) Post(path string, form url.Values) Response {
	c.T.Helper()
	if form == nil {
		form = url.Values{}
	}
	return c.Send(http.MethodPost, path, form)
}

// PostFollow posts a form and, on a 303, fetches the page it leads to.
func (c *Client) PostFollow(path string, form url.Values) Response {
	c.T.Helper()
	r := c.Post(path, form)
	if r.Status == http.StatusSeeOther {
		return c.Get(c.local(r.Location))
	}
	return r
}

// Follow fetches redirects (up to 10) until a page, or a redirect to
// another site (a payment provider).
func (c *Client) Follow(r Response) Response {
	c.T.Helper()
	for i := 0; i < 10 && (r.Status == http.StatusSeeOther || r.Status == http.StatusFound); i++ {
		u, err := url.Parse(r.Location)
		if err == nil && u.Host != "" && u.Host != c.Host {
			return r
		}
		r = c.Get(c.local(r.Location))
	}
	return r
}

// local turns a redirect's target into a path on the server.
func (c *Client) local(loc string) string {
	if u, err := url.Parse(loc); err == nil && u.Host != "" {
		return u.RequestURI()
	}
	return loc
}

// Submit opens page, then posts form to action with the page's CSRF token
// (it fails the test when the page has none).
func (c *Client) Submit(page, action string, form url.Values) Response {
	c.T.Helper()
	r := c.Get(page)
	m := CSRFRE.FindStringSubmatch(r.Body)
	if m == nil {
		c.T.Fatalf("no CSRF token on %s (%d):\n%s", page, r.Status, r.Body)
	}
	if form == nil {
		form = url.Values{}
	}
	form.Set("_csrf", m[1])
	return c.Do(http.MethodPost, action, form)
}

// Upload posts a file as a multipart form with the last CSRF token.
func (c *Client) Upload(path, field, filename string, data []byte) Response {
	c.T.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("_csrf", c.CSRF)
	fw, _ := mw.CreateFormFile(field, filename)
	_, _ = fw.Write(data)
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, c.url(path), &buf)
	if err != nil {
		c.T.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.Request(req)
}

// Cookie returns the value of the named cookie sent with path ("" if none).
func (c *Client) Cookie(path, name string) string {
	for _, ck := range c.Jar.Cookies(c.cookieURL(path)) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// SetCookie stores a cookie as if a response for path had set it.
func (c *Client) SetCookie(path string, ck *http.Cookie) {
	c.Jar.SetCookies(c.cookieURL(path), []*http.Cookie{ck})
}

func (c *Client) cookieURL(path string) *url.URL {
	u, _ := url.Parse(c.url(path))
	return u
}

// LoginStaff logs in to commune slug's back office and opens its home.
func (c *Client) LoginStaff(slug, email, password string) {
	c.T.Helper()
	c.Get("/" + slug + "/admin/connexion")
	r := c.Post("/"+slug+"/admin/connexion", url.Values{"email": {email}, "password": {password}})
	if r.Status != http.StatusSeeOther || !strings.HasSuffix(r.Location, "/"+slug+"/admin/") {
		c.T.Fatalf("login %s on %s: status %d location %q\n%s", email, slug, r.Status, r.Location, r.Body)
	}
	c.Get("/" + slug + "/admin/")
}

// LoginParent logs a parent in through commune slug's log-in page and
// expects the family's home.
func (c *Client) LoginParent(slug, email, password string) {
	c.T.Helper()
	c.Get("/" + slug + "/connexion")
	r := c.Post("/"+slug+"/connexion", url.Values{"identifiant": {email}, "mot_de_passe": {password}})
	if r.Status != http.StatusSeeOther || !strings.HasSuffix(r.Location, "/"+slug+"/famille") {
		c.T.Fatalf("parent log-in: %d %q\n%s", r.Status, r.Location, r.Body)
	}
}

// allCookies is a jar that sends every cookie with every request, whatever
// its domain or path, so a test can carry one commune's cookie to another.
type allCookies map[string]string

func (j allCookies) SetCookies(_ *url.URL, cookies []*http.Cookie) {
	for _, ck := range cookies {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(j, ck.Name)
		} else {
			j[ck.Name] = ck.Value
		}
	}
}

func (j allCookies) Cookies(*url.URL) []*http.Cookie {
	out := make([]*http.Cookie, 0, len(j))
	for k, v := range j {
		out = append(out, &http.Cookie{Name: k, Value: v})
	}
	return out
}

// FamilyHeader names the family whose parent a HeaderSession logs in.
const FamilyHeader = "X-Test-Family"

// HeaderSession logs in, on every commune page, a parent of the family
// whose id a request's FamilyHeader carries, as the accounts middleware
// does from its cookie: for tests of a domain's pages without the accounts
// routes (see WithRoutes). familyName is the session's family name.
func HeaderSession(s *web.Server, familyName string) {
	s.Commune().Use(func(c *fiber.Ctx) error {
		if id, _ := strconv.ParseInt(c.Get(FamilyHeader), 10, 64); id > 0 {
			web.SetUser(c, &web.UserView{AccountID: id, DisplayName: "Parent", FamilyID: id, FamilyName: familyName})
		}
		return c.Next()
	})
}

// AsFamily makes the client a parent of family under HeaderSession (0:
// nobody).
func AsFamily(family int64) ClientOption {
	return func(c *Client) {
		if family != 0 {
			c.Header.Set(FamilyHeader, strconv.FormatInt(family, 10))
		}
	}
}
