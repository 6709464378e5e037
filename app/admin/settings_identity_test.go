package admin_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"espacefamille/app/apptest"
)

// settingsForm is the settings form as an administrator posts it.
func settingsForm(name, sender string) url.Values {
	return url.Values{"name": {name}, "sender_name": {sender}, "accessibility_compliance": {"partiellement conforme"}}
}

func TestAdminRenamesCommuneAndParentsSeeIt(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.exec(t, "alpha", `INSERT INTO families (id, name, created_at) VALUES (1, 'FAMILLE MARTIN', '2026-01-01T00:00:00Z')`)
	f.exec(t, "alpha", `INSERT INTO settings (key, value) VALUES ('sender_name', 'Commune d''Alpha')`)
	parent := f.parent(t, "alpha", 1)
	visitor := f.client(t)
	// Both pages resolve the commune now, warming the resolve cache.
	wantContains(t, parent.Get("/alpha/famille").Body, "Commune d&#39;Alpha")
	wantContains(t, visitor.Get("/alpha/").Body, "Commune d&#39;Alpha")

	admin := f.admin(t)
	page := admin.Get("/alpha/admin/parametres")
	wantStatus(t, page, http.StatusOK)
	wantContains(t, page.Body, `name="name" value="Commune d&#39;Alpha"`)

	// Refused names change nothing.
	for _, bad := range []string{"", "   ", strings.Repeat("x", 201), "Alpha\r\nBcc: x@example.org"} {
		r := admin.Post("/alpha/admin/parametres", settingsForm(bad, ""))
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantContains(t, r.Body, "Le nom de la commune est obligatoire et tient sur une ligne")
	}
	// An agent cannot rename the commune.
	wantStatus(t, f.agent(t).Post("/alpha/admin/parametres", settingsForm("Ville des Agents", "")), http.StatusForbidden)
	if c, _ := f.reg.Commune(ctx, "alpha"); c.Name != "Commune d'Alpha" {
		t.Fatalf("a refused rename reached the registry: %q", c.Name)
	}

	r := admin.Post("/alpha/admin/parametres", settingsForm("  Ville de Bourg-Alpha ", "Commune d'Alpha"))
	wantStatus(t, r, http.StatusSeeOther)

	// The parents' pages show the new name at the very next request.
	for _, body := range []string{parent.Get("/alpha/famille").Body, visitor.Get("/alpha/").Body} {
		wantContains(t, body, "Ville de Bourg-Alpha")
		if strings.Contains(body, "Commune d&#39;Alpha") {
			t.Errorf("the old name is still shown:\n%s", body)
		}
	}
	if c, err := f.reg.Commune(ctx, "alpha"); err != nil || c.Name != "Ville de Bourg-Alpha" {
		t.Fatalf("registry: %+v %v", c, err)
	}
	if n := f.count(t, "alpha", `SELECT count(*) FROM settings WHERE key = 'name' AND value = 'Ville de Bourg-Alpha'`); n != 1 {
		t.Fatal("settings.name not updated")
	}
	// The sender name only repeated the old name: it follows the new one.
	if n := f.count(t, "alpha", `SELECT count(*) FROM settings WHERE key = 'sender_name' AND value = 'Ville de Bourg-Alpha'`); n != 1 {
		t.Fatal("sender_name did not follow the commune's name")
	}
	if n := f.count(t, "alpha", `SELECT count(*) FROM audit_log WHERE entity = 'settings' AND action = 'update'
		AND json_extract(before, '$.name') = 'Commune d''Alpha' AND json_extract(after, '$.name') = 'Ville de Bourg-Alpha'
		AND json_extract(after, '$.sender_name') = 'Ville de Bourg-Alpha' AND actor LIKE '%admin@alpha.example%'`); n != 1 {
		t.Fatalf("rename audit rows = %d, want 1", n)
	}
	// A sender name of its own is kept through a rename.
	wantStatus(t, admin.Post("/alpha/admin/parametres", settingsForm("Ville de Bourg-Alpha-Nord", "Mairie - service enfance")), http.StatusSeeOther)
	if n := f.count(t, "alpha", `SELECT count(*) FROM settings WHERE key = 'sender_name' AND value = 'Mairie - service enfance'`); n != 1 {
		t.Fatal("an explicit sender name was overwritten")
	}
	wantContains(t, visitor.Get("/alpha/").Body, "Ville de Bourg-Alpha-Nord")
	// The other commune is untouched.
	if c, _ := f.reg.Commune(ctx, "beta"); c.Name != "Commune de Bêta" {
		t.Fatalf("beta renamed: %q", c.Name)
	}
}

