package tenants

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"sync"
	"time"
)

// CommuneInit writes what every new commune starts with. tenants owns the
// files, not their content: the package that owns the commune's settings
// registers it (OnCommuneCreated), and CreateCommune runs it first in the
// creating transaction.
type CommuneInit func(ctx context.Context, tx *sql.Tx, c Commune) error

var communeInits struct {
	sync.Mutex
	list []CommuneInit
}

// OnCommuneCreated registers f to run first in the creating transaction of
// every commune (app/booking registers the commune's identity settings).
func OnCommuneCreated(f CommuneInit) {
	communeInits.Lock()
	defer communeInits.Unlock()
	communeInits.list = append(communeInits.list, f)
}

func registeredInits() []CommuneInit {
	communeInits.Lock()
	defer communeInits.Unlock()
	return slices.Clone(communeInits.list)
}

// CreateCommune validates n, creates and migrates the commune's file, then
// registers it, so that a failure at any step leaves nothing behind. The
// registered initialisers (OnCommuneCreated), then init when not nil, run
// in one transaction on the new file before it is registered (settings,
// seed data).
func (r *Registry) CreateCommune(ctx context.Context, n NewCommune, init func(ctx context.Context, tx *sql.Tx, c Commune) error) (Commune, error) {
	n, err := n.normalize()
	if err != nil {
		return Commune{}, err
	}
	if err := r.checkFree(ctx, n); err != nil {
		return Commune{}, err
	}
	final := r.CommunePath(n.Slug)
	if _, err := os.Stat(final); err == nil {
		return Commune{}, fmt.Errorf("%w (le fichier %s existe déjà)", ErrDuplicateSlug, final)
	}
	tmp := final + ".creating"
	cleanup := func() {
		for _, suffix := range []string{"", "-wal", "-shm", ".migrate-lock"} {
			os.Remove(tmp + suffix)
		}
	}
	cleanup()
	now := time.Now().UTC().Truncate(time.Second)
	c := Commune{Slug: n.Slug, Name: n.Name, Hosts: n.Hosts, Status: StatusActive, Zone: n.Zone, AdminEmail: n.AdminEmail, CreatedAt: now}

	db, err := OpenDB(tmp, OpenOptions{Create: true, ReadConns: 1})
	if err != nil {
		cleanup()
		return Commune{}, err
	}
	// Work created by init (an invitation email) is flagged with the
	// registration below, in the same platform transaction.
	var work uint32
	db.work = &workRecorder{deferred: &work}
	if _, _, err = CommuneSchema.Migrate(ctx, tmp); err == nil {
		err = db.Tx(ctx, func(tx *sql.Tx) error {
			for _, f := range registeredInits() {
				if err := f(ctx, tx, c); err != nil {
					return err
				}
			}
			if init != nil {
				return init(ctx, tx, c)
			}
			return nil
		})
	}
	var fig figures
	if err == nil {
		fig, _ = readFigures(ctx, db, now)
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		cleanup()
		return Commune{}, fmt.Errorf("tenants: create %s: %w", n.Slug, err)
	}
	st, err := os.Stat(tmp)
	if err != nil {
		cleanup()
		return Commune{}, fmt.Errorf("tenants: create %s: %w", n.Slug, err)
	}
	latest, _ := CommuneSchema.Latest()
	c.SchemaVersion, c.fileStamp = latest, fileStamp(st)

	err = r.platform.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx,
			`INSERT INTO communes (slug, name, status, zone, admin_email, created_at, schema_version, file_stamp, size_bytes,
			                      families, children, bookings_7d, stats_at, activity_at)
			 VALUES (?, ?, 'active', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.Slug, c.Name, c.Zone, c.AdminEmail, FormatTime(now), latest, c.fileStamp, st.Size(),
			fig.families, fig.children, fig.bookings7d, FormatTime(now), FormatTime(now)).Scan(&c.ID)
		if err != nil {
			if IsUnique(err) {
				return ErrDuplicateSlug
			}
			return err
		}
		for _, k := range workKinds {
			if work&k.bit != 0 {
				if err := upsertWork(ctx, tx, c.ID, k.kind, FormatTime(now.Add(k.delay)), true); err != nil {
					return err
				}
			}
		}
		for i, h := range c.Hosts {
			if _, err := tx.ExecContext(ctx, `INSERT INTO commune_hosts (host, commune_id, seq) VALUES (?, ?, ?)`, h, c.ID, i); err != nil {
				if IsUnique(err) {
					return fmt.Errorf("%w : %s", ErrDuplicateHost, h)
				}
				return err
			}
		}
		// Rename inside the transaction: if it fails, the row is rolled back.
		if err := os.Rename(tmp, final); err != nil {
			return fmt.Errorf("install file: %w", err)
		}
		return nil
	})
	if err != nil {
		cleanup()
		if _, statErr := os.Stat(final); statErr == nil && !errors.Is(err, ErrDuplicateSlug) {
			// The commit itself failed after the rename.
			os.Remove(final)
		}
		return Commune{}, err
	}
	os.Remove(tmp + ".migrate-lock")
	r.forget()
	return c, nil
}

// checkFree refuses a slug or host name already registered.
func (r *Registry) checkFree(ctx context.Context, n NewCommune) error {
	if _, err := r.Commune(ctx, n.Slug); err == nil {
		return ErrDuplicateSlug
	} else if !errors.Is(err, ErrNotFound) {
		return err
	}
	for _, h := range n.Hosts {
		if r.opt.PlatformHost != "" && h == r.opt.PlatformHost {
			return fmt.Errorf("%w : %s", ErrPlatformHost, h)
		}
		if _, err := r.communeByHost(ctx, h); err == nil {
			return fmt.Errorf("%w : %s", ErrDuplicateHost, h)
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	return nil
}

// SetStatus suspends or reactivates a commune.
func (r *Registry) SetStatus(ctx context.Context, slug, status string) error {
	if status != StatusActive && status != StatusSuspended {
		return &ValidationError{"status", "statut inconnu"}
	}
	err := r.platform.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE communes SET status = ? WHERE slug = ? AND archived_at = ''`, status, slug)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var archived string
			if err := tx.QueryRowContext(ctx, `SELECT archived_at FROM communes WHERE slug = ?`, slug).Scan(&archived); errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			} else if err != nil {
				return err
			}
			return ErrArchived
		}
		return nil
	})
	r.forget()
	if err == nil && status == StatusSuspended {
		// Jobs that visit the open communes (mail, housekeeping) pass it
		// by from now on: no request reopens it while it is suspended.
		r.cache.Evict(slug)
	}
	return err
}

