// Package app assembles the web application from its domain packages.
package app

import (
	"context"
	"log/slog"

	"espacefamille/app/portal"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// Config is what the assembled application needs.
type Config struct {
	Registry *tenants.Registry
	Logger   *slog.Logger
	Demo     bool
	// PublicURL is the node's base URL for links in emails.
	PublicURL string
}

// New builds the Fiber application with every domain's routes.
func New(ctx context.Context, cfg Config) (*web.Server, error) {
	s, err := web.New(ctx, web.Config{Registry: cfg.Registry, Logger: cfg.Logger, Demo: cfg.Demo, PublicURL: cfg.PublicURL})
	if err != nil {
		return nil, err
	}
	portal.Routes(s)
	s.Finish()
	return s, nil
}
