package calendar

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"
)

// Importers for the two formats published by the Éducation nationale:
// the open-data CSV "fr-en-calendrier-scolaire" of data.education.gouv.fr and
// its ICS calendar. Both describe each holiday by its first day off and the
// day classes resume (exclusive end), cut into segments shared by zones;
// both results are merged per zone and description.

// maxImportRows bounds an import so that a hostile file cannot exhaust memory.
const maxImportRows = 100000

// openDataColumns maps the accepted header names (English API names and French export labels) to our field names.
var openDataColumns = map[string]string{
	"description": "description", "population": "population",
	"start_date": "start", "date de début": "start", "date de debut": "start",
	"end_date": "end", "date de fin": "end",
	"zones": "zones", "zone": "zones", "annee_scolaire": "year", "année scolaire": "year",
	"location": "location",
}

// ParseOpenDataCSV reads the data.education.gouv.fr "fr-en-calendrier-scolaire" CSV (";" separated),
// ignores the "Enseignants" rows and returns one holiday per zone, merged across académies.
func ParseOpenDataCSV(r io.Reader) ([]Holiday, error) {
	br := bufio.NewReader(r)
	// The export is ";" separated; tolerate a "," export of the same columns.
	sep := ';'
	if head, _ := br.Peek(4096); bytes.Count(head, []byte{';'}) == 0 && bytes.Count(head, []byte{','}) > 0 {
		sep = ','
	}
	cr := csv.NewReader(br)
	cr.Comma, cr.FieldsPerRecord, cr.LazyQuotes = sep, -1, true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoHeader, err)
	}
	col := map[string]int{}
	for name, i := range headerIndex(header) {
		if f, ok := openDataColumns[name]; ok {
			if _, dup := col[f]; !dup {
				col[f] = i
			}
		}
	}
	for _, f := range []string{"description", "start", "end", "zones"} {
		if _, ok := col[f]; !ok {
			return nil, fmt.Errorf("%w: colonne %q absente", ErrNoHeader, f)
		}
	}
	var out []Holiday
	for n := 0; ; n++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line := csvLine(cr, err)
		if err != nil {
			return nil, readErr(line, "CSV illisible (guillemets ou séparateurs mal placés)", "unreadable CSV", err)
		}
		if n >= maxImportRows {
			return nil, rowErr(line, "fichier trop long", "file too long")
		}
		get := func(f string) string {
			if i, ok := col[f]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		if isTeachersOnly(get("population")) || isTeachersOnly(get("description")) {
			continue
		}
		h, skip, err := openDataRow(line, get("description"), get("start"), get("end"), get("zones"), get("year"))
		if err != nil {
			return nil, err
		}
		if !skip {
			out = append(out, h)
		}
	}
	return mergeSegments(out), nil
}

// openDataRow converts one row; rows without a zone or description are skipped.
func openDataRow(line int, desc, start, end, zones, year string) (h Holiday, skip bool, err error) {
	desc, marker := normalizeDescription(desc)
	zone := NormalizeZone(zones)
	if desc == "" || zone == "" {
		return h, true, nil
	}
	h = Holiday{Zone: zone, Description: desc}
	if h.From, err = parseInstantDate(start); err != nil {
		return h, false, rowErr(line, "date de début invalide « %s »", "invalid start date %q", start)
	}
	if validSchoolYear(year) {
		h.SchoolYear = year
	} else {
		h.SchoolYear = SchoolYearOf(h.From)
	}
	if end != "" {
		if h.Until, err = parseInstantDate(end); err != nil {
			return h, false, rowErr(line, "date de fin invalide « %s »", "invalid end date %q", end)
		}
	}
	if err := finishEnd(&h, marker); err != nil {
		return h, false, rowErr(line, "%s", "%s", err.Error())
	}
	return h, false, nil
}

// finishEnd applies the end rules shared by both importers: an empty end or a
// "Début des …" marker is open-ended, an end equal to the start marks one day.
func finishEnd(h *Holiday, marker bool) error {
	switch {
	case h.Until.IsZero() || (marker && !h.Until.After(h.From)):
		h.Until, h.Estimated = openEnd(h.SchoolYear, h.From), true
	case h.Until.Equal(h.From):
		h.Until = h.From.AddDays(1)
	case h.Until.Before(h.From):
		return fmt.Errorf("fin %s avant le début %s", h.Until, h.From)
	}
	return nil
}

