package accounts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"espacefamille/app/families"
	"espacefamille/app/mail"
	"espacefamille/tenants"
)

// ErrNoEmail means a family has no address to send its invitation to.
var ErrNoEmail = errors.New("la famille n'a pas d'adresse email (ni la famille ni ses responsables)")

// ErrFamilyNotFound means no family has the given identifier in the commune.
var ErrFamilyNotFound = errors.New("famille introuvable dans cette commune")

// Invitation is an invitation email queued for a family.
type Invitation struct {
	FamilyID   int64
	FamilyName string
	Email      string
	Code       string
}

// InviteFamily issues a fresh code for the family and queues the
// invitation email holding it, both in tx (the commune's database), so
// that the code and its email exist together or not at all. portalURL is
// the commune's public home page.
func InviteFamily(ctx context.Context, tx *sql.Tx, c tenants.Commune, familyID int64, portalURL string, now time.Time) (Invitation, error) {
	inv, err := familyContact(ctx, tx, familyID)
	if err != nil {
		return inv, err
	}
	if inv.Code, err = families.IssueCode(ctx, tx, familyID, inv.FamilyName); err != nil {
		return inv, err
	}
	return inv, queueInvitation(ctx, tx, c, inv, portalURL, now)
}

// QueueInvitation queues the invitation email with a code issued earlier
// (the demo's seeded code), in tx.
func QueueInvitation(ctx context.Context, tx *sql.Tx, c tenants.Commune, familyID int64, code, portalURL string, now time.Time) (Invitation, error) {
	inv, err := familyContact(ctx, tx, familyID)
	if err != nil {
		return inv, err
	}
	inv.Code = code
	return inv, queueInvitation(ctx, tx, c, inv, portalURL, now)
}

func queueInvitation(ctx context.Context, tx *sql.Tx, c tenants.Commune, inv Invitation, portalURL string, now time.Time) error {
	d := mailData{CommuneName: c.Name, commune: c.Slug, Name: inv.FamilyName, URL: portalURL, Code: inv.Code}
	if err := enqueue(ctx, tx, mailInvitation, inv.Email, mail.SenderName(ctx, tx, c.Name), d, now); err != nil {
		return err
	}
	return families.MarkInvited(ctx, tx, inv.FamilyID, now)
}

// familyContact returns the family's name and the address its invitation
// goes to: the family's email, else its first guardian's.
func familyContact(ctx context.Context, q tenants.Querier, familyID int64) (Invitation, error) {
	inv := Invitation{FamilyID: familyID}
	var err error
	inv.FamilyName, inv.Email, err = families.Contact(ctx, q, familyID)
	if errors.Is(err, families.ErrNotFound) {
		return inv, fmt.Errorf("%w (n° %d)", ErrFamilyNotFound, familyID)
	}
	if err != nil {
		return inv, fmt.Errorf("accounts: %w", err)
	}
	inv.Email = NormalizeEmail(inv.Email)
	if emailProblem(inv.Email) != "" {
		return inv, fmt.Errorf("%s (n° %d): %w", inv.FamilyName, familyID, ErrNoEmail)
	}
	return inv, nil
}

// PendingFamilies lists, by identifier, the families that no account is
// linked to yet: those an invitation (or a new one) is for.
func PendingFamilies(ctx context.Context, q tenants.Querier) ([]int64, error) {
	out, err := tenants.Values[int64](ctx, q, `
		SELECT f.id FROM families f
		WHERE NOT EXISTS (SELECT 1 FROM family_accounts fa WHERE fa.family_id = f.id)
		ORDER BY f.id`)
	if err != nil {
		return nil, fmt.Errorf("accounts: pending families: %w", err)
	}
	return out, nil
}
