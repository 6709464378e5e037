package calendar

import "slices"

// ReasonKind says why a day is not open.
type ReasonKind uint8

// The reasons a day is closed, in the order DayStatus checks them.
const (
	ReasonNone          ReasonKind = iota // the day is open
	ReasonWeekend                         // Saturday or Sunday
	ReasonPublicHoliday                   // jour férié
	ReasonClosure                         // fermeture decided by the commune
	ReasonSchoolHoliday                   // vacances scolaires of the commune's zone
)

// String returns the French label of the reason kind, as shown to parents.
func (k ReasonKind) String() string {
	switch k {
	case ReasonWeekend:
		return "week-end"
	case ReasonPublicHoliday:
		return "jour férié"
	case ReasonClosure:
		return "fermeture"
	case ReasonSchoolHoliday:
		return "vacances scolaires"
	}
	return ""
}

// Code returns a stable ASCII code for the reason kind, for CSS classes and storage.
func (k ReasonKind) Code() string {
	switch k {
	case ReasonWeekend:
		return "weekend"
	case ReasonPublicHoliday:
		return "public_holiday"
	case ReasonClosure:
		return "closure"
	case ReasonSchoolHoliday:
		return "school_holiday"
	}
	return ""
}

// Reason is why a day is closed: its kind and the name of the holiday or closure.
type Reason struct {
	Kind ReasonKind
	Name string // "Vacances de Noël", "Ascension", the commune's reason; empty for a weekend
}

// String returns the French text for parents, e.g. "jour férié (Ascension)".
func (r Reason) String() string {
	if r.Name == "" {
		return r.Kind.String()
	}
	return r.Kind.String() + " (" + r.Name + ")"
}

// Closure is a day on which the commune closes its services, with its reason ("Grève", "Journée pédagogique").
type Closure struct {
	Date   Date
	Reason string
}

// Config describes one commune's calendar.
type Config struct {
	Zone     string    // school holiday zone ("A", "B", "C", "Corse")
	Holidays []Holiday // school holidays; those of other zones are ignored when Zone is set
	Closures []Closure // the commune's closure days
	// ScopedClosures close some prestations or schools only (see
	// ScopedClosureOn); the day stays open in DayStatus.
	ScopedClosures []ScopedClosure
	AlsaceMoselle  bool // the commune also observes Vendredi saint and Saint-Étienne
}

// Calendar answers whether a day is open for one commune; it is immutable and safe for concurrent use.
type Calendar struct {
	zone     string
	holidays []Holiday // sorted by From
	maxUntil []Date    // maxUntil[i] is the latest Until among holidays[:i+1]
	closures map[Date]string
	scoped   map[Date][]ScopedClosure
	alsace   bool
}

// NewCalendar builds a commune's calendar.
func NewCalendar(cfg Config) *Calendar {
	c := &Calendar{zone: NormalizeZone(cfg.Zone), alsace: cfg.AlsaceMoselle, closures: make(map[Date]string, len(cfg.Closures))}
	for _, h := range cfg.Holidays {
		if c.zone == "" || NormalizeZone(h.Zone) == c.zone {
			c.holidays = append(c.holidays, h)
		}
	}
	slices.SortStableFunc(c.holidays, func(a, b Holiday) int { return a.From.Compare(b.From) })
	c.maxUntil = make([]Date, len(c.holidays))
	var m Date
	for i, h := range c.holidays {
		if h.Until.After(m) {
			m = h.Until
		}
		c.maxUntil[i] = m
	}
	for _, cl := range cfg.Closures {
		if _, dup := c.closures[cl.Date]; !dup {
			c.closures[cl.Date] = cl.Reason
		}
	}
	for _, s := range cfg.ScopedClosures {
		if !s.Whole() {
			if c.scoped == nil {
				c.scoped = map[Date][]ScopedClosure{}
			}
			c.scoped[s.Date] = append(c.scoped[s.Date], s)
		}
	}
	return c
}

