package demo

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"espacefamille/app/accounts"
	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/custody"
	"espacefamille/app/families"
	"espacefamille/tenants"
)

// The demo's second guardian (issue 14, shared custody): Lou FAMILLE X,
// the third child of FAMILLE X, is in alternating custody; her father has
// his own household, FAMILLE Y, linked to her, and keeps her the even ISO
// weeks; FAMILLE X keeps the odd ones. He joins with this code
// d'adhésion, shown in the demo mailbox with his invitation. (Lou, not
// Fille or Garçon, so that every booking of the memento's two children
// stays FAMILLE X's on every day.)
const (
	SecondGuardianEmail = "paul.y@example.org"
	SecondGuardianCode  = "GARDE2Y5PA"
)

// seedFamilyFeatures gives the demo what issue 14's usual week and shared
// custody show: Fille's usual week (REPAS CLASSIQUE ENFANT on Monday,
// Tuesday, Thursday and Friday) for FAMILLE X, and Lou with her father's
// household.
func seedFamilyFeatures(ctx context.Context, tx *sql.Tx, now time.Time) error {
	var family, fille, classique int64
	if err := tx.QueryRowContext(ctx, `SELECT f.id, c.id FROM families f JOIN children c ON c.family_id = f.id
		WHERE f.name = 'FAMILLE X' AND c.first_name = 'Fille'`).Scan(&family, &fille); err != nil {
		return fmt.Errorf("demo family features: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT id FROM prestations WHERE name = 'REPAS CLASSIQUE ENFANT'`).Scan(&classique); err != nil {
		return fmt.Errorf("demo family features: %w", err)
	}
	if err := booking.SeedUsualWeek(ctx, tx, family, booking.UsualWeek{ChildID: fille, Days: map[booking.Parity]map[int64]calendar.WeekdaySet{
		booking.EveryWeek: {classique: calendar.WeekdaysOf(time.Monday, time.Tuesday, time.Thursday, time.Friday)}}}, now); err != nil {
		return fmt.Errorf("demo family features: %w", err)
	}
	lou, _, err := families.SaveChild(ctx, tx, families.Child{FamilyID: family, FirstName: "Lou", LastName: "FAMILLE X",
		BirthDate: "2019-04-12", SchoolName: "École de Malemort du Comtat"}, now)
	if err != nil {
		return fmt.Errorf("demo family features: %w", err)
	}
	father, err := families.AddOtherHousehold(ctx, tx, lou.ID, families.Guardian{Civility: "M", LastName: "Y", FirstName: "Paul", Email: SecondGuardianEmail}, now)
	if err != nil {
		return fmt.Errorf("demo family features: %w", err)
	}
	if err := families.SeedCode(ctx, tx, father, SecondGuardianCode, "FAMILLE Y", now); err != nil {
		return fmt.Errorf("demo family features: %w", err)
	}
	return custody.SetAlternation(ctx, tx, lou.ID, father, family, now)
}

// queueSecondGuardian queues FAMILLE Y's invitation with its seeded code,
// so the demo mailbox shows how the second guardian joins.
func queueSecondGuardian(ctx context.Context, tx *sql.Tx, c tenants.Commune, portalURL string, now time.Time) error {
	var father int64
	if err := tx.QueryRowContext(ctx, `SELECT id FROM families WHERE name = 'FAMILLE Y' ORDER BY id LIMIT 1`).Scan(&father); err != nil {
		return fmt.Errorf("demo invitation: %w", err)
	}
	_, err := accounts.QueueInvitation(ctx, tx, c, father, SecondGuardianCode, portalURL, now)
	return err
}
