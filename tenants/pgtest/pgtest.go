// Package pgtest gives tests a fresh PostgreSQL platform store: a schema
// of its own in the server named by ESPACEFAMILLE_TEST_PG_DSN, dropped
// when the test ends. scripts/test starts a throw-away server and always
// sets the variable; without it (a developer's machine) the PostgreSQL
// half of the platform store's tests is skipped, saying so.
//
// For tests only: only _test.go files and test helpers import it.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
)

// EnvDSN is the variable naming the test server (a postgres:// URL).
const EnvDSN = "ESPACEFAMILLE_TEST_PG_DSN"

// Available reports whether a test server is configured.
func Available() bool { return os.Getenv(EnvDSN) != "" }

// SkipReason is what a skipped PostgreSQL test says.
const SkipReason = EnvDSN + " is not set: the PostgreSQL half of the platform store's tests is skipped (scripts/test starts a server and sets it)"

// DSN returns the DSN of a new, empty schema of the test server, private
// to t and dropped after it; t is skipped when no server is configured.
func DSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvDSN)
	if base == "" {
		t.Skip(SkipReason)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvDSN, err)
	}
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		db.Close()
		t.Fatalf("create schema on the test server (%s): %v", EnvDSN, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop test schema %s: %v", schema, err)
		}
		db.Close()
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
