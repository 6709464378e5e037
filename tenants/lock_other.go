//go:build !unix

package tenants

// lockFile is a no-op where advisory file locks are unavailable; the
// in-process single-flight still guards migrations.
func lockFile(string) (func(), error) { return func() {}, nil }