// NewZoneCalendar builds a calendar from the bundled school holidays of a zone and the commune's closures.
func NewZoneCalendar(zone string, closures ...Closure) *Calendar {
	return NewCalendar(Config{Zone: zone, Holidays: BundledHolidays(zone), Closures: closures})
}

// Zone returns the calendar's school holiday zone.
func (c *Calendar) Zone() string {
	if c == nil {
		return ""
	}
	return c.zone
}

// Holidays returns a copy of the calendar's school holidays, sorted by date.
func (c *Calendar) Holidays() []Holiday {
	if c == nil {
		return nil
	}
	return slices.Clone(c.holidays)
}

// DayStatus tells whether d is open and, if not, why: weekend, then public holiday, then closure, then school holiday.
// A nil Calendar knows only weekends and national public holidays.
func (c *Calendar) DayStatus(d Date) (open bool, reason Reason) {
	if d.IsWeekend() {
		return false, Reason{Kind: ReasonWeekend}
	}
	if name, ok := c.PublicHolidayName(d); ok {
		return false, Reason{Kind: ReasonPublicHoliday, Name: name}
	}
	if c == nil {
		return true, Reason{}
	}
	if why, ok := c.closures[d]; ok {
		return false, Reason{Kind: ReasonClosure, Name: why}
	}
	if h, ok := c.HolidayAt(d); ok {
		return false, Reason{Kind: ReasonSchoolHoliday, Name: h.Description}
	}
	return true, Reason{}
}

// IsOpen reports whether d is open (a shortcut for DayStatus).
func (c *Calendar) IsOpen(d Date) bool {
	open, _ := c.DayStatus(d)
	return open
}

// PublicHolidayName returns the name of the public holiday on d for this commune, if any.
func (c *Calendar) PublicHolidayName(d Date) (string, bool) {
	return publicHolidayName(d, c != nil && c.alsace)
}

// IsWorkingDay reports whether d is a jour ouvré for this commune: Monday to Friday and not a public holiday.
func (c *Calendar) IsWorkingDay(d Date) bool {
	if d.IsWeekend() {
		return false
	}
	_, holiday := c.PublicHolidayName(d)
	return !holiday
}

// HolidayAt returns the school holiday that contains d, if any.
func (c *Calendar) HolidayAt(d Date) (Holiday, bool) {
	if c == nil {
		return Holiday{}, false
	}
	// i is the first holiday starting after d; earlier ones may contain d
	// while some of them still reach past d.
	i, _ := slices.BinarySearchFunc(c.holidays, d, func(h Holiday, d Date) int {
		if h.From.After(d) {
			return 1
		}
		return -1
	})
	for j := i - 1; j >= 0 && c.maxUntil[j].After(d); j-- {
		if c.holidays[j].Contains(d) {
			return c.holidays[j], true
		}
	}
	return Holiday{}, false
}

// ClosureReason returns the commune's reason for closing on d, if it does.
func (c *Calendar) ClosureReason(d Date) (string, bool) {
	if c == nil {
		return "", false
	}
	r, ok := c.closures[d]
	return r, ok
}

// nextHolidayAfter returns the first holiday that starts after d and satisfies keep.
func (c *Calendar) nextHolidayAfter(d Date, keep func(Holiday) bool) (Holiday, bool) {
	if c == nil {
		return Holiday{}, false
	}
	for _, h := range c.holidays {
		if h.From.After(d) && keep(h) {
			return h, true
		}
	}
	return Holiday{}, false
}

// prevHolidayBefore returns the holiday with the latest end not after d that satisfies keep.
func (c *Calendar) prevHolidayBefore(d Date, keep func(Holiday) bool) (Holiday, bool) {
	if c == nil {
		return Holiday{}, false
	}
	var best Holiday
	found := false
	for _, h := range c.holidays {
		if !h.Until.After(d) && keep(h) && (!found || h.Until.After(best.Until)) {
			best, found = h, true
		}
	}
	return best, found
}
