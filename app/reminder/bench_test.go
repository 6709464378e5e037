package reminder_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"espacefamille/app/apptest"
	"espacefamille/app/demo"
	"espacefamille/app/reminder"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// BenchmarkCommunePass is one commune's reminder pass with 1,000 children
// in 1,000 families with an account, at a moment when nothing is due: the
// cost of looking (the job's every visit), not of sending.
func BenchmarkCommunePass(b *testing.B) {
	now := paris(2027, 1, 5, 9, 0) // the reminders of the week of 11/01 go out tomorrow
	e := apptest.New(b, apptest.At(now), apptest.PublicURL(publicURL))
	e.Tx(demo.Slug, func(tx *sql.Tx) error {
		for i := range 1000 {
			res, err := tx.Exec(`INSERT INTO families (name, email, created_at) VALUES (?, ?, '2026-09-01T00:00:00Z')`,
				fmt.Sprintf("FAMILLE B%d", i), fmt.Sprintf("b%d@example.org", i))
			if err != nil {
				return err
			}
			fam, _ := res.LastInsertId()
			if _, err := tx.Exec(`INSERT INTO children (family_id, first_name, last_name, birth_date, school_id, created_at)
				SELECT ?, 'Enfant', ?, '2018-01-01', (SELECT MIN(id) FROM schools), '2026-09-01T00:00:00Z'`, fam, fmt.Sprintf("B%d", i)); err != nil {
				return err
			}
			if _, err := tx.Exec(`INSERT INTO family_accounts (family_id, account_id, linked_at) VALUES (?, ?, '2026-09-01T00:00:00Z')`, fam, 100000+i); err != nil {
				return err
			}
		}
		return nil
	})
	db := e.DB(demo.Slug)
	com := tenants.Commune{Slug: demo.Slug, Name: demo.Name}
	abs := func(c tenants.Commune, p string) string { return web.CommuneURL(publicURL, c, p) }
	b.ResetTimer()
	for b.Loop() {
		res, err := reminder.Commune(context.Background(), db, e.Registry.Platform().Reader(), com, abs, now)
		if err != nil || res.Reminded != 0 {
			b.Fatalf("%+v, %v", res, err)
		}
	}
}
