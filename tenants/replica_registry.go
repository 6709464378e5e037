package tenants

import (
	"context"
	"errors"
	"path/filepath"
	"time"

	"github.com/benbjohnson/litestream"
)

// The registry replicates every file it holds open when Options.Replica is
// set: the platform database from Open to Close, and each commune file
// from the moment the cache opens it to the moment the closer closes it.
// The replication starts before the handle's first connection and ends
// after its last one closed (Litestream's own connection is the file's
// last: closing a descriptor of a file drops every POSIX lock this process
// holds on it).

// openReplicated returns the replication of the file at path, or nil
// without a replica; release it after the handle's connections closed.
func (rep *Replicator) openReplicated(ctx context.Context, path, name string) (*replicaFile, error) {
	if rep == nil {
		return nil, nil
	}
	return rep.acquire(ctx, path, name)
}

// closeReplicated releases f (nil: not replicated): the final sync.
func (rep *Replicator) closeReplicated(f *replicaFile) error {
	if rep == nil || f == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return rep.release(ctx, f)
}

// attach links db to its replication, so that its writes count in the lag.
func (d *DB) attach(f *replicaFile) {
	if f != nil {
		d.repl.Store(f)
	}
}

// closeDB closes a handle of the registry, then ends its replication.
func (r *Registry) closeDB(db *DB) error {
	err := db.Close()
	err = errors.Join(err, r.opt.Replica.closeReplicated(db.repl.Swap(nil)))
	select {
	case <-db.closed:
	default:
		close(db.closed)
	}
	return err
}

// Replica returns the registry's replicator (nil: no replica).
func (r *Registry) Replica() *Replicator { return r.opt.Replica }

// SyncReplica ships the commune's last writes to the replica and waits
// for them there; nothing to do when it is not open or not replicated.
func (r *Registry) SyncReplica(ctx context.Context, slug string) error {
	if r.opt.Replica == nil {
		return nil
	}
	db, release, ok := r.AcquireIfOpen(ctx, slug)
	if !ok {
		return nil // closed: its final sync is done
	}
	defer release()
	return r.opt.Replica.Sync(ctx, db.Path())
}

// litestreamMeta is the folder where Litestream stages a file's LTX files.
func litestreamMeta(path string) string {
	dir, file := filepath.Split(path)
	return filepath.Join(dir, "."+file+litestream.MetaDirSuffix)
}
