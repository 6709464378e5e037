package tenants

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Group commit (issue 10). A commune's writes go through its one writer
// connection, and the commit of a small transaction costs about as much
// as its statements: every page it changed is written to the WAL, two
// system calls per page. When DB.Tx callers queue behind each other (a
// deadline rush), the transaction of the one holding the writer is left
// open for them: each runs its fn in a savepoint of its own, in arrival
// order, and one commit writes them all (pages they share, such as the
// ends of the reservations' table and indexes, once). So:
//   - a caller's fn sees the writes of the callers before it, exactly as
//     if they had committed one after the other;
//   - a fn that fails is rolled back to its savepoint: the others' writes
//     stay, and its caller gets its error at once;
//   - Tx returns nil only once the shared transaction committed; if the
//     commit (or the lease check before it) fails, every caller whose fn
//     succeeded gets that error, and nothing of theirs was written;
//   - a fn that broke the transaction itself (SQLite rolls a whole
//     transaction back on some errors, e.g. an interrupted write) ends
//     the group: the callers before it get an error, nothing is written.
// Without a queue nothing changes: the transaction commits as soon as fn
// returns.

// maxGroup bounds the callers that share one transaction, so that the
// first of them waits for its commit a bounded time.
const maxGroup = 32

// groupSavepoint is the savepoint each caller after the first runs in.
const groupSavepoint = "tenants_group_member"

// txGroup is a write transaction shared by several DB.Tx callers.
type txGroup struct {
	tx      *sql.Tx
	members int
	kinds   uint32 // the background work its members created (work.go)
	done    chan struct{}
	err     error // the commit's outcome, once done is closed
}

// errGroupBroken is what callers whose fn succeeded get when a later
// member's failure rolled the whole shared transaction back.
var errGroupBroken = errors.New("tenants: the shared write transaction was rolled back by another caller's failure")

// groupTx runs fn, holding the writer, in the open group or in a new
// transaction. It returns the group it left open for the callers queued
// behind (the caller then waits for its commit, awaitCommit), or nil
// when the transaction is over (committed, or rolled back with err).
func (d *DB) groupTx(ctx context.Context, fn func(tx *sql.Tx) error) (open *txGroup, opener bool, err error) {
	g := d.group
	d.group = nil
	if g == nil {
		// The transaction outlives this caller's context when others
		// join it: database/sql rolls back a transaction whose context
		// ends.
		tx, err := d.W.BeginTx(context.WithoutCancel(ctx), nil)
		if err != nil {
			return nil, false, fmt.Errorf("begin: %w", err)
		}
		openTxs.Store(tx, d)
		g = &txGroup{tx: tx, done: make(chan struct{})}
	}
	d.touched.Store(0) // what a write outside Tx left is not this transaction's
	first := g.members == 0
	defer func() {
		if p := recover(); p != nil {
			d.endGroup(g, errGroupBroken, true)
			panic(p)
		}
	}()
	if first {
		if err := fn(g.tx); err != nil {
			d.endGroup(g, err, true)
			return nil, false, err
		}
	} else if err := d.member(ctx, g, fn); err != nil {
		return nil, false, err
	}
	g.members++
	g.kinds |= d.touched.Swap(0)
	if d.waiting.Load() > 0 && g.members < maxGroup {
		d.group = g
		return g, first, nil
	}
	return nil, false, d.commitGroup(ctx, g)
}

// member runs fn in a savepoint of the open group g. When fn fails, its
// writes are undone; when that is impossible (the transaction is gone),
// the group ends with an error for everyone in it.
func (d *DB) member(ctx context.Context, g *txGroup, fn func(tx *sql.Tx) error) error {
	bg := context.WithoutCancel(ctx)
	if _, err := g.tx.ExecContext(bg, `SAVEPOINT `+groupSavepoint); err != nil {
		err = fmt.Errorf("begin: %w", err)
		d.endGroup(g, err, true)
		return err
	}
	if err := fn(g.tx); err != nil {
		if _, rerr := g.tx.ExecContext(bg, `ROLLBACK TO `+groupSavepoint); rerr != nil {
			d.endGroup(g, errGroupBroken, true)
			return err
		}
		if _, rerr := g.tx.ExecContext(bg, `RELEASE `+groupSavepoint); rerr != nil {
			d.endGroup(g, errGroupBroken, true)
			return err
		}
		// The callers before fn, queued again for the writer, commit
		// the group (awaitCommit).
		d.group = g
		return err
	}
	if _, err := g.tx.ExecContext(bg, `RELEASE `+groupSavepoint); err != nil {
		err = fmt.Errorf("commit: %w", err)
		d.endGroup(g, err, true)
		return err
	}
	return nil
}

// commitGroup commits the group g's transaction and tells its members.
func (d *DB) commitGroup(ctx context.Context, g *txGroup) error {
	err := d.commit(context.WithoutCancel(ctx), g.tx, g.kinds)
	d.endGroup(g, err, false)
	return err
}

// endGroup ends the group g with err (nil: committed), rolling its
// transaction back first when rollback is set.
func (d *DB) endGroup(g *txGroup, err error, rollback bool) {
	if rollback {
		_ = g.tx.Rollback()
	}
	openTxs.Delete(g.tx)
	if d.group == g {
		d.group = nil
	}
	select {
	case <-g.done:
		return // ended already
	default:
	}
	g.err = err
	close(g.done)
}

// awaitCommit waits, after a caller's fn succeeded in the group g left
// open, for g's commit, and returns its outcome. The caller that began g
// (opener) queues again for the writer: the callers queued before it take
// the writer in turn and join g, and when its turn comes it commits g (if
// no member did it first: the one that filled the group, or found no one
// queued). The other members only wait, so that the writer is not handed
// to a caller with nothing to do.
func (d *DB) awaitCommit(ctx context.Context, g *txGroup, opener bool) error {
	if opener {
		d.wgate <- struct{}{} // not cancellable: g must end
		if d.group == g {
			start := time.Now()
			cpu := writerCPU()
			_ = d.commitGroup(ctx, g)
			d.wstmts.prepareWanted(ctx)
			d.txstats.addCommit(txLabel(ctx), time.Since(start), cpu())
		}
		<-d.wgate
	}
	<-g.done
	if g.err != nil && !errors.Is(g.err, errGroupBroken) && g.members > 1 {
		return fmt.Errorf("shared transaction: %w", g.err)
	}
	return g.err
}
