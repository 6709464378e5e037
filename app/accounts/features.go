package accounts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/web"
	"espacefamille/tenants"
)

// Features of the family space a commune switches on or off in the back
// office (Paramètres, « Services aux familles », /admin/parametres/familles): each is
// on unless its setting is "off". The settings table is written by
// app/booking (booking.SetSetting).
const (
	// SettingFeed offers the family's calendar link ("Ajouter à mon
	// agenda"); off, an existing link stops serving too.
	SettingFeed = "family_feed"
	// SettingChildRecord offers the child's record ("fiche de
	// renseignements", app/records) to parents.
	SettingChildRecord = "child_record"
)

// featureOff is the page a parent gets while a feature is off.
var featureOff = map[string]error{
	SettingFeed:        web.NewError(fiber.StatusNotFound, "Votre mairie ne propose pas l'ajout des réservations à un agenda."),
	SettingChildRecord: web.NewError(fiber.StatusNotFound, "Votre mairie ne propose pas la fiche de renseignements en ligne."),
}

// FeatureOn reports whether the commune offers one of the family space's
// features (on by default).
func FeatureOn(ctx context.Context, q tenants.Querier, key string) (bool, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("accounts: setting %s: %w", key, err)
	}
	return v != "off", nil
}

// RequireFeature answers 404 to a feature's pages while the commune has it
// off.
func RequireFeature(key string) fiber.Handler {
	off := featureOff[key]
	if off == nil {
		off = web.ErrNotFound
	}
	return func(c *fiber.Ctx) error {
		on, err := FeatureOn(c.UserContext(), tenants.From(c).DB().Reader(), key)
		if err != nil {
			return err
		}
		if !on {
			return off
		}
		return c.Next()
	}
}
