package absences

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"espacefamille/app/calendar"
)

// Rule is a commune's absence rule.
type Rule struct {
	// Enabled shows "Absent(e) aujourd'hui / demain" to parents.
	Enabled bool
	// DeadlineHour and DeadlineMinute: an absence for today is declared
	// online before this time (Europe/Paris); tomorrow's at any time today.
	DeadlineHour, DeadlineMinute int
	// CarenceDays is how many days of an absence (consecutive booked
	// days) are not refunded: the jours de carence.
	CarenceDays int
	// CertificateRequired: a day after the carence is refunded only with a
	// medical certificate.
	CertificateRequired bool
	// CertificateMonths is how long a medical certificate is kept after
	// the last day of absence it justifies (RGPD: health data), from
	// MinCertificateMonths to MaxCertificateMonths; then the housekeeping
	// deletes it (PurgeCertificates).
	CertificateMonths int
}

// The retention of medical certificates, in months after the absence:
// a school year by default, long enough to answer a question about the
// refund or an audit of the régie, and no longer (see docs/operations.md).
const (
	DefaultCertificateMonths = 12
	MinCertificateMonths     = 1
	MaxCertificateMonths     = 36
)

// DefaultRule is the rule of a commune that never changed it: declared
// before 09:00 for the same day, no jour de carence (what the pointage did
// before the rule existed), certificate required.
var DefaultRule = Rule{Enabled: true, DeadlineHour: 9, CarenceDays: 0, CertificateRequired: true, CertificateMonths: DefaultCertificateMonths}

// Deadline is the time limit as the French write it ("09h00").
func (r Rule) Deadline() string { return fmt.Sprintf("%02dh%02d", r.DeadlineHour, r.DeadlineMinute) }

// Lines is the rule in French, as the parent reads it before confirming.
func (r Rule) Lines() []string {
	out := []string{"Pour aujourd'hui, signalez l'absence avant " + r.Deadline() + " ; pour demain, à tout moment aujourd'hui. Les réservations du jour sont alors annulées."}
	switch r.CarenceDays {
	case 0:
		out = append(out, "Pas de jour de carence : chaque jour d'absence peut être remboursé.")
	case 1:
		out = append(out, "Jour de carence : le premier jour d'une absence n'est pas remboursé.")
	default:
		out = append(out, "Jours de carence : les "+strconv.Itoa(r.CarenceDays)+" premiers jours d'une absence ne sont pas remboursés (jours réservés qui se suivent).")
	}
	if r.CertificateRequired {
		out = append(out, "Certificat médical obligatoire pour être remboursé (PDF ou photo JPEG/PNG, 5 Mo au plus) ; vous pouvez aussi l'ajouter plus tard.")
	} else {
		out = append(out, "Certificat médical non demandé.")
	}
	out = append(out, r.CertificateKept())
	out = append(out, "Le remboursement prend la forme d'un avoir, déduit de vos prochains paiements (ou la journée n'est pas facturée, pour un service payé après coup).")
	return out
}

// CertificateKept says, for parents, how long a certificate is kept.
func (r Rule) CertificateKept() string {
	return "Les certificats médicaux sont conservés " + strconv.Itoa(r.CertificateMonths) +
		" mois après le dernier jour d'absence qu'ils justifient, puis supprimés (données de santé)."
}

// ParseDeadline reads "HH:MM" (or "HHhMM").
func ParseDeadline(s string) (hour, minute int, ok bool) {
	s = strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "h", ":")
	h, m, found := strings.Cut(s, ":")
	if !found || len(h) == 0 || len(h) > 2 || len(m) != 2 {
		return 0, 0, false
	}
	hour, err1 := strconv.Atoi(h)
	minute, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hour < 0 || hour > 23 || minute < 0 || minute > 59 {
		return 0, 0, false
	}
	return hour, minute, true
}

// Refusal says why an absence for day cannot be declared at now, or ""
// when it can: today before the deadline, or tomorrow.
func (r Rule) Refusal(day calendar.Date, now time.Time) string {
	today := calendar.Today(now)
	switch {
	case !r.Enabled:
		return "La commune ne prend pas les absences en ligne : prévenez directement la mairie."
	case day.Equal(today.AddDays(1)):
		return ""
	case !day.Equal(today):
		return "Une absence se signale pour aujourd'hui ou pour demain."
	case !now.In(calendar.Paris()).Before(today.At(r.DeadlineHour, r.DeadlineMinute)):
		return "Il est trop tard pour signaler en ligne une absence aujourd'hui (avant " + r.Deadline() + ") : prévenez directement l'école ou la mairie."
	}
	return ""
}

// BookedDay is a day on which the child had something booked: absent (a
// declared absence, certified or not) or not.
type BookedDay struct {
	Day       calendar.Date
	Absent    bool
	Certified bool
}

// Decision is what the rule gives one day of absence.
type Decision struct {
	Episode  int  // the absence it belongs to (consecutive absent days), from 1
	Rank     int  // its place in that absence, from 1
	Carence  bool // a jour de carence: not refunded
	Billable bool // not refunded (carence, or no certificate where required)
}

// Decide applies the rule to the child's booked days: an absence is a
// run of absent days with no booked day between them on which the child
// was expected (weekends, holidays and days with nothing booked do not
// break it: absent on Friday and on Monday is one absence). Its first
// CarenceDays days are not refunded; later ones are, with a certificate
// where the rule requires one. days may be in any order; a day listed
// twice is absent if either says so.
func Decide(r Rule, days []BookedDay) map[calendar.Date]Decision {
	merged := map[calendar.Date]BookedDay{}
	for _, d := range days {
		m, ok := merged[d.Day]
		if !ok {
			merged[d.Day] = d
			continue
		}
		m.Absent = m.Absent || d.Absent
		m.Certified = m.Certified || d.Certified
		merged[d.Day] = m
	}
	list := make([]BookedDay, 0, len(merged))
	for _, d := range merged {
		list = append(list, d)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Day.Before(list[j].Day) })
	out := map[calendar.Date]Decision{}
	episode, rank := 0, 0
	for _, d := range list {
		if !d.Absent {
			rank = 0
			continue
		}
		if rank == 0 {
			episode++
		}
		rank++
		carence := rank <= r.CarenceDays
		out[d.Day] = Decision{Episode: episode, Rank: rank, Carence: carence,
			Billable: carence || (r.CertificateRequired && !d.Certified)}
	}
	return out
}
