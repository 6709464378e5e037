package main

import (
	"bytes"
	"database/sql"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"espacefamille/app/apptest"
	"espacefamille/app/demo"
)

// browser is a cookie-keeping HTTP client of a running server that sends
// the last page's CSRF token with its forms.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

func (b *browser) do(req *http.Request) (int, string, string) {
	b.t.Helper()
	req.Header.Set("Accept", "text/html")
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if m := apptest.CSRFRE.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return resp.StatusCode, string(body), resp.Header.Get("Location")
}

func (b *browser) get(path string) (int, string) {
	req, _ := http.NewRequest(http.MethodGet, b.base+path, nil)
	status, body, _ := b.do(req)
	return status, body
}

func (b *browser) post(path string, form url.Values) (int, string) {
	form.Set("_csrf", b.csrf)
	req, _ := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	status, _, loc := b.do(req)
	return status, strings.TrimPrefix(loc, b.base)
}

func (b *browser) upload(path, filename string, data []byte) (int, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("_csrf", b.csrf)
	fw, _ := mw.CreateFormFile("fichier", filename)
	_, _ = fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, b.base+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	status, body, _ := b.do(req)
	return status, body
}

func (b *browser) loginAdmin() {
	b.t.Helper()
	b.get("/" + demo.Slug + "/admin/connexion")
	if status, _ := b.post("/"+demo.Slug+"/admin/connexion", url.Values{"email": {demo.AdminEmail}, "password": {demo.AdminPassword}}); status != http.StatusSeeOther {
		b.t.Fatalf("log-in: %d", status)
	}
}

var jobDone = regexp.MustCompile(`(\d+) sur \d+ \(`)

// A large import running when serve gets its signal: serve stops without
// waiting for the import, which keeps its whole batches and the matching
// progress; the next serve offers to resume it, and the resumed import
// ends with each family once.
func TestServeStopsDuringAnImportThatResumesAfterRestart(t *testing.T) {
	data := t.TempDir()
	envv := map[string]string{}
	var file strings.Builder
	file.WriteString("N° famille;Famille;Enfant prénom;Date de naissance\n")
	const families = 4000
	for i := range families {
		fmt.Fprintf(&file, "F%06d;IMPORT %d;Léa;01/09/2018\nF%06d;IMPORT %d;Noé;01/09/2018\n", i, i, i, i)
	}
	base, stop, logs := startServer(t, envv, "demo", "--addr", "127.0.0.1:0", "--data", data)
	b := newBrowser(t, base)
	b.loginAdmin()
	b.get("/" + demo.Slug + "/admin/familles/import")
	status, body := b.upload("/"+demo.Slug+"/admin/familles/import", "familles.csv", []byte(file.String()))
	m := regexp.MustCompile(`action="(/` + demo.Slug + `/admin/familles/import/[^"]+)"`).FindStringSubmatch(body)
	if status != http.StatusOK || m == nil {
		t.Fatalf("preview: %d\n%s", status, body)
	}
	status, job := b.post(m[1], url.Values{})
	if status != http.StatusSeeOther {
		t.Fatalf("confirm: %d", status)
	}
	// Stop once more than one batch has been written.
	for {
		_, page := b.get(job)
		if d := jobDone.FindStringSubmatch(page); d != nil {
			if n, _ := strconv.Atoi(d[1]); n >= 400 || strings.Contains(page, "job-summary") {
				break
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	exited := make(chan int, 1)
	go func() { exited <- stop() }()
	select {
	case code := <-exited:
		if code != 0 {
			t.Fatalf("serve exit code %d\n%s", code, logs)
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("serve did not stop during the import\n%s", logs)
	}
	if strings.Contains(logs.String(), "background tasks did not stop") {
		t.Fatalf("the import held the shutdown:\n%s", logs)
	}

	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, "communes", demo.Slug+".db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	var imported, applied int
	if err := db.QueryRow(`SELECT count(*) FROM families WHERE external_ref LIKE 'F0%'`).Scan(&imported); err != nil {
		t.Fatal(err)
	}
	err = db.QueryRow(`SELECT applied_groups FROM import_previews`).Scan(&applied)
	db.Close()
	if err == sql.ErrNoRows {
		t.Skipf("the import ended before the signal (%d families): nothing to resume on this machine", imported)
	} else if err != nil {
		t.Fatal(err)
	}
	if imported != applied || applied == 0 || applied%50 != 0 {
		t.Fatalf("after the signal: %d families written, progress says %d (whole batches of 50 expected)", imported, applied)
	}

	base, stop, _ = startServer(t, envv, "serve", "--addr", "127.0.0.1:0", "--data", data)
	defer stop()
	b = newBrowser(t, base)
	b.loginAdmin()
	_, page := b.get("/" + demo.Slug + "/admin/familles/import")
	if want := fmt.Sprintf("« familles.csv » : %d famille(s) sur %d enregistrée(s).", applied, families); !strings.Contains(page, want) {
		t.Fatalf("import page lacks %q:\n%s", want, page)
	}
	if status, job = b.post(m[1], url.Values{}); status != http.StatusSeeOther {
		t.Fatalf("resume: %d", status)
	}
	for {
		if _, page = b.get(job); strings.Contains(page, "job-summary") {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The summary counts the whole import, both runs.
	if want := fmt.Sprintf("Import terminé : %d famille(s) créée(s), 0 mise(s) à jour ; %d enfant(s) créé(s)", families, 2*families); !strings.Contains(page, want) {
		t.Fatalf("resumed import: want %q in\n%s", want, page)
	}
}
