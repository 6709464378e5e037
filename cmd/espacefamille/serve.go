package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"espacefamille/app"
	"espacefamille/app/accounts"
	"espacefamille/app/demo"
	"espacefamille/app/mail"
	"espacefamille/app/metrics"
	"espacefamille/app/platform"
	"espacefamille/app/reminder"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

func cmdServe(e env, args []string) error {
	fs := newFlags(e, "serve", "serve [--addr :8080] [--data ./data]")
	o := bind(fs, e.getenv, "addr", "data", "cache-size", "public-url", "log-level", "log-format", "trusted-proxies", "allow-simulator",
		"backup-dir", "backup-at", "backup-retention", "archive-retention", "metrics-addr", "platform-host",
		"totp-key", "totp-key-file", "replica-url", "platform-dsn")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("serve: unexpected argument %q", fs.Arg(0))
	}
	if err := validate(o); err != nil {
		return usagef("%v", err)
	}
	return serve(e, o, false)
}

func cmdDemo(e env, args []string) error {
	fs := newFlags(e, "demo", "demo [--addr :8080] [--data ./demo-data]")
	options["data-demo"] = option{"data", "ESPACEFAMILLE_DATA", "./demo-data", options["data"].usage, nonEmpty}
	o := bind(fs, e.getenv, "addr", "data-demo", "cache-size", "public-url", "log-level", "log-format", "trusted-proxies", "allow-simulator",
		"backup-dir", "backup-at", "backup-retention", "archive-retention", "metrics-addr", "platform-host",
		"totp-key", "totp-key-file", "replica-url")
	if err := parse(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("demo: unexpected argument %q", fs.Arg(0))
	}
	if err := validate(o); err != nil {
		return usagef("%v", err)
	}
	o["data"] = o["data-demo"]
	delete(o, "data-demo")
	return serve(e, o, true)
}