func pngImage(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, 0, color.RGBA{R: 200, A: 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func jpegImage(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, w, h)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func gifImage(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := gif.Encode(&b, image.NewPaletted(image.Rect(0, 0, 4, 4), []color.Color{color.White, color.Black}), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var headerLogoRE = regexp.MustCompile(`<img class="brand-logo" src="([^"]+)" alt="([^"]*)">`)

// headerLogo returns the logo URL and alt text of a page's header.
func headerLogo(body string) (src, alt string) {
	if m := headerLogoRE.FindStringSubmatch(body); m != nil {
		return strings.ReplaceAll(m[1], "&amp;", "&"), m[2]
	}
	return "", ""
}

func TestLogoUploadValidation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.admin(t)
	admin.Get("/alpha/admin/parametres")

	good := pngImage(t, 40, 20)
	big := append(append([]byte{}, good...), make([]byte, 512<<10)...) // a valid PNG head, over 512 Ko
	cases := []struct {
		name, file string
		data       []byte
		want       string
	}{
		{"svg", "logo.svg", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), "Les images SVG ne sont pas acceptées"},
		{"svg named png", "logo.png", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), "Les images SVG ne sont pas acceptées"},
		{"html named png", "logo.png", []byte(`<html><script>alert(1)</script></html>`), "Le logo doit être une image PNG ou JPEG."},
		{"gif", "logo.gif", gifImage(t), "Le logo doit être une image PNG ou JPEG."},
		{"empty", "logo.png", nil, "Choisissez un fichier image"},
		{"too heavy", "logo.png", big, "le logo ne doit pas dépasser 512 Ko"},
		{"too wide", "logo.png", pngImage(t, 2001, 10), "L&#39;image mesure 2001 × 10 pixels : le logo ne doit pas dépasser 2000 × 2000 pixels."},
		{"too tall", "logo.jpg", jpegImage(t, 8, 2001), "L&#39;image mesure 8 × 2001 pixels"},
		{"truncated", "logo.png", good[:len(good)/2], "Le fichier image est illisible ou endommagé"},
		{"png magic only", "logo.png", []byte("\x89PNG\r\n\x1a\n this is not an image"), "Le fichier image est illisible ou endommagé"},
	}
	for _, tc := range cases {
		r := admin.Upload("/alpha/admin/parametres/logo", "logo", tc.file, tc.data)
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, tc.want) {
			t.Errorf("%s: status %d, want 422 with %q\n%s", tc.name, r.Status, tc.want, r.Body)
		}
	}
	if n := f.count(t, "alpha", `SELECT count(*) FROM commune_logo`); n != 0 {
		t.Fatalf("a refused file was stored (%d rows)", n)
	}
	// The extension does not matter, the content does: a PNG called .gif
	// is a PNG.
	wantStatus(t, admin.Upload("/alpha/admin/parametres/logo", "logo", "logo.gif", good), http.StatusSeeOther)
	if n := f.count(t, "alpha", `SELECT count(*) FROM commune_logo WHERE content_type = 'image/png' AND size = ?`, len(good)); n != 1 {
		t.Fatal("the PNG was not stored")
	}
	// The largest allowed dimensions pass.
	wantStatus(t, admin.Upload("/alpha/admin/parametres/logo", "logo", "logo.jpg", jpegImage(t, 2000, 2000)), http.StatusSeeOther)
	// An agent cannot upload nor remove.
	agent := f.agent(t)
	agent.Get("/alpha/admin/")
	wantStatus(t, agent.Upload("/alpha/admin/parametres/logo", "logo", "logo.png", good), http.StatusForbidden)
	wantStatus(t, agent.Post("/alpha/admin/parametres/logo/supprimer", nil), http.StatusForbidden)
}

