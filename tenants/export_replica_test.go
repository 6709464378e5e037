package tenants

import "time"

// ReplicatedThrough is the moment before which every write to the file at
// dbPath is known to be in the replica (zero: none yet, or not
// replicated), as the replication lag is computed.
func ReplicatedThrough(r *Replicator, dbPath string) time.Time {
	r.mu.Lock()
	f := r.files[dbPath]
	r.mu.Unlock()
	if f == nil {
		return time.Time{}
	}
	f.lag(time.Now())
	if t := f.through.Load(); t > 0 {
		return time.Unix(0, t)
	}
	return time.Time{}
}
