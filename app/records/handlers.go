package records

import (
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/accounts"
	"espacefamille/app/calendar"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// Config is what the record pages need.
type Config struct {
	Now func() time.Time // time.Now when nil
}

// Service holds the parents' record pages.
type Service struct{ now func() time.Time }

// Routes adds the child's record pages of the family space. Call it after
// accounts.Routes (the session must be bound first).
func Routes(s *web.Server, cfg Config) *Service {
	svc := &Service{now: cfg.Now}
	if svc.now == nil {
		svc.now = time.Now
	}
	r := s.Commune()
	on := accounts.RequireFeature(accounts.SettingChildRecord)
	r.Get("/famille/enfants/:id/fiche", accounts.RequireFamily, on, svc.showRecord)
	r.Post("/famille/enfants/:id/fiche", web.SmallForm, accounts.RequireFamily, on, svc.saveRecord)
	return svc
}

// ContactRow is one row of a contact list on the form.
type ContactRow struct {
	Prefix string // "pickup" or "emergency"
	N      int    // from 1
	Contact
}

// Field is the row's field name for column ("pickup-2-phone").
func (r ContactRow) Field(column string) string {
	return r.Prefix + "-" + strconv.Itoa(r.N) + "-" + column
}

// blankRows is how many empty rows follow the filled ones, so that
// without JavaScript a parent can add people (the list grows by two at
// each save, up to MaxContacts).
const blankRows = 2

// Rows lays out the contacts of one list with blank rows after them.
func Rows(prefix string, list []Contact) []ContactRow {
	var out []ContactRow
	for i, c := range list {
		out = append(out, ContactRow{Prefix: prefix, N: i + 1, Contact: c})
	}
	for len(out) < MaxContacts && len(out) < len(list)+blankRows {
		out = append(out, ContactRow{Prefix: prefix, N: len(out) + 1})
	}
	return out
}

type recordPage struct {
	State
	Form      Form
	Pickups   []ContactRow
	Emergency []ContactRow
	Errors    FieldErrors
}

func (svc *Service) state(c *fiber.Ctx, q tenants.Querier) (State, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return State{}, web.ErrNotFound
	}
	return Load(c.UserContext(), q, web.User(c).FamilyID, id, calendar.Today(svc.now()))
}

func render(c *fiber.Ctx, status int, st State, f Form, errs FieldErrors) error {
	web.SetTab(c, "actualites")
	return web.RenderStatus(c, status, "famille/fiche-enfant", "Fiche de "+st.Child.FirstName,
		recordPage{State: st, Form: f, Pickups: Rows("pickup", f.Pickups), Emergency: Rows("emergency", f.Emergency), Errors: errs})
}

// showRecord shows the child's record: the one in force, the change
// awaiting the mairie, and the form prefilled with the latest of them.
func (svc *Service) showRecord(c *fiber.Ctx) error {
	st, err := svc.state(c, tenants.From(c).DB().Reader())
	if err != nil {
		return err
	}
	var f Form
	switch {
	case st.Pending != nil:
		f = FormOf(*st.Pending)
	case st.Current != nil:
		f = FormOf(*st.Current)
	default:
		f.PAI = map[bool]string{true: "oui", false: ""}[st.PAI]
	}
	return render(c, fiber.StatusOK, st, f, nil)
}

// ParseForm reads the record form of a request.
func ParseForm(c *fiber.Ctx) Form {
	f := Form{Allergies: c.FormValue("allergies"), PAI: c.FormValue("pai"), PAIUntil: c.FormValue("pai_until"),
		DoctorName: c.FormValue("doctor_name"), DoctorPhone: c.FormValue("doctor_phone"), ImageRights: c.FormValue("image_rights")}
	read := func(prefix string) []Contact {
		var out []Contact
		for n := 1; n <= MaxContacts; n++ {
			k := prefix + "-" + strconv.Itoa(n) + "-"
			out = append(out, Contact{Name: c.FormValue(k + "name"), Phone: c.FormValue(k + "phone"), Relationship: c.FormValue(k + "relationship")})
		}
		// Trailing blank rows are not kept: the page adds its own.
		for len(out) > 0 && out[len(out)-1] == (Contact{}) {
			out = out[:len(out)-1]
		}
		return out
	}
	f.Pickups, f.Emergency = read("pickup"), read("emergency")
	return f
}

// saveRecord checks the form and records the change, pending the
// mairie's validation.
func (svc *Service) saveRecord(c *fiber.Ctx) error {
	db := tenants.From(c).DB()
	st, err := svc.state(c, db.Reader())
	if err != nil {
		return err
	}
	f := ParseForm(c)
	now := svc.now()
	r, errs := f.Check(calendar.Today(now))
	if len(errs) > 0 {
		return render(c, fiber.StatusUnprocessableEntity, st, f, errs)
	}
	by := fmt.Sprintf("compte n° %d", web.User(c).AccountID)
	if u := web.User(c); u.DisplayName != "" {
		by = u.DisplayName
	}
	var changed int64
	ctx := c.UserContext()
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		changed, err = Submit(ctx, tx, web.User(c).FamilyID, st.Child.ID, r, by, now)
		return err
	})
	if err != nil {
		return err
	}
	if changed != 0 {
		web.AddFlash(c, "success", "Fiche de "+st.Child.FirstName+" envoyée : la mairie va vérifier vos modifications. En attendant, la fiche validée reste celle qui s'applique.")
	} else {
		web.AddFlash(c, "info", "Aucune modification : la fiche validée de "+st.Child.FirstName+" reste inchangée.")
	}
	return web.RedirectTo(c, "/famille/enfants/"+strconv.FormatInt(st.Child.ID, 10)+"/fiche")
}
