package custody

import (
	"context"
	"database/sql"
	"errors"
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

// SettingInvite is the commune's setting that lets the foyer principal
// invite the other parent from its space: on unless it is "off".
const SettingInvite = "custody_invite"

// InviteOn reports whether parents may invite the other parent.
func InviteOn(ctx context.Context, q tenants.Querier) (bool, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, SettingInvite).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return true, nil
	}
	return v != "off", err
}

// PreviewWeeks is how many weeks the custody pages show ahead.
const PreviewWeeks = 10

// Service holds the parents' custody pages.
type Service struct {
	srv    *web.Server
	now    func() time.Time
	notify func(slug string) // wakes the mail sender; may be nil
}

// Routes adds the parents' "Garde partagée" page of a child. Call it
// after accounts.Routes (the session must be bound first).
func Routes(s *web.Server, now func() time.Time, notify func(slug string)) *Service {
	svc := &Service{srv: s, now: now, notify: notify}
	if svc.now == nil {
		svc.now = time.Now
	}
	r := s.Commune()
	r.Get("/famille/garde/:id", accounts.RequireFamily, svc.showCustody)
	r.Post("/famille/garde/:id/inviter", web.SmallForm, accounts.RequireFamily, svc.inviteOtherParent)
	r.Post("/famille/garde/:id/proposer", web.SmallForm, accounts.RequireFamily, svc.propose)
	r.Post("/famille/garde/:id/propositions/:pid", web.SmallForm, accounts.RequireFamily, svc.decide)
	return svc
}

// ParentWeek is one week of the parents' custody page.
type ParentWeek struct {
	Monday calendar.Date
	Number int
	Days   [5]bool // Monday … Friday: true when the household looking keeps the child
	Split  bool
	Mine   bool // the whole week (when not split)
}

// Keepers says who keeps the child the week's school days: "vous",
// "l'autre parent", or for a split week "lundi, mardi : vous ; jeudi,
// vendredi : l'autre parent".
func (w ParentWeek) Keepers() string {
	who := func(mine bool) string {
		if mine {
			return "vous"
		}
		return "l'autre parent"
	}
	if !w.Split {
		return who(w.Mine)
	}
	var parts []string
	for i := 0; i < len(w.Days); {
		j := i
		var names []string
		for ; j < len(w.Days) && w.Days[j] == w.Days[i]; j++ {
			names = append(names, calendar.WeekdayNamesFR[(j+1)%7])
		}
		parts = append(parts, strings.Join(names, ", ")+" : "+who(w.Days[i]))
		i = j
	}
	return strings.Join(parts, " ; ")
}

// parentData is the binding of the parents' custody page.
type parentData struct {
	Child     families.Child
	Home      bool // the household looking is the foyer principal
	Shared    bool
	Alternate bool
	Weeks     []ParentWeek
	Periods   []parentPeriod
	CanInvite bool
	Form      families.GuardianForm
	Error     string
	Mine      []string        // this household's pending proposals, in words
	Theirs    []theirProposal // the other household's, to accept or refuse
}

type theirProposal struct {
	ID   int64
	Text string
}

type parentPeriod struct {
	First, Last calendar.Date
	Mine        bool
}

// ParentWeeks turns the calendar's keepers into what familyID sees: its
// days or the other parent's, never the other household's name.
func ParentWeeks(cal Calendar, familyID int64, start calendar.Date, n int) []ParentWeek {
	var out []ParentWeek
	for _, w := range cal.Weeks(start, n) {
		pw := ParentWeek{Monday: w.Monday, Number: w.Number, Split: w.Split()}
		for i, k := range w.Days {
			pw.Days[i] = k == familyID
		}
		pw.Mine = pw.Days[0]
		out = append(out, pw)
	}
	return out
}

// showCustody shows who keeps the child the coming weeks, and to the
// foyer principal of a child not shared yet, the invitation form.
func (svc *Service) showCustody(c *fiber.Ctx) error {
	return svc.renderCustody(c, fiber.StatusOK, families.GuardianForm{}, "")
}

