package booking

import (
	"context"
	"fmt"
	"hash/fnv"
	"html/template"
	"sync"
	"time"

	"espacefamille/app/calendar"
	"espacefamille/app/menus"
	"espacefamille/tenants"
)

// The Vue Agenda's weeks are built and rendered once and kept, per
// commune handle, while nothing they show can have changed (issue 10:
// the agenda page was 520 requests/s on one core). A week's entry is
// keyed by
//   - the configuration version: the cache lives in tenants.DB.Memo under
//     it, so a change of régies, prestations, prices, holidays, closures or
//     the zone (config_version's triggers, migration 00008) drops it all;
//   - the child, with what the rules read of it (school, class, birth
//     date: the prestations' audience);
//   - the régie and the week;
//   - a fingerprint of the child's ledger as the page read it (validated
//     reservations, cart lines, places booked per slot), so that a
//     booking, a cancellation, a cart change or another family taking the
//     last place changes the key;
// and it is used only before the first instant at which one of its cells
// changes with the clock (a booking or cancellation deadline).

// maxAgendaWeeks bounds the weeks kept per commune handle; when full the
// cache starts again empty (a rush has thousands of distinct children; a
// smarter policy would not change the hit rate of one parent's reloads).
const maxAgendaWeeks = 8192

// weekCacheKey is the Memo key of the agenda cache.
const weekCacheKey = "booking.agenda.weeks"

type weekKey struct {
	child, regie int64
	monday       calendar.Date
	fingerprint  uint64 // the child's attributes and ledger
}

type weekEntry struct {
	week  Week
	until time.Time // the first deadline after the build: cells change then
}

type weekCache struct {
	mu sync.Mutex
	m  map[weekKey]weekEntry
}

func (c *weekCache) get(k weekKey, now time.Time) (Week, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok || !now.Before(e.until) {
		return Week{}, false
	}
	return e.week, true
}

func (c *weekCache) put(k weekKey, w Week, until time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxAgendaWeeks {
		c.m = map[weekKey]weekEntry{}
	}
	c.m[k] = weekEntry{week: w, until: until}
}

// agendaWeeks returns the commune's agenda cache for configuration
// version v.
func agendaWeeks(db *tenants.DB, v int64) (*weekCache, error) {
	c, err := db.Memo(weekCacheKey, v, func() (any, error) { return &weekCache{m: map[weekKey]weekEntry{}}, nil })
	if err != nil {
		return nil, err
	}
	return c.(*weekCache), nil
}

// cachedAgenda is BuildAgenda through the cache: weeks whose key is known
// and still valid are reused; the others are built and kept.
func cachedAgenda(cache *weekCache, b *Booker, regieID int64, start calendar.Date, weeks int) Agenda {
	fp := b.fingerprint()
	a := agendaFrame(b, start, weeks)
	for w := range weeks {
		from := a.Start.AddDays(7 * w)
		k := weekKey{child: b.Child.ID, regie: regieID, monday: from, fingerprint: fp}
		wk, ok := cache.get(k, b.Now)
		if !ok {
			wk = buildWeek(b, from)
			cache.put(k, wk, b.nextChange(from))
		}
		a.Weeks = append(a.Weeks, wk)
	}
	return a
}

