package families_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"espacefamille/app/families"
)

// An account is linked without a code (seeding tools) under the same rule
// as with a code: once to its family, never to a second family.
func TestLinkAccountWithoutCodeFollowsTheOneFamilyRule(t *testing.T) {
	db := commune(t)
	ctx := context.Background()
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		a, err := families.Create(ctx, tx, families.Family{Name: "MARTIN"}, now)
		if err != nil {
			return err
		}
		b, err := families.Create(ctx, tx, families.Family{Name: "DURAND"}, now)
		if err != nil {
			return err
		}
		if err := families.LinkAccount(ctx, tx, a, 7, now); err != nil {
			t.Fatalf("first link: %v", err)
		}
		if err := families.LinkAccount(ctx, tx, a, 7, now); !errors.Is(err, families.ErrAlreadyLinked) {
			t.Errorf("same family again: %v, want ErrAlreadyLinked", err)
		}
		if err := families.LinkAccount(ctx, tx, b, 7, now); !errors.Is(err, families.ErrOtherFamily) {
			t.Errorf("second family: %v, want ErrOtherFamily", err)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM family_accounts WHERE account_id = 7 AND family_id = ? AND code_id IS NULL`, a).Scan(&n); err != nil || n != 1 {
			t.Errorf("links of account 7: %d %v, want one to MARTIN without a code", n, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
