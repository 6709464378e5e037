package tenants

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
)

// A platform-wide job (the daily backups, the audit, the purge of
// archived communes) must run on one node at a time. TryLock is the lock
// it takes, on the platform store itself:
//   - on PostgreSQL, a session advisory lock (pg_try_advisory_lock) held
//     by a connection kept for it: every node sharing the store sees it,
//     and it goes away with the connection if the node dies;
//   - on SQLite (one node), an advisory lock on a file beside
//     platform.db (locks/NAME.lock), which also keeps out a command run
//     beside the server on the same data directory, and goes away with
//     the process.
//
//	lock, ok, err := reg.Platform().TryLock(ctx, "backups")
//	if err != nil || !ok {
//		return err // another node runs the job (ok false, err nil)
//	}
//	defer lock.Release()
//
// A lock is the process's until Release; a job that runs long calls
// lock.Check between steps and stops when it reports ErrLockLost.

// ErrLockLost means a lock's PostgreSQL session ended: another node may
// hold it now.
var ErrLockLost = errors.New("platform lock lost (its database session ended)")

// Lock is a platform-wide lock this process holds (DB.TryLock).
type Lock struct {
	name string

	released atomic.Bool
	release  func() error
	check    func(ctx context.Context) error
}

// Name returns the lock's name.
func (l *Lock) Name() string { return l.name }

// Release gives the lock back; later calls do nothing.
func (l *Lock) Release() error {
	if l.released.Swap(true) {
		return nil
	}
	return l.release()
}

// Check returns nil while the lock is still held, ErrLockLost when its
// PostgreSQL session ended, and an error once released.
func (l *Lock) Check(ctx context.Context) error {
	if l.released.Load() {
		return fmt.Errorf("platform lock %s: released", l.name)
	}
	return l.check(ctx)
}

// validLockName: letters, digits, '-', '_' and '.', 1 to 64 of them, so
// that a name is also a file name.
func validLockName(name string) bool {
	if name == "" || len(name) > 64 || name[0] == '.' {
		return false
	}
	for _, c := range []byte(name) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// TryLock takes the platform-wide lock name without waiting. ok is false
// (with a nil error) when another process, on this node or another, holds
// it, or when this process already does. d must be the platform store.
func (d *DB) TryLock(ctx context.Context, name string) (lock *Lock, ok bool, err error) {
	if !validLockName(name) {
		return nil, false, fmt.Errorf("tenants: invalid lock name %q", name)
	}
	if d.dialect == Postgres {
		return d.tryPgLock(ctx, name)
	}
	dir := filepath.Join(filepath.Dir(d.path), "locks")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, false, fmt.Errorf("tenants: lock %s: %w", name, err)
	}
	unlock, ok, err := tryLockFile(filepath.Join(dir, name+".lock"))
	if err != nil || !ok {
		return nil, false, err
	}
	return &Lock{name: name,
		release: func() error { unlock(); return nil },
		check:   func(context.Context) error { return nil },
	}, true, nil
}

// tryPgLock takes the session advisory lock of name on a connection of
// its own, kept until Release (a session lock belongs to its connection).
func (d *DB) tryPgLock(ctx context.Context, name string) (*Lock, bool, error) {
	conn, err := d.W.Conn(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("tenants: lock %s: %w", name, err)
	}
	key := d.lockKey("job:" + name)
	var got bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(?)`, key).Scan(&got); err != nil {
		conn.Close()
		return nil, false, fmt.Errorf("tenants: lock %s: %w", name, err)
	}
	if !got {
		conn.Close()
		return nil, false, nil
	}
	return &Lock{name: name,
		release: func() error {
			var released bool
			err := conn.QueryRowContext(context.Background(), `SELECT pg_advisory_unlock(?)`, key).Scan(&released)
			if err != nil {
				// The session is gone, and the lock with it: the
				// connection is dropped rather than given back.
				_ = conn.Raw(func(any) error { return driver.ErrBadConn })
				_ = conn.Close()
				return nil
			}
			return conn.Close()
		},
		check: func(ctx context.Context) error {
			var held bool
			err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'
				AND pid = pg_backend_pid() AND granted AND objid::bigint = (?::bigint & 4294967295) AND classid::bigint = ((?::bigint >> 32) & 4294967295))`,
				key, key).Scan(&held)
			if err != nil || !held {
				return fmt.Errorf("%w: %s", ErrLockLost, name)
			}
			return nil
		},
	}, true, nil
}
