package tenants

import "context"

// PauseNode stops the node's renewals, as a node frozen (a long pause, a
// lost network) would: its leases run out while it still has its files
// open.
func PauseNode(r *Registry) { r.nodes.halt() }

// BetweenClaimReadAndWrite runs fn inside each claim of the node's, after
// it read the lease row and before its compare-and-set.
func BetweenClaimReadAndWrite(r *Registry, fn func(name string)) { r.nodes.claimHook = fn }

// RenewNow renews the node's leases at once (its loop's renewal).
func RenewNow(ctx context.Context, r *Registry) error { return r.nodes.renew(ctx) }

// JobLockKey is the advisory lock key TryLock(name) takes on PostgreSQL.
func JobLockKey(d *DB, name string) int64 { return d.lockKey("job:" + name) }
