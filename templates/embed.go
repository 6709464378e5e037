// Package templates embeds the HTML pages, partials, mails and static
// assets. Each page file starts with {{template "layouts/main" .}} and
// defines "content"; app/web gives each page its own template set so that
// those definitions never collide.
package templates

import "embed"

// FS holds every template and static file.
//
//go:embed layouts partials famille plateforme errors static mail admin
var FS embed.FS
