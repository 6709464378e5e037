package admin

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/accounts"
	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/custody"
	"espacefamille/app/families"
	"espacefamille/app/web"
)

// Shared custody in the back office (issue 14): link the other
// guardian's household to a child, set the custody calendar (even and odd
// weeks, explicit periods) and see who keeps the child which day; the
// commune's two family settings (usual week, parents' invitations).

// custodyWeek is one week of the custody preview, with the households'
// names.
type custodyWeek struct {
	custody.WeekKeeper
	Names [5]string
}

type custodyData struct {
	base
	Family     families.Family // the family page the agent came from
	Child      families.Child
	Households []families.Household
	Calendar   custody.Calendar
	Weeks      []custodyWeek
	Periods    []custodyPeriod
}

type custodyPeriod struct {
	custody.Period
	Name string
}

// DayLetters are the preview's column headings.
func (custodyData) DayLetters() []string { return []string{"L", "M", "M", "J", "V"} }

// BasePath is the custody page's URL (commune-relative).
func (d custodyData) BasePath() string {
	return fmt.Sprintf("/admin/familles/%d/enfants/%d/garde", d.Family.ID, d.Child.ID)
}

// custodyChild resolves :id (a family the child is in, as its own or as
// its second household) and :cid.
func custodyChild(c *fiber.Ctx) (families.Family, families.Child, error) {
	fam, err := familyParam(c)
	if err != nil {
		return fam, families.Child{}, err
	}
	cid, err := idParam(c, "cid")
	if err != nil {
		return fam, families.Child{}, err
	}
	ch, err := families.GuardedChild(c.UserContext(), db(c).Reader(), fam.ID, cid)
	return fam, ch, err
}

func (a *Admin) showCustody(c *fiber.Ctx) error {
	fam, ch, err := custodyChild(c)
	if err != nil {
		return err
	}
	ctx, q := c.UserContext(), db(c).Reader()
	d := custodyData{base: baseOf(c, "familles"), Family: fam, Child: ch}
	if d.Households, err = families.Households(ctx, q, ch.ID); err != nil {
		return err
	}
	if d.Calendar, err = custody.Load(ctx, q, ch.ID); err != nil {
		return err
	}
	names := map[int64]string{}
	for _, h := range d.Households {
		names[h.FamilyID] = h.Name
	}
	for _, w := range d.Calendar.Weeks(calendar.Today(a.now()), custody.PreviewWeeks) {
		cw := custodyWeek{WeekKeeper: w}
		for i, k := range w.Days {
			cw.Names[i] = names[k]
		}
		d.Weeks = append(d.Weeks, cw)
	}
	for _, p := range d.Calendar.Periods {
		d.Periods = append(d.Periods, custodyPeriod{Period: p, Name: names[p.FamilyID]})
	}
	return web.Render(c, "admin/garde", "Garde partagée – "+ch.Name(), d)
}

// custodyChange runs a change of the child's custody in one transaction
// with its audit entry, then comes back to the page with msg.
func (a *Admin) custodyChange(c *fiber.Ctx, action string, after any, msg string, fn func(ctx context.Context, tx *sql.Tx, ch families.Child, now time.Time) error) error {
	fam, ch, err := custodyChild(c)
	if err != nil {
		return err
	}
	err = a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		if err := fn(ctx, tx, ch, now); err != nil {
			return err
		}
		return audit(ctx, tx, currentStaff(c), action, "child", ch.ID, nil, after, now)
	})
	var invalid *custody.Invalid
	switch {
	case errors.As(err, &invalid):
		return errInvalid(invalid.Message)
	case errors.Is(err, families.ErrSameHousehold), errors.Is(err, families.ErrTooManyHouseholds):
		return errInvalid(strings.ToUpper(err.Error()[:1]) + err.Error()[1:] + ".")
	case err != nil:
		return err
	}
	a.notify(commune(c).Slug)
	web.AddFlash(c, "success", msg)
	return web.RedirectTo(c, custodyData{Family: fam, Child: ch}.BasePath())
}

// formID reads a positive identifier from the form (0 when empty).
func formID(c *fiber.Ctx, field string) (int64, error) {
	v := strings.TrimSpace(c.FormValue(field))
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(v, "n° "), 10, 64)
	if err != nil || id <= 0 {
		return 0, errInvalid("Indiquez le numéro de la famille (un nombre, celui de sa page).")
	}
	return id, nil
}

func (a *Admin) shareChild(c *fiber.Ctx) error {
	other, err := formID(c, "foyer")
	if err != nil {
		return err
	}
	if other == 0 {
		return errInvalid("Indiquez le numéro de la famille du second parent.")
	}
	return a.custodyChange(c, "share_child", map[string]int64{"family": other}, "Second foyer rattaché : il réserve et paie ses jours de garde.",
		func(ctx context.Context, tx *sql.Tx, ch families.Child, now time.Time) error {
			if _, err := families.Load(ctx, tx, other); errors.Is(err, families.ErrNotFound) {
				return &custody.Invalid{Message: "Aucune famille n° " + strconv.FormatInt(other, 10) + " dans la commune."}
			}
			return families.ShareChild(ctx, tx, ch.ID, other, now)
		})
}