// fingerprint sums a hash of everything of the child that the cells
// read: its attributes and its ledger (order-independent).
func (b *Booker) fingerprint() uint64 {
	h := func(s string) uint64 {
		f := fnv.New64a()
		f.Write([]byte(s))
		return f.Sum64()
	}
	c := b.Child
	sum := h(fmt.Sprintf("child %d %d %s %d %s by %d", c.ID, c.FamilyID, c.BirthDate, c.SchoolID, c.ClassName, b.family()))
	if b.Custody != nil {
		sum += h("custody " + b.Custody.Fingerprint())
	}
	l := b.Ledger
	for k, r := range l.validated {
		sum += h(fmt.Sprintf("v %d %s %d %s", k.PrestationID, k.Day, r.ID, r.State))
	}
	for k, c := range l.adds {
		sum += h(fmt.Sprintf("a %d %s %d", k.PrestationID, k.Day, c.ID))
	}
	for id, c := range l.cancels {
		sum += h(fmt.Sprintf("c %d %d", id, c.ID))
	}
	for k, n := range l.booked {
		sum += h(fmt.Sprintf("b %d %s %d", k.PrestationID, k.Day, n))
	}
	for k, w := range l.waits {
		sum += h(fmt.Sprintf("w %d %s %s %d", k.PrestationID, k.Day, w.State, w.Rank))
	}
	if l.waitlist {
		sum += h("waitlist")
	}
	return sum
}

// nextChange is the first booking or cancellation deadline after now of
// the week's cells: until then the clock changes none of them.
func (b *Booker) nextChange(monday calendar.Date) time.Time {
	next := b.Now.Add(24 * time.Hour) // and at least once a day
	for _, p := range b.Prestations {
		for i := range 5 {
			key := monday.AddDays(i)
			if p.IsForfait() {
				k, _, err := Key(p, key, b.Calendar)
				if err != nil {
					continue
				}
				key = k
			}
			for _, t := range []time.Time{p.Booking.Cutoff(key, b.Calendar), p.Cancel.Cutoff(key, b.Calendar)} {
				if t.After(b.Now) && t.Before(next) {
					next = t
				}
			}
		}
	}
	return next
}

// The menus shown under the agenda's weeks are configuration too: every
// change of a dish moves config_version (migration 00091), so they are
// read and rendered once per version, span of weeks and PAI
// highlighting, and kept beside the weeks as HTML (reading them was a
// sixth of the agenda page's time; walking their template, about 80
// dishes for four weeks, was most of what rendering the page cost).

// menusCacheKey is the Memo key of the agenda's menus.
const menusCacheKey = "booking.agenda.menus"

// maxAgendaMenus bounds the spans kept per configuration version.
const maxAgendaMenus = 512

type menusKey struct {
	from, to calendar.Date
	pai      bool
}

// menusCache maps a span to its weeks' rendered menus by week anchor; the
// maps are shared between requests and never written once stored.
type menusCache struct {
	mu sync.Mutex
	m  map[menusKey]map[string]template.HTML
}

// agendaMenus returns the menus from..to by week anchor (Week.Anchor),
// highlighted for a child with a PAI and rendered by render (a week's
// days that have a menu → its HTML), through the commune's cache for
// configuration version v.
func agendaMenus(ctx context.Context, db *tenants.DB, v int64, from, to calendar.Date, pai bool,
	render func([]menus.DayView) (template.HTML, error)) (map[string]template.HTML, error) {
	c, err := db.Memo(menusCacheKey, v, func() (any, error) {
		return &menusCache{m: map[menusKey]map[string]template.HTML{}}, nil
	})
	if err != nil {
		return nil, err
	}
	cache, k := c.(*menusCache), menusKey{from, to, pai}
	cache.mu.Lock()
	byWeek, ok := cache.m[k]
	cache.mu.Unlock()
	if ok {
		return byWeek, nil
	}
	days, err := menus.ForAgenda(ctx, db.Reader(), from, to, pai)
	if err != nil {
		return nil, err
	}
	views := map[string][]menus.DayView{}
	for _, m := range days {
		a := Week{From: m.Date.Monday()}.Anchor()
		views[a] = append(views[a], m)
	}
	byWeek = make(map[string]template.HTML, len(views))
	for a, week := range views {
		if byWeek[a], err = render(week); err != nil {
			return nil, err
		}
	}
	cache.mu.Lock()
	if len(cache.m) >= maxAgendaMenus {
		cache.m = map[menusKey]map[string]template.HTML{}
	}
	cache.m[k] = byWeek
	cache.mu.Unlock()
	return byWeek, nil
}
