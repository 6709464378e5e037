package tenants_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"espacefamille/tenants"
)

// A job that plans its communes itself (the cut-off reminders): a commune
// never looked at is listed as missing; SetWork then moves its turn later
// or earlier exactly, and only communes whose turn came are due; an
// unknown commune is ErrNotFound. A limit of 0 lists them all, on both
// platform stores.
func TestSetWorkPlansACommunesNextTurn(t *testing.T) {
	eachPlatform(t, testSetWorkPlansACommunesNextTurn)
}

func testSetWorkPlansACommunesNextTurn(t *testing.T, dsn string) {
	reg := platformNode(t, dsn)
	ctx := context.Background()
	for _, s := range []string{"aaa", "bbb", "ccc"} {
		createCommune(t, reg, s)
	}
	missing, err := reg.MissingWork(ctx, tenants.WorkReminders, 0)
	if err != nil || !slices.Equal(missing, []string{"aaa", "bbb", "ccc"}) {
		t.Fatalf("missing = %v, %v", missing, err)
	}
	if got, _ := reg.MissingWork(ctx, tenants.WorkReminders, 2); len(got) != 2 {
		t.Errorf("limit 2 gave %v", got)
	}
	now := time.Date(2027, time.January, 6, 17, 30, 0, 0, time.UTC)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(reg.SetWork(ctx, "aaa", tenants.WorkReminders, now.Add(24*time.Hour)))
	must(reg.SetWork(ctx, "bbb", tenants.WorkReminders, now.Add(time.Hour)))
	must(reg.SetWork(ctx, "ccc", tenants.WorkReminders, now.Add(-time.Minute)))
	// Earlier than before: SetWork, unlike MarkWork, also moves it later.
	must(reg.SetWork(ctx, "aaa", tenants.WorkReminders, now.Add(-time.Hour)))
	must(reg.SetWork(ctx, "ccc", tenants.WorkReminders, now.Add(2*time.Hour)))
	if got, _ := reg.MissingWork(ctx, tenants.WorkReminders, 0); len(got) != 0 {
		t.Errorf("still missing: %v", got)
	}
	due, err := reg.WorkDue(ctx, tenants.WorkReminders, now, 0)
	if err != nil || !slices.Equal(due, []string{"aaa"}) {
		t.Errorf("due = %v, %v; want aaa only", due, err)
	}
	if due, _ := reg.WorkDue(ctx, tenants.WorkMail, now, 0); len(due) != 0 {
		t.Errorf("the reminders' flags show as mail: %v", due)
	}
	if err := reg.SetWork(ctx, "zzz", tenants.WorkReminders, now); !errors.Is(err, tenants.ErrNotFound) {
		t.Errorf("unknown commune: %v", err)
	}
}