// parseInstantDate reads "2025-10-17T22:00:00+00:00" (an instant, taken as its Paris date),
// a floating "2025-10-18T00:00:00" (its own date) or a plain "2025-10-18".
func parseInstantDate(s string) (Date, error) {
	if len(s) == 10 {
		return ParseISO(s)
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		d := DateFromTime(t.In(Paris()))
		if d.Year() < 1 || d.Year() > 9999 {
			return Date{}, ErrInvalidDate
		}
		return d, nil
	}
	if _, err := time.Parse("2006-01-02T15:04:05", s); err == nil {
		return ParseISO(s[:10])
	}
	return Date{}, ErrInvalidDate
}

// normalizeDescription trims a holiday name and turns "Début des Vacances d'Été" into "Vacances d'Été", reporting the marker.
func normalizeDescription(s string) (string, bool) {
	s = strings.Join(strings.Fields(s), " ")
	// The marker alone ("Début des" trimmed of its space) names no holiday.
	switch strings.ToLower(s) {
	case "début des", "debut des":
		return "", true
	}
	for _, p := range []string{"Début des ", "début des ", "Debut des "} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			if rest == "" {
				return "", true
			}
			return strings.ToUpper(rest[:1]) + rest[1:], true
		}
	}
	return s, false
}

// isTeachersOnly reports a row or event that concerns teachers, not pupils.
func isTeachersOnly(s string) bool { return strings.Contains(strings.ToLower(s), "enseignant") }

// ParseICS reads the Éducation nationale ICS calendar: VEVENTs with DTSTART;VALUE=DATE, an exclusive DTEND,
// a SUMMARY such as "Vacances d'Hiver - Zones A/B" and a LOCATION such as "Zones B/C - Corse".
func ParseICS(r io.Reader) ([]Holiday, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	var (
		out      []Holiday
		ev       map[string]string
		evLine   int
		lines    []string // unfolded content lines with their starting line number
		lineNums []int
		n        int
	)
	for sc.Scan() {
		n++
		raw := strings.TrimRight(sc.Text(), "\r")
		if len(raw) > 0 && (raw[0] == ' ' || raw[0] == '\t') && len(lines) > 0 {
			lines[len(lines)-1] += raw[1:] // RFC 5545 folding
			continue
		}
		lines, lineNums = append(lines, strings.TrimLeft(raw, " \t")), append(lineNums, n)
		if len(lines) > maxImportRows*12 {
			return nil, rowErr(n, "fichier trop long", "file too long")
		}
	}
	if err := sc.Err(); err != nil {
		return nil, readErr(n+1, "ICS illisible", "unreadable ICS", err)
	}
	for i, l := range lines {
		name, params, value := splitICSLine(l)
		switch {
		case name == "BEGIN" && strings.EqualFold(value, "VEVENT"):
			ev, evLine = map[string]string{}, lineNums[i]
		case name == "END" && strings.EqualFold(value, "VEVENT") && ev != nil:
			hs, err := icsEvent(evLine, ev)
			if err != nil {
				return nil, err
			}
			out = append(out, hs...)
			ev = nil
		case ev != nil && name != "":
			if name == "DTSTART" || name == "DTEND" {
				ev[name+"#"] = params
			}
			if _, dup := ev[name]; !dup {
				ev[name] = value
			}
		}
	}
	if ev != nil {
		return nil, rowErr(evLine, "VEVENT non terminé", "unterminated VEVENT")
	}
	return mergeSegments(out), nil
}

// splitICSLine splits "DTSTART;VALUE=DATE:20260704" into name, parameters and value.
func splitICSLine(l string) (name, params, value string) {
	colon := strings.IndexByte(l, ':')
	if colon < 0 {
		return "", "", ""
	}
	head, value := l[:colon], l[colon+1:]
	name, params, _ = strings.Cut(head, ";")
	return strings.ToUpper(strings.TrimSpace(name)), params, value
}

