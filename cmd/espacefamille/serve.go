package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"espacefamille/app"
	"espacefamille/app/accounts"
	"espacefamille/app/demo"
	"espacefamille/app/mail"
	"espacefamille/tenants"
)

func cmdServe(e env, args []string) error {
	fs := newFlags(e, "serve", "serve [--addr :8080] [--data ./data]")
	o := bind(fs, e.getenv, "addr", "data", "cache-size", "public-url", "log-level", "log-format", "trusted-proxies", "allow-simulator")
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
	o := bind(fs, e.getenv, "addr", "data-demo", "cache-size", "public-url", "log-level", "log-format", "trusted-proxies", "allow-simulator")
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
	reg, err := openRegistry(e, *o["data"], atoi(*o["cache-size"]), log)
	if err != nil {
		return err
	}
	defer func() {
		if err := reg.Close(); err != nil {
			log.Error("close databases", "err", err)
		}
	}()
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
	sender, err := newSender(smtp, reg, log)
	if err != nil {
		ln.Close()
		return err
	}
	reconcile := newReconciler(reg, sender.Notify, log)
	srv, err := app.New(e.ctx, app.Config{Registry: reg, Logger: log, Demo: demoMode, PublicURL: base, Notify: sender.Notify,
		TrustedProxies: splitList(*o["trusted-proxies"]), PaymentPending: reconcile.markPending,
		AllowSimulator: isTrue(*o["allow-simulator"])})
	if err != nil {
		ln.Close()
		return err
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
	hk := app.Housekeeping(reg, log, 0)
	hk.Start(context.WithoutCancel(e.ctx))
	defer func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(e.ctx), 30*time.Second)
		defer cancel()
		if err := hk.Stop(ctx); err != nil {
			log.Error("stop housekeeping", "err", err)
		}
	}()
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
	log.Info("stopped")
	return nil
}

// newSender builds the background mail sender over the platform's outbox
// and every commune's: SMTP when configured, else the built-in mailbox.
func newSender(cfg mail.Config, reg *tenants.Registry, log *slog.Logger) (*mail.Sender, error) {
	return mail.NewSender(cfg, mail.Sources{
		Platform: mail.Source{Name: accounts.PlatformOutbox, DB: reg.Platform().W},
		Open: func(ctx context.Context, slug string) (*sql.DB, func(), error) {
			db, release, err := reg.Acquire(ctx, slug)
			if err != nil {
				return nil, nil, err
			}
			return db.W, release, nil
		},
		Sweep: sweepCommunes(reg),
	}, log)
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
