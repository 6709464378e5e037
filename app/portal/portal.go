// Package portal serves the public pages: a commune's home page and the
// platform's page that helps a parent find their commune.
package portal

import (
	"context"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/news"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// Routes adds the public pages.
func Routes(s *web.Server) {
	s.Commune().Get("/", showHome)
	s.Commune().Get("/accessibilite", showAccessibility)
	s.Commune().Get("/confidentialite", showPrivacy)
	s.Platform().Get("/", showPlatform(s.Registry))
}

type homeData struct {
	News []news.Item
}

// showHome renders the commune's name, "Je me connecte" and its news.
func showHome(c *fiber.Ctx) error {
	t := tenants.From(c)
	today := time.Now().In(web.Paris()).Format(time.DateOnly)
	items, err := news.Published(c.UserContext(), t.DB().Reader(), today, 10)
	if err != nil {
		return err
	}
	return web.Render(c, "famille/home", "Accueil", homeData{News: items})
}

type platformData struct {
	Query    string
	Communes []tenants.Commune
}

// showPlatform lists active communes, filtered by the query.
func showPlatform(reg *tenants.Registry) fiber.Handler {
	return func(c *fiber.Ctx) error {
		q := strings.TrimSpace(c.Query("q"))
		if len(q) > 100 {
			q = q[:100]
		}
		list, err := activeCommunes(c.UserContext(), reg, q)
		if err != nil {
			return err
		}
		return web.Render(c, "plateforme/index", "", platformData{Query: q, Communes: list})
	}
}

func activeCommunes(ctx context.Context, reg *tenants.Registry, q string) ([]tenants.Commune, error) {
	all, err := reg.Communes(ctx)
	if err != nil {
		return nil, err
	}
	needle := fold(q)
	var out []tenants.Commune
	for _, c := range all {
		if c.Status != tenants.StatusActive {
			continue
		}
		if needle == "" || strings.Contains(fold(c.Name), needle) || strings.Contains(c.Slug, needle) {
			out = append(out, c)
		}
		if len(out) == 50 {
			break
		}
	}
	return out, nil
}

// fold lower-cases and strips the common French accents for searching.
func fold(s string) string {
	return strings.NewReplacer("é", "e", "è", "e", "ê", "e", "ë", "e", "à", "a", "â", "a",
		"î", "i", "ï", "i", "ô", "o", "ù", "u", "û", "u", "ü", "u", "ç", "c", "'", " ", "-", " ").
		Replace(strings.ToLower(s))
}