func (svc *Service) renderCustody(c *fiber.Ctx, status int, form families.GuardianForm, problem string) error {
	ctx, q, fam := c.UserContext(), tenants.From(c).DB().Reader(), web.User(c).FamilyID
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return web.ErrNotFound
	}
	child, err := families.GuardedChild(ctx, q, fam, id)
	if err != nil {
		return err
	}
	cal, err := LoadFor(ctx, q, child.ID, child.FamilyID)
	if err != nil {
		return err
	}
	d := parentData{Child: child, Home: child.FamilyID == fam, Shared: cal.Shared(), Alternate: cal.Alternation.Set(), Form: form, Error: problem}
	if d.Shared {
		pending, err := Pending(ctx, q, child.ID)
		if err != nil {
			return err
		}
		for _, p := range pending {
			if p.ProposedBy == fam {
				d.Mine = append(d.Mine, p.Text(fam))
			} else {
				d.Theirs = append(d.Theirs, theirProposal{ID: p.ID, Text: p.Text(fam)})
			}
		}
		d.Weeks = ParentWeeks(cal, fam, calendar.Today(svc.now()), PreviewWeeks)
		for _, p := range cal.Periods {
			if !p.Last.Before(calendar.Today(svc.now())) {
				d.Periods = append(d.Periods, parentPeriod{First: p.First, Last: p.Last, Mine: p.FamilyID == fam})
			}
		}
	} else if d.Home {
		if d.CanInvite, err = InviteOn(ctx, q); err != nil {
			return err
		}
	}
	web.SetTab(c, "actualites")
	return web.RenderStatus(c, status, "famille/garde", "Garde partagée – "+child.FirstName, d)
}

// inviteOtherParent registers the other parent's household, links it to
// the child and emails it a code d'adhésion, in one transaction. Only the
// foyer principal of a child not shared yet may, where the commune allows
// it.
func (svc *Service) inviteOtherParent(c *fiber.Ctx) error {
	t, fam := tenants.From(c), web.User(c).FamilyID
	ctx := c.UserContext()
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return web.ErrNotFound
	}
	child, err := families.FamilyChild(ctx, t.DB().Reader(), fam, id)
	if err != nil {
		return err
	}
	if on, err := InviteOn(ctx, t.DB().Reader()); err != nil || !on {
		return errors.Join(err, web.NewError(fiber.StatusForbidden, "Votre mairie rattache elle-même le second parent : contactez-la."))
	}
	form := families.GuardianForm{LastName: c.FormValue("last_name"), FirstName: c.FormValue("first_name"), Email: c.FormValue("email")}
	g, problem := form.Validate()
	if problem == "" && g.Email == "" {
		problem = "Indiquez l'adresse email de l'autre parent : son invitation y est envoyée."
	}
	if problem != "" {
		return svc.renderCustody(c, fiber.StatusUnprocessableEntity, form, problem)
	}
	now := svc.now()
	var inv accounts.Invitation
	err = t.DB().Tx(ctx, func(tx *sql.Tx) error {
		other, err := families.AddOtherHousehold(ctx, tx, child.ID, g, now)
		if err != nil {
			return err
		}
		inv, err = accounts.InviteFamily(ctx, tx, t.Commune, other, svc.srv.CommuneURL(t.Commune, "/"), now)
		return err
	})
	if errors.Is(err, families.ErrTooManyHouseholds) {
		return svc.renderCustody(c, fiber.StatusConflict, form, "L'autre parent est déjà rattaché à "+child.FirstName+".")
	}
	if err != nil {
		return err
	}
	if svc.notify != nil {
		svc.notify(t.Commune.Slug)
	}
	web.AddFlash(c, "success", "Invitation envoyée à "+inv.Email+". Dès son compte relié, la mairie fixe le calendrier de garde.")
	return web.RedirectTo(c, "/famille/garde/"+strconv.FormatInt(child.ID, 10))
}

// sharedChild resolves :id to a shared child the household looks after,
// with its calendar.
func sharedChild(c *fiber.Ctx) (families.Child, Calendar, error) {
	ctx, q, fam := c.UserContext(), tenants.From(c).DB().Reader(), web.User(c).FamilyID
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return families.Child{}, Calendar{}, web.ErrNotFound
	}
	child, err := families.GuardedChild(ctx, q, fam, id)
	if err != nil {
		return child, Calendar{}, err
	}
	cal, err := LoadFor(ctx, q, child.ID, child.FamilyID)
	if err == nil && !cal.Shared() {
		err = web.ErrNotFound
	}
	return child, cal, err
}

