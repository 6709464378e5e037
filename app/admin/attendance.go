package admin

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/absences"
	"espacefamille/app/billing"
	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/families"
	"espacefamille/app/records"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// AttendanceLine is a child on the attendance list.
type AttendanceLine struct {
	ChildID       int64
	Name          string
	Booked        bool
	ReservationID int64
	Status        string // "", present, absent
	Justified     bool
	PAI           bool // projet d'accueil individualisé: the staff must know
	PAIExpired    bool // the PAI document's validity date has passed (app/records)
	// Declared: the family declared the child absent (app/absences; the
	// booking is cancelled); Certified: with a medical certificate.
	Declared, Certified bool
	SchoolID            int64
	School              string
	ClassName           string
}

type attendanceData struct {
	base
	Day         calendar.Date
	Prestations []booking.Prestation
	Prestation  int64
	Lines       []AttendanceLine
	Groups      []AttendanceGroup // the classes of the day's list
	Group       string            // the class shown ("": all)
	Others      []families.Child
	// Future says why the day cannot be pointed yet ("" for today or a
	// past day): the list is shown, without buttons.
	Future string
}

// futureAttendance says why attendance cannot be recorded on day, or ""
// when it can: a child is marked present or absent on the day itself or
// after it, never in advance.
func futureAttendance(day calendar.Date, now time.Time) string {
	if !day.After(calendar.Today(now)) {
		return ""
	}
	return "Le pointage du " + day.FR() + " n'est possible qu'à partir de ce jour : on ne pointe pas une présence ou une absence à l'avance."
}

