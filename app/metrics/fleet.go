package metrics

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"espacefamille/tenants"
)

// fleet reads, at each scrape, the figures kept in the databases: the
// platform's (communes, backups, its outbox) and those of the communes
// open now (their outboxes, their pending payments), never opening a file.
type fleet struct {
	cfg Config

	communes, handles, schema                  *prometheus.Desc
	broken, bySchema                           *prometheus.Desc
	backupOldest, backupPlatform, backupMissed *prometheus.Desc
	backupFailing, backupOlder, migrateFailed  *prometheus.Desc
	outboxQueued, outboxFailed                 *prometheus.Desc
	paymentsStale, workOverdue                 *prometheus.Desc
	cacheHits, cacheMisses, cacheEvictions     *prometheus.Desc
	scrapeErrors                               *prometheus.Desc
}

func newFleet(cfg Config) *fleet {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(ns+"_"+name, help, labels, nil)
	}
	return &fleet{cfg: cfg,
		communes: d("communes", "Communes registered, by status (active, suspended …).", "status"),
		broken:   d("communes_broken", "Communes out of service because their file is missing or damaged (French 503 page)."),
		bySchema: d("communes_by_schema_version", "Communes by the schema version of their file, as last seen by the registry (0: not yet seen).",
			"version"),
		handles: d("commune_handles_open", "Commune databases held open by this process (bounded by --cache-size)."),
		schema:  d("schema_latest_version", "Latest migration this binary knows, by database kind (commune, platform).", "database"),
		backupOldest: d("backup_oldest_age_seconds",
			"Age of the oldest commune backup still known current (taken, or found unchanged since): what the 26 h alert watches."),
		backupPlatform: d("backup_platform_age_seconds", "Age of the last good backup of the platform database."),
		backupMissed:   d("backup_communes_missing", "Communes that have no good backup at all."),
		backupFailing:  d("backup_failing", "Communes and platform whose last backup attempt failed."),
		backupOlder: d("backup_communes_older_than",
			"Communes in service whose last good backup still known current is older than the label's hours (never backed up: counted from their creation). One series per threshold, not per commune.",
			"hours"),
		migrateFailed: d("communes_migration_failed", "Communes whose last migration failed: in French maintenance until they migrate (the console shows the error)."),
		outboxQueued: d("outbox_queued", "Emails waiting to be sent (pending or sending), in the platform's outbox and the open communes'.",
			"source"),
		outboxFailed: d("outbox_failed", "Emails given up (status failed) kept in the outboxes, platform's and open communes'.", "source"),
		paymentsStale: d("payments_pending_expired",
			"Orders of the open communes still pending after their payment deadline: the reconciliation job is not settling them."),
		workOverdue: d("work_overdue",
			"Communes whose background work (mail, orders, housekeeping) is due for more than 10 minutes: the job is not keeping up, for all communes, open or not.",
			"kind"),
		cacheHits:      d("commune_cache_hits_total", "Requests that found their commune's database already open."),
		cacheMisses:    d("commune_cache_misses_total", "Requests that had to open their commune's database."),
		cacheEvictions: d("commune_cache_evictions_total", "Commune databases closed to make room in the cache."),
		scrapeErrors:   d("metrics_scrape_errors", "Queries that failed while reading these figures (see the log)."),
	}
}

func (f *fleet) Describe(ch chan<- *prometheus.Desc) { prometheus.DescribeByCollect(f, ch) }