// propose records the household's proposal of a custody calendar: its
// weeks (paires or impaires), or a period at its home or the other's.
func (svc *Service) propose(c *fiber.Ctx) error {
	child, cal, err := sharedChild(c)
	if err != nil {
		return err
	}
	fam := web.User(c).FamilyID
	other := cal.Home
	if other == fam {
		other = cal.Others[0]
	}
	p := Proposal{ChildID: child.ID, ProposedBy: fam, Kind: c.FormValue("type")}
	switch p.Kind {
	case ProposeAlternation:
		switch c.FormValue("mes_semaines") {
		case "paires":
			p.EvenWeeks = fam
		case "impaires":
			p.EvenWeeks = other
		default:
			return svc.renderCustody(c, fiber.StatusUnprocessableEntity, families.GuardianForm{}, "Choisissez vos semaines : paires ou impaires.")
		}
	case ProposePeriod:
		p.FamilyID = fam
		if c.FormValue("chez") == "autre" {
			p.FamilyID = other
		}
		var err1, err2 error
		p.First, err1 = calendar.ParseDate(strings.TrimSpace(c.FormValue("du")))
		p.Last, err2 = calendar.ParseDate(strings.TrimSpace(c.FormValue("au")))
		if err1 != nil || err2 != nil {
			return svc.renderCustody(c, fiber.StatusUnprocessableEntity, families.GuardianForm{}, "Indiquez les dates de début et de fin de la période (JJ/MM/AAAA).")
		}
	default:
		return web.NewError(fiber.StatusBadRequest, "La demande est invalide : rechargez la page et recommencez.")
	}
	return svc.commit(c, child, func(ctx context.Context, tx *sql.Tx, com tenants.Commune) error {
		if _, err := Propose(ctx, tx, p, svc.now()); err != nil {
			return err
		}
		return svc.tellOtherParent(ctx, tx, com, child, p, other)
	}, "Proposition envoyée à l'autre parent : le calendrier change dès qu'il l'accepte.")
}

// commit runs change, and the emails it queues, in one transaction. A
// refusal (*Invalid) shows the custody page again with its message;
// otherwise the mail sender is woken and the parent goes back to the
// child's custody page with flash.
func (svc *Service) commit(c *fiber.Ctx, child families.Child, change func(ctx context.Context, tx *sql.Tx, com tenants.Commune) error, flash string) error {
	t := tenants.From(c)
	err := t.DB().Tx(c.UserContext(), func(tx *sql.Tx) error { return change(c.UserContext(), tx, t.Commune) })
	var invalid *Invalid
	if errors.As(err, &invalid) {
		return svc.renderCustody(c, fiber.StatusUnprocessableEntity, families.GuardianForm{}, invalid.Message)
	}
	if err != nil {
		return err
	}
	if svc.notify != nil {
		svc.notify(t.Commune.Slug)
	}
	web.AddFlash(c, "success", flash)
	return web.RedirectTo(c, "/famille/garde/"+strconv.FormatInt(child.ID, 10))
}

// decide accepts or refuses the other household's proposal.
func (svc *Service) decide(c *fiber.Ctx) error {
	child, _, err := sharedChild(c)
	if err != nil {
		return err
	}
	pid, err := strconv.ParseInt(c.Params("pid"), 10, 64)
	if err != nil {
		return web.ErrNotFound
	}
	accept := c.FormValue("decision") == "accepter"
	if !accept && c.FormValue("decision") != "refuser" {
		return web.NewError(fiber.StatusBadRequest, "La demande est invalide : rechargez la page et recommencez.")
	}
	msg := "Proposition refusée : l'autre parent en est informé par courriel."
	if accept {
		msg = "Proposition acceptée : le calendrier de garde est mis à jour et l'autre parent en est informé par courriel."
	}
	family := web.User(c).FamilyID
	return svc.commit(c, child, func(ctx context.Context, tx *sql.Tx, com tenants.Commune) error {
		p, err := Decide(ctx, tx, child.ID, pid, family, accept, svc.now())
		if err != nil {
			return err
		}
		return svc.tellProposer(ctx, tx, com, child, p, accept)
	}, msg)
}