// attendanceList merges the day's validated reservations of a prestation
// with what has been recorded, plus children recorded without a booking.
func attendanceList(ctx context.Context, q tenants.Querier, day calendar.Date, prestationID int64) ([]AttendanceLine, error) {
	res, err := booking.ReservationsOn(ctx, q, day)
	if err != nil {
		return nil, err
	}
	byChild := map[int64]*AttendanceLine{}
	for _, r := range res {
		if r.PrestationID == prestationID {
			byChild[r.ChildID] = &AttendanceLine{ChildID: r.ChildID, Name: r.ChildName, Booked: true, ReservationID: r.ID}
		}
	}
	declared, err := absences.OnDay(ctx, q, day, prestationID)
	if err != nil {
		return nil, err
	}
	for id, cert := range declared {
		if byChild[id] == nil {
			byChild[id] = &AttendanceLine{ChildID: id, Status: "absent", Declared: true, Certified: cert}
		}
	}
	err = tenants.Each(ctx, q, func(row tenants.Row) error {
		var l AttendanceLine
		if err := row.Scan(&l.ChildID, &l.Name, &l.Status, &l.Justified); err != nil {
			return err
		}
		if b := byChild[l.ChildID]; b != nil {
			b.Status, b.Justified = l.Status, l.Justified && !b.Declared
		} else {
			byChild[l.ChildID] = &l
		}
		return nil
	}, `SELECT a.child_id, ch.first_name || ' ' || ch.last_name, a.status, a.justified
		FROM attendance a JOIN children ch ON ch.id = a.child_id WHERE a.day = ? AND a.prestation_id = ?`, day, prestationID)
	if err != nil {
		return nil, fmt.Errorf("admin: attendance: %w", err)
	}
	if err := attendanceChildren(ctx, q, byChild); err != nil {
		return nil, err
	}
	expired, err := records.ExpiredPAIChildren(ctx, q, day)
	if err != nil {
		return nil, err
	}
	for id, l := range byChild {
		l.PAIExpired = l.PAI && expired[id]
	}
	out := make([]AttendanceLine, 0, len(byChild))
	for _, l := range byChild {
		out = append(out, *l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (a *Admin) showAttendance(c *fiber.Ctx) error {
	ctx, q := c.UserContext(), db(c).Reader()
	d := attendanceData{base: baseOf(c, "pointage"), Day: calendar.Today(a.now())}
	if v := strings.TrimSpace(c.Query("jour")); v != "" {
		day, err := calendar.ParseDate(v)
		if err != nil {
			return errInvalid("La date doit être au format JJ/MM/AAAA.")
		}
		d.Day = day
	}
	d.Future = futureAttendance(d.Day, a.now())
	rs, err := booking.AllRegies(ctx, q)
	if err != nil {
		return err
	}
	for _, r := range rs {
		ps, err := booking.Prestations(ctx, q, r.ID)
		if err != nil {
			return err
		}
		d.Prestations = append(d.Prestations, ps...)
	}
	d.Prestation, _ = strconv.ParseInt(c.Query("prestation"), 10, 64)
	if d.Prestation == 0 && len(d.Prestations) > 0 {
		d.Prestation = d.Prestations[0].ID
	}
	if d.Prestation != 0 {
		if d.Lines, err = attendanceList(ctx, q, d.Day, d.Prestation); err != nil {
			return err
		}
		d.Groups = attendanceGroups(d.Lines)
		d.Group = c.Query("classe")
		d.Lines = inGroup(d.Lines, d.Group)
		if d.Others, err = families.AllChildren(ctx, q); err != nil {
			return err
		}
	}
	return web.Render(c, "admin/pointage", "Pointage", d)
}

// markAttendance records present/absent (agents too), or a justified
// absence (credited after the commune's waiting days).
func (a *Admin) markAttendance(c *fiber.Ctx) error {
	day, err := calendar.ParseDate(formValue(c, "day"))
	if err != nil {
		return errInvalid("Date invalide.")
	}
	pid, _ := strconv.ParseInt(c.FormValue("prestation"), 10, 64)
	cid, _ := strconv.ParseInt(c.FormValue("child"), 10, 64)
	action := c.FormValue("status")
	if action != "present" && action != "absent" && action != "justified" {
		return errInvalid("Choisissez présent ou absent.")
	}
	who := currentStaff(c)
	if action == "justified" && who.Role != RoleAdmin {
		return errForbidden
	}
	if why := futureAttendance(day, a.now()); why != "" {
		return errInvalid(why)
	}
	var withdrawn string // what marking a child declared absent present did
	err = a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		withdrawn = ""
		if _, err := booking.LoadPrestation(ctx, tx, pid); err != nil {
			return err
		}
		child, err := families.LoadChild(ctx, tx, cid)
		if err != nil {
			return err
		}
		name := child.Name()
		lines, err := attendanceList(ctx, tx, day, pid)
		if err != nil {
			return err
		}
		var booked *AttendanceLine
		for i := range lines {
			if lines[i].ChildID == cid && lines[i].Booked {
				booked = &lines[i]
			}
		}
		if booked == nil && action == "present" {
			if booked, withdrawn, err = withdrawAbsence(ctx, tx, who, day, pid, cid, name, now); err != nil {
				return err
			}
		}
		return recordAttendance(ctx, tx, who, day, pid, cid, name, booked, action, now)
	})
	if err != nil {
		return err
	}
	if withdrawn != "" {
		web.AddFlash(c, "info", withdrawn)
	}
	return c.Redirect(web.URL(c, fmt.Sprintf("/admin/pointage?jour=%s&prestation=%d", day.FR(), pid)), fiber.StatusSeeOther)
}

// withdrawAbsence handles a child the family declared absent whom the
// staff mark present: the child came after all, so the absence is
// withdrawn (absences.Withdraw: the booking validated again, the avoir
// taken back) and the day is invoiced as the booked day it was, never as
// a child present without a booking (day price plus majoration). It
// returns the child's booked line (nil when no absence was declared) and
// what to tell the staff, and audits the withdrawal.
func withdrawAbsence(ctx context.Context, tx *sql.Tx, who *Staff, day calendar.Date, pid, cid int64, name string, now time.Time) (*AttendanceLine, string, error) {
	w, err := absences.Withdraw(ctx, tx, cid, pid, day, now)
	if err != nil || w.ReservationID == 0 {
		return nil, "", err
	}
	msg := "L'absence signalée par la famille pour " + name + " le " + day.FR() +
		" est retirée : la journée est facturée comme réservée, sans majoration."
	if w.TakenBackCents > 0 {
		msg += " L'avoir de " + web.FormatEuros(w.TakenBackCents) + " accordé pour l'absence est repris."
	}
	if w.NotTakenBackCents > 0 {
		msg += " " + web.FormatEuros(w.NotTakenBackCents) + " de cet avoir étaient déjà utilisés par la famille : ils ne sont pas repris (à régulariser si besoin)."
	}
	err = audit(ctx, tx, who, "withdraw", "absence", fmt.Sprintf("%s/%d/%d", day, pid, cid), nil,
		map[string]any{"child": name, "reservation": w.ReservationID, "credit_taken_back_cents": w.TakenBackCents,
			"credit_not_taken_back_cents": w.NotTakenBackCents}, now)
	return &AttendanceLine{ChildID: cid, Name: name, Booked: true, ReservationID: w.ReservationID}, msg, err
}

// recordAttendance writes one child's present, absent or justified
// (action) on day for prestation pid, credits a justified absence, and
// audits it; booked is the child's line when it has a booking (nil: a
// child present without one, invoiced with the majoration).
func recordAttendance(ctx context.Context, tx *sql.Tx, who *Staff, day calendar.Date, pid, cid int64, name string, booked *AttendanceLine, action string, now time.Time) error {
	status, justified := action, false
	if action == "justified" {
		if booked == nil {
			return errInvalid("Seule l'absence d'un enfant inscrit peut être justifiée.")
		}
		status, justified = "absent", true
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO attendance (day, prestation_id, child_id, status, unbooked, justified, recorded_by, recorded_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (day, prestation_id, child_id) DO UPDATE SET status = excluded.status,
		justified = excluded.justified OR (attendance.justified AND excluded.status = 'absent'), recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at`,
		day, pid, cid, status, booked == nil, justified, who.ID, ts(now))
	if err != nil {
		return fmt.Errorf("admin: attendance: %w", err)
	}
	if justified {
		if err := creditJustified(ctx, tx, booked.ReservationID, cid, pid, day, now); err != nil {
			return err
		}
	}
	return audit(ctx, tx, who, action, "attendance", fmt.Sprintf("%s/%d/%d", day, pid, cid), nil,
		map[string]any{"child": name, "status": status, "unbooked": booked == nil, "justified": justified}, now)
}

// creditJustified credits a justified absence unless it is one of the
// first jours de carence of the child's absence: the commune's absence
// rule (app/absences) decides, over the child's booked days of the
// prestation, the days justified at the pointage being the absent ones.
func creditJustified(ctx context.Context, tx *sql.Tx, reservationID, childID, prestationID int64, day calendar.Date, now time.Time) error {
	rule, err := absences.LoadRule(ctx, tx)
	if err != nil {
		return err
	}
	rule.CertificateRequired = false // "justifiée" is the certificate seen
	days, err := tenants.All(ctx, tx, func(row tenants.Row) (absences.BookedDay, error) {
		var b absences.BookedDay
		err := row.Scan(&b.Day, &b.Absent)
		return b, err
	}, `SELECT r.day, EXISTS (SELECT 1 FROM attendance a WHERE a.child_id = r.child_id AND a.prestation_id = r.prestation_id
			AND a.day = r.day AND a.justified = 1)
		FROM reservations r WHERE r.child_id = ? AND r.prestation_id = ? AND r.state = 'validated' AND r.forfait_from IS NULL
		AND r.day BETWEEN ? AND ?`, childID, prestationID, day.AddDays(-90), day)
	if err != nil {
		return fmt.Errorf("admin: justified days: %w", err)
	}
	if d := absences.Decide(rule, days)[day]; d.Billable {
		return nil
	}
	r, err := booking.LoadReservation(ctx, tx, reservationID)
	if err != nil {
		return err
	}
	_, err = billing.CreditReservations(ctx, tx, "manual", []billing.ReservationCredit{{FamilyID: r.FamilyID, RegieID: r.RegieID,
		ReservationID: r.ID, AmountCents: r.PriceCents, Label: "Absence justifiée du " + day.FR() + " : " + r.PrestationName + " " + r.ChildName}}, now)
	return err
}