// multipartUpload posts a logo with the CSRF token after the file part, or
// without it when token is "".
func multipartUpload(c *client, path, token string, data []byte) apptest.Response {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("logo", "logo.png")
	_, _ = fw.Write(data)
	if token != "" {
		_ = mw.WriteField("_csrf", token)
	}
	mw.Close()
	req := httptest.NewRequest(http.MethodPost, "http://node.example"+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.Request(req)
}

func TestLogoUploadNeedsCSRFTokenInMultipart(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.admin(t)
	page := admin.Get("/alpha/admin/parametres")
	wantContains(t, page.Body, `enctype="multipart/form-data"`, `action="/alpha/admin/parametres/logo"`)
	good := pngImage(t, 10, 10)

	wantStatus(t, multipartUpload(admin, "/alpha/admin/parametres/logo", "", good), http.StatusForbidden)
	wantStatus(t, multipartUpload(admin, "/alpha/admin/parametres/logo", "pas-le-bon-jeton", good), http.StatusForbidden)
	if n := f.count(t, "alpha", `SELECT count(*) FROM commune_logo`); n != 0 {
		t.Fatal("stored without a valid CSRF token")
	}
	// The token read from the multipart body (here after the file part).
	wantStatus(t, multipartUpload(admin, "/alpha/admin/parametres/logo", admin.CSRF, good), http.StatusSeeOther)
	if n := f.count(t, "alpha", `SELECT count(*) FROM commune_logo`); n != 1 {
		t.Fatal("not stored with a valid CSRF token")
	}
}

func TestLogoShownServedCachedAndRemoved(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	visitor := f.client(t)
	// No logo: nothing in the header, nothing at /logo. The page also
	// memoises "no logo", which the upload must invalidate.
	home := visitor.Get("/alpha/")
	wantStatus(t, home, http.StatusOK)
	if strings.Contains(home.Body, "brand-logo") {
		t.Fatalf("a logo is shown without one:\n%s", home.Body)
	}
	wantStatus(t, visitor.Get("/alpha/logo"), http.StatusNotFound)

	admin := f.admin(t)
	admin.Get("/alpha/admin/parametres")
	data := pngImage(t, 120, 60)
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	wantStatus(t, admin.Upload("/alpha/admin/parametres/logo", "logo", "blason.png", data), http.StatusSeeOther)

	src, alt := headerLogo(visitor.Get("/alpha/").Body)
	if src != "/alpha/logo?v="+sha[:16] || alt != "Logo de Commune d&#39;Alpha" {
		t.Fatalf("header logo: src %q alt %q", src, alt)
	}
	// Logged-in parents and staff pages too.
	f.exec(t, "alpha", `INSERT INTO families (id, name, created_at) VALUES (1, 'FAMILLE MARTIN', '2026-01-01T00:00:00Z')`)
	if s, _ := headerLogo(f.parent(t, "alpha", 1).Get("/alpha/famille").Body); s != src {
		t.Fatalf("parent page logo %q", s)
	}
	settings := admin.Get("/alpha/admin/parametres")
	wantContains(t, settings.Body, "Supprimer le logo", "PNG, 120 × 60 pixels")
	// The other commune has none.
	if s, _ := headerLogo(f.client(t).Get("/beta/").Body); s != "" {
		t.Fatalf("beta shows a logo: %q", s)
	}
	wantStatus(t, f.client(t).Get("/beta/logo"), http.StatusNotFound)

	r := visitor.Get(src)
	wantStatus(t, r, http.StatusOK)
	if r.Body != string(data) {
		t.Fatal("served bytes differ from the upload")
	}
	for k, want := range map[string]string{
		"Content-Type":           "image/png",
		"X-Content-Type-Options": "nosniff",
		"Etag":                   `"` + sha + `"`,
		"Cache-Control":          "public, max-age=31536000, immutable",
	} {
		if got := r.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	lastModified := r.Header.Get("Last-Modified")
	if _, err := http.ParseTime(lastModified); err != nil {
		t.Errorf("Last-Modified %q: %v", lastModified, err)
	}
	// Unversioned: revalidate, answered by 304.
	if cc := visitor.Get("/alpha/logo").Header.Get("Cache-Control"); cc != "public, no-cache" {
		t.Errorf("unversioned Cache-Control = %q", cc)
	}
	req := httptest.NewRequest(http.MethodGet, "http://node.example/alpha/logo", nil)
	req.Header.Set("If-None-Match", `"`+sha+`"`)
	if r := visitor.Request(req); r.Status != http.StatusNotModified || r.Body != "" {
		t.Errorf("If-None-Match: status %d body %d bytes", r.Status, len(r.Body))
	}
	req = httptest.NewRequest(http.MethodGet, "http://node.example/alpha/logo", nil)
	req.Header.Set("If-Modified-Since", lastModified)
	wantStatus(t, visitor.Request(req), http.StatusNotModified)
	req = httptest.NewRequest(http.MethodGet, "http://node.example/alpha/logo", nil)
	req.Header.Set("If-None-Match", `"autre"`)
	wantStatus(t, visitor.Request(req), http.StatusOK)

	// Replacing it changes the URL; the old version is no longer immutable.
	jp := jpegImage(t, 30, 30)
	wantStatus(t, admin.Upload("/alpha/admin/parametres/logo", "logo", "blason.jpg", jp), http.StatusSeeOther)
	src2, _ := headerLogo(visitor.Get("/alpha/").Body)
	if src2 == "" || src2 == src {
		t.Fatalf("replaced logo URL %q (was %q)", src2, src)
	}
	r = visitor.Get(src2)
	if r.Header.Get("Content-Type") != "image/jpeg" || r.Body != string(jp) {
		t.Fatalf("replaced logo: %q, %d bytes", r.Header.Get("Content-Type"), len(r.Body))
	}
	if cc := visitor.Get(src).Header.Get("Cache-Control"); strings.Contains(cc, "immutable") {
		t.Errorf("an old version is still served as immutable: %q", cc)
	}

	// The audit log has the hashes and sizes, never the bytes.
	if n := f.count(t, "alpha", `SELECT count(*) FROM audit_log WHERE entity = 'logo' AND action = 'create' AND before IS NULL
		AND json_extract(after, '$.sha256') = ? AND json_extract(after, '$.size') = ? AND json_extract(after, '$.content_type') = 'image/png'
		AND length(after) < 300`, sha, len(data)); n != 1 {
		t.Fatalf("create audit rows = %d", n)
	}
	if n := f.count(t, "alpha", `SELECT count(*) FROM audit_log WHERE entity = 'logo' AND action = 'update'
		AND json_extract(before, '$.sha256') = ? AND json_extract(after, '$.content_type') = 'image/jpeg'`, sha); n != 1 {
		t.Fatalf("update audit rows = %d", n)
	}

	// Removal: nothing in the header, 404 at /logo, audited.
	wantStatus(t, admin.Post("/alpha/admin/parametres/logo/supprimer", nil), http.StatusSeeOther)
	if s, _ := headerLogo(visitor.Get("/alpha/").Body); s != "" {
		t.Fatalf("removed logo still shown: %q", s)
	}
	wantStatus(t, visitor.Get(src2), http.StatusNotFound)
	if n := f.count(t, "alpha", `SELECT count(*) FROM audit_log WHERE entity = 'logo' AND action = 'delete' AND after IS NULL
		AND json_extract(before, '$.content_type') = 'image/jpeg'`); n != 1 {
		t.Fatalf("delete audit rows = %d", n)
	}
	wantContains(t, admin.Get("/alpha/admin/journal?objet=logo").Body, "logo")
}
