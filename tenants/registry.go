// Package tenants owns the platform registry of communes and the
// per-commune SQLite files: where they live, how they are opened, cached,
// migrated, and how a request is bound to exactly one of them.
package tenants

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options configures Open.
type Options struct {
	DataDir string // holds platform.db and communes/
	// PlatformDSN, when set (postgres://…), keeps the platform store in
	// that PostgreSQL database instead of DataDir/platform.db: the store
	// several nodes share (ESPACEFAMILLE_PLATFORM_DSN).
	PlatformDSN string
	MaxOpen     int          // bound of the open-handle cache (default: DefaultCacheSize)
	Logger      *slog.Logger // default slog.Default()
	ReadConns   int          // read pool size per commune (default 4)
	// ReadIdle is how long an idle read connection stays open (default
	// DefaultReadIdle); the cache keeps one per open commune (warm.go).
	ReadIdle time.Duration
	// ResolveTTL is how long a resolved commune is trusted before the
	// platform database is read again (default 5s), so that a suspension
	// made by another process is seen quickly.
	ResolveTTL time.Duration
	// PlatformHost is the platform's own host name (the provider's
	// console is served there only); "" serves the console on every host
	// that is no commune's.
	PlatformHost string
	// Hooks are told of the registry's events (metrics); any may be nil.
	Hooks Hooks
	// Replica, when set, replicates every file the registry holds open
	// (replica.go); the caller closes it after the registry.
	Replica *Replicator
	// PlatformPath is the platform database's file ("" :
	// <DataDir>/platform.db). Nodes on one machine share one file.
	PlatformPath string
	// Node, when set, makes this registry one node among several sharing
	// the platform store: it writes only the communes whose lease it holds
	// (lease.go). The platform database is then not replicated by the
	// node (several nodes share it).
	Node *NodeOptions
}

// Hooks are told of events inside the registry, for metrics.
type Hooks struct {
	// WriteWait: how long a DB.Tx caller waited for a writer (any database).
	WriteWait func(time.Duration)
	// Migrated: a commune's file was migrated, on open or by
	// MigrateCommunes, to version to (its version after the attempt).
	Migrated func(slug string, from, to int64, err error)
}

func (r *Registry) migrated(slug string, from, to int64, err error) {
	if h := r.opt.Hooks.Migrated; h != nil && (from != to || err != nil) {
		h(slug, from, to, err)
	}
}

// Registry is the platform database plus the cache of commune databases.
type Registry struct {
	dir      string
	platform *DB
	cache    *Cache
	log      *slog.Logger
	opt      Options
	nodes    *Nodes // nil on a single node

	mu     sync.RWMutex
	bySlug map[string]cachedCommune
	byHost map[string]cachedCommune
	// communeReads counts the registry rows read by slug (Commune).
	communeReads atomic.Int64
	// memos keeps the memoised values of closed communes (memo.go).
	memos keptMemos
}

type cachedCommune struct {
	c       Commune
	at      time.Time
	missing bool // no commune under this key (ErrNotFound), as of at
}

