package billing

import (
	"context"
	"log/slog"
	"sort"
	"sync"
	"time"

	"espacefamille/tenants"
)

// ReconcileInterval is how often serve's reconciliation job runs.
const ReconcileInterval = 5 * time.Minute

// Reconciler is serve's background reconciliation job: it asks the
// providers about the orders left pending (lost notifications) and
// expires those whose 30 minutes are over, without reopening every
// commune of the node each time.
//
// It keeps, in memory, the set of communes that may hold pending orders:
// the Service marks a commune when it creates an order that waits for a
// provider (Options.OnPending), and a pass unmarks it once it holds none.
// The platform registry flags every commune holding a pending order
// (tenants.WorkOrders), so the first pass, at start-up, covers the flagged
// communes (not every file of the node), and the later passes (every
// Interval) the flagged, the marked and the open ones.
type Reconciler struct {
	svc      *Service
	reg      *tenants.Registry
	interval time.Duration
	log      *slog.Logger
	after    func(PassReport)

	mu     sync.Mutex
	marked map[string]uint64 // slug → generation of its latest mark
	gen    uint64
}

// ReconcilerOptions configure a Reconciler.
type ReconcilerOptions struct {
	Service  *Service
	Registry *tenants.Registry
	Interval time.Duration // ReconcileInterval when 0
	Logger   *slog.Logger
	// AfterPass, when set, receives each pass's report (tests, metrics).
	AfterPass func(PassReport)
}

// PassReport is what one pass of the job did.
type PassReport struct {
	Full     bool     // the start-up pass over every commune
	Communes []string // communes visited
	ReconcileReport
	Broken []string // communes whose reconciliation failed
}

// NewReconciler builds the job; Run starts it.
func NewReconciler(o ReconcilerOptions) *Reconciler {
	r := &Reconciler{svc: o.Service, reg: o.Registry, interval: o.Interval, log: o.Logger, after: o.AfterPass,
		marked: map[string]uint64{}}
	if r.interval <= 0 {
		r.interval = ReconcileInterval
	}
	if r.log == nil {
		r.log = slog.Default()
	}
	return r
}

// MarkPending records that slug holds an order waiting for its provider
// (Options.OnPending of the Service that serves the pages).
func (r *Reconciler) MarkPending(slug string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.gen++
	r.marked[slug] = r.gen
}

// Marked lists the communes marked as holding pending orders.
func (r *Reconciler) Marked() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.marked))
	for s := range r.marked {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// Run runs a full pass at once, then a pass every interval, until ctx
// ends. A pass in progress finishes the commune it is on (the payment of
// one order is never cut in the middle) and starts no other.
func (r *Reconciler) Run(ctx context.Context) error {
	r.Pass(ctx, true)
	t := time.NewTicker(r.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			r.Pass(ctx, false)
		}
	}
}

// Pass reconciles every commune (full) or the marked and open ones.
func (r *Reconciler) Pass(ctx context.Context, full bool) PassReport {
	rep := PassReport{Full: full}
	slugs, err := r.targets(ctx, full)
	if err != nil {
		r.log.Error("billing: reconciliation: list communes", "err", err)
		return rep
	}
	for _, slug := range slugs {
		if ctx.Err() != nil {
			break
		}
		rep.Communes = append(rep.Communes, slug)
		one, err := r.commune(ctx, slug, full)
		rep.Checked += one.Checked
		rep.Paid += one.Paid
		rep.Failed += one.Failed
		rep.Expired += one.Expired
		rep.Pending += one.Pending
		rep.Errors += one.Errors
		rep.Watched += one.Watched
		for _, p := range one.Problems {
			r.log.Error("billing: reconciliation: order not reconciled", "commune", slug, "order", p)
		}
		if err != nil {
			rep.Broken = append(rep.Broken, slug)
			r.log.Error("billing: reconciliation", "commune", slug, "err", err)
		} else if one.Paid+one.Failed+one.Expired+one.Errors > 0 {
			r.log.Info("billing: reconciliation", "commune", slug, "checked", one.Checked, "paid", one.Paid,
				"failed", one.Failed, "expired", one.Expired, "pending", one.Pending, "errors", one.Errors)
		}
	}
	if r.after != nil {
		r.after(rep)
	}
	return rep
}

// targets lists the communes of a pass: those the registry flags as
// holding pending orders (tenants.WorkOrders: flagged before the order's
// transaction commits, by this process or any other), which the pass
// opens; a periodic pass adds the marked ones and the ones open now.
func (r *Reconciler) targets(ctx context.Context, full bool) ([]string, error) {
	flagged, err := r.reg.WorkDue(ctx, tenants.WorkOrders, time.Now(), 0)
	if err != nil {
		return nil, err
	}
	for _, s := range flagged {
		r.MarkPending(s)
	}
	if full {
		return flagged, nil
	}
	seen := map[string]bool{}
	for _, s := range r.Marked() {
		seen[s] = true
	}
	for _, s := range r.reg.Cache().Open() {
		seen[s] = true
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	sort.Strings(out)
	return out, nil
}

// commune reconciles one commune, to the end even when ctx ends meanwhile
// (bounded by a minute), then marks or unmarks it. Outside a full pass, a
// commune that is not marked is visited only if it is still open.
func (r *Reconciler) commune(ctx context.Context, slug string, full bool) (ReconcileReport, error) {
	r.mu.Lock()
	gen, marked := r.marked[slug]
	r.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	var db *tenants.DB
	var release func()
	if marked || full {
		var err error
		if db, release, err = r.reg.Acquire(ctx, slug); err != nil {
			if tenants.IsNotOwner(err) {
				r.unmark(slug, gen) // its owner reconciles it
				return ReconcileReport{}, nil
			}
			return ReconcileReport{}, err
		}
	} else {
		// Listed only because it was open: if it has been closed since,
		// it is not reopened (a commune with a pending order is marked).
		var ok bool
		if db, release, ok = r.reg.AcquireIfOpen(ctx, slug); !ok {
			return ReconcileReport{}, nil
		}
	}
	defer release()
	com, err := r.reg.Commune(ctx, slug)
	if err != nil {
		r.unmark(slug, gen) // deleted since
		return ReconcileReport{}, err
	}
	rep, err := r.svc.Reconcile(ctx, db, com)
	switch {
	case err != nil || rep.Pending+rep.Errors+rep.Watched > 0:
		r.mu.Lock()
		if _, ok := r.marked[slug]; !ok {
			r.gen++
			r.marked[slug] = r.gen
		}
		r.mu.Unlock()
	default:
		r.unmark(slug, gen)
	}
	return rep, err
}

// unmark forgets slug unless an order was created there since gen.
func (r *Reconciler) unmark(slug string, gen uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.marked[slug] == gen {
		delete(r.marked, slug)
	}
}
