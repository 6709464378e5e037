package portal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/absences"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// setting reads one of the commune's settings, or def when unset.
func setting(ctx context.Context, db tenants.Querier, key, def string) (string, error) {
	var v string
	err := db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) || err == nil && v == "" {
		return def, nil
	}
	if err != nil {
		return "", fmt.Errorf("portal: setting %s: %w", key, err)
	}
	return v, nil
}

type legalData struct {
	Compliance   string // e.g. "partiellement conforme"
	ContactEmail string
	Address      string
	AuditDate    string
	Privacy      string // the commune's own additions to the privacy notice (plain text)
	// Certificates says how long the medical certificates sent with an
	// absence are kept ("" when the commune takes no absence online).
	Certificates string
}

// showAccessibility renders the commune's accessibility statement (RGAA).
func showAccessibility(c *fiber.Ctx) error {
	d, err := loadLegal(c)
	if err != nil {
		return err
	}
	return web.Render(c, "famille/accessibilite", "Déclaration d'accessibilité", d)
}

// showPrivacy renders the privacy notice shown to parents.
func showPrivacy(c *fiber.Ctx) error {
	d, err := loadLegal(c)
	if err != nil {
		return err
	}
	return web.Render(c, "famille/confidentialite", "Données personnelles", d)
}

func loadLegal(c *fiber.Ctx) (legalData, error) {
	db := tenants.From(c).DB().Reader()
	ctx := c.UserContext()
	var d legalData
	var err error
	if d.Compliance, err = setting(ctx, db, "accessibility_compliance", "partiellement conforme"); err != nil {
		return d, err
	}
	if d.AuditDate, err = setting(ctx, db, "accessibility_audit_date", ""); err != nil {
		return d, err
	}
	if d.ContactEmail, err = setting(ctx, db, "contact_email", ""); err != nil {
		return d, err
	}
	if d.Privacy, err = setting(ctx, db, "privacy_notice", ""); err != nil {
		return d, err
	}
	if d.Address, err = setting(ctx, db, "address", ""); err != nil {
		return d, err
	}
	rule, err := absences.LoadRule(ctx, db)
	if rule.Enabled {
		d.Certificates = rule.CertificateKept()
	}
	return d, err
}
