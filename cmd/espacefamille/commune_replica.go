package main

import (
	"fmt"
	"strings"
	"time"

	"espacefamille/app/calendar"
	"espacefamille/app/platform"
	"espacefamille/tenants"
)

// restoreFromReplica is `commune restore SLUG --from-replica [--at T]`
// (slug "" : `platform restore --from-replica`): the file as the replica
// holds it at T (default: its latest state).
func restoreFromReplica(e env, data, replicaURL, slug, at string, settle time.Duration) error {
	verb := "commune restore"
	if slug == "" {
		verb = "platform restore"
	}
	if replicaURL == "" {
		return usagef("%s --from-replica: no replica configured (ESPACEFAMILLE_REPLICA_URL or --replica-url)", verb)
	}
	var when time.Time
	if at != "" {
		var err error
		if when, err = parseMoment(at); err != nil {
			return usagef("%s: --at: %v", verb, err)
		}
	}
	if err := dataDirExists(data); err != nil {
		return err
	}
	// Read-only use of the replica: this process replicates nothing (the
	// serving node replicates the restored file as it writes it).
	rep, err := tenants.NewReplicator(e.ctx, replicaURL, tenants.ReplicaOptions{})
	if err != nil {
		return err
	}
	defer rep.Close(e.ctx)
	reg, err := openRegistry(e, data, 1, nil)
	if err != nil {
		return err
	}
	defer reg.Close()
	opt := tenants.ReplicaRestore{At: when, Settle: settle, Progress: func(step string) { fmt.Fprintln(e.stdout, step) }}
	var got tenants.ReplicaRestored
	if slug == "" {
		got, err = reg.RestorePlatformFromReplica(e.ctx, rep, opt)
	} else {
		got, err = reg.RestoreFromReplica(e.ctx, rep, slug, opt)
	}
	if err != nil {
		return err
	}
	paris := calendar.Paris()
	detail := fmt.Sprintf("replica %s, history %s – %s", rep.URL(),
		got.Range.From.In(paris).Format(momentLayout), got.Range.To.In(paris).Format(momentLayout))
	if !when.IsZero() {
		detail += ", at " + when.In(paris).Format(momentLayout)
	}
	fmt.Fprintf(e.stdout, "%s (Europe/Paris)\n", detail)
	if got.Before != "" {
		fmt.Fprintf(e.stdout, "data before the restore kept in %s\n", got.Before)
	}
	target := slug
	if slug == "" {
		target = tenants.PlatformTarget
	}
	return platform.Audit(e.ctx, reg.Platform(), platform.CLIActor, strings.ReplaceAll(verb, " ", "_")+"_replica", target, detail, time.Now())
}

const momentLayout = "2006-01-02 15:04:05"

// parseMoment reads --at: RFC 3339 (2026-12-03T14:05:00+01:00), or a
// date and time in Europe/Paris (2026-12-03 14:05, 2026-12-03T14:05:30).
func parseMoment(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, s, calendar.Paris()); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a moment: give 2026-12-03 14:05[:30] (Europe/Paris) or RFC 3339", s)
}
