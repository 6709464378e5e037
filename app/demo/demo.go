// Package demo creates and seeds the demo commune, Malemort du Comtat, as
// the parents' memento shows it, relative to today's date.
package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"espacefamille/app/accounts"
	"espacefamille/app/admin"
	"espacefamille/app/auth"
	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/news"
	"espacefamille/tenants"
)

// The demo commune and its log-ins (demo only, printed at start).
const (
	Slug          = "malemort-du-comtat"
	Name          = "Commune de Malemort du Comtat"
	Zone          = "B"
	AdminEmail    = "admin@malemort-du-comtat.example"
	AdminPassword = "malemort-demo"
	FamilyEmail   = "famille.x@example.org"
	AdhesionCode  = "KUD31S77V7"
)

// Ensure creates the demo commune if it does not exist. It reports whether
// it created it.
func Ensure(ctx context.Context, reg *tenants.Registry, now time.Time) (bool, error) {
	if _, err := reg.Commune(ctx, Slug); err == nil {
		return false, nil
	} else if !errors.Is(err, tenants.ErrNotFound) {
		return false, err
	}
	_, err := reg.CreateCommune(ctx, tenants.NewCommune{Slug: Slug, Name: Name, Zone: Zone, AdminEmail: AdminEmail},
		func(ctx context.Context, tx *sql.Tx, c tenants.Commune) error { return Seed(ctx, tx, now) })
	if err != nil {
		return false, fmt.Errorf("demo: %w", err)
	}
	return true, nil
}

// Seed fills a fresh commune database with the memento's data. It is
// deterministic for a given day.
func Seed(ctx context.Context, tx *sql.Tx, now time.Time) error {
	today := calendar.Today(now)
	ts := now.UTC().Format(time.RFC3339)
	exec := func(q string, args ...any) (int64, error) {
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return 0, fmt.Errorf("demo seed: %w\n%s", err, q)
		}
		return res.LastInsertId()
	}

	if err := booking.SetSetting(ctx, tx, "sender_name", Name); err != nil {
		return err
	}
	if err := booking.SetSetting(ctx, tx, "address", "Mairie, Place de la Mairie, 84570 Malemort-du-Comtat"); err != nil {
		return err
	}
	family, err := exec(`INSERT INTO families (name, email, address, postal_code, city, qf_value, qf_valid_from, qf_valid_until, created_at)
		VALUES ('FAMILLE X', ?, '1 chemin des Écoliers', '84570', 'Malemort-du-Comtat', 650, ?, ?, ?)`,
		FamilyEmail, schoolYearStart(today).String(), schoolYearStart(today).AddDays(364).String(), ts)
	if err != nil {
		return err
	}
	if _, err := exec(`INSERT INTO guardians (family_id, civility, last_name, first_name, email, created_at)
		VALUES (?, 'M', 'FAMILLE X', 'Y', ?, ?)`, family, FamilyEmail, ts); err != nil {
		return err
	}
	school, err := admin.AddSchool(ctx, tx, "École de Malemort du Comtat")
	if err != nil {
		return err
	}
	for _, first := range []string{"Fille", "Garçon"} {
		if _, err := exec(`INSERT INTO children (family_id, first_name, last_name, birth_date, school_id, class_name, created_at)
			VALUES (?, ?, 'FAMILLE X', '2017-11-28', ?, '', ?)`, family, first, school, ts); err != nil {
			return err
		}
	}
	if _, err := exec(`INSERT INTO adhesion_codes (family_id, code_hash, label, created_at) VALUES (?, ?, 'FAMILLE X', ?)`,
		family, accounts.HashCode(AdhesionCode), ts); err != nil {
		return err
	}

	if err := seedCatalog(ctx, tx, now); err != nil {
		return err
	}

	years := map[string]bool{schoolYear(today, 0): true, schoolYear(today, 1): true}
	var holidays []calendar.Holiday
	for _, h := range calendar.BundledHolidays(Zone) {
		if years[h.SchoolYear] {
			holidays = append(holidays, h)
		}
	}
	if _, err := admin.StoreHolidays(ctx, tx, holidays, "bundled"); err != nil {
		return err
	}

	// A closure day in the agenda's fourth week, so the demo shows
	// "fermeture" beside the holidays (booking, issue 4).
	if _, err := exec(`INSERT INTO closures (day, reason, created_at) VALUES (?, 'Journée pédagogique', ?)`,
		today.Monday().AddDays(25).String(), ts); err != nil {
		return err
	}

	hash, err := auth.HashPassword(ctx, AdminPassword)
	if err != nil {
		return err
	}
	if _, err := admin.AddStaffWithPassword(ctx, tx, admin.NewStaff{Email: AdminEmail, Name: "Service scolaire", Role: admin.RoleAdmin}, hash, now); err != nil {
		return err
	}
	_, err = news.Create(ctx, tx, news.Item{Title: "Bienvenue sur votre espace famille",
		Body:          "Vous pouvez désormais réserver la cantine et la garderie de vos enfants en ligne, payer vos réservations et retrouver vos factures.\n\nPensez à valider votre panier avant la date limite de réservation : deux jours ouvrés avant le repas, à 10h00.",
		PublishedFrom: today.String()}, now)
	return err
}

