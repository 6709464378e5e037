// Package demo creates and seeds the demo commune, Malemort du Comtat, as
// the parents' memento shows it, relative to today's date.
package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"espacefamille/app/admin"
	"espacefamille/app/auth"
	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/families"
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
	if err := booking.SetSetting(ctx, tx, "sender_name", Name); err != nil {
		return err
	}
	if err := booking.SetSetting(ctx, tx, "address", "Mairie, Place de la Mairie, 84570 Malemort-du-Comtat"); err != nil {
		return err
	}
	yearStart := schoolYearStart(today)
	family, err := families.Create(ctx, tx, families.Family{Name: "FAMILLE X", Email: FamilyEmail, Address: "1 chemin des Écoliers",
		PostalCode: "84570", City: "Malemort-du-Comtat", HasQF: true, QF: 650,
		QFFrom: yearStart.String(), QFUntil: yearStart.AddDays(364).String()}, now)
	if err != nil {
		return fmt.Errorf("demo seed: %w", err)
	}
	if _, _, err := families.SaveGuardian(ctx, tx, families.Guardian{FamilyID: family, Civility: "M", LastName: "FAMILLE X",
		FirstName: "Y", Email: FamilyEmail}, now); err != nil {
		return fmt.Errorf("demo seed: %w", err)
	}
	for _, first := range []string{"Fille", "Garçon"} {
		if _, _, err := families.SaveChild(ctx, tx, families.Child{FamilyID: family, FirstName: first, LastName: "FAMILLE X",
			BirthDate: "2017-11-28", SchoolName: "École de Malemort du Comtat"}, now); err != nil {
			return fmt.Errorf("demo seed: %w", err)
		}
	}
	if err := families.SeedCode(ctx, tx, family, AdhesionCode, "FAMILLE X", now); err != nil {
		return fmt.Errorf("demo seed: %w", err)
	}

	if err := seedCatalog(ctx, tx, now); err != nil {
		return err
	}
	if err := seedFamilyFeatures(ctx, tx, now); err != nil { // issue 14: usual week, shared custody
		return err
	}
	if err := seedRecords(ctx, tx, family, now); err != nil { // the child's record and absences (issue 14)
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

	// A closure on a school day the agenda shows, so the demo shows
	// "fermeture" beside the holidays (booking, issue 4).
	if err := booking.AddClosure(ctx, tx, SampleClosureDay(today), "Journée pédagogique", now); err != nil {
		return fmt.Errorf("demo seed: %w", err)
	}

	hash, err := auth.HashPassword(ctx, AdminPassword)
	if err != nil {
		return err
	}
	if _, err := admin.AddStaffWithPassword(ctx, tx, admin.NewStaff{Email: AdminEmail, Name: "Service scolaire", Role: admin.RoleAdmin}, hash, now); err != nil {
		return err
	}
	if err := seedNotifications(ctx, tx); err != nil {
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

// SampleClosureDay is the demo's closure day for today: a school day on
// which meals are served (Monday, Tuesday, Thursday or Friday, not a
// public or school holiday), as late as possible in the four weeks the
// agenda shows from today's week but at least three days ahead (so it is
// not just a day past the booking deadline), else the first such day
// after them (a summer's day: the first days of the next school year).
// A fixed offset fell on 25 December, a holiday, and never showed.
func SampleClosureDay(today calendar.Date) calendar.Date {
	cal := calendar.NewZoneCalendar(Zone)
	meals := calendar.WeekdaysOf(time.Monday, time.Tuesday, time.Thursday, time.Friday)
	school := func(d calendar.Date) bool { return meals.Has(d.Weekday()) && cal.IsOpen(d) }
	end := today.Monday().AddDays(7*booking.AgendaWeeks - 1)
	for d := end; !d.Before(today.AddDays(3)); d = d.AddDays(-1) {
		if school(d) {
			return d
		}
	}
	d := end.AddDays(1)
	for !school(d) {
		d = d.AddDays(1)
	}
	return d
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
