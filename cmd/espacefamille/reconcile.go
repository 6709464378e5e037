package main

import (
	"context"
	"log/slog"

	"espacefamille/app/billing"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// reconcileJob is serve's payments reconciliation job (billing.Reconciler):
// a full pass at start-up, then every billing.ReconcileInterval over the
// communes marked as holding pending orders and the open ones.
type reconcileJob struct {
	rec    *billing.Reconciler
	log    *slog.Logger
	cancel context.CancelFunc
	done   chan struct{}
}

// newReconciler builds the job; notify is the mail sender's (receipts of
// the payments the job finds, notices of the payments it finds failed);
// base is the node's public URL, for the links of those emails.
func newReconciler(reg *tenants.Registry, base string, notify func(string), onPayment func(string), log *slog.Logger) *reconcileJob {
	svc := billing.NewService(billing.Options{Notify: notify, OnPayment: onPayment, Logger: log, Platform: reg.Platform(),
		AbsURL: func(c tenants.Commune, p string) string { return web.CommuneURL(base, c, p) }})
	return &reconcileJob{rec: billing.NewReconciler(billing.ReconcilerOptions{Service: svc, Registry: reg, Logger: log}), log: log}
}

// markPending is app.Config.PaymentPending: it may be called before start.
func (j *reconcileJob) markPending(slug string) { j.rec.MarkPending(slug) }

// start runs the job until stop.
func (j *reconcileJob) start(ctx context.Context) {
	ctx, j.cancel = context.WithCancel(context.WithoutCancel(ctx))
	j.done = make(chan struct{})
	go func() {
		defer close(j.done)
		j.log.Info("billing: reconciliation job started", "every", billing.ReconcileInterval.String())
		_ = j.rec.Run(ctx)
		j.log.Info("billing: reconciliation job stopped")
	}()
}

// stop ends the job after the commune in progress and waits for it.
func (j *reconcileJob) stop() {
	if j.cancel == nil {
		return
	}
	j.cancel()
	<-j.done
}