// seedCatalog writes the memento's régies and prestations: the canteen in
// prépaiement (two exclusive meals, 2,55 €, 120 places) and the garderie
// in post-paiement (a monthly forfait, 25,00 €).
func seedCatalog(ctx context.Context, tx *sql.Tx, now time.Time) error {
	cantine, err := booking.SaveRegie(ctx, tx, booking.Regie{Name: "REGIE CANTINE - prépaiement", Mode: booking.ModePrepaid,
		InvoicePrefix: "GM", Position: 1}, now)
	if err != nil {
		return fmt.Errorf("demo seed: %w", err)
	}
	garderie, err := booking.SaveRegie(ctx, tx, booking.Regie{Name: "REGIE GARDERIE - post-paiement", Mode: booking.ModePostpaid,
		InvoicePrefix: "GA", Position: 2}, now)
	if err != nil {
		return fmt.Errorf("demo seed: %w", err)
	}
	mealDeadline, err := calendar.ParseDeadline("workdays:2@10:00")
	if err != nil {
		return err
	}
	forfaitDeadline, err := calendar.ParseDeadline("days:7@12:00")
	if err != nil {
		return err
	}
	days := calendar.WeekdaysOf(time.Monday, time.Tuesday, time.Thursday, time.Friday)
	for i, name := range []string{"REPAS CLASSIQUE ENFANT", "REPAS VEGETARIEN"} {
		if _, err := booking.CreatePrestation(ctx, tx, booking.PrestationInput{RegieID: cantine, Name: name, Kind: booking.KindDaily,
			Weekdays: days, ExclusiveGroup: "repas", PriceCents: 255, Capacity: 120,
			Booking: mealDeadline, Cancel: mealDeadline, Position: i + 1}, now); err != nil {
			return fmt.Errorf("demo seed: %w", err)
		}
	}
	if _, err := booking.CreatePrestation(ctx, tx, booking.PrestationInput{RegieID: garderie, Name: "GARDERIE MATIN ET SOIR",
		Kind: booking.KindForfait, ForfaitKind: calendar.ForfaitMonth, Weekdays: days, PriceCents: 2500,
		Booking: forfaitDeadline, Cancel: forfaitDeadline, Position: 1}, now); err != nil {
		return fmt.Errorf("demo seed: %w", err)
	}
	return nil
}

// schoolYear names the school year containing today, shifted by offset
// years ("2026-2027"). A school year starts in September; August belongs to
// the year that starts.
func schoolYear(today calendar.Date, offset int) string {
	start := schoolYearStart(today).Year() + offset
	return fmt.Sprintf("%d-%d", start, start+1)
}

func schoolYearStart(today calendar.Date) calendar.Date {
	y := today.Year()
	if today.Month() < time.August {
		y--
	}
	return calendar.DateOf(y, time.September, 1)
}
