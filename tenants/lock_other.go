//go:build !unix

package tenants

import (
	"errors"
	"sync"
)

// lockFile is a no-op where advisory file locks are unavailable; the
// in-process single-flight still guards migrations.
func lockFile(string) (func(), error) { return func() {}, nil }

func fileLimit() (uint64, error) { return 0, errors.New("not available on this system") }

// heldFiles are the paths tryLockFile holds in this process: without
// advisory file locks, TryLock excludes within one process only (a single
// node runs one process).
var heldFiles sync.Map

// tryLockFile takes path's lock in this process without waiting.
func tryLockFile(path string) (func(), bool, error) {
	if _, taken := heldFiles.LoadOrStore(path, true); taken {
		return nil, false, nil
	}
	return func() { heldFiles.Delete(path) }, true, nil
}
