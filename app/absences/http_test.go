package absences_test

import (
	"bytes"
	"context"
	"database/sql"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"espacefamille/app/apptest"
	"espacefamille/app/calendar"
	"espacefamille/app/demo"
	"espacefamille/app/families"
)

// postForm posts a multipart form (fields, and the file when data is not
// nil) with the client's last CSRF token.
func postForm(t *testing.T, c *apptest.Client, path string, fields map[string]string, filename string, data []byte) apptest.Response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("_csrf", c.CSRF)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if data != nil {
		fw, _ := mw.CreateFormFile("certificat", filename)
		_, _ = fw.Write(data)
	}
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, path, &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.Request(req)
}

func TestAbsencePageUploadChecksAndCertificateAccess(t *testing.T) {
	e := apptest.New(t)
	f := fixture{e: e, ids: e.Demo()}
	tomorrow := calendar.Today(time.Now()).AddDays(1)
	meal := f.ids.Prestations["REPAS CLASSIQUE ENFANT"]
	f.book(f.ids.Fille, meal, f.ids.Cantine, tomorrow.String(), 320)
	base := "/" + demo.Slug
	parent := e.Parent(t, demo.Slug, f.ids.Family, apptest.UnescapeBodies())

	page := parent.Get(base + "/famille/absence?enfant=" + strconv.FormatInt(f.ids.Fille, 10))
	for _, want := range []string{"La règle de la commune", "Certificat médical obligatoire", "Absent(e) aujourd'hui / demain", "Confirmer l'absence"} {
		if !strings.Contains(page.Body, want) {
			t.Fatalf("the absence page lacks %q:\n%s", want, page.Body)
		}
	}
	fields := map[string]string{"enfant": strconv.FormatInt(f.ids.Fille, 10), "jour": "demain"}
	tests := []struct {
		name, file string
		data       []byte
		want       string
	}{
		{"an HTML page named .pdf is refused by its bytes", "certificat.pdf", []byte("<html><body>not a pdf</body></html>"), "doit être un PDF ou une photo"},
		{"a photo over 5 Mo is refused", "photo.jpg", append([]byte{0xFF, 0xD8, 0xFF}, make([]byte, 5<<20)...), "dépasse 5 Mo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := postForm(t, parent, base+"/famille/absence", fields, tt.file, tt.data)
			if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, tt.want) {
				t.Fatalf("status %d, want 422 with %q:\n%s", r.Status, tt.want, r.Body)
			}
			if n := e.Int(demo.Slug, `SELECT count(*) FROM absences`); n != 0 {
				t.Fatalf("%d absences written", n)
			}
		})
	}

	admin := e.DemoAdmin(t, apptest.UnescapeBodies())
	if kitchen := admin.Get(base + "/admin/cuisine.csv?jour=" + tomorrow.FR()); !strings.Contains(kitchen.Body, "REPAS CLASSIQUE ENFANT") {
		t.Fatalf("before the absence, the kitchen does not count the meal:\n%s", kitchen.Body)
	}
	r := postForm(t, parent, base+"/famille/absence", fields, "scan.png", []byte("\x89PNG\r\n\x1a\nrest of the image"))
	if r.Status != http.StatusSeeOther {
		t.Fatalf("declaration: %d\n%s", r.Status, r.Body)
	}
	page = parent.Follow(r)
	if !strings.Contains(page.Body, "Absence de Fille enregistrée pour le "+tomorrow.FR()) {
		t.Fatalf("no confirmation:\n%s", page.Body)
	}
	cert := e.Int(demo.Slug, `SELECT id FROM absence_certificates`)
	certPath := base + "/famille/absences/certificats/" + strconv.FormatInt(cert, 10)
	got := parent.Get(certPath)
	if got.Status != http.StatusOK || got.Header.Get("Content-Type") != "image/png" || !strings.Contains(got.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Fatalf("own certificate: %d %v", got.Status, got.Header)
	}

	// Another family of the same commune: 404, as for an identifier that does not exist.
	var other int64
	e.Tx(demo.Slug, func(tx *sql.Tx) error {
		var err error
		other, err = families.Create(context.Background(), tx, families.Family{Name: "FAMILLE Z"}, time.Now())
		return err
	})
	stranger := e.Parent(t, demo.Slug, other)
	for _, p := range []string{certPath, base + "/famille/absences/certificats/999999"} {
		if r := stranger.Get(p); r.Status != http.StatusNotFound {
			t.Fatalf("another family's GET %s: %d", p, r.Status)
		}
	}
	// Nor can it attach a certificate to, or declare, the first family's child.
	r = postForm(t, stranger, base+"/famille/absence", fields, "c.pdf", pdf)
	if r.Status != http.StatusNotFound {
		t.Fatalf("declaring another family's child: %d", r.Status)
	}
	// The mairie sees it; a visitor does not.
	if r := admin.Get(base + "/admin/absences"); !strings.Contains(r.Body, "Fille FAMILLE X") || !strings.Contains(r.Body, tomorrow.FR()) {
		t.Fatalf("the back office's list lacks the absence:\n%s", r.Body)
	}
	// The pointage lists her as declared absent; the kitchen no longer counts her meal.
	pointage := admin.Get(base + "/admin/pointage?jour=" + tomorrow.FR() + "&prestation=" + strconv.FormatInt(meal, 10))
	if !strings.Contains(pointage.Body, "Fille FAMILLE X <strong>(absence signalée par la famille, certificat reçu)</strong>") {
		t.Fatalf("the pointage does not show the declared absence:\n%s", pointage.Body)
	}
	if kitchen := admin.Get(base + "/admin/cuisine.csv?jour=" + tomorrow.FR()); strings.Contains(kitchen.Body, "REPAS CLASSIQUE ENFANT") {
		t.Fatalf("the kitchen still counts the meal:\n%s", kitchen.Body)
	}
	if r := admin.Get(certPath); r.Status == http.StatusOK {
		t.Fatalf("the family's URL answered a staff session without a parent's: %d", r.Status)
	}
	if r := admin.Get(base + "/admin/absences/certificats/" + strconv.FormatInt(cert, 10)); r.Status != http.StatusOK || r.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("the mairie's view of the certificate: %d", r.Status)
	}
	if r := e.Client(t).Get(base + "/admin/absences/certificats/" + strconv.FormatInt(cert, 10)); r.Status == http.StatusOK {
		t.Fatal("a visitor read the certificate")
	}
}
