package demo

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"espacefamille/app/absences"
	"espacefamille/app/calendar"
	"espacefamille/app/families"
	"espacefamille/app/records"
)

// seedRecords gives the demo what shows the child's record and absences:
// "Fille FAMILLE X" has a record validated by the mairie (PAI valid until
// the end of the school year), "Garçon FAMILLE X" none yet (the parent
// fills it, an agent validates it), and the commune's absence rule is
// set (declared before 09:00 the same day, one jour de carence, medical
// certificate required).
func seedRecords(ctx context.Context, tx *sql.Tx, family int64, now time.Time) error {
	kids, err := families.Children(ctx, tx, family)
	if err != nil {
		return fmt.Errorf("demo seed records: %w", err)
	}
	today := calendar.Today(now)
	for _, ch := range kids {
		if ch.FirstName != "Fille" {
			continue
		}
		r := records.Record{Allergies: true, PAI: true, PAIUntil: calendar.DateOf(schoolYearStart(today).Year()+1, time.August, 31),
			DoctorName: "Dr Claire Martin", DoctorPhone: "0490123456", ImageRights: true,
			Pickups:   []records.Contact{{Name: "Jeanne FAMILLE X", Phone: "0612345678", Relationship: "grand-mère"}},
			Emergency: []records.Contact{{Name: "Y FAMILLE X", Phone: "0698765432", Relationship: "père"}}}
		id, err := records.Submit(ctx, tx, family, ch.ID, r, "Y FAMILLE X", now)
		if err != nil {
			return fmt.Errorf("demo seed records: %w", err)
		}
		if _, err := records.Validate(ctx, tx, id, "Service scolaire", now); err != nil {
			return fmt.Errorf("demo seed records: %w", err)
		}
	}
	return absences.SaveRule(ctx, tx, absences.Rule{Enabled: true, DeadlineHour: 9, CarenceDays: 1, CertificateRequired: true})
}
