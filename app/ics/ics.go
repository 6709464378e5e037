// Package ics writes iCalendar feeds (RFC 5545) of all-day events: the
// text escaping, the 75-octet line folding, CRLF line endings. It is pure
// (no database, no HTTP) and imports nothing of the project.
package ics

import (
	"bufio"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// maxLine is the longest content line, in octets, without its CRLF
// (RFC 5545 section 3.1).
const maxLine = 75

// Escape makes s a TEXT value (RFC 5545 section 3.3.11): backslash,
// semicolon and comma are escaped, a line break becomes "\n", and other
// control characters (which no TEXT may hold) become spaces. Invalid UTF-8
// becomes U+FFFD.
func Escape(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case r == '\\' || r == ';' || r == ',':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r < 0x20 || r == 0x7f:
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Unescape reverses Escape.
func Unescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n', 'N':
			b.WriteByte('\n')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// Fold splits a content line into lines of at most 75 octets joined by
// CRLF and a space, never inside a UTF-8 sequence; the result has no
// final CRLF.
func Fold(line string) string {
	if len(line) <= maxLine {
		return line
	}
	var b strings.Builder
	limit := maxLine // the first line has 75 octets, the others a space and 74
	for len(line) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		b.WriteString(line[:cut])
		b.WriteString("\r\n ")
		line = line[cut:]
		limit = maxLine - 1
	}
	b.WriteString(line)
	return b.String()
}

// Unfold joins folded lines back (a CRLF followed by a space or a tab).
func Unfold(s string) string {
	s = strings.ReplaceAll(s, "\r\n ", "")
	return strings.ReplaceAll(s, "\r\n\t", "")
}

// Event is one all-day event, from Start to End inclusive (dates only:
// the time of day and location are ignored).
type Event struct {
	UID         string // stable: the same booking keeps the same UID
	Start, End  time.Time
	Summary     string
	Description string
}

// Calendar is a feed.
type Calendar struct {
	ProdID   string // "-//Espace Famille//Agenda famille//FR"
	Name     string // X-WR-CALNAME, the name the phone shows
	TimeZone string // X-WR-TIMEZONE, e.g. "Europe/Paris"
	Stamp    time.Time
	Events   []Event
}

// Write writes the calendar as RFC 5545 text: CRLF line endings, folded
// lines, escaped text, DTSTART;VALUE=DATE with an exclusive DTEND.
func Write(w io.Writer, cal Calendar) error {
	bw := bufio.NewWriter(w)
	line := func(name, value string) {
		bw.WriteString(Fold(name + ":" + value))
		bw.WriteString("\r\n")
	}
	date := func(t time.Time) string { return t.Format("20060102") }
	stamp := cal.Stamp.UTC().Format("20060102T150405Z")
	line("BEGIN", "VCALENDAR")
	line("VERSION", "2.0")
	line("PRODID", Escape(cal.ProdID))
	line("CALSCALE", "GREGORIAN")
	line("METHOD", "PUBLISH")
	line("X-WR-CALNAME", Escape(cal.Name))
	if cal.TimeZone != "" {
		line("X-WR-TIMEZONE", Escape(cal.TimeZone))
	}
	for _, e := range cal.Events {
		end := e.End
		if end.Before(e.Start) {
			end = e.Start
		}
		line("BEGIN", "VEVENT")
		line("UID", Escape(e.UID))
		line("DTSTAMP", stamp)
		line("DTSTART;VALUE=DATE", date(e.Start))
		line("DTEND;VALUE=DATE", date(end.AddDate(0, 0, 1)))
		line("SUMMARY", Escape(e.Summary))
		if e.Description != "" {
			line("DESCRIPTION", Escape(e.Description))
		}
		line("TRANSP", "TRANSPARENT")
		line("END", "VEVENT")
	}
	line("END", "VCALENDAR")
	return bw.Flush()
}
