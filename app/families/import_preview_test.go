package families_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"espacefamille/app/families"
	"espacefamille/tenants"
)

// commune returns a migrated commune database in t.TempDir().
func commune(t *testing.T) *tenants.DB {
	t.Helper()
	ctx := context.Background()
	reg, err := tenants.Open(ctx, tenants.Options{DataDir: t.TempDir(), MaxOpen: 2, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	if _, err := reg.CreateCommune(ctx, tenants.NewCommune{Slug: "alpha", Name: "Alpha"}, nil); err != nil {
		t.Fatal(err)
	}
	db, release, err := reg.Acquire(ctx, "alpha")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(release)
	return db
}

// lines records what a running import reports.
type lines struct{ done, errors int }

func (l *lines) Total(done, total int) { l.done = done }
func (l *lines) Line(msg string) {
	l.done++
	if msg != "" {
		l.errors++
	}
}

func noAudit(context.Context, *sql.Tx, string, int64, any, any, time.Time) error { return nil }

// registered is what the commune holds: families, children, guardians.
func registered(t *testing.T, db *tenants.DB) [3]int {
	t.Helper()
	var n [3]int
	for i, table := range []string{"families", "children", "guardians"} {
		if err := db.R.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n[i]); err != nil {
			t.Fatal(err)
		}
	}
	return n
}

const header = "N° famille;Famille;Email;Responsable nom;Responsable prénom;Enfant prénom;Enfant nom;Date de naissance\n"

// The preview says what confirming will do, exactly: the same counts as
// the import's own summary, and the same as the rows it writes, on files
// with lines refused at reading and lines refused against the commune
// (a child already registered in another family).
func TestImportPreviewCountsAreWhatTheImportDoes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		file string
		want families.Summary
	}{
		{
			name: "every line of a family is another family's child: the family is not created, and confirming is not offered",
			file: header +
				"B1;FAMILLE BRUN;;BRUN;Paul;Léo;MARTIN;01/02/2018\n" +
				"B1;FAMILLE BRUN;;BRUN;Anne;Léo;MARTIN;01/02/2018\n" +
				"B2;FAMILLE NOIR;;;;Max;NOIR;31/02/2017\n" +
				"B3;;;;;Eva;ROUX;01/01/2019\n",
			want: families.Summary{Rows: 4, Invalid: 4},
		},
		{
			name: "a refused line leaves its guardian out, its family's other lines are imported",
			file: header +
				"C1;FAMILLE BLANC;;BLANC;Marc;Léo;MARTIN;01/02/2018\n" +
				"C1;FAMILLE BLANC;;BLANC;Julie;Lou;BLANC;05/06/2019\n" +
				"C2;FAMILLE VERT;;VERT;Luc;Tom;VERT;13/13/2019\n",
			want: families.Summary{Rows: 3, Invalid: 2, NewFamilies: 1, NewChildren: 1, NewGuardians: 1},
		},
		{
			name: "the commune's family is updated through its reference, a line sharing its email joins it, a duplicate line is refused",
			file: header +
				"M1;FAMILLE MARTIN;martin@example.org;MARTIN;Jean;Léo;MARTIN;01/02/2018\n" +
				";FAMILLE MARTIN;martin@example.org;MARTIN;Jean;Mia;MARTIN;07/08/2020\n" +
				"D1;FAMILLE DUPONT;;;;Ana;DUPONT;01/01/2017\n" +
				"D1;FAMILLE DUPONT;;;;Ana;DUPONT;01/01/2017\n",
			want: families.Summary{Rows: 4, Invalid: 1, NewFamilies: 1, UpdatedFamilies: 1, NewChildren: 2, UpdatedChildren: 1, NewGuardians: 1},
		},
		{
			name: "two new families of one name stay two, noted against the file's line, never against a family that does not exist yet",
			file: header +
				"P1;FAMILLE PETIT;;;;Rose;PETIT;01/01/2015\n" +
				"P2;FAMILLE PETIT;;;;Noé;PETIT;02/02/2016\n",
			want: families.Summary{Rows: 2, NewFamilies: 2, NewChildren: 2, Noted: 1},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := commune(t)
			now := time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)
			// The commune already has FAMILLE MARTIN (reference M1) and its
			// child Léo, and a member of staff who previews.
			if err := db.Tx(ctx, func(tx *sql.Tx) error {
				if _, err := tx.Exec(`INSERT INTO staff (id, email, role, created_at) VALUES (1, 'mairie@example.org', 'admin', '2026-09-01T08:00:00Z')`); err != nil {
					return err
				}
				id, err := families.Create(ctx, tx, families.Family{Name: "FAMILLE MARTIN", ExternalRef: "M1"}, now)
				if err != nil {
					return err
				}
				_, _, err = families.SaveChild(ctx, tx, families.Child{FamilyID: id, FirstName: "Léo", LastName: "MARTIN", BirthDate: "2018-02-01"}, now)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			file, err := families.ParseImport([]byte(tc.file))
			if err != nil {
				t.Fatal(err)
			}
			pv, err := families.PreviewImport(ctx, db.R, file, now)
			if err != nil {
				t.Fatal(err)
			}
			before := registered(t, db)
			for _, v := range pv.Rows {
				for _, n := range v.Notes {
					if strings.Contains(n, "n° -") {
						t.Fatalf("line %d: note about a family not yet created: %s", v.Line, n)
					}
				}
			}
			if pv.Summary != tc.want {
				t.Fatalf("preview = %+v, want %+v", pv.Summary, tc.want)
			}
			if !pv.Summary.Importable() {
				if registered(t, db) != before {
					t.Fatal("the preview wrote rows")
				}
				return
			}
			var id string
			if err := db.Tx(ctx, func(tx *sql.Tx) error {
				id, err = families.SavePreview(ctx, tx, 1, "familles.csv", []byte(tc.file), pv.Groups, now)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			p, err := families.LoadPreview(ctx, db.R, id, 1, now)
			if err != nil {
				t.Fatal(err)
			}
			var l lines
			got, msg := families.Run(ctx, db, p, file, noAudit, &l, func() time.Time { return now })
			if got != pv.Summary {
				t.Fatalf("import = %+v (%s), preview said %+v", got, msg, pv.Summary)
			}
			if l.done != got.Rows || l.errors != got.Invalid {
				t.Fatalf("progress: %d lines done, %d in error; summary %+v", l.done, l.errors, got)
			}
			after := registered(t, db)
			if wrote := [3]int{after[0] - before[0], after[1] - before[1], after[2] - before[2]}; wrote != [3]int{got.NewFamilies, got.NewChildren, got.NewGuardians} {
				t.Fatalf("rows written (families, children, guardians) = %v, summary %+v", wrote, got)
			}
			if !strings.Contains(msg, "ligne(s) en erreur ignorée(s)") {
				t.Fatalf("message: %s", msg)
			}
		})
	}
}
