package tenants

import (
	"container/list"
	"context"
	"fmt"
	"sync"
)

// maxMemos bounds the values memoised per open commune.
const maxMemos = 64

// memo holds values derived from a commune's configuration, each with the
// configuration version it was built from.
type memo struct {
	mu sync.Mutex
	m  map[string]memoEntry
}

type memoEntry struct {
	version int64
	value   any
}

// ConfigVersion reads the commune's configuration version through q (the
// read pool, DB.Reader, or a write transaction). Triggers bump it in the
// transaction of every change to the tables that configure booking
// (régies, prestations, price brackets, school holidays, closures) and to
// the commune's settings, by any code path (migration 00008), so a value
// built at version v is current while it reads v.
func ConfigVersion(ctx context.Context, q Querier) (int64, error) {
	var v int64
	if err := q.QueryRowContext(ctx, `SELECT version FROM config_version WHERE id = 1`).Scan(&v); err != nil {
		return 0, fmt.Errorf("tenants: config version: %w", err)
	}
	return v, nil
}

// Memo returns the value kept under key if it was built at version, or
// builds it with load and keeps it. Read the version first, then the
// rows load needs: a change committed in between leaves a value labelled
// older than it is, which is rebuilt at the next call, never the reverse;
// two loads racing at different versions cost a rebuild, nothing more.
// The value is shared by concurrent requests and must not be modified.
func (d *DB) Memo(key string, version int64, load func() (any, error)) (any, error) {
	d.memo.mu.Lock()
	e, ok := d.memo.m[key]
	d.memo.mu.Unlock()
	if ok && e.version == version {
		return e.value, nil
	}
	v, err := load()
	if err != nil {
		return nil, err
	}
	d.memo.mu.Lock()
	if d.memo.m == nil || len(d.memo.m) >= maxMemos {
		d.memo.m = map[string]memoEntry{}
	}
	// Unconditionally: a restored file may count from a lower version.
	d.memo.m[key] = memoEntry{version: version, value: v}
	d.memo.mu.Unlock()
	return v, nil
}

// keptMemos holds the memoised values of communes the cache closed, so
// that a commune evicted and opened again does not rebuild them (the
// booking configuration, the logo's version): each is labelled with the
// configuration version it was built at, as in an open handle, and the
// whole set with the file's stamp (size, modification time) at its clean
// close. It is given back only to a file opened with that same stamp,
// untouched since (a restore, a copy or another process's write changes
// it); at most max communes' values are kept, the oldest dropped first.
type keptMemos struct {
	mu     sync.Mutex
	max    int
	bySlug map[string]*list.Element
	order  list.List // of *keptMemo, most recent first
}

type keptMemo struct {
	slug, stamp string
	m           map[string]memoEntry
}

// keep stores db's memoised values under the stamp its file has after
// its clean close.
func (k *keptMemos) keep(slug, stamp string, db *DB) {
	db.memo.mu.Lock()
	m := db.memo.m
	db.memo.m = nil
	db.memo.mu.Unlock()
	if len(m) == 0 || k.max <= 0 {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.bySlug == nil {
		k.bySlug = map[string]*list.Element{}
	}
	if el, ok := k.bySlug[slug]; ok {
		k.order.Remove(el)
	}
	k.bySlug[slug] = k.order.PushFront(&keptMemo{slug: slug, stamp: stamp, m: m})
	for k.order.Len() > k.max {
		old := k.order.Remove(k.order.Back()).(*keptMemo)
		delete(k.bySlug, old.slug)
	}
}

// restore gives db the values kept for slug when its file still has the
// stamp they were kept with; they are dropped either way.
func (k *keptMemos) restore(slug, stamp string, db *DB) {
	k.mu.Lock()
	el, ok := k.bySlug[slug]
	if ok {
		k.order.Remove(el)
		delete(k.bySlug, slug)
	}
	k.mu.Unlock()
	if !ok {
		return
	}
	if km := el.Value.(*keptMemo); km.stamp == stamp {
		db.memo.mu.Lock()
		db.memo.m = km.m
		db.memo.mu.Unlock()
	}
}

// drop forgets slug's kept values (its file is replaced or deleted).
func (k *keptMemos) drop(slug string) {
	k.mu.Lock()
	if el, ok := k.bySlug[slug]; ok {
		k.order.Remove(el)
		delete(k.bySlug, slug)
	}
	k.mu.Unlock()
}
