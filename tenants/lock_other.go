//go:build !unix

package tenants

import "errors"

// lockFile is a no-op where advisory file locks are unavailable; the
// in-process single-flight still guards migrations.
func lockFile(string) (func(), error) { return func() {}, nil }

func fileLimit() (uint64, error) { return 0, errors.New("not available on this system") }
