package accounts

import (
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/auth"
	"espacefamille/app/families"
	"espacefamille/app/news"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// adhesionData is the "Saisissez le code d'adhésion" form.
type adhesionData struct {
	Code  string
	Error string
}

func (svc *Service) showAdhesion(c *fiber.Ctx) error {
	return web.Render(c, "famille/adhesion", "Code d'adhésion", adhesionData{})
}

// adhere consumes a code d'adhésion and links the account to its family.
// Wrong codes are counted per account and per client address: 5 of them
// hold both for 15 minutes.
func (svc *Service) adhere(c *fiber.Ctx) error {
	t, u := tenants.From(c), web.User(c)
	ctx, now := c.UserContext(), svc.now()
	form := adhesionData{Code: truncate(strings.TrimSpace(c.FormValue("code")), 40)}
	code, err := families.NormalizeCode(form.Code)
	if err != nil {
		form.Error = "Le code d'adhésion comporte 10 lettres et chiffres : recopiez-le tel qu'il figure sous « Votre code d'adhésion » dans le courriel reçu."
		return web.RenderStatus(c, fiber.StatusUnprocessableEntity, "famille/adhesion", "Code d'adhésion", form)
	}
	// Counted before the code is tried, atomically (auth.Throttle).
	att, err := svc.begin(ctx, now, auth.Key{Name: keyCodeAccount(u.AccountID), Limit: codeLimit},
		auth.Key{Name: keyCodeIP(c.IP()), Limit: codeLimit})
	if err != nil {
		return err
	}
	if !att.Allowed {
		form.Error = "Trop de codes erronés : la saisie est bloquée jusqu'à " + clock(att.Until) + ". Vérifiez le code reçu par courriel."
		return web.RenderStatus(c, fiber.StatusTooManyRequests, "famille/adhesion", "Code d'adhésion", form)
	}
	err = t.DB().Tx(ctx, func(tx *sql.Tx) error {
		_, err := families.LinkWithCode(ctx, tx, families.HashCode(code), u.AccountID, now)
		return err
	})
	if err != nil && !errors.Is(err, families.ErrCodeInvalid) {
		// Only a wrong code is a guess; any other outcome gives the attempt back.
		if serr := svc.succeeded(ctx, now, att); serr != nil {
			return serr
		}
	}
	switch {
	case errors.Is(err, families.ErrCodeInvalid):
		form.Error = "Ce code n'est pas valable ou a déjà été utilisé (un code n'est valide qu'une seule fois). Vérifiez le code reçu par courriel."
		status := fiber.StatusUnprocessableEntity
		if att.Last {
			form.Error = "Trop de codes erronés : la saisie est bloquée pendant 15 minutes. Vérifiez le code reçu par courriel."
			status = fiber.StatusTooManyRequests
		}
		return web.RenderStatus(c, status, "famille/adhesion", "Code d'adhésion", form)
	case errors.Is(err, families.ErrAlreadyLinked):
		web.AddFlash(c, "info", "Votre compte est déjà rattaché à cette famille.")
	case errors.Is(err, families.ErrOtherFamily):
		form.Error = "Votre compte est déjà rattaché à une autre famille de cette commune. Contactez votre mairie."
		return web.RenderStatus(c, fiber.StatusConflict, "famille/adhesion", "Code d'adhésion", form)
	case err != nil:
		return err
	}
	err = svc.platform.Tx(ctx, func(tx *sql.Tx) error {
		if err := addMembership(ctx, tx, u.AccountID, t.Commune.ID, now); err != nil {
			return err
		}
		return throttle.Succeeded(ctx, tx, now, att)
	})
	if err != nil {
		return err
	}
	return web.RedirectTo(c, "/adhesion/confirmee")
}

// adhesionsData is the adhésion window.
type adhesionsData struct {
	Collectivites []string
}

// showAdhesions lists the collectivités the account belongs to, with
// "Fermer". It also repairs a membership whose write failed after the
// commune's link was committed (two databases, two transactions).
func (svc *Service) showAdhesions(c *fiber.Ctx) error {
	t, u := tenants.From(c), web.User(c)
	ctx, now := c.UserContext(), svc.now()
	if u.FamilyID != 0 {
		if err := svc.platform.Tx(ctx, func(tx *sql.Tx) error { return addMembership(ctx, tx, u.AccountID, t.Commune.ID, now) }); err != nil {
			return err
		}
	}
	list, err := Memberships(ctx, svc.platform.Reader(), u.AccountID)
	if err != nil {
		return err
	}
	return web.Render(c, "famille/adhesions", "Mes adhésions", adhesionsData{Collectivites: list})
}

// familyData is the personal space's "Actualités" tab.
type familyData struct {
	Family   families.Family
	Children []families.Child
	News     []news.Item
	Feed     bool // the commune offers the calendar link
	Menus    bool // the commune shows its menus to families
}

// childData is a child's page: the child, and whether the commune offers
// the child's record.
type childData struct {
	families.Child
	Record bool
}

func (svc *Service) showFamily(c *fiber.Ctx) error {
	t, u := tenants.From(c), web.User(c)
	ctx := c.UserContext()
	f, err := families.Load(ctx, t.DB().Reader(), u.FamilyID)
	if err != nil {
		return err
	}
	kids, err := families.GuardedChildren(ctx, t.DB().Reader(), u.FamilyID)
	if err != nil {
		return err
	}
	items, err := news.Published(ctx, t.DB().Reader(), time.Now().In(web.Paris()).Format(time.DateOnly), 10)
	if err != nil {
		return err
	}
	feed, err := FeatureOn(ctx, t.DB().Reader(), SettingFeed)
	if err != nil {
		return err
	}
	var menus bool
	if svc.menusOn != nil {
		if menus, err = svc.menusOn(ctx, t.DB().Reader()); err != nil {
			return err
		}
	}
	web.SetTab(c, "actualites")
	return web.Render(c, "famille/espace", "Mon espace", familyData{Family: f, Children: kids, News: items, Feed: feed, Menus: menus})
}

// showChild shows one child the parent's family looks after (its own, or
// shared with it in shared custody); the identifier is looked up within
// those children only.
func (svc *Service) showChild(c *fiber.Ctx) error {
	t, u := tenants.From(c), web.User(c)
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return web.ErrNotFound
	}
	child, err := families.GuardedChild(c.UserContext(), t.DB().Reader(), u.FamilyID, id)
	if err != nil {
		return err
	}
	record, err := FeatureOn(c.UserContext(), t.DB().Reader(), SettingChildRecord)
	if err != nil {
		return err
	}
	web.SetTab(c, "actualites")
	return web.Render(c, "famille/enfant", child.FirstName+" "+child.LastName, childData{Child: child, Record: record})
}
