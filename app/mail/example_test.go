package mail_test

import (
	"context"
	"database/sql"
	"log/slog"
	"os"
	"time"

	"espacefamille/app/mail"
	"espacefamille/tenants"
)

// Example_wiring shows how the serve command and a domain package use the outbox.
func Example_wiring() {
	ctx := context.Background()
	var platformDB *tenants.DB // the platform's handle (Registry.Platform)
	openCommune := func(ctx context.Context, slug string) (*tenants.DB, func(), error) {
		// tenants: acquire the commune's handle, counting the user; release it after.
		return nil, func() {}, nil
	}
	listCommunes := func(ctx context.Context) ([]string, error) { return nil, nil } // tenants: slugs served by this node

	cfg, err := mail.ConfigFromEnv(os.Getenv)
	if err != nil {
		slog.Error("bad SMTP configuration", "error", err)
		return
	}
	sender, err := mail.NewSender(cfg, mail.Sources{
		Platform: mail.Source{Name: "platform", DB: platformDB},
		Open:     openCommune,
		Sweep:    listCommunes,
	}, slog.Default())
	if err != nil {
		return
	}
	go sender.Run(ctx) //nolint:errcheck
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = sender.Stop(stopCtx)
	}()

	// In a store method: the action and its email commit together, then Notify.
	var communeDB *tenants.DB
	err = communeDB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := mail.Enqueue(ctx, tx, mail.Message{Kind: "invitation", To: "parent@example.fr",
			FromName: "Commune de Malemort du Comtat", Subject: "Votre code d'adhésion",
			Text: "…", HTML: "<p>…</p>"}, time.Now())
		return err
	})
	if err == nil {
		sender.Notify("malemort")
	}
}
