package accounts

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/auth"
	"espacefamille/app/calendar"
	"espacefamille/app/ics"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// feedPast is how far back the family's calendar feed goes; every future
// booking is in it.
const feedPast = 30

// feedView is the "Ajouter à mon agenda" box of Mon compte.
type feedView struct {
	Family bool         // the account has a family in this commune
	Active bool         // a link exists
	Since  string       // its creation, "03/12/2026"
	URL    string       // the link, shown only right after it is made (only its hash is kept)
	Webcal template.URL // the same as webcal://, which phones open in their calendar (built here from URL, so trusted)
}

// feedSince returns when the family's link was made, or ErrNotFound.
func feedSince(ctx context.Context, q tenants.Querier, familyID int64) (time.Time, error) {
	var s string
	err := q.QueryRowContext(ctx, `SELECT created_at FROM family_feeds WHERE family_id = ?`, familyID).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, ErrNotFound
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("accounts: family feed %d: %w", familyID, err)
	}
	return tenants.StoredTime(s), nil
}

// replaceFeed makes a new secret link for the family (the old one stops
// working) and returns its token; only the hash is stored (app/auth).
func replaceFeed(ctx context.Context, tx *sql.Tx, familyID int64, now time.Time) (string, error) {
	token, hash := auth.NewToken()
	_, err := tx.ExecContext(ctx, `
		INSERT INTO family_feeds (family_id, token_hash, created_at) VALUES (?, ?, ?)
		ON CONFLICT (family_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at`,
		familyID, hash, tenants.FormatTime(now))
	if err != nil {
		return "", fmt.Errorf("accounts: replace family feed %d: %w", familyID, err)
	}
	return token, nil
}

// revokeFeed deletes the family's link.
func revokeFeed(ctx context.Context, tx *sql.Tx, familyID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM family_feeds WHERE family_id = ?`, familyID); err != nil {
		return fmt.Errorf("accounts: revoke family feed %d: %w", familyID, err)
	}
	return nil
}

// feedFamily returns the family a feed token belongs to, or ErrNotFound.
func feedFamily(ctx context.Context, q tenants.Querier, token string) (int64, error) {
	if !auth.ValidToken(token) {
		return 0, ErrNotFound
	}
	var id int64
	err := q.QueryRowContext(ctx, `SELECT family_id FROM family_feeds WHERE token_hash = ?`, auth.HashToken(token)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("accounts: family feed: %w", err)
	}
	return id, nil
}

// feedView reads the state of the family's link for Mon compte.
func (svc *Service) feedView(c *fiber.Ctx) (feedView, error) {
	u := web.User(c)
	if u == nil || u.FamilyID == 0 {
		return feedView{}, nil
	}
	q := tenants.From(c).DB().Reader()
	if on, err := FeatureOn(c.UserContext(), q, SettingFeed); err != nil || !on {
		return feedView{}, err // off: Mon compte shows no box
	}
	since, err := feedSince(c.UserContext(), q, u.FamilyID)
	if errors.Is(err, ErrNotFound) {
		return feedView{Family: true}, nil
	} else if err != nil {
		return feedView{}, err
	}
	return feedView{Family: true, Active: true, Since: since.In(web.Paris()).Format("02/01/2006")}, nil
}

// createFeed makes a new calendar link (replacing the old one) and shows
// it once on Mon compte: only its hash is kept, so it cannot be shown
// again.
func (svc *Service) createFeed(c *fiber.Ctx) error {
	t, u := tenants.From(c), web.User(c)
	ctx, now := c.UserContext(), svc.now()
	var token string
	err := t.DB().Tx(ctx, func(tx *sql.Tx) error {
		var err error
		token, err = replaceFeed(ctx, tx, u.FamilyID, now)
		return err
	})
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", "Votre lien d'agenda est créé : copiez-le plus bas, dans « Ajouter à mon agenda ».")
	web.FlashNow(c)
	d := accountData{Errors: FieldErrors{}}
	d.Feed.URL = svc.communeURL(c, "/agenda/"+token+".ics")
	d.Feed.Webcal = template.URL("webcal://" + strings.TrimPrefix(strings.TrimPrefix(d.Feed.URL, "https://"), "http://"))
	return svc.renderAccount(c, fiber.StatusOK, d)
}

// revokeFeedLink ends the family's calendar link: it answers 404 from now on.
func (svc *Service) revokeFeedLink(c *fiber.Ctx) error {
	t, u := tenants.From(c), web.User(c)
	ctx := c.UserContext()
	if err := t.DB().Tx(ctx, func(tx *sql.Tx) error { return revokeFeed(ctx, tx, u.FamilyID) }); err != nil {
		return err
	}
	web.AddFlash(c, "success", "Le lien d'agenda est révoqué : les agendas qui l'utilisaient ne recevront plus vos réservations.")
	return web.RedirectTo(c, "/mon-compte#agenda")
}

// serveFeed answers a calendar application: the family's bookings of this
// commune, for a live link only (any other token: 404, whatever the
// reason, so that a guess learns nothing).
func (svc *Service) serveFeed(c *fiber.Ctx) error {
	t := tenants.From(c)
	ctx, now := c.UserContext(), svc.now()
	token, ok := strings.CutSuffix(c.Params("file"), ".ics")
	if !ok {
		return web.ErrNotFound
	}
	// A commune that stops offering the feed stops serving existing links.
	if on, err := FeatureOn(ctx, t.DB().Reader(), SettingFeed); err != nil {
		return err
	} else if !on {
		return web.ErrNotFound
	}
	familyID, err := feedFamily(ctx, t.DB().Reader(), token)
	if errors.Is(err, ErrNotFound) {
		return web.ErrNotFound
	} else if err != nil {
		return err
	}
	if svc.feedEvents == nil {
		return errors.New("accounts: no reader of bookings for the calendar feed (Deps.FeedEvents)")
	}
	events, err := svc.feedEvents(ctx, t.DB().Reader(), familyID, t.Commune.Slug, calendar.Today(now).AddDays(-feedPast))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	err = ics.Write(&buf, ics.Calendar{ProdID: "-//Espace Famille//Agenda famille//FR", Name: "Réservations – " + t.Commune.Name,
		TimeZone: "Europe/Paris", Stamp: now, Events: events})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/calendar; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set("X-Robots-Tag", "noindex")
	return c.Send(buf.Bytes())
}
