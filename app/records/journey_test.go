package records_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"espacefamille/app/apptest"
	"espacefamille/app/demo"
	"espacefamille/app/families"
)

func recordForm(pai, until, doctorPhone string) url.Values {
	return url.Values{"allergies": {"oui"}, "pai": {pai}, "pai_until": {until}, "image_rights": {"non"},
		"doctor_name": {"Dr Martin"}, "doctor_phone": {doctorPhone},
		"pickup-1-name": {"Jeanne Mamie"}, "pickup-1-phone": {"06 12 34 56 78"}, "pickup-1-relationship": {"grand-mère"},
		"emergency-1-name": {"Y FAMILLE X"}, "emergency-1-phone": {"06 98 76 54 32"}}
}

func TestParentSendsTheRecordAndTheMairieValidatesIt(t *testing.T) {
	e := apptest.New(t)
	ids := e.Demo()
	base := "/" + demo.Slug
	fiche := base + "/famille/enfants/" + strconv.FormatInt(ids.Garcon, 10) + "/fiche"
	parent := e.Parent(t, demo.Slug, ids.Family, apptest.UnescapeBodies())
	next := time.Now().AddDate(1, 0, 0).Format("02/01/2006")

	// A wrong phone: 422, the message beside the field, the values kept.
	r := parent.Submit(fiche, fiche, recordForm("oui", next, "123"))
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "n'est pas un numéro français") || !strings.Contains(r.Body, "Jeanne Mamie") {
		t.Fatalf("wrong phone: %d\n%s", r.Status, r.Body)
	}
	r = parent.Submit(fiche, fiche, recordForm("oui", next, "04 90 12 34 56"))
	if r.Status != http.StatusSeeOther {
		t.Fatalf("submit: %d\n%s", r.Status, r.Body)
	}
	page := parent.Follow(r)
	if !strings.Contains(page.Body, "Modifications en attente de validation") || !strings.Contains(page.Body, "pas encore été validée") {
		t.Fatalf("pending change not shown:\n%s", page.Body)
	}
	if e.Int(demo.Slug, `SELECT pai FROM children WHERE id = ?`, ids.Garcon) != 0 {
		t.Fatal("the PAI flag changed before validation")
	}

	// The mairie: the count on the home page, the list, the decision.
	admin := e.DemoAdmin(t, apptest.UnescapeBodies())
	if home := admin.Get(base + "/admin/"); !strings.Contains(home.Body, "Fiches d'enfants à valider : 1") {
		t.Fatalf("dashboard count:\n%s", home.Body)
	}
	if list := admin.Get(base + "/admin/fiches"); !strings.Contains(list.Body, "Garçon FAMILLE X (première fiche)") {
		t.Fatalf("list:\n%s", list.Body)
	}
	id := e.Int(demo.Slug, `SELECT id FROM child_records WHERE status = 'pending'`)
	adminFiche := base + "/admin/enfants/" + strconv.FormatInt(ids.Garcon, 10) + "/fiche"
	r = admin.Submit(adminFiche, base+"/admin/fiches/"+strconv.FormatInt(id, 10)+"/valider", nil)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("validate: %d\n%s", r.Status, r.Body)
	}
	if e.Int(demo.Slug, `SELECT pai FROM children WHERE id = ?`, ids.Garcon) != 1 {
		t.Fatal("validation did not set children.pai, the flag the pointage and the kitchen read")
	}
	if e.Int(demo.Slug, `SELECT count(*) FROM audit_log WHERE action = 'validate' AND entity = 'child_record'`) != 1 {
		t.Fatal("validation not in the journal")
	}
	// Validating twice (two agents): refused, nothing changes.
	if r := admin.Submit(adminFiche, base+"/admin/fiches/"+strconv.FormatInt(id, 10)+"/valider", nil); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("second validation: %d", r.Status)
	}

	// The demo's Fille has a validated record; Garçon's is new.
	// A second change: the validated record stays current until the mairie refuses it.
	form := recordForm("non", "", "04 90 12 34 56")
	if r := parent.Submit(fiche, fiche, form); r.Status != http.StatusSeeOther {
		t.Fatalf("second submit: %d", r.Status)
	}
	page = parent.Get(fiche)
	if !strings.Contains(page.Body, "Fiche validée par la mairie") || !strings.Contains(page.Body, "valable jusqu'au "+next) {
		t.Fatalf("the validated record is not shown as current:\n%s", page.Body)
	}
	id2 := e.Int(demo.Slug, `SELECT id FROM child_records WHERE status = 'pending'`)
	r = admin.Submit(adminFiche, base+"/admin/fiches/"+strconv.FormatInt(id2, 10)+"/refuser", url.Values{"reason": {"Le PAI est toujours en cours : gardez oui."}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("refuse: %d\n%s", r.Status, r.Body)
	}
	if e.Int(demo.Slug, `SELECT pai FROM children WHERE id = ?`, ids.Garcon) != 1 {
		t.Fatal("a refused change altered the PAI flag")
	}
	if page := parent.Get(fiche); !strings.Contains(page.Body, "Le PAI est toujours en cours") {
		t.Fatalf("the family does not see the refusal:\n%s", page.Body)
	}
	// The family is told by email, through the real SMTP path.
	msgs := e.SendMail(t, demo.Slug)
	var told []string
	for _, m := range msgs {
		if len(m.EnvelopeTo) == 1 && m.EnvelopeTo[0] == demo.FamilyEmail {
			told = append(told, m.Subject+"\n"+m.Text)
		}
	}
	if len(told) != 2 || !strings.Contains(told[0], "Fiche de Garçon validée") || !strings.Contains(told[1], "« Le PAI est toujours en cours : gardez oui. »") ||
		!strings.Contains(told[1], "/famille/enfants/"+strconv.FormatInt(ids.Garcon, 10)+"/fiche") {
		t.Fatalf("emails to the family: %q", told)
	}

	// The PAI expires: both sides are told.
	e.Exec(demo.Slug, `UPDATE child_records SET pai_until = '2020-01-31' WHERE status = 'validated' AND child_id = ?`, ids.Garcon)
	if page := parent.Get(fiche); !strings.Contains(page.Body, "n'est plus valide depuis le 31/01/2020") {
		t.Fatalf("parent not told of the expiry:\n%s", page.Body)
	}
	if list := admin.Get(base + "/admin/fiches"); !strings.Contains(list.Body, "PAI dont le document a expiré (1)") {
		t.Fatalf("mairie not told of the expiry:\n%s", list.Body)
	}
	meal := ids.Prestations["REPAS CLASSIQUE ENFANT"]
	today := time.Now().In(time.UTC).Format("2006-01-02")
	e.Exec(demo.Slug, `INSERT INTO reservations (family_id, child_id, prestation_id, regie_id, day, state, price_cents, created_at, validated_at)
		VALUES (?, ?, ?, ?, date('now', 'localtime'), 'validated', 255, ?, ?)`, ids.Family, ids.Garcon, meal, ids.Cantine, today, today)
	day := e.Text(demo.Slug, `SELECT day FROM reservations WHERE child_id = ?`, ids.Garcon)
	pointage := admin.Get(base + "/admin/pointage?jour=" + day + "&prestation=" + strconv.FormatInt(meal, 10))
	if !strings.Contains(pointage.Body, `PAI</abbr> (document expiré)`) {
		t.Fatalf("the pointage does not flag the expired PAI:\n%s", pointage.Body)
	}
}

func TestAnotherFamilysChildRecordIsNotFound(t *testing.T) {
	e := apptest.New(t)
	ids := e.Demo()
	var other int64
	e.Tx(demo.Slug, func(tx *sql.Tx) error {
		var err error
		other, err = families.Create(context.Background(), tx, families.Family{Name: "FAMILLE Z"}, time.Now())
		return err
	})
	stranger := e.Parent(t, demo.Slug, other)
	fiche := "/" + demo.Slug + "/famille/enfants/" + strconv.FormatInt(ids.Fille, 10) + "/fiche"
	if r := stranger.Get(fiche); r.Status != http.StatusNotFound {
		t.Fatalf("GET another family's record: %d", r.Status)
	}
	stranger.Get("/" + demo.Slug + "/famille")
	if r := stranger.Post(fiche, recordForm("non", "", "")); r.Status != http.StatusNotFound {
		t.Fatalf("POST another family's record: %d", r.Status)
	}
	if n := e.Int(demo.Slug, `SELECT count(*) FROM child_records WHERE status = 'pending'`); n != 0 {
		t.Fatalf("%d records written", n)
	}
}
