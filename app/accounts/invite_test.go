package accounts_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"espacefamille/app/accounts"
	"espacefamille/app/families"
	"espacefamille/tenants"
)

func TestIssueCodeReplacesTheSameLabelOnly(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var first, second, guardian string
	err := e.reg.WithCommune(ctx, slugA, func(db *tenants.DB) error {
		return db.Tx(ctx, func(tx *sql.Tx) (err error) {
			if first, err = families.IssueCode(ctx, tx, 1, "Mère"); err != nil {
				return err
			}
			if guardian, err = families.IssueCode(ctx, tx, 1, "Père"); err != nil {
				return err
			}
			second, err = families.IssueCode(ctx, tx, 1, "Mère")
			return err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	for code, want := range map[string]string{first: "revoked", second: "active", guardian: "active", "KUD31S77V7": "active"} {
		var got string
		e.reg.WithCommune(ctx, slugA, func(db *tenants.DB) error {
			return db.R.QueryRow(`SELECT status FROM adhesion_codes WHERE code_hash = ?`, families.HashCode(code)).Scan(&got)
		})
		if got != want {
			t.Errorf("code %s: %q, want %q", code, got, want)
		}
	}
	// Two guardians, two codes, two accounts linked to one family.
	for i, code := range []string{second, guardian} {
		p := e.client()
		email := []string{"mere@example.org", "pere@example.org"}[i]
		p.register(pathA, email)
		p.login(pathA, email, password)
		r := p.submit(pathA+"/adhesion", pathA+"/adhesion", map[string][]string{"code": {code}})
		mustStatus(t, email, r, 303)
	}
	if n := e.count(slugA, `SELECT COUNT(*) FROM family_accounts WHERE family_id = 1`); n != 2 {
		t.Fatalf("linked accounts = %d, want 2", n)
	}
	pending, err := accounts.PendingFamilies(ctx, mustDB(t, e, slugB))
	if err != nil || len(pending) != 1 {
		t.Fatalf("pending in B = %v, %v", pending, err)
	}
}

func TestInviteFamilyWithoutEmail(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id := e.exec(slugA, `INSERT INTO families (name, created_at) VALUES ('FAMILLE SANS MAIL', '2025-01-01T00:00:00Z')`)
	c, _ := e.reg.Commune(ctx, slugA)
	err := e.reg.WithCommune(ctx, slugA, func(db *tenants.DB) error {
		return db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := accounts.InviteFamily(ctx, tx, c, id, publicURL, e.clock.Now())
			return err
		})
	})
	if !errors.Is(err, accounts.ErrNoEmail) {
		t.Fatalf("err = %v, want ErrNoEmail", err)
	}
	if n := e.count(slugA, `SELECT COUNT(*) FROM adhesion_codes WHERE family_id = ?`, id); n != 0 {
		t.Fatal("a code was issued although no email can carry it")
	}
}

func mustDB(t *testing.T, e *env, slug string) *sql.DB {
	db, release, err := e.reg.Acquire(context.Background(), slug)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(release)
	return db.R
}
