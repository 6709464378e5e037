package platform

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/web"
	"espacefamille/tenants"
)

// NodeInfo is the "Nœud" section of a commune's console page: which node
// serves the commune and where it can be moved.
type NodeInfo struct {
	// Several is false when this process serves every commune alone
	// (no --node-id): no lease, nothing to move.
	Several bool
	// This is the name of the node that rendered the page.
	This  string
	Lease tenants.CommuneLease
	// Targets are the live nodes the commune can be moved to (every live
	// node but the one serving it).
	Targets []tenants.Node
}

// nodeInfo reads the commune's lease and the live nodes.
func (p *Console) nodeInfo(ctx context.Context, slug string) (NodeInfo, error) {
	n := p.reg.Nodes()
	if n == nil {
		return NodeInfo{}, nil
	}
	info := NodeInfo{Several: true, This: n.ID()}
	var err error
	if info.Lease, err = p.reg.LeaseOf(ctx, slug); err != nil {
		return info, err
	}
	live, err := p.reg.LiveNodes(ctx)
	if err != nil {
		return info, err
	}
	for _, nd := range live {
		if !info.Lease.Live || nd.ID != info.Lease.Node {
			info.Targets = append(info.Targets, nd)
		}
	}
	return info, nil
}

// move asks the node serving the commune to hand it over to the node
// chosen (tenants.Registry.RequestMove, as `commune move` does).
func (p *Console) move(c *fiber.Ctx) error {
	ctx, slug := c.UserContext(), c.Params("slug")
	com, err := p.commune(ctx, slug)
	if err != nil {
		return err
	}
	to := strings.TrimSpace(c.FormValue("to"))
	refuse := func(status int, msg string) error {
		return p.renderCommune(c, status, communeData{MoveError: msg, MoveTo: to})
	}
	switch {
	case p.reg.Nodes() == nil:
		return refuse(fiber.StatusConflict, "Ce serveur fonctionne seul (sans --node-id) : il n'y a pas d'autre nœud vers lequel déplacer la commune.")
	case !com.ArchivedAt.IsZero():
		return refuse(fiber.StatusConflict, "Cette commune est archivée : elle n'est plus servie, il n'y a rien à déplacer.")
	case to == "":
		return refuse(fiber.StatusUnprocessableEntity, "Choisissez le nœud vers lequel déplacer la commune.")
	}
	info, err := p.nodeInfo(ctx, slug)
	if err != nil {
		return err
	}
	if info.Lease.Live && info.Lease.Node == to {
		return refuse(fiber.StatusConflict, fmt.Sprintf("La commune est déjà servie par le nœud « %s ».", to))
	}
	if !isLive(info.Targets, to) {
		return refuse(fiber.StatusUnprocessableEntity, notLive(to))
	}
	if err := p.reg.RequestMove(ctx, slug, to); err != nil {
		if errors.Is(err, tenants.ErrNotFound) {
			return web.ErrNotFound
		}
		// The node may have stopped between the check and the request.
		if live, lerr := p.reg.LiveNodes(ctx); lerr == nil && !isLive(live, to) {
			return refuse(fiber.StatusUnprocessableEntity, notLive(to))
		}
		return err
	}
	from := info.Lease.Node
	if !info.Lease.Live {
		from = "aucun nœud"
	}
	if err := p.audit(c, "commune_move", slug, from+" → "+to); err != nil {
		return err
	}
	web.AddFlash(c, "success", fmt.Sprintf("Déplacement demandé vers le nœud %s : la commune affiche la page de maintenance quelques secondes, le temps que ce nœud la reprenne.", to))
	return c.Redirect("/plateforme/communes/"+slug, fiber.StatusSeeOther)
}

func isLive(nodes []tenants.Node, id string) bool {
	return slices.ContainsFunc(nodes, func(nd tenants.Node) bool { return nd.ID == id })
}

func notLive(id string) string {
	return fmt.Sprintf("Le nœud « %s » est inconnu ou ne donne plus signe de vie : choisissez un nœud en service dans la liste.", id)
}
