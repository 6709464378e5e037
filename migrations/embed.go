// Package migrations embeds the goose SQL migrations of the platform
// database and of every commune database.
package migrations

import "embed"

// Platform holds the platform database migrations (directory platform/).
//
//go:embed platform/*.sql
var Platform embed.FS

// Commune holds the per-commune database migrations (directory commune/).
//
//go:embed commune/*.sql
var Commune embed.FS