// MigrateResult is the outcome of migrating one commune.
type MigrateResult struct {
	Slug     string
	From, To int64
	Err      error
}

// MigrateCommunes brings the given communes up to the latest schema, in
// parallel over the machine's cores. Each commune migrates on its own; one
// that fails is reported and stays at its last good version. progress is
// called once per commune, in completion order, from one goroutine at a
// time.
func (r *Registry) MigrateCommunes(ctx context.Context, slugs []string, progress func(done, total int, res MigrateResult)) []MigrateResult {
	return r.MigrateCommunesBounded(ctx, slugs, 0, progress)
}

// MigrateCommunesBounded is MigrateCommunes with at most workers communes
// migrating at once (four per core when workers <= 0: a migration waits
// for the disk as long as it computes, two syncs when its file closes):
// an operator upgrading beside a busy server keeps cores for the parents.
func (r *Registry) MigrateCommunesBounded(ctx context.Context, slugs []string, workers int, progress func(done, total int, res MigrateResult)) []MigrateResult {
	results := make([]MigrateResult, len(slugs))
	jobs := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0) * 4
	}
	workers = min(workers, max(len(slugs), 1))
	// The registry's rows in one query rather than one per commune (a
	// tenth of a `migrate --all` with nothing to do). A row read before a
	// commune's turn is as good as one read at it: a file the registry
	// vouches for is skipped only while it keeps the stamp recorded.
	rows := map[string]Commune{}
	if len(slugs) > 1 {
		if all, err := r.Communes(ctx); err == nil {
			for _, c := range all {
				rows[c.Slug] = c
			}
		}
	}
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				res := r.migrateOne(ctx, slugs[i], rows)
				results[i] = res
				mu.Lock()
				done++
				if progress != nil {
					progress(done, len(slugs), res)
				}
				mu.Unlock()
			}
		})
	}
	for i := range slugs {
		if ctx.Err() != nil {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	for i := range results {
		if results[i].Slug == "" {
			results[i] = MigrateResult{Slug: slugs[i], Err: ctx.Err()}
		}
	}
	return results
}

func (r *Registry) migrateOne(ctx context.Context, slug string, rows map[string]Commune) MigrateResult {
	res := MigrateResult{Slug: slug}
	c, ok := rows[slug]
	if !ok {
		var err error
		if c, err = r.Commune(ctx, slug); err != nil {
			res.Err = err
			return res
		}
	}
	path := r.CommunePath(slug)
	st, err := os.Stat(path)
	if err != nil {
		res.Err = err
		return res
	}
	latest, err := CommuneSchema.Latest()
	if err != nil {
		res.Err = err
		return res
	}
	if c.SchemaVersion == latest && c.fileStamp == fileStamp(st) {
		// The registry vouches for it: checked at this schema and
		// untouched since this node closed it.
		res.From, res.To = latest, latest
		return res
	}
	// A handle opened by this process would keep serving the old schema's
	// prepared state; close it first (it reopens on the next request).
	r.cache.Evict(slug)
	res.From, res.To, res.Err = CommuneSchema.Migrate(ctx, path)
	r.migrated(slug, res.From, res.To, res.Err)
	if res.To > 0 {
		stamp, size := "", st.Size()
		if st, err := os.Stat(path); err == nil {
			stamp, size = fileStamp(st), st.Size()
		}
		if _, err := r.platform.W.ExecContext(ctx, `UPDATE communes SET schema_version = ?, file_stamp = ?, size_bytes = ? WHERE id = ?`,
			res.To, stamp, size, c.ID); err != nil && res.Err == nil {
			res.Err = fmt.Errorf("tenants: record schema version: %w", err)
		}
	}
	if err := r.recordMigration(ctx, c.ID, res.From, res.To, res.Err); err != nil && res.Err == nil {
		res.Err = err
	}
	return res
}

// ExistingFile is a commune file a tool put in the data directory itself
// (bench/fleet copies one template thousands of times), to register.
type ExistingFile struct {
	Slug, Name    string
	SchemaVersion int64 // the version the file holds
	SizeBytes     int64
}

// RegisterFiles registers files already at CommunePath(slug), in one
// platform transaction, at the version they hold and with no stamp or
// figures: as an upgrade finds communes registered before the registry
// kept them (`commune migrate --all` records them). Nothing is
// registered when one entry is invalid or taken.
func (r *Registry) RegisterFiles(ctx context.Context, files []ExistingFile, now time.Time) error {
	for _, f := range files {
		if err := ValidateSlug(f.Slug); err != nil {
			return err
		}
		if _, err := ValidateName(f.Name); err != nil {
			return err
		}
	}
	created := FormatTime(now)
	return r.platform.Tx(ctx, func(tx *sql.Tx) error {
		for _, f := range files {
			_, err := tx.ExecContext(ctx, `INSERT INTO communes (slug, name, created_at, schema_version, size_bytes)
				VALUES (?, ?, ?, ?, ?)`, f.Slug, f.Name, created, f.SchemaVersion, f.SizeBytes)
			if IsUnique(err) {
				return fmt.Errorf("%w : %s", ErrDuplicateSlug, f.Slug)
			}
			if err != nil {
				return fmt.Errorf("tenants: register %s: %w", f.Slug, err)
			}
		}
		return nil
	})
}

// recordMigration keeps the error of a commune's failed migration in the
// registry (the console lists it), or clears it once a migration succeeds.
func (r *Registry) recordMigration(ctx context.Context, id, from, to int64, failed error) error {
	msg, at := "", ""
	if failed != nil {
		latest, _ := CommuneSchema.Latest()
		msg = fmt.Sprintf("migration de la version %d vers la version %d en échec : %v", max(from, to), latest, failed)
		at = FormatTime(time.Now())
	}
	res, err := r.platform.W.ExecContext(ctx, `UPDATE communes SET migrate_error = ?, migrate_error_at = ? WHERE id = ? AND migrate_error != ?`,
		msg, at, id, msg)
	if err != nil {
		return fmt.Errorf("tenants: record migration outcome: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		r.forget() // resolved communes carry MigrateError
	}
	return nil
}