// Open creates the data directory if needed, migrates and opens the
// platform database, and prepares the commune cache.
func Open(ctx context.Context, opt Options) (*Registry, error) {
	if opt.DataDir == "" {
		return nil, errors.New("tenants: no data directory")
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.ResolveTTL <= 0 {
		opt.ResolveTTL = 5 * time.Second
	}
	if err := os.MkdirAll(filepath.Join(opt.DataDir, "communes"), 0o750); err != nil {
		return nil, fmt.Errorf("tenants: data directory: %w", err)
	}
	pdb, err := openPlatform(ctx, opt)
	if err != nil {
		return nil, err
	}
	r := &Registry{
		dir: opt.DataDir, platform: pdb, log: opt.Logger, opt: opt,
		bySlug: map[string]cachedCommune{}, byHost: map[string]cachedCommune{},
	}
	if opt.MaxOpen <= 0 {
		n, why := DefaultCacheSize()
		opt.MaxOpen, r.opt.MaxOpen = n, n
		r.log.Info("commune cache sized for this machine", "max_open", n, "from", why)
	} else if n, why := fitCacheSize(opt.MaxOpen); why != "" {
		r.log.Warn("commune cache size lowered to fit the file-descriptor limit", "asked", opt.MaxOpen, "max_open", n, "why", why)
		opt.MaxOpen, r.opt.MaxOpen = n, n
	} else {
		r.log.Debug("commune cache size set by configuration", "max_open", opt.MaxOpen)
	}
	r.memos.max = opt.MaxOpen
	r.cache = NewCache(opt.MaxOpen, r.openCommune)
	r.cache.close = r.closeCommunes
	r.cache.keepWarm(opt.ReadIdle)
	if opt.Node != nil {
		if r.nodes, err = newNodes(ctx, r, *opt.Node); err == nil {
			err = r.nodes.start(ctx)
		}
		if err != nil {
			r.closeDB(pdb)
			return nil, err
		}
	}
	return r, nil
}

// openPlatform opens and migrates the platform store: PostgreSQL when
// opt.PlatformDSN is set, else DataDir/platform.db (replicated with the
// commune files when opt.Replica is set).
func openPlatform(ctx context.Context, opt Options) (*DB, error) {
	if opt.PlatformDSN != "" {
		if _, _, err := PlatformSchema.MigratePostgres(ctx, opt.PlatformDSN); err != nil {
			return nil, fmt.Errorf("tenants: platform store: %w", err)
		}
		pdb, err := OpenPostgres(ctx, opt.PlatformDSN, OpenOptions{WriteWait: opt.Hooks.WriteWait})
		if err != nil {
			return nil, err
		}
		return pdb, nil
	}
	path := filepath.Join(opt.DataDir, "platform.db")
	if opt.PlatformPath != "" {
		path = opt.PlatformPath
	}
	platformReplica := opt.Replica
	if opt.Node != nil {
		platformReplica = nil
	}
	repl, err := platformReplica.openReplicated(ctx, path, "platform")
	if err != nil {
		return nil, fmt.Errorf("tenants: platform database: %w", err)
	}
	// Create the file before migrating it through the migration pool.
	pdb, err := OpenDB(path, OpenOptions{Create: true, ReadConns: 4, WriteWait: opt.Hooks.WriteWait, Replicated: repl != nil})
	if err != nil {
		opt.Replica.closeReplicated(repl)
		return nil, err
	}
	pdb.attach(repl)
	if _, _, err := PlatformSchema.Migrate(ctx, path); err != nil {
		pdb.Close()
		opt.Replica.closeReplicated(repl)
		return nil, fmt.Errorf("tenants: platform database: %w", err)
	}
	return pdb, nil
}

// Platform returns the platform database (accounts, communes, outbox).
func (r *Registry) Platform() *DB { return r.platform }

// DataDir returns the data directory.
func (r *Registry) DataDir() string { return r.dir }

// Cache returns the commune handle cache.
func (r *Registry) Cache() *Cache { return r.cache }

// Close closes every commune handle and the platform database.
func (r *Registry) Close() error {
	r.cache.Close()
	var err error
	if r.nodes != nil {
		// After the handles closed (their final syncs made under the
		// leases): the others may take the communes over at once.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err = r.nodes.Stop(ctx)
		cancel()
	}
	return errors.Join(err, r.closeDB(r.platform))
}

// CommunePath returns the file of the commune slug.
func (r *Registry) CommunePath(slug string) string {
	return filepath.Join(r.dir, "communes", slug+".db")
}

// ErrSchemaBehind means a commune file could not be brought to the
// binary's schema; the commune is not served until it is.
var ErrSchemaBehind = errors.New("commune database schema is behind and its migration failed")

// Acquire returns slug's open database and a release function.
func (r *Registry) Acquire(ctx context.Context, slug string) (*DB, func(), error) {
	return r.cache.Acquire(ctx, slug)
}

// AcquireBackground is Acquire for background jobs: the handle it opens
// is the next one evicted, so hot communes stay open (Cache.AcquireBackground).
func (r *Registry) AcquireBackground(ctx context.Context, slug string) (*DB, func(), error) {
	return r.cache.AcquireBackground(ctx, slug)
}

// AcquireIfOpen returns slug's database only when it is open now, never
// opening a file (Cache.AcquireIfOpen).
func (r *Registry) AcquireIfOpen(ctx context.Context, slug string) (*DB, func(), bool) {
	return r.cache.AcquireIfOpen(ctx, slug)
}

// WithCommune runs fn with slug's database held open.
func (r *Registry) WithCommune(ctx context.Context, slug string, fn func(*DB) error) error {
	db, release, err := r.Acquire(ctx, slug)
	if err != nil {
		return err
	}
	defer release()
	return fn(db)
}

const communeColumns = `c.id, c.slug, c.name, c.status, c.zone, c.admin_email, c.created_at,
	COALESCE((SELECT string_agg(h.host, ' ' ORDER BY h.seq, h.host) FROM commune_hosts h WHERE h.commune_id = c.id), ''),
	c.schema_version, c.broken, c.file_stamp, c.migrate_error, c.archived_at, c.purge_at`

func scanCommune(row interface{ Scan(...any) error }) (Commune, error) {
	var c Commune
	return c, scanCommuneInto(row, &c)
}

// scanCommuneInto scans communeColumns, then extra, into c.
func scanCommuneInto(row interface{ Scan(...any) error }, c *Commune, extra ...any) error {
	var created, hosts, archived, purge string
	dest := append([]any{&c.ID, &c.Slug, &c.Name, &c.Status, &c.Zone, &c.AdminEmail, &created, &hosts,
		&c.SchemaVersion, &c.Broken, &c.fileStamp, &c.MigrateError, &archived, &purge}, extra...)
	if err := row.Scan(dest...); err != nil {
		return err
	}
	c.CreatedAt, _ = ParseTime(created)
	if hosts != "" {
		c.Hosts = strings.Fields(hosts)
	}
	c.ArchivedAt, _ = ParseTime(archived)
	c.PurgeAt, _ = ParseTime(purge)
	return nil
}

// Communes lists every commune, ordered by slug.
func (r *Registry) Communes(ctx context.Context) ([]Commune, error) {
	out, err := All(ctx, r.platform.Reader(), scanCommune, `SELECT `+communeColumns+` FROM communes c ORDER BY c.slug`)
	if err != nil {
		return nil, fmt.Errorf("tenants: list communes: %w", err)
	}
	return out, nil
}

// Commune loads one commune by slug from the platform database.
func (r *Registry) Commune(ctx context.Context, slug string) (Commune, error) {
	r.communeReads.Add(1)
	c, err := scanCommune(r.platform.Reader().QueryRowContext(ctx,
		`SELECT `+communeColumns+` FROM communes c WHERE c.slug = ?`, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	return c, err
}

// communeByHost loads the commune a host name is registered to.
func (r *Registry) communeByHost(ctx context.Context, host string) (Commune, error) {
	c, err := scanCommune(r.platform.Reader().QueryRowContext(ctx,
		`SELECT `+communeColumns+` FROM communes c JOIN commune_hosts x ON x.commune_id = c.id WHERE x.host = ?`, host))
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	return c, err
}

// BySlug resolves a slug through a short-lived in-memory cache.
func (r *Registry) BySlug(ctx context.Context, slug string) (Commune, error) {
	c, _, err := r.resolve(ctx, r.bySlug, slug, r.Commune)
	return c, err
}

// ByHost resolves a host name through a short-lived in-memory cache.
func (r *Registry) ByHost(ctx context.Context, host string) (Commune, error) {
	c, _, err := r.resolve(ctx, r.byHost, host, r.communeByHost)
	return c, err
}

// resolve returns key's commune from m while it is younger than
// ResolveTTL, or loads it; fresh says it was loaded now.
func (r *Registry) resolve(ctx context.Context, m map[string]cachedCommune, key string,
	load func(context.Context, string) (Commune, error)) (_ Commune, fresh bool, _ error) {
	now := time.Now()
	r.mu.RLock()
	cc, ok := m[key]
	r.mu.RUnlock()
	if ok && now.Sub(cc.at) < r.opt.ResolveTTL {
		if cc.missing {
			return Commune{}, false, ErrNotFound
		}
		return cc.c, false, nil
	}
	c, err := load(ctx, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return c, false, err
	}
	// "Not found" is remembered too: every request reached by path
	// (127.0.0.1/{slug}/…) first asks whether its host is a commune, and
	// that query was 4–6 % of the server's CPU under load. A commune
	// created by this process is seen at once (forget), one created by
	// another process within ResolveTTL.
	r.mu.Lock()
	if len(m) > 100_000 { // bound memory against floods of distinct keys
		clear(m)
	}
	m[strings.Clone(key)] = cachedCommune{c: c, at: now, missing: err != nil}
	r.mu.Unlock()
	return c, err == nil, err
}

// justRead is a context key: the commune the request's resolution has
// just read from the registry (not from resolve's cache), which opening
// its file then uses instead of reading the same row again.
type justRead struct{}

func withJustRead(ctx context.Context, c Commune) context.Context {
	return context.WithValue(ctx, justRead{}, &c)
}

// communeForOpen is slug's registry row as of now: the one the request
// has just read, or a new read.
func (r *Registry) communeForOpen(ctx context.Context, slug string) (Commune, error) {
	if c, ok := ctx.Value(justRead{}).(*Commune); ok && c.Slug == slug {
		return *c, nil
	}
	return r.Commune(ctx, slug)
}

// forget drops every cached resolution (after a change to the registry).
func (r *Registry) forget() {
	r.mu.Lock()
	clear(r.bySlug)
	clear(r.byHost)
	r.mu.Unlock()
}
