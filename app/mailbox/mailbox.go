// Package mailbox is the demo's built-in mailbox: a page listing what the
// commune and the platform would have emailed (invitation with its code,
// confirmation and password links), so that a person trying the demo can
// follow the memento without a real mail server. It exists in demo mode
// only.
package mailbox

import (
	"context"
	"html"
	"html/template"
	"regexp"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/mail"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// Path is the mailbox page, under the commune.
const Path = "/boite-mail-demo"

// Routes adds the mailbox page, in demo mode only: elsewhere the path is
// an ordinary 404.
func Routes(s *web.Server) {
	if !s.Demo {
		return
	}
	s.Commune().Get(Path, show(s.Registry.Platform()))
}

// Message is one email as the page shows it.
type Message struct {
	mail.Entry
	Source string // "commune" or "platform"
}

// TextHTML is the plain-text body, escaped, with its links made clickable.
func (m Message) TextHTML() template.HTML { return linkify(m.Text) }

var urlRE = regexp.MustCompile(`https?://[^\s<>"]+`)

func linkify(text string) template.HTML {
	var b strings.Builder
	last := 0
	for _, loc := range urlRE.FindAllStringIndex(text, -1) {
		b.WriteString(html.EscapeString(text[last:loc[0]]))
		u := strings.TrimRight(text[loc[0]:loc[1]], ".,;:)")
		b.WriteString(`<a href="` + html.EscapeString(u) + `">` + html.EscapeString(u) + `</a>`)
		last = loc[0] + len(u)
	}
	b.WriteString(html.EscapeString(text[last:]))
	return template.HTML(b.String())
}

func show(platform *tenants.DB) fiber.Handler {
	return func(c *fiber.Ctx) error {
		msgs, err := load(c.UserContext(), tenants.From(c), platform)
		if err != nil {
			return err
		}
		return web.Render(c, "famille/boite-mail-demo", "Boîte mail de démonstration", msgs)
	}
}

// load lists the commune's latest messages, newest first: its own outbox,
// and the platform's mail that belongs to it (never another commune's).
func load(ctx context.Context, t *tenants.Tenant, platform *tenants.DB) ([]Message, error) {
	var out []Message
	commune, err := mail.List(ctx, t.DB().Reader(), 100)
	if err != nil {
		return nil, err
	}
	for _, e := range commune {
		out = append(out, Message{Entry: e, Source: "commune"})
	}
	plat, err := mail.ListCommune(ctx, platform.Reader(), t.Commune.Slug, 100)
	if err != nil {
		return nil, err
	}
	for _, e := range plat {
		out = append(out, Message{Entry: e, Source: "platform"})
	}
	slices.SortStableFunc(out, func(a, b Message) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return out, nil
}