// serve is the start-up sequence: logger → registry → (demo seed) →
// application → listen → graceful shutdown when ctx ends.
func serve(e env, o map[string]*string, demoMode bool) error {
	log := newLogger(e.stderr, *o["log-level"], *o["log-format"])
	smtp, err := mail.ConfigFromEnv(e.getenv)
	if err != nil {
		return usagef("%v", err)
	}
	var m *metrics.Metrics
	var hooks tenants.Hooks
	if *o["metrics-addr"] != "" {
		m = metrics.New()
		hooks = m.Hooks()
	}
	// The replicator outlives the registry (deferred first, it closes
	// last): closing the registry makes the files' final syncs.
	rep, err := openReplica(e, *o["replica-url"], log)
	if err != nil {
		return err
	}
	if rep != nil {
		defer func() {
			ctx, cancel := context.WithTimeout(context.WithoutCancel(e.ctx), time.Minute)
			defer cancel()
			if err := rep.Close(ctx); err != nil {
				log.Error("close replica", "err", err)
			}
		}()
		log.Info("replicating commune files and the platform database", "replica", rep.URL())
	}
	dsn := "" // the demo keeps platform.db
	if p := o["platform-dsn"]; p != nil {
		dsn = *p
	}
	reg, err := tenants.Open(e.ctx, tenants.Options{DataDir: *o["data"], MaxOpen: atoi(*o["cache-size"]), Logger: log, Hooks: hooks,
		PlatformHost: normalHost(*o["platform-host"]), Replica: rep, PlatformDSN: dsn})
	if err != nil {
		return err
	}
	log.Info("platform store", "dialect", reg.Platform().Dialect().String(), "at", reg.Platform().Path())
	defer func() {
		if err := reg.Close(); err != nil {
			log.Error("close databases", "err", err)
		}
	}()
	// The console's TOTP secrets are sealed with the key, those stored in
	// clear before it was set included; without a key, sealed secrets
	// stop the start (no administrator could log in).
	key, err := platform.LoadSecretKey(*o["totp-key"], *o["totp-key-file"])
	if err != nil {
		return usagef("%v", err)
	}
	if n, err := platform.EncryptTOTPSecrets(e.ctx, reg.Platform(), key); err != nil {
		return err
	} else if n > 0 {
		log.Info("TOTP secrets encrypted with the configured key", "administrators", n)
	}
	if key == nil {
		log.Warn("no TOTP key: the console administrators' TOTP secrets are stored in clear (set ESPACEFAMILLE_TOTP_KEY_FILE)")
	}
	created := false
	if demoMode {
		if created, err = demo.Ensure(e.ctx, reg, time.Now()); err != nil {
			return err
		}
		if created {
			log.Info("demo commune created", "commune", demo.Slug)
		}
	}
	ln, err := net.Listen("tcp", *o["addr"])
	if err != nil {
		return usagef("cannot listen on %s: %v", *o["addr"], err)
	}
	base := publicURL(*o["public-url"], ln.Addr())
	var senderOpts []mail.Option
	cfg := app.Config{Registry: reg, Logger: log, Demo: demoMode, PublicURL: base,
		TrustedProxies: splitList(*o["trusted-proxies"]), AllowSimulator: isTrue(*o["allow-simulator"]),
		BackupDir: *o["backup-dir"], ArchiveRetention: days(*o["archive-retention"]), TOTPKey: key}
	if m != nil {
		m.Watch(metrics.Config{Registry: reg})
		senderOpts = append(senderOpts, mail.WithObserver(m.MailBatch))
		cfg.Observe, cfg.PaymentOutcome = m.Request, m.Payment
	}
	sender, err := newSender(smtp, reg, log, senderOpts...)
	if err != nil {
		ln.Close()
		return err
	}
	reconcile := newReconciler(reg, base, sender.Notify, cfg.PaymentOutcome, log)
	cfg.Notify, cfg.PaymentPending = sender.Notify, reconcile.markPending
	srv, err := app.New(e.ctx, cfg)
	if err != nil {
		ln.Close()
		return err
	}
	if m != nil {
		stopMetrics, err := serveMetrics(*o["metrics-addr"], m, log)
		if err != nil {
			ln.Close()
			return err
		}
		defer stopMetrics()
	}
	if created {
		if err := demo.QueueInvitation(e.ctx, reg, base+"/"+demo.Slug+"/", time.Now()); err != nil {
			ln.Close()
			return err
		}
	}
	// The sender outlives the signal: it stops after the last request has
	// queued its mail, finishing the batch in flight.
	go func() {
		if err := sender.Run(context.WithoutCancel(e.ctx)); err != nil {
			log.Error("mail sender", "err", err)
		}
	}()
	defer func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(e.ctx), 30*time.Second)
		defer cancel()
		if err := sender.Stop(ctx); err != nil {
			log.Error("stop mail sender", "err", err)
		}
	}()
	// The payments' reconciliation job stops before the sender (deferred
	// after it, so it runs first): the receipts it queues go out.
	reconcile.start(e.ctx)
	defer reconcile.stop()
	// The audit reads every commune's file in turn, at most 5 % of a core,
	// so that flags and figures missed (files from before the registry
	// kept them) are found; it stops before the databases close.
	auditCtx, stopAudit := context.WithCancel(context.WithoutCancel(e.ctx))
	auditDone := make(chan struct{})
	go func() { defer close(auditDone); reg.RunAudit(auditCtx, tenants.AuditOptions{}) }()
	defer func() { stopAudit(); <-auditDone }()
	// Housekeeping stops before the databases close (deferred after them,
	// so it runs first), letting the purge in progress finish.
	hk := app.Housekeeping(reg, log, app.HousekeepingOptions{BackupDir: *o["backup-dir"], PublicURL: base})
	hk.Start(context.WithoutCancel(e.ctx))
	defer func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(e.ctx), 30*time.Second)
		defer cancel()
		if err := hk.Stop(ctx); err != nil {
			log.Error("stop housekeeping", "err", err)
		}
	}()
	// The booking cut-off reminders open only the communes whose next
	// reminder the registry says is due; they stop before the sender.
	reminders := reminder.NewJob(reminder.Config{Registry: reg, Logger: log, Notify: sender.Notify,
		AbsURL: func(c tenants.Commune, p string) string { return web.CommuneURL(base, c, p) }})
	reminders.Start(context.WithoutCancel(e.ctx))
	defer func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(e.ctx), 30*time.Second)
		defer cancel()
		if err := reminders.Stop(ctx); err != nil {
			log.Error("stop reminders", "err", err)
		}
	}()
	if dir := *o["backup-dir"]; dir != "" {
		backups := &tenants.BackupSchedule{Registry: reg, Dir: dir, At: *o["backup-at"], Logger: log,
			Retention: days(*o["backup-retention"])}
		if err := backups.Start(context.WithoutCancel(e.ctx)); err != nil {
			ln.Close()
			return usagef("--backup-at: %v", err)
		}
		// Stops before the databases close (deferred after them).
		defer backups.Stop()
	}
	log.Info("listening", "addr", ln.Addr().String(), "url", base, "data", *o["data"], "demo", demoMode, "mail", smtp)
	if !demoMode && isTrue(*o["allow-simulator"]) {
		log.Warn("the payment simulator is allowed: régies set on it validate bookings without any payment")
	}
	if demoMode {
		printDemo(e, base)
	} else {
		printCommunes(e, reg, base, log)
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.App.Listener(ln) }()
	select {
	case err := <-errc:
		return err
	case <-e.ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests")
	if err := srv.App.ShutdownWithTimeout(30 * time.Second); err != nil {
		log.Error("shutdown", "err", err)
	}
	<-errc
	// Background tasks (a families import) saw the signal through their
	// context and stop at their next transaction; wait for them, bounded.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(e.ctx), 30*time.Second)
	defer cancel()
	if err := srv.Wait(wctx); err != nil {
		log.Error("background tasks did not stop", "err", err)
	}
	log.Info("stopped")
	return nil
}

