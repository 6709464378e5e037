package tenants

import (
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
