package main

import (
	"errors"
	"flag"
	"fmt"

	"espacefamille/tenants"
)

// cmdCommuneReplicate is `commune replicate [--all | SLUG…]`: each
// commune file, as it is now, shipped to the replica, so that any node
// can take the commune over (after `platform copy`, a single node's
// communes become reachable by every node). A commune that a node serves
// or has served is left alone: its node replicates it, and shipping this
// copy could put an older state over the one that node shipped.
func cmdCommuneReplicate(e env, args []string) error {
	var replicaURL map[string]*string
	reg, slugs, err := fleetCommand(e, args, "replicate", "commune replicate [--all | SLUG…] [--replica-url URL] [--data DIR]",
		func(fs *flag.FlagSet) func() error {
			replicaURL = bind(fs, e.getenv, "replica-url")
			return func() error {
				if *replicaURL["replica-url"] == "" {
					return usagef("commune replicate: no replica configured (ESPACEFAMILLE_REPLICA_URL or --replica-url)")
				}
				if err := validate(replicaURL); err != nil {
					return usagef("commune replicate: %v", err)
				}
				return nil
			}
		})
	if err != nil {
		return err
	}
	defer reg.Close()
	// This process only ships: each file is registered, synced and
	// released in turn.
	rep, err := tenants.NewReplicator(e.ctx, *replicaURL["replica-url"], tenants.ReplicaOptions{})
	if err != nil {
		return err
	}
	defer rep.Close(e.ctx)
	var shipped, owned, failed, done int
	for i, s := range slugs {
		if e.ctx.Err() != nil {
			break
		}
		done++
		status, err := replicateOne(e, reg, rep, s)
		switch {
		case err != nil:
			failed++
			fmt.Fprintf(e.stdout, "[%d/%d] %s: FAILED: %v\n", i+1, len(slugs), s, err)
			continue
		case status == "":
			shipped++
			status = "shipped"
		default:
			owned++
		}
		fmt.Fprintf(e.stdout, "[%d/%d] %s: %s\n", i+1, len(slugs), s, status)
	}
	failed += len(slugs) - done // interrupted
	fmt.Fprintf(e.stdout, "summary: %d shipped to %s, %d left to their node, %d failed (of %d)\n",
		shipped, rep.URL(), owned, failed, len(slugs))
	if failed > 0 {
		return errors.New("some communes could not be shipped to the replica; run the command again for them once fixed (the others are in the replica)")
	}
	return nil
}

// replicateOne ships slug's file to the replica, or says why it is left
// to the node that owns (or owned) it.
func replicateOne(e env, reg *tenants.Registry, rep *tenants.Replicator, slug string) (string, error) {
	l, err := reg.LeaseOf(e.ctx, slug)
	if err != nil {
		return "", err
	}
	switch {
	case l.Live:
		return fmt.Sprintf("not shipped: node %s owns it (epoch %d) and replicates it", l.Node, l.Epoch), nil
	case l.Epoch > 0:
		return fmt.Sprintf("not shipped: a node served it (epoch %d) and shipped its copy; this file may be older", l.Epoch), nil
	}
	return "", reg.ShipToReplica(e.ctx, rep, slug)
}