// openReplica starts the replication to the replica at url ("" : none).
func openReplica(e env, url string, log *slog.Logger) (*tenants.Replicator, error) {
	if url == "" {
		return nil, nil
	}
	return tenants.NewReplicator(e.ctx, url, tenants.ReplicaOptions{Logger: log})
}

// newSender builds the background mail sender over the platform's outbox
// and every commune's: SMTP when configured, else the built-in mailbox.
func newSender(cfg mail.Config, reg *tenants.Registry, log *slog.Logger, opts ...mail.Option) (*mail.Sender, error) {
	return mail.NewSender(cfg, mail.Sources{
		Platform: mail.Source{Name: accounts.PlatformOutbox, DB: reg.Platform()},
		Open:     reg.Acquire,
		Sweep:    sweepCommunes(reg),
	}, log, opts...)
}

func publicURL(configured string, addr net.Addr) string {
	if configured != "" {
		return strings.TrimSuffix(configured, "/")
	}
	host := "localhost"
	if tcp, ok := addr.(*net.TCPAddr); ok {
		return fmt.Sprintf("http://%s:%d", host, tcp.Port)
	}
	return "http://" + host
}

func printDemo(e env, base string) {
	fmt.Fprintf(e.stdout, `
Espace Famille – démonstration
  Portail des familles : %[1]s/%[2]s/
  Boîte mail (démo)    : %[1]s/%[2]s/boite-mail-demo
  Administration       : %[1]s/%[2]s/admin/  (%[3]s / %[4]s)
  Famille du mémento   : FAMILLE X, code d'adhésion %[5]s
`, base, demo.Slug, demo.AdminEmail, demo.AdminPassword, demo.AdhesionCode)
}

func printCommunes(e env, reg *tenants.Registry, base string, log *slog.Logger) {
	list, err := reg.Communes(context.WithoutCancel(e.ctx))
	if err != nil {
		log.Error("list communes", "err", err)
		return
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stdout, "No commune yet: create one with `espacefamille commune create`.")
		return
	}
	for _, c := range list {
		if c.Broken != "" {
			log.Warn("commune en panne: its pages answer 503 until `espacefamille commune check "+c.Slug+"` passes",
				"commune", c.Slug, "reason", c.Broken)
		}
	}
	for i, c := range list {
		if i == 10 {
			fmt.Fprintf(e.stdout, "  … and %d more\n", len(list)-10)
			break
		}
		fmt.Fprintf(e.stdout, "  %s: %s/%s/\n", c.Name, base, c.Slug)
	}
}

// sweepCommunes lists the communes the mail sender should look into when
// no notification named them: those whose registry flag says mail waits
// and is due (tenants.WorkMail), at start-up and at every sweep. The flag
// is written before the transaction that queues mail commits, and removed
// once the commune's outbox holds nothing more (when its handle closes),
// so a node of 10,000 communes opens only the few with mail waiting.
func sweepCommunes(reg *tenants.Registry) func(ctx context.Context) ([]string, error) {
	return func(ctx context.Context) ([]string, error) {
		return reg.WorkDue(ctx, tenants.WorkMail, time.Now(), 0)
	}
}

// serveMetrics serves /metrics on its own address (never the public one:
// the figures are the operator's), until the returned stop is called.
func serveMetrics(addr string, m *metrics.Metrics, log *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, usagef("cannot listen on --metrics-addr %s: %v", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener", "err", err)
		}
	}()
	log.Info("metrics listening", "addr", ln.Addr().String(), "path", "/metrics")
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}
