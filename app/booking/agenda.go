package booking

import (
	"context"
	"fmt"
	"html/template"
	"time"

	"espacefamille/app/calendar"
	"espacefamille/tenants"
)

// AgendaWeeks is how many weeks the Vue Agenda shows.
const AgendaWeeks = 4

// Agenda is the Vue Agenda of one child for one régie: one block per week
// (Monday to Friday), one row per prestation.
type Agenda struct {
	Start      calendar.Date // Monday of the first week
	Prev, Next calendar.Date // Mondays of the previous and next pages
	Weeks      []Week
	HasForfait bool
}

// Week is one block of the agenda.
type Week struct {
	Number   int
	From, To calendar.Date // Monday, Friday
	Days     []Day
	Rows     []Row
	// HTML is the week's <table>, written once (agenda_html.go): the
	// fragment the agenda cache keeps.
	HTML template.HTML
}

// Anchor is the id of the week's table, "semaine-2026-11-30": the agenda's
// links and the cells' messages point at it.
func (w Week) Anchor() string { return "semaine-" + w.From.String() }

// Day is a column heading: "L 27".
type Day struct {
	Date   calendar.Date
	Letter string // L M M J V
	Number string // "01"
}

// Title is "Semaine 48 du 27/11/2017 au 01/12/2017".
func (w Week) Title() string {
	return fmt.Sprintf("Semaine %d du %s au %s", w.Number, w.From.FR(), w.To.FR())
}

// Row is one prestation's cells of a week.
type Row struct {
	Prestation Prestation
	Cells      []Cell
	Views      []CellView // what the page prints, computed once
}

// CellView is a cell as the page prints it: plain strings, so that the
// template reads fields instead of calling methods (the agenda has 60+
// cells and reflection calls dominated its rendering).
type CellView struct {
	Class     string
	Icon      string
	Text      string // state for screen readers
	Label     string // "REPAS CLASSIQUE ENFANT, 26/11/2026 : réservable"
	DayFR     string
	Value     string // the button's value: "prestation|day|intent"
	Reason    string // short visible word: a closed cell's reason, "en cours", "validée"…
	Why       string // why a click cannot act on the cell (Explain), one tap away
	Clickable bool
	// Join is the value of the "M'inscrire sur la liste d'attente" button
	// of a full day ("prestation|key"), "" when the cell has none.
	Join string
}

// View returns the cell as the page prints it, for prestation p under the
// commune's calendar cal.
func (c Cell) View(p Prestation, cal *calendar.Calendar) CellView {
	v := CellView{Class: c.Class(), Icon: c.Icon(), Text: c.Text(), DayFR: c.Day.FR(), Clickable: c.Clickable, Why: Explain(p, c, cal)}
	v.Label = p.Name + ", " + v.DayFR + " : " + v.Text
	if c.Clickable {
		v.Value = fmt.Sprintf("%d|%s|%s", p.ID, c.Day, c.Intent())
	}
	// A short visible word beside the icon, so the state never rests on
	// the icon or its colour alone.
	switch c.State {
	case CellClosed:
		v.Reason = c.Reason.Label()
	case CellPending:
		v.Reason = "en cours"
	case CellValidated:
		v.Reason = "validée"
	case CellCancelPending:
		v.Reason = "annulation"
	}
	return v
}

// waitView adds the waiting list to a full day's cell: the child's place
// in line, or the button that joins it.
func (b *Booker) waitView(p Prestation, c Cell, v CellView) CellView {
	if c.State != CellClosed || c.Reason.Code != ReasonFull || !b.Ledger.waitlist {
		return v
	}
	if w, ok := b.Ledger.Waiting(p.ID, c.Key); ok {
		v.Why += " " + b.Child.FirstName + " est sur la liste d'attente (" + WaitEntry{State: w.State, Rank: w.Rank}.StateText() + ") : un courriel vous préviendra si une place se libère."
		v.Reason = "en attente"
		return v
	}
	v.Join = fmt.Sprintf("%d|%s", p.ID, c.Key)
	return v
}

// dayLetters are the column headings L M M J V.
var dayLetters = [5]string{"L", "M", "M", "J", "V"}

