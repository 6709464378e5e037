package admin

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// The attendance list is one form: a radio group per child (présent,
// absent, absence justifiée for administrators), one submit for the
// whole list, and "Tous présents", which marks present every child of
// the list left unmarked, in the same transaction as the exceptions.
// It works without JavaScript. A class (school and class) narrows the
// list.

// attendanceChildren fills the lines' PAI flag, school and class (and
// the name of a line that has none yet).
func attendanceChildren(ctx context.Context, q tenants.Querier, lines map[int64]*AttendanceLine) error {
	if len(lines) == 0 {
		return nil
	}
	ids := make([]any, 0, len(lines))
	for id := range lines {
		ids = append(ids, id)
	}
	err := tenants.Each(ctx, q, func(row tenants.Row) error {
		var id int64
		var d AttendanceLine
		if err := row.Scan(&id, &d.Name, &d.PAI, &d.SchoolID, &d.School, &d.ClassName); err != nil {
			return err
		}
		l := lines[id]
		if l.Name == "" {
			l.Name = d.Name // a child the family declared absent
		}
		l.PAI, l.SchoolID, l.School, l.ClassName = d.PAI, d.SchoolID, d.School, d.ClassName
		return nil
	}, `SELECT ch.id, ch.first_name || ' ' || ch.last_name, ch.pai, COALESCE(ch.school_id, 0), COALESCE(s.name, ''), ch.class_name
		FROM children ch LEFT JOIN schools s ON s.id = ch.school_id
		WHERE ch.id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`, ids...)
	if err != nil {
		return fmt.Errorf("admin: attendance children: %w", err)
	}
	return nil
}

// Group is the line's class as the filter names it: "school/class".
func (l AttendanceLine) Group() string { return strconv.FormatInt(l.SchoolID, 10) + "/" + l.ClassName }

// GroupLabel is "École du Centre – CP" ("Sans école", "Sans classe").
func (l AttendanceLine) GroupLabel() string {
	school, class := l.School, l.ClassName
	if school == "" {
		school = "Sans école"
	}
	if class == "" {
		class = "Sans classe"
	}
	return school + " – " + class
}

// Choice is the radio checked for the line: its status, "justified", or
// "" when not pointed yet.
func (l AttendanceLine) Choice() string {
	if l.Status == "absent" && l.Justified {
		return "justified"
	}
	return l.Status
}

// AttendanceGroup is one choice of the class filter.
type AttendanceGroup struct{ Value, Label string }

// attendanceGroups lists the classes of the lines, in order.
func attendanceGroups(lines []AttendanceLine) []AttendanceGroup {
	seen := map[string]bool{}
	var out []AttendanceGroup
	for _, l := range lines {
		if !seen[l.Group()] {
			seen[l.Group()] = true
			out = append(out, AttendanceGroup{Value: l.Group(), Label: l.GroupLabel()})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Label < out[j].Label })
	return out
}

// inGroup keeps the lines of one class ("": all).
func inGroup(lines []AttendanceLine, group string) []AttendanceLine {
	if group == "" {
		return lines
	}
	var out []AttendanceLine
	for _, l := range lines {
		if l.Group() == group {
			out = append(out, l)
		}
	}
	return out
}

// attendancePage is the page's URL with its day, prestation and class.
func attendancePage(day calendar.Date, pid int64, group string) string {
	return fmt.Sprintf("/admin/pointage?jour=%s&prestation=%d&classe=%s", day.FR(), pid, url.QueryEscape(group))
}

// markAttendanceList records the whole list in one transaction: each
// child's chosen status when it changed, and with "tous" every child left
// unmarked as present.
func (a *Admin) markAttendanceList(c *fiber.Ctx) error {
	day, err := calendar.ParseDate(formValue(c, "day"))
	if err != nil {
		return errInvalid("Date invalide.")
	}
	pid, _ := strconv.ParseInt(c.FormValue("prestation"), 10, 64)
	group := c.FormValue("classe")
	all := c.FormValue("tous") == "1"
	who := currentStaff(c)
	if why := futureAttendance(day, a.now()); why != "" {
		return errInvalid(why)
	}
	var n int
	var withdrawn []string // absences withdrawn: children declared absent marked present
	err = a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		n, withdrawn = 0, nil
		if _, err := booking.LoadPrestation(ctx, tx, pid); err != nil {
			return err
		}
		lines, err := attendanceList(ctx, tx, day, pid)
		if err != nil {
			return err
		}
		for _, l := range inGroup(lines, group) {
			choice := c.FormValue("statut-" + strconv.FormatInt(l.ChildID, 10))
			if choice == "" && all && l.Status == "" {
				choice = "present"
			}
			switch {
			case choice == "" || choice == l.Choice():
				continue
			case choice != "present" && choice != "absent" && choice != "justified":
				return errInvalid("Choisissez présent ou absent pour " + l.Name + ".")
			case choice == "justified" && who.Role != RoleAdmin:
				return errForbidden
			}
			var booked *AttendanceLine
			if l.Booked {
				booked = &l
			}
			if booked == nil && l.Declared && choice == "present" {
				var said string
				if booked, said, err = withdrawAbsence(ctx, tx, who, day, pid, l.ChildID, l.Name, now); err != nil {
					return err
				}
				if said != "" {
					withdrawn = append(withdrawn, said)
				}
			}
			if err := recordAttendance(ctx, tx, who, day, pid, l.ChildID, l.Name, booked, choice, now); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", fmt.Sprintf("Pointage du %s enregistré : %d enfant(s) pointé(s).", day.FR(), n))
	for _, said := range withdrawn {
		web.AddFlash(c, "info", said)
	}
	return c.Redirect(web.URL(c, attendancePage(day, pid, group)), fiber.StatusSeeOther)
}
