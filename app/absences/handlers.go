package absences

import (
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/accounts"
	"espacefamille/app/calendar"
	"espacefamille/app/families"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// Config is what the absence pages need.
type Config struct {
	Now func() time.Time // time.Now when nil
}

// Service holds the parents' absence pages.
type Service struct{ now func() time.Time }

// Routes adds "Absent(e) aujourd'hui / demain" to the family space. Call
// it after accounts.Routes.
func Routes(s *web.Server, cfg Config) *Service {
	svc := &Service{now: cfg.Now}
	if svc.now == nil {
		svc.now = time.Now
	}
	r := s.Commune()
	fam := accounts.RequireFamily
	r.Get("/famille/absence", fam, svc.showForm)
	r.Post("/famille/absence", fam, svc.declare)
	r.Post("/famille/absence/certificat", fam, svc.attach)
	r.Get("/famille/absences/certificats/:id", fam, svc.serveCertificate)
	return svc
}

// DayChoice is "Aujourd'hui" or "Demain" on the form.
type DayChoice struct {
	Value   string // "aujourdhui", "demain"
	Label   string
	Day     calendar.Date
	Refusal string // why it cannot be chosen now ("" : it can)
}

type formPage struct {
	Rule     Rule
	Children []families.Child
	Days     []DayChoice
	Child    int64
	When     string
	Error    string
	Recent   []Absence
}

func (svc *Service) page(c *fiber.Ctx, q tenants.Querier) (formPage, error) {
	ctx, u, now := c.UserContext(), web.User(c), svc.now()
	var p formPage
	var err error
	if p.Rule, err = LoadRule(ctx, q); err != nil {
		return p, err
	}
	if p.Children, err = families.Children(ctx, q, u.FamilyID); err != nil {
		return p, err
	}
	today := calendar.Today(now)
	for _, d := range []DayChoice{{Value: "aujourdhui", Label: "Aujourd'hui", Day: today}, {Value: "demain", Label: "Demain", Day: today.AddDays(1)}} {
		d.Refusal = p.Rule.Refusal(d.Day, now)
		p.Days = append(p.Days, d)
	}
	p.Recent, err = List(ctx, q, Filter{FamilyID: u.FamilyID, From: today.AddDays(-60), To: today.AddDays(7)})
	return p, err
}

func render(c *fiber.Ctx, status int, p formPage) error {
	web.SetTab(c, "reservations")
	return web.RenderStatus(c, status, "famille/absence", "Signaler une absence", p)
}

// showForm shows the rule, then the form: which child, today or tomorrow,
// a certificate.
func (svc *Service) showForm(c *fiber.Ctx) error {
	p, err := svc.page(c, tenants.From(c).DB().Reader())
	if err != nil {
		return err
	}
	p.Child, _ = strconv.ParseInt(c.Query("enfant"), 10, 64)
	if len(p.Children) == 1 {
		p.Child = p.Children[0].ID
	}
	p.When = c.Query("jour")
	return render(c, fiber.StatusOK, p)
}

// readCertificate reads the optional file of field "certificat": nil when
// none was sent, a French message when it is refused.
func readCertificate(c *fiber.Ctx) (*Upload, string, error) {
	fh, err := c.FormFile("certificat")
	if err != nil || fh.Size == 0 && fh.Filename == "" {
		return nil, "", nil
	}
	if fh.Size > MaxCertificateSize {
		return nil, CheckCertificate(nil, fh.Size), nil
	}
	f, err := fh.Open()
	if err != nil {
		return nil, "", fmt.Errorf("absences: open upload: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxCertificateSize+1))
	if err != nil {
		return nil, "", fmt.Errorf("absences: read upload: %w", err)
	}
	if why := CheckCertificate(data, int64(len(data))); why != "" {
		return nil, why, nil
	}
	return &Upload{Data: data}, "", nil
}

func (svc *Service) refuse(c *fiber.Ctx, p formPage, msg string) error {
	p.Error = msg
	return render(c, fiber.StatusUnprocessableEntity, p)
}

// declare records the absence and says what it did.
func (svc *Service) declare(c *fiber.Ctx) error {
	db := tenants.From(c).DB()
	p, err := svc.page(c, db.Reader())
	if err != nil {
		return err
	}
	p.Child, _ = strconv.ParseInt(c.FormValue("enfant"), 10, 64)
	p.When = c.FormValue("jour")
	var day calendar.Date
	for _, d := range p.Days {
		if d.Value == p.When {
			day = d.Day
		}
	}
	switch {
	case p.Child == 0:
		return svc.refuse(c, p, "Choisissez l'enfant absent.")
	case day.IsZero():
		return svc.refuse(c, p, "Choisissez aujourd'hui ou demain.")
	}
	cert, why, err := readCertificate(c)
	if err != nil {
		return err
	}
	if why != "" {
		return svc.refuse(c, p, why)
	}
	u := web.User(c)
	var out Outcome
	ctx := c.UserContext()
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = Declare(ctx, tx, Declaration{FamilyID: u.FamilyID, ChildID: p.Child, Day: day, Certificate: cert, By: u.DisplayName}, svc.now())
		return err
	})
	var pe *web.PublicError
	if errors.As(err, &pe) {
		return svc.refuse(c, p, pe.Message)
	}
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", outcomeText(out, day, cert != nil, p.Rule))
	return web.RedirectTo(c, "/famille/absence")
}

// outcomeText tells the parent what the declaration did.
func outcomeText(o Outcome, day calendar.Date, certified bool, r Rule) string {
	s := "Absence de " + o.Child.FirstName + " enregistrée pour le " + day.FR() + " : " + strings.Join(o.Cancelled, ", ") + " annulé(s)."
	switch {
	case o.Carence:
		s += " Jour de carence (" + strconv.Itoa(o.Rank) + "e jour de l'absence) : il n'est pas remboursé."
	case o.Billable && r.CertificateRequired && !certified:
		s += " Ajoutez le certificat médical pour être remboursé."
	}
	if o.CreditCents > 0 {
		s += " Avoir de " + calendar.FormatEuros(o.CreditCents) + " ajouté à votre compte."
	}
	return s
}

// attach adds a certificate to an absence already declared.
func (svc *Service) attach(c *fiber.Ctx) error {
	db := tenants.From(c).DB()
	p, err := svc.page(c, db.Reader())
	if err != nil {
		return err
	}
	child, _ := strconv.ParseInt(c.FormValue("enfant"), 10, 64)
	day, err := calendar.ParseISO(c.FormValue("jour"))
	if err != nil || child == 0 {
		return web.ErrNotFound
	}
	cert, why, err := readCertificate(c)
	if err != nil {
		return err
	}
	if cert == nil && why == "" {
		why = "Choisissez le fichier du certificat médical."
	}
	if why != "" {
		return svc.refuse(c, p, why)
	}
	u := web.User(c)
	var out Outcome
	ctx := c.UserContext()
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = AttachCertificate(ctx, tx, u.FamilyID, child, day, *cert, svc.now())
		return err
	})
	if err != nil {
		return err
	}
	msg := "Certificat ajouté à l'absence de " + out.Child.FirstName + " du " + day.FR() + "."
	if out.CreditCents > 0 {
		msg += " Avoir de " + calendar.FormatEuros(out.CreditCents) + " ajouté à votre compte."
	}
	web.AddFlash(c, "success", msg)
	return web.RedirectTo(c, "/famille/absence")
}

// ServeCertificate answers with a stored certificate, inline, in a
// sandbox (a PDF's scripts never run in the commune's origin).
func ServeCertificate(c *fiber.Ctx, f CertificateFile) error {
	c.Set(fiber.HeaderContentType, f.ContentType)
	c.Set(fiber.HeaderContentDisposition, `inline; filename="certificat-`+strconv.FormatInt(f.ID, 10)+Extension(f.ContentType)+`"`)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set(fiber.HeaderContentSecurityPolicy, "sandbox; default-src 'none'; img-src 'self'; object-src 'self'")
	return c.Send(f.Data)
}

// serveCertificate shows one of the family's certificates; another
// family's (or a made-up identifier) is a 404.
func (svc *Service) serveCertificate(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return web.ErrNotFound
	}
	f, err := Certificate(c.UserContext(), tenants.From(c).DB().Reader(), web.User(c).FamilyID, id)
	if err != nil {
		return err
	}
	return ServeCertificate(c, f)
}
