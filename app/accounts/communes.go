package accounts

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/web"
	"espacefamille/tenants"
)

// communeLink is one commune of the "Mes communes" page.
type communeLink struct {
	Name    string
	URL     string // its family space; "" for the current or a suspended commune
	Current bool
	Open    bool // not suspended
}

// communesData is the "Mes communes" page.
type communesData struct {
	Communes []communeLink
}

// showCommunes lists the communes the account has an adhesion in, each
// with a link to its family space, so that a parent of several communes
// can go from one to the other (the account menu shows "Mes communes"
// from two). Sessions are per commune: the other commune's space asks
// to log in with the same identifiers when needed.
func (svc *Service) showCommunes(c *fiber.Ctx) error {
	list, err := svc.communeLinks(c)
	if err != nil {
		return err
	}
	return web.Render(c, "famille/communes", "Mes communes", communesData{Communes: list})
}

// communeLinks lists the communes the account has an adhesion in, by
// name, each with a link to its family space (none for the current or a
// suspended commune).
func (svc *Service) communeLinks(c *fiber.Ctx) ([]communeLink, error) {
	t, u := tenants.From(c), web.User(c)
	ctx := c.UserContext()
	slugs, err := membershipSlugs(ctx, svc.platform.Reader(), u.AccountID)
	if err != nil {
		return nil, err
	}
	var out []communeLink
	for _, slug := range slugs {
		com, err := svc.web.Registry.BySlug(ctx, slug)
		if errors.Is(err, tenants.ErrNotFound) {
			continue // removed since
		} else if err != nil {
			return nil, err
		}
		l := communeLink{Name: com.Name, Current: com.ID == t.Commune.ID, Open: com.Status == tenants.StatusActive}
		if !l.Current && l.Open {
			l.URL = communeURL(svc.web, t, com, "/famille")
		}
		out = append(out, l)
	}
	return out, nil
}

// communeURL is the address of another commune's page as seen from the
// current request: by its path prefix on this node when both are reached
// that way (relative, whatever the node's public URL), else its absolute
// URL (its host name, or the node's URL and its prefix).
func communeURL(s *web.Server, from *tenants.Tenant, to tenants.Commune, path string) string {
	if from.Prefix != "" && len(to.Hosts) == 0 {
		return "/" + to.Slug + path
	}
	return s.CommuneURL(to, path)
}
