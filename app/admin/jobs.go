package admin

import (
	"context"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/auth"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// job is a long task (bulk invitation, CSV import, invoicing run) that runs
// in the background while its page shows the progress; the page refreshes
// itself with a meta refresh, no JavaScript needed.
type job struct {
	ID      string
	Commune string
	StaffID int64
	Title   string
	Back    string // commune-relative URL to go back to

	mu       sync.Mutex
	total    int
	done     int
	errors   []string
	summary  string
	finished bool
	started  time.Time
}

// JobView is what the progress page shows.
type JobView struct {
	ID, Title, Back, Summary string
	Total, Done, Percent     int
	Errors                   []string
	Finished                 bool
}

func (j *job) view() JobView {
	j.mu.Lock()
	defer j.mu.Unlock()
	v := JobView{ID: j.ID, Title: j.Title, Back: j.Back, Summary: j.summary, Total: j.total, Done: j.done,
		Errors: append([]string(nil), j.errors...), Finished: j.finished}
	if j.total > 0 {
		v.Percent = j.done * 100 / j.total
	}
	return v
}

func (j *job) setTotal(n int) { j.mu.Lock(); j.total = n; j.mu.Unlock() }
func (j *job) step(errMsg string) {
	j.mu.Lock()
	j.done++
	if errMsg != "" && len(j.errors) < 500 {
		j.errors = append(j.errors, errMsg)
	}
	j.mu.Unlock()
}

// progress records done of total steps (billing's run reports it).
func (j *job) progress(done, total int) {
	j.mu.Lock()
	j.done, j.total = done, total
	j.mu.Unlock()
}

func (j *job) finish(summary string) {
	j.mu.Lock()
	j.summary, j.finished = summary, true
	j.mu.Unlock()
}

type jobs struct {
	mu      sync.Mutex
	list    map[string]*job
	claimed map[string]bool // keys of work that one job at a time may do (an import)
}

func newJobs() *jobs { return &jobs{list: map[string]*job{}, claimed: map[string]bool{}} }

// claim reserves key for one job; false when another holds it.
func (js *jobs) claim(key string) bool {
	js.mu.Lock()
	defer js.mu.Unlock()
	if js.claimed[key] {
		return false
	}
	js.claimed[key] = true
	return true
}

func (js *jobs) release(key string) {
	js.mu.Lock()
	delete(js.claimed, key)
	js.mu.Unlock()
}

// startJob runs fn in the background on the commune's database, held open
// by the registry for the job's duration. Its context ends when the server
// shuts down, which waits for fn to return (web.Server.Go): a long job
// stops at its next database call, its transaction rolled back.
func (a *Admin) startJob(c *fiber.Ctx, title, back string, fn func(ctx context.Context, db *tenants.DB, j *job) string) *job {
	t := tenants.From(c)
	id, _ := auth.NewToken()
	j := &job{ID: id[:16], Commune: t.Commune.Slug, StaffID: currentStaff(c).ID, Title: title, Back: back, started: a.now()}
	a.jobs.mu.Lock()
	for k, old := range a.jobs.list {
		if old.view().Finished && a.now().Sub(old.started) > 6*time.Hour {
			delete(a.jobs.list, k)
		}
	}
	a.jobs.list[j.ID] = j
	a.jobs.mu.Unlock()
	reg := a.srv.Registry
	a.srv.Go(func(ctx context.Context) {
		err := reg.WithCommune(context.WithoutCancel(ctx), j.Commune, func(db *tenants.DB) error {
			j.finish(fn(ctx, db, j))
			return nil
		})
		if err != nil {
			j.finish("La tâche n'a pas pu s'exécuter : la base de la commune est indisponible.")
		}
	})
	return j
}

func (a *Admin) jobOf(c *fiber.Ctx) (*job, error) {
	a.jobs.mu.Lock()
	j := a.jobs.list[c.Params("id")]
	a.jobs.mu.Unlock()
	if j == nil || j.Commune != tenants.From(c).Commune.Slug {
		// Progress lives in memory: after a restart (or 6 hours) it is gone,
		// while what the task wrote stays.
		return nil, web.NewError(fiber.StatusNotFound, "Le suivi de cette tâche n'est plus disponible (le serveur a redémarré ou la tâche est ancienne). Ce qu'elle a enregistré est conservé : vérifiez les listes, et relancez-la au besoin (une facturation ou un import relancé ne crée pas de doublon).")
	}
	return j, nil
}

type jobData struct {
	base
	Job JobView
}

// showJob shows a background task's progress, refreshing until it ends.
func (a *Admin) showJob(c *fiber.Ctx) error {
	j, err := a.jobOf(c)
	if err != nil {
		return err
	}
	v := j.view()
	if !v.Finished {
		c.Set("Refresh", "2")
	}
	return web.Render(c, "admin/tache", v.Title, jobData{base: baseOf(c, ""), Job: v})
}
