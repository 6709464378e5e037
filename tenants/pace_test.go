package tenants_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"espacefamille/tenants"
)

// A paced sweep stops at once when its context ends (a node shutting down
// does not wait out a pause), and a share of a whole core never pauses.
func TestPaceStopsWithItsContextAndNeverPausesAWholeCore(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	long := time.Now().Add(-time.Hour) // a piece of work that took an hour
	if err := tenants.Pace(ctx, long, 0.05); !errors.Is(err, context.Canceled) {
		t.Fatalf("Pace after the context ended = %v, want context.Canceled", err)
	}
	if err := tenants.Pace(context.Background(), long, 1); err != nil {
		t.Fatalf("Pace with a whole core = %v, want nil", err)
	}
}