func (a *Admin) unshareChild(c *fiber.Ctx) error {
	other, err := idParam(c, "fid")
	if err != nil {
		return err
	}
	return a.custodyChange(c, "unshare_child", map[string]int64{"family": other}, "Second foyer détaché : le foyer principal réserve de nouveau tous les jours.",
		func(ctx context.Context, tx *sql.Tx, ch families.Child, now time.Time) error {
			return families.UnshareChild(ctx, tx, ch.ID, other)
		})
}

func (a *Admin) setAlternation(c *fiber.Ctx) error {
	even, err := formID(c, "paires")
	if err != nil {
		return err
	}
	odd, err := formID(c, "impaires")
	if err != nil {
		return err
	}
	msg := "Alternance enregistrée."
	if even == 0 && odd == 0 {
		msg = "Alternance retirée."
	}
	return a.custodyChange(c, "custody", map[string]int64{"even_weeks": even, "odd_weeks": odd}, msg,
		func(ctx context.Context, tx *sql.Tx, ch families.Child, now time.Time) error {
			if (even == 0) != (odd == 0) {
				return &custody.Invalid{Message: "Choisissez un foyer pour les semaines paires et un pour les semaines impaires."}
			}
			if err := custody.SetAlternation(ctx, tx, ch.ID, even, odd, now); err != nil {
				return err
			}
			return custody.TellCalendarChanged(ctx, tx, a.srv, commune(c), ch, custody.AlternationChange(even), now)
		})
}

func (a *Admin) addCustodyPeriod(c *fiber.Ctx) error {
	who, err := formID(c, "foyer")
	if err != nil {
		return err
	}
	first, err1 := calendar.ParseDate(strings.TrimSpace(c.FormValue("du")))
	last, err2 := calendar.ParseDate(strings.TrimSpace(c.FormValue("au")))
	if err1 != nil || err2 != nil {
		return errInvalid("Indiquez les dates de début et de fin de la période (JJ/MM/AAAA).")
	}
	return a.custodyChange(c, "custody", map[string]string{"family": strconv.FormatInt(who, 10), "from": first.String(), "until": last.String()},
		"Période enregistrée du "+first.FR()+" au "+last.FR()+".",
		func(ctx context.Context, tx *sql.Tx, ch families.Child, now time.Time) error {
			if _, err := custody.AddPeriod(ctx, tx, ch.ID, who, first, last, now); err != nil {
				return err
			}
			return custody.TellCalendarChanged(ctx, tx, a.srv, commune(c), ch, custody.PeriodChange(custody.Period{FamilyID: who, First: first, Last: last}, false), now)
		})
}

func (a *Admin) deleteCustodyPeriod(c *fiber.Ctx) error {
	pid, err := idParam(c, "pid")
	if err != nil {
		return err
	}
	return a.custodyChange(c, "custody", map[string]int64{"deleted_period": pid}, "Période supprimée.",
		func(ctx context.Context, tx *sql.Tx, ch families.Child, now time.Time) error {
			cal, err := custody.Load(ctx, tx, ch.ID)
			if err != nil {
				return err
			}
			var gone custody.Period
			for _, p := range cal.Periods {
				if p.ID == pid {
					gone = p
				}
			}
			if err := custody.DeletePeriod(ctx, tx, ch.ID, pid); err != nil {
				return err
			}
			return custody.TellCalendarChanged(ctx, tx, a.srv, commune(c), ch, custody.PeriodChange(gone, true), now)
		})
}

// familySettingsData is the "Familles : garde partagée et semaine
// habituelle" settings page.
type familySettingsData struct {
	base
	UsualWeek bool
	Invite    bool
	Record    bool // the child's record (app/records)
	Feed      bool // the family's calendar link
	Shared    []families.SharedChild
}

func (a *Admin) showFamilySettings(c *fiber.Ctx) error {
	ctx, q := c.UserContext(), db(c).Reader()
	d := familySettingsData{base: baseOf(c, "parametres")}
	var err error
	if d.UsualWeek, err = booking.UsualWeekOn(ctx, q); err != nil {
		return err
	}
	if d.Invite, err = custody.InviteOn(ctx, q); err != nil {
		return err
	}
	if d.Record, err = accounts.FeatureOn(ctx, q, accounts.SettingChildRecord); err != nil {
		return err
	}
	if d.Feed, err = accounts.FeatureOn(ctx, q, accounts.SettingFeed); err != nil {
		return err
	}
	if d.Shared, err = families.SharedChildren(ctx, q); err != nil {
		return err
	}
	return web.Render(c, "admin/parametres-familles", "Services aux familles", d)
}

func (a *Admin) saveFamilySettings(c *fiber.Ctx) error {
	onOff := func(field string) string {
		if checked(c, field) {
			return "on"
		}
		return "off"
	}
	vals := map[string]string{booking.SettingUsualWeek: onOff("semaine_habituelle"), custody.SettingInvite: onOff("invitation"),
		accounts.SettingChildRecord: onOff("fiche"), accounts.SettingFeed: onOff("agenda")}
	err := a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		for _, k := range []string{booking.SettingUsualWeek, custody.SettingInvite, accounts.SettingChildRecord, accounts.SettingFeed} {
			if err := booking.SetSetting(ctx, tx, k, vals[k]); err != nil {
				return err
			}
		}
		return audit(ctx, tx, currentStaff(c), "update", "settings", "familles", nil, vals, now)
	})
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", "Paramètres enregistrés.")
	return web.RedirectTo(c, "/admin/parametres/familles")
}