// BuildAgenda computes the agenda of the booker's child from start's week
// on, for weeks weeks: a pure function of the booker's rules and ledger.
func BuildAgenda(b *Booker, start calendar.Date, weeks int) Agenda {
	a := agendaFrame(b, start, weeks)
	for w := range weeks {
		a.Weeks = append(a.Weeks, buildWeek(b, a.Start.AddDays(7*w)))
	}
	return a
}

// agendaFrame is the agenda without its weeks.
func agendaFrame(b *Booker, start calendar.Date, weeks int) Agenda {
	monday := start.Monday()
	a := Agenda{Start: monday, Prev: monday.AddDays(-7 * weeks), Next: monday.AddDays(7 * weeks)}
	for _, p := range b.Prestations {
		if p.IsForfait() {
			a.HasForfait = true
		}
	}
	return a
}

// buildWeek computes and renders the week of Monday from.
func buildWeek(b *Booker, from calendar.Date) Week {
	_, num := from.ISOWeek()
	wk := Week{Number: num, From: from, To: from.AddDays(4)}
	for i := range 5 {
		d := from.AddDays(i)
		wk.Days = append(wk.Days, Day{Date: d, Letter: dayLetters[i], Number: fmt.Sprintf("%02d", d.Day())})
	}
	for _, p := range b.Prestations {
		row := Row{Prestation: p}
		for _, d := range wk.Days {
			cell := CellFor(CellInput{Prestation: p, Day: d.Date, Calendar: b.Calendar, Now: b.Now, Ledger: b.Ledger, Child: &b.Child,
				OtherParent: !b.books(d.Date), FamilyID: b.sharedBy()})
			row.Cells = append(row.Cells, cell)
			row.Views = append(row.Views, b.waitView(p, cell, cell.View(p, b.Calendar)))
		}
		wk.Rows = append(wk.Rows, row)
	}
	wk.HTML = wk.tableHTML()
	return wk
}

// LoadAgenda reads (through the read pool q) and builds the agenda of a
// family's child for a régie, AgendaWeeks weeks from start's week.
func LoadAgenda(ctx context.Context, q tenants.Querier, familyID, regieID, childID int64, start calendar.Date, now time.Time) (Agenda, error) {
	cfg, err := readConfig(ctx, q)
	if err != nil {
		return Agenda{}, err
	}
	return loadAgenda(ctx, q, cfg, familyID, regieID, childID, start, now)
}

// AgendaOf is LoadAgenda on a commune's handle: the configuration comes
// from memory while it has not changed, and the statements are prepared.
func AgendaOf(ctx context.Context, db *tenants.DB, familyID, regieID, childID int64, start calendar.Date, now time.Time) (Agenda, error) {
	r := db.Reader()
	cfg, err := loadConfig(ctx, db, r)
	if err != nil {
		return Agenda{}, err
	}
	return cachedAgendaOf(ctx, db, cfg, familyID, regieID, childID, start, now)
}

// cachedAgendaOf is loadAgenda on the read pool through the commune's
// agenda cache (agenda_cache.go).
func cachedAgendaOf(ctx context.Context, db *tenants.DB, cfg *communeConfig, familyID, regieID, childID int64, start calendar.Date, now time.Time) (Agenda, error) {
	cache, err := agendaWeeks(db, cfg.version)
	if err != nil {
		return Agenda{}, err
	}
	monday := start.Monday()
	b, err := booker(ctx, db.Reader(), cfg, familyID, regieID, childID, monday, monday.AddDays(7*AgendaWeeks-1), now)
	if err != nil {
		return Agenda{}, err
	}
	return cachedAgenda(cache, b, regieID, monday, AgendaWeeks), nil
}

func loadAgenda(ctx context.Context, q tenants.Querier, cfg *communeConfig, familyID, regieID, childID int64, start calendar.Date, now time.Time) (Agenda, error) {
	monday := start.Monday()
	last := monday.AddDays(7*AgendaWeeks - 1)
	b, err := booker(ctx, q, cfg, familyID, regieID, childID, monday, last, now)
	if err != nil {
		return Agenda{}, err
	}
	return BuildAgenda(b, monday, AgendaWeeks), nil
}
