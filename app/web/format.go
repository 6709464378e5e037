package web

import (
	"html/template"
	"time"

	"espacefamille/app/calendar"
)

// paris is the time zone every date and time shown to people is in.
var paris = calendar.Paris()

// Paris returns the Europe/Paris location.
func Paris() *time.Location { return paris }

// FormatDate renders a civil date or an instant as JJ/MM/AAAA (Paris time
// for instants). It accepts time.Time, "YYYY-MM-DD…" strings and any value
// with an FR() string method; anything else renders empty.
func FormatDate(v any) string {
	switch d := v.(type) {
	case interface{ FR() string }:
		return d.FR()
	case time.Time:
		if d.IsZero() {
			return ""
		}
		return d.In(paris).Format("02/01/2006")
	case *time.Time:
		if d == nil {
			return ""
		}
		return FormatDate(*d)
	case string:
		if len(d) >= 10 && d[4] == '-' && d[7] == '-' {
			return d[8:10] + "/" + d[5:7] + "/" + d[0:4]
		}
		return d
	}
	return ""
}

// FormatDateTime renders an instant as "28/11/2017 10:08:14" in Paris time.
func FormatDateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(paris).Format("02/01/2006 15:04:05")
}

// FormatEuros renders integer cents as "15,30 €" (see calendar.FormatEuros).
func FormatEuros(cents int64) string { return calendar.FormatEuros(cents) }

// Funcs are the helpers every template can call.
func Funcs() template.FuncMap {
	return template.FuncMap{
		"date":     FormatDate,
		"datetime": FormatDateTime,
		"euros":    FormatEuros,
	}
}
