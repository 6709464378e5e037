package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"espacefamille/app/platform"
	"espacefamille/tenants"
)

// cmdCommuneMove is `commune move SLUG --to NODE`: the node that owns the
// commune answers its maintenance page, ships its last writes to the
// replica and hands the lease over with the next epoch; the target
// restores from the replica and serves. The command waits for that.
func cmdCommuneMove(e env, args []string) error {
	fs := newFlags(e, "commune move", "commune move SLUG --to NODE [--wait 30s]")
	o := bind(fs, e.getenv, "data")
	to := fs.String("to", "", "the node that serves the commune from now on (see the nodes listed on error)")
	wait := fs.Duration("wait", 30*time.Second, "how long to wait for the target to serve the commune")
	slug, err := communeSlugCommand(e, fs, "move", args)
	if err != nil {
		return err
	}
	if *to == "" {
		return usagef("commune move: --to NODE is required")
	}
	if err := tenants.ValidateNodeID(*to); err != nil {
		return usagef("commune move: --to: %v", err)
	}
	reg, c, err := openCommune(e, *o["data"], slug)
	if err != nil {
		return err
	}
	defer reg.Close()
	before, err := reg.LeaseOf(e.ctx, c.Slug)
	if err != nil {
		return err
	}
	started := time.Now()
	if err := reg.RequestMove(e.ctx, c.Slug, *to); err != nil {
		if nodes, lerr := reg.LiveNodes(e.ctx); lerr == nil {
			var names []string
			for _, n := range nodes {
				names = append(names, n.ID)
			}
			return usagef("commune move: %v (running nodes: %s)", err, strings.Join(names, ", "))
		}
		return err
	}
	from := before.Node
	if !before.Live {
		from = "(no live node)"
	}
	fmt.Fprintf(e.stdout, "moving %s from %s to %s (epoch %d)…\n", c.Slug, from, *to, before.Epoch)
	deadline := time.Now().Add(*wait)
	for {
		l, err := reg.LeaseOf(e.ctx, c.Slug)
		if err != nil {
			return err
		}
		if l.Node == *to && l.Serving && l.Epoch > before.Epoch {
			took := time.Since(started)
			fmt.Fprintf(e.stdout, "%s is served by %s under epoch %d (move took %s)\n", c.Slug, *to, l.Epoch, took.Round(time.Millisecond))
			return platform.Audit(e.ctx, reg.Platform(), platform.CLIActor, "commune_move", c.Slug,
				fmt.Sprintf("from %s to %s, epoch %d, %s", from, *to, l.Epoch, took.Round(time.Millisecond)), time.Now())
		}
		if time.Now().After(deadline) {
			return errors.New("commune move: the target did not serve the commune within --wait; its lease: node " + l.Node +
				fmt.Sprintf(", epoch %d, serving %v", l.Epoch, l.Serving))
		}
		select {
		case <-time.After(50 * time.Millisecond):
		case <-e.ctx.Done():
			return e.ctx.Err()
		}
	}
}
