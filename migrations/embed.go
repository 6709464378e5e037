// Package migrations embeds the goose SQL migrations of the platform
// database and of every commune database.
package migrations

import "embed"

// Platform holds the platform database migrations (directory platform/).
//
//go:embed platform/*.sql
var Platform embed.FS

// PlatformPostgres holds the same migrations for a platform store on
// PostgreSQL (directory platform_pg/): one file per version of platform/,
// with the same number, ending on the same tables and columns (README.md).
//
//go:embed platform_pg/*.sql
var PlatformPostgres embed.FS

// Commune holds the per-commune database migrations (directory commune/).
//
//go:embed commune/*.sql
var Commune embed.FS
