package tenants

import (
	"context"
	"errors"
	"testing"
)

// Nodes keep their leases in a shared platform.db for now: asking for a
// node over a PostgreSQL store is refused at once, not half-started.
func TestNodesOverAPostgresStoreAreRefused(t *testing.T) {
	_, err := Open(context.Background(), Options{DataDir: t.TempDir(), PlatformDSN: "postgres://nobody@/none?host=/nonexistent",
		Node: &NodeOptions{ID: "a", URL: "http://127.0.0.1:1"}})
	if !errors.Is(err, ErrNodesOnPostgres) {
		t.Fatalf("got %v, want ErrNodesOnPostgres", err)
	}
}