// icsEvent converts one VEVENT into one holiday per zone it names.
func icsEvent(line int, ev map[string]string) ([]Holiday, error) {
	summary := icsUnescape(ev["SUMMARY"])
	if isTeachersOnly(summary) {
		return nil, nil
	}
	desc, suffix := splitZoneSuffix(summary)
	desc, marker := normalizeDescription(desc)
	location := icsUnescape(ev["LOCATION"])
	if location == "" {
		location = suffix
	}
	zones := parseZones(location)
	if desc == "" || len(zones) == 0 {
		return nil, nil // not a zone holiday: ignore
	}
	from, err := icsDate(ev["DTSTART"])
	if err != nil {
		return nil, rowErr(line, "DTSTART invalide « %s » dans « %s »", "invalid DTSTART %q in %q", ev["DTSTART"], summary)
	}
	var until Date
	if v, ok := ev["DTEND"]; ok {
		if until, err = icsDate(v); err != nil {
			return nil, rowErr(line, "DTEND invalide « %s » dans « %s »", "invalid DTEND %q in %q", v, summary)
		}
	}
	base := Holiday{Description: desc, From: from, Until: until, SchoolYear: SchoolYearOf(from)}
	if base.Until.IsZero() && !marker {
		base.Until = from.AddDays(1) // RFC 5545: a DATE event without DTEND lasts one day
	}
	if err := finishEnd(&base, marker); err != nil {
		return nil, rowErr(line, "%s", "%s", err.Error())
	}
	out := make([]Holiday, 0, len(zones))
	for _, z := range zones {
		h := base
		h.Zone = z
		out = append(out, h)
	}
	return out, nil
}

// icsDate reads "20260704" or a date-time "20260703T220000Z" (taken as its Paris date).
func icsDate(v string) (Date, error) {
	v = strings.TrimSpace(v)
	if len(v) < 8 {
		return Date{}, ErrInvalidDate
	}
	if len(v) > 8 && strings.HasSuffix(v, "Z") {
		t, err := time.Parse("20060102T150405Z", v)
		if err != nil {
			return Date{}, ErrInvalidDate
		}
		return DateFromTime(t.In(Paris())), nil
	}
	if len(v) > 8 && v[8] != 'T' {
		return Date{}, ErrInvalidDate
	}
	return ParseISO(v[0:4] + "-" + v[4:6] + "-" + v[6:8])
}

// splitZoneSuffix splits "Vacances d'Hiver - Zones A/B" into the name and its zone part.
func splitZoneSuffix(s string) (string, string) {
	l := strings.ToLower(s)
	for _, sep := range []string{" - zone", " - corse"} {
		if i := strings.Index(l, sep); i >= 0 {
			return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+3:])
		}
	}
	return strings.TrimSpace(s), ""
}

// parseZones reads "Zones A/B/C - Corse", "Zone A", "Corse" into zone names.
func parseZones(s string) []string {
	var zones []string
	add := func(z string) {
		for _, have := range zones {
			if have == z {
				return
			}
		}
		zones = append(zones, z)
	}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == ',' || r == ';' }) {
		p := strings.ToLower(strings.TrimSpace(part))
		if p == "corse" {
			add("Corse")
			continue
		}
		rest, ok := strings.CutPrefix(p, "zones")
		if !ok {
			rest, ok = strings.CutPrefix(p, "zone")
		}
		if !ok {
			continue
		}
		for _, z := range strings.FieldsFunc(rest, func(r rune) bool { return r == '/' || r == ' ' || r == '+' }) {
			if z == "et" {
				continue
			}
			if nz := NormalizeZone(z); nz == "A" || nz == "B" || nz == "C" {
				add(nz)
			}
		}
	}
	return zones
}

// icsUnescape undoes RFC 5545 TEXT escaping.
func icsUnescape(s string) string {
	if !strings.Contains(s, `\`) {
		return strings.TrimSpace(s)
	}
	r := strings.NewReplacer(`\n`, " ", `\N`, " ", `\,`, ",", `\;`, ";", `\\`, `\`)
	return strings.TrimSpace(r.Replace(s))
}
