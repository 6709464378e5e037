package tenants

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/pressly/goose/v3"

	"espacefamille/migrations"
)

// Schema is one set of embedded goose migrations.
type Schema struct {
	name string
	fsys fs.FS
	// pg holds the PostgreSQL twin of fsys (the platform store only).
	pg fs.FS

	once   sync.Once
	latest int64
	err    error
}

// CommuneSchema is the schema of every commune database.
var CommuneSchema = &Schema{name: "commune", fsys: mustSub(migrations.Commune, "commune")}

// PlatformSchema is the schema of the platform database.
var PlatformSchema = &Schema{name: "platform", fsys: mustSub(migrations.Platform, "platform"),
	pg: mustSub(migrations.PlatformPostgres, "platform_pg")}

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // embedded directories are fixed at build time
	}
	return sub
}

// Latest returns the highest migration version the binary embeds.
func (s *Schema) Latest() (int64, error) {
	s.once.Do(func() {
		entries, err := fs.ReadDir(s.fsys, ".")
		if err != nil {
			s.err = err
			return
		}
		for _, e := range entries {
			name := e.Name()
			if path.Ext(name) != ".sql" {
				continue
			}
			num, _, ok := strings.Cut(name, "_")
			if !ok {
				s.err = fmt.Errorf("migration %s: no version prefix", name)
				return
			}
			v, err := strconv.ParseInt(num, 10, 64)
			if err != nil {
				s.err = fmt.Errorf("migration %s: %w", name, err)
				return
			}
			s.latest = max(s.latest, v)
		}
	})
	return s.latest, s.err
}

// Version reads the schema version recorded in the database (0 for a new
// file). It is a single cheap query, used on every cold open.
func Version(ctx context.Context, db Querier) (int64, error) {
	var v sql.NullInt64
	err := db.QueryRowContext(ctx,
		`SELECT MAX(version_id) FROM goose_db_version WHERE is_applied`).Scan(&v)
	if err != nil {
		if strings.Contains(err.Error(), "no such table") || isPgUndefinedTable(err) {
			return 0, nil
		}
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v.Int64, nil
}

// ErrNewerSchema means the file was migrated by a newer binary.
var ErrNewerSchema = errors.New("database schema is newer than this binary")

// Migrate brings the file's schema up to the latest embedded version
// through its own two-connection pool (goose needs one for its version
// table besides the transaction), under an exclusive file lock so two
// processes never migrate one file at once. It returns the versions before
// and after; on error the file stays at the last version that applied.
func (s *Schema) Migrate(ctx context.Context, dbPath string) (from, to int64, err error) {
	return s.migrateFenced(ctx, dbPath, nil)
}

// migrateFenced is Migrate with fence (nil: none) asked before each
// migration commits (connHooks.fence): a node migrating a commune file on
// open stops at the first migration it would commit after losing the
// commune's lease.
func (s *Schema) migrateFenced(ctx context.Context, dbPath string, fence func() error) (from, to int64, err error) {
	unlock, err := lockFile(dbPath + ".migrate-lock")
	if err != nil {
		return 0, 0, err
	}
	defer unlock()

	db := openPool("file:"+dbPath+"?mode=rw&"+pragmas+"&_txlock=immediate", connHooks{fence: fence, bare: true})
	defer db.Close()
	db.SetMaxOpenConns(2)

	return s.up(ctx, db, "file", func() (*goose.Provider, error) {
		return goose.NewProvider(goose.DialectSQLite3, db, s.fsys)
	})
}

// up brings db (a file or the PostgreSQL store, named where in errors)
// from its version to the latest with the provider newProvider makes,
// unless it is there already or newer. It returns the versions before and
// after; on error, where db stands.
func (s *Schema) up(ctx context.Context, db *sql.DB, where string, newProvider func() (*goose.Provider, error)) (from, to int64, err error) {
	if from, err = Version(ctx, db); err != nil {
		return 0, 0, err
	}
	latest, err := s.Latest()
	if err != nil {
		return from, from, err
	}
	if from > latest {
		return from, from, fmt.Errorf("%w (%s at %d, binary at %d)", ErrNewerSchema, where, from, latest)
	}
	if from == latest {
		return from, from, nil
	}
	p, err := newProvider()
	if err != nil {
		return from, from, fmt.Errorf("%s migrations: %w", s.name, err)
	}
	if _, upErr := p.Up(ctx); upErr != nil {
		// Some migrations may have applied: read where db stands.
		if to, err = Version(ctx, db); err != nil {
			return from, to, err
		}
		return from, to, fmt.Errorf("migrate %s from %d: %w", s.name, from, upErr)
	}
	// Every migration applied (goose stops at the first failure): db is
	// at the latest version, without reading it again (a `migrate --all`
	// of 10,000 communes spent a third of its time there).
	return from, latest, nil
}
