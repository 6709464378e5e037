package apptest

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"espacefamille/app/auth"
	"espacefamille/app/demo"
	"espacefamille/tenants"
)

// EmptyDB opens a database file of its own in t.TempDir(), migrated to
// schema (tenants.CommuneSchema or tenants.PlatformSchema) and holding no
// data, for store tests that need no registry, server or demo; it is
// closed when the test ends.
func EmptyDB(t testing.TB, schema *tenants.Schema) *tenants.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "empty.db")
	db, err := tenants.OpenDB(path, tenants.OpenOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, _, err := schema.Migrate(context.Background(), path); err != nil {
		t.Fatal(err)
	}
	return db
}

// DB returns a commune's handles ("" = the platform), held until the test
// ends.
func (e *Env) DB(slug string) *tenants.DB {
	e.T.Helper()
	if slug == "" {
		return e.Registry.Platform()
	}
	e.held.mu.Lock()
	defer e.held.mu.Unlock()
	if db, ok := e.held.dbs[slug]; ok {
		return db
	}
	db, release, err := e.Registry.Acquire(context.Background(), slug)
	if err != nil {
		e.T.Fatal(err)
	}
	e.T.Cleanup(release)
	e.held.dbs[slug] = db
	return db
}

// with runs fn on a commune's handles ("" = the platform) for one call.
func (e *Env) with(slug string, fn func(db *tenants.DB) error) error {
	if slug == "" {
		return fn(e.Registry.Platform())
	}
	return e.Registry.WithCommune(context.Background(), slug, fn)
}

// Exec runs a statement in a transaction on a commune ("" = the platform)
// and returns the last inserted id; a statement ending in "RETURNING id"
// returns that id instead, on both platform stores (PostgreSQL's driver
// has no last inserted id).
func (e *Env) Exec(slug, q string, args ...any) int64 {
	e.T.Helper()
	var id int64
	err := e.with(slug, func(db *tenants.DB) error {
		return db.Tx(context.Background(), func(tx *sql.Tx) error {
			if strings.HasSuffix(strings.TrimSpace(q), "RETURNING id") {
				return tx.QueryRow(q, args...).Scan(&id)
			}
			res, err := tx.Exec(q, args...)
			if err == nil {
				id, _ = res.LastInsertId()
			}
			return err
		})
	})
	if err != nil {
		e.T.Fatalf("%s: %v", q, err)
	}
	return id
}

// Tx runs fn in a write transaction on a commune ("" = the platform).
func (e *Env) Tx(slug string, fn func(tx *sql.Tx) error) {
	e.T.Helper()
	if err := e.with(slug, func(db *tenants.DB) error { return db.Tx(context.Background(), fn) }); err != nil {
		e.T.Fatal(err)
	}
}

// Scan reads one row of a query on a commune ("" = the platform) into dest.
func (e *Env) Scan(slug, q string, args []any, dest ...any) {
	e.T.Helper()
	if err := e.with(slug, func(db *tenants.DB) error {
		return db.Reader().QueryRowContext(context.Background(), q, args...).Scan(dest...)
	}); err != nil {
		e.T.Fatalf("%s: %v", q, err)
	}
}

// Int returns the single integer a query selects on a commune ("" = the
// platform).
func (e *Env) Int(slug, q string, args ...any) int64 {
	e.T.Helper()
	var n int64
	e.Scan(slug, q, args, &n)
	return n
}

// Count is Int for COUNT queries.
func (e *Env) Count(slug, q string, args ...any) int {
	e.T.Helper()
	return int(e.Int(slug, q, args...))
}

// Text returns the single text a query selects.
func (e *Env) Text(slug, q string, args ...any) string {
	e.T.Helper()
	var s string
	e.Scan(slug, q, args, &s)
	return s
}

// DemoIDs are the ids of the demo commune's fixtures.
type DemoIDs struct {
	Family            int64 // FAMILLE X
	Fille, Garcon     int64 // "Fille FAMILLE X", "Garçon FAMILLE X"
	Cantine, Garderie int64 // the prepaid and the post-paid régies
	// Prestations by name: "REPAS CLASSIQUE ENFANT", "REPAS VEGETARIEN",
	// "GARDERIE MATIN ET SOIR".
	Prestations map[string]int64
}

// Demo returns the ids of the demo commune's fixtures.
func (e *Env) Demo() DemoIDs {
	e.T.Helper()
	s := demo.Slug
	d := DemoIDs{
		Family:      e.Int(s, `SELECT id FROM families WHERE name = 'FAMILLE X'`),
		Cantine:     e.Int(s, `SELECT id FROM regies WHERE mode = 'prepaid'`),
		Garderie:    e.Int(s, `SELECT id FROM regies WHERE mode = 'postpaid'`),
		Prestations: map[string]int64{},
	}
	d.Fille = e.Int(s, `SELECT id FROM children WHERE family_id = ? AND first_name = 'Fille'`, d.Family)
	d.Garcon = e.Int(s, `SELECT id FROM children WHERE family_id = ? AND first_name = 'Garçon'`, d.Family)
	err := e.with(s, func(db *tenants.DB) error {
		return tenants.Each(context.Background(), db.Reader(), func(row tenants.Row) error {
			var id int64
			var name string
			err := row.Scan(&id, &name)
			d.Prestations[name] = id
			return err
		}, `SELECT id, name FROM prestations`)
	})
	if err != nil {
		e.T.Fatal(err)
	}
	return d
}

// ParentAccount creates a confirmed platform account with email and
// password, linked to family on commune slug as its code d'adhésion would
// link it, and returns the account's id.
func (e *Env) ParentAccount(slug string, family int64, email, password string) int64 {
	e.T.Helper()
	hash, err := auth.HashPassword(context.Background(), password)
	if err != nil {
		e.T.Fatal(err)
	}
	now := tenants.FormatTime(time.Now())
	account := e.Exec("", `INSERT INTO accounts (email, password_hash, last_name, first_name, email_confirmed_at, password_changed_at, created_at)
		VALUES (?, ?, 'Parent', 'Un', ?, ?, ?) RETURNING id`, email, hash, now, now, now)
	e.Exec(slug, `INSERT INTO family_accounts (family_id, account_id, linked_at) VALUES (?, ?, ?)`, family, account, now)
	return account
}

// ParentPassword is the password of the accounts Parent creates.
const ParentPassword = "une phrase de passe solide"

// Parent creates a confirmed account linked to family (ParentAccount) and
// logs it in through the real log-in page: a real parent session.
func (e *Env) Parent(t testing.TB, slug string, family int64, opts ...ClientOption) *Client {
	t.Helper()
	email := fmt.Sprintf("parent%d.%d@example.org", family, time.Now().UnixNano())
	e.For(t).ParentAccount(slug, family, email, ParentPassword)
	c := e.Client(t, opts...)
	c.LoginParent(slug, email, ParentPassword)
	return c
}

// Staff logs a staff member in to commune slug's back office.
func (e *Env) Staff(t testing.TB, slug, email, password string, opts ...ClientOption) *Client {
	t.Helper()
	c := e.Client(t, opts...)
	c.LoginStaff(slug, email, password)
	return c
}

// DemoAdmin is a staff session of the demo commune's administrator.
func (e *Env) DemoAdmin(t testing.TB, opts ...ClientOption) *Client {
	t.Helper()
	return e.Staff(t, demo.Slug, demo.AdminEmail, demo.AdminPassword, opts...)
}
