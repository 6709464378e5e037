package tenants

import (
	"context"
	"sort"
	"sync"
	"time"
)

// The writer's accounting: how long each kind of write transaction held
// the commune's one writer connection, and how long it waited for it.
// Page handlers label their context (WithTxLabel, e.g. with the request's
// step); the load tool reads the totals (DB.WriterStats) to report writer
// time per family and per step.

type txLabelKey struct{}

// WithTxLabel returns ctx whose write transactions are counted under label
// in DB.WriterStats.
func WithTxLabel(ctx context.Context, label string) context.Context {
	return context.WithValue(ctx, txLabelKey{}, label)
}

func txLabel(ctx context.Context) string {
	if l, ok := ctx.Value(txLabelKey{}).(string); ok {
		return l
	}
	return ""
}

// TxStat sums the write transactions of one label.
type TxStat struct {
	Label string
	Count int64
	Held  time.Duration // holding the writer (begin to commit or rollback)
	Wait  time.Duration // queued for the writer
	// CPU is the CPU time used while holding the writer, when measured
	// (MeasureWriterCPU); 0 otherwise.
	CPU time.Duration
}

type txStats struct {
	mu sync.Mutex
	m  map[string]*TxStat
}

func (s *txStats) add(label string, wait, held, cpu time.Duration) {
	s.mu.Lock()
	if s.m == nil {
		s.m = map[string]*TxStat{}
	}
	st := s.m[label]
	if st == nil {
		st = &TxStat{Label: label}
		s.m[label] = st
	}
	st.Count++
	st.Held += held
	st.Wait += wait
	st.CPU += cpu
	s.mu.Unlock()
}

// addCommit adds to label the writer time and CPU of a shared
// transaction's commit (group.go), made by a caller already counted.
func (s *txStats) addCommit(label string, held, cpu time.Duration) {
	s.mu.Lock()
	if st := s.m[label]; st != nil {
		st.Held += held
		st.CPU += cpu
	}
	s.mu.Unlock()
}

// WriterStats returns the totals of the write transactions made through
// Tx since the handle was opened, by label ("" for unlabelled ones),
// sorted by label.
func (d *DB) WriterStats() []TxStat {
	d.txstats.mu.Lock()
	defer d.txstats.mu.Unlock()
	out := make([]TxStat, 0, len(d.txstats.m))
	for _, st := range d.txstats.m {
		out = append(out, *st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Label < out[j].Label })
	return out
}