func (f *fleet) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	reg := f.cfg.Registry
	now := f.cfg.Now()
	errs := 0
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	cache := reg.Cache().Stats()
	gauge(f.handles, float64(cache.Open))
	for d, v := range map[*prometheus.Desc]int64{f.cacheHits: cache.Hits, f.cacheMisses: cache.Misses, f.cacheEvictions: cache.Evictions} {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v))
	}
	if v, err := tenants.CommuneSchema.Latest(); err == nil {
		gauge(f.schema, float64(v), "commune")
	}
	if v, err := tenants.PlatformSchema.Latest(); err == nil {
		gauge(f.schema, float64(v), "platform")
	}

	list, err := reg.Communes(ctx)
	if err != nil {
		errs++
	}
	archived := 0
	list = slices.DeleteFunc(list, func(c tenants.Commune) bool {
		if !c.ArchivedAt.IsZero() {
			archived++
			return true
		}
		return false
	})
	byStatus := map[string]int{tenants.StatusActive: 0, tenants.StatusSuspended: 0}
	bySchema := map[int64]int{}
	broken, migrateFailed := 0, 0
	for _, c := range list {
		byStatus[c.Status]++
		bySchema[c.SchemaVersion]++
		if c.Broken != "" {
			broken++
		}
		if c.MigrateError != "" {
			migrateFailed++
		}
	}
	gauge(f.migrateFailed, float64(migrateFailed))
	byStatus["archived"] = archived
	for s, n := range byStatus {
		gauge(f.communes, float64(n), s)
	}
	for v, n := range bySchema {
		gauge(f.bySchema, float64(n), strconv.FormatInt(v, 10))
	}
	gauge(f.broken, float64(broken))

	if states, err := reg.BackupStates(ctx); err != nil {
		errs++
	} else if err == nil && len(list) > 0 {
		f.collectBackups(gauge, list, states, now)
	}

	overdue := map[string]int{"mail": 0, "orders": 0, "housekeeping": 0, "reminders": 0}
	if rows, err := reg.Platform().Reader().QueryContext(ctx, `SELECT kind, count(*) FROM commune_work WHERE due_at < ? GROUP BY kind`,
		tenants.FormatTime(now.Add(-10*time.Minute))); err != nil {
		errs++
	} else {
		for rows.Next() {
			var kind string
			var n int
			if rows.Scan(&kind, &n) == nil {
				overdue[kind] = n
			}
		}
		if rows.Close() != nil || rows.Err() != nil {
			errs++
		}
	}
	for kind, n := range overdue {
		gauge(f.workOverdue, float64(n), kind)
	}

	queued, failed, err := outboxCounts(ctx, reg.Platform().Reader())
	if err != nil {
		errs++
	}
	gauge(f.outboxQueued, float64(queued), "platform")
	gauge(f.outboxFailed, float64(failed), "platform")
	var cq, cf, stale int
	for _, slug := range reg.Cache().Open() {
		db, release, ok := reg.AcquireIfOpen(ctx, slug)
		if !ok {
			continue
		}
		q, fl, err := outboxCounts(ctx, db.Reader())
		var s int
		if err == nil {
			err = db.Reader().QueryRowContext(ctx, `SELECT count(*) FROM orders WHERE status = 'pending' AND expires_at < ?`,
				tenants.FormatTime(now)).Scan(&s)
		}
		release()
		if err != nil {
			errs++
			continue
		}
		cq, cf, stale = cq+q, cf+fl, stale+s
	}
	gauge(f.outboxQueued, float64(cq), "communes")
	gauge(f.outboxFailed, float64(cf), "communes")
	gauge(f.paymentsStale, float64(stale))
	gauge(f.scrapeErrors, float64(errs))
}

func (f *fleet) collectBackups(gauge func(*prometheus.Desc, float64, ...string), list []tenants.Commune, states []tenants.BackupState, now time.Time) {
	byTarget := make(map[string]tenants.BackupState, len(states))
	failing := 0
	for _, s := range states {
		byTarget[s.Target] = s
		if s.Error != "" {
			failing++
		}
	}
	var oldest time.Duration
	missing := 0
	older := make([]int, len(backupAgeHours))
	for _, c := range list {
		s, ok := byTarget[c.Slug]
		age := now.Sub(s.CoveredAt)
		if !ok || s.OKAt.IsZero() {
			missing++
			// Never backed up: as old as the commune itself.
			age = now.Sub(c.CreatedAt)
		}
		oldest = max(oldest, age)
		for i, h := range backupAgeHours {
			if age > time.Duration(h)*time.Hour {
				older[i]++
			}
		}
	}
	for i, h := range backupAgeHours {
		gauge(f.backupOlder, float64(older[i]), strconv.Itoa(h))
	}
	gauge(f.backupOldest, oldest.Seconds())
	gauge(f.backupMissed, float64(missing))
	gauge(f.backupFailing, float64(failing))
	if p, ok := byTarget[tenants.PlatformTarget]; ok && !p.OKAt.IsZero() {
		gauge(f.backupPlatform, now.Sub(p.OKAt).Seconds())
	}
}

// backupAgeHours are the thresholds of backup_communes_older_than: the
// alert's 26 h, two days, a week. A gauge per commune would be 10,000
// series per node; these three say how many and how late.
var backupAgeHours = []int{26, 48, 168}

func outboxCounts(ctx context.Context, q tenants.Querier) (queued, failed int, err error) {
	// Two counts over the (status, next_attempt_at) index: sent rows pile up.
	err = q.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')),
		(SELECT count(*) FROM outbox WHERE status = 'failed')`).Scan(&queued, &failed)
	return queued, failed, err
}
