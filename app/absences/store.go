package absences

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"espacefamille/app/billing"
	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/families"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// ErrNotFound reports an absence or a certificate that is not there, or
// not the family's: a 404, never a hint that it exists elsewhere.
var ErrNotFound = tenants.NotFound("absences: not found")

// Setting keys of the rule (the commune's settings table, app/booking).
// waiting_days is the carence the pointage's justified absences already
// used: one value for both.
const (
	keyEnabled     = "absence_enabled"
	keyDeadline    = "absence_deadline"
	keyCarence     = "waiting_days"
	keyCertificate = "absence_certificate"
	keyCertMonths  = "absence_certificate_months"
)

// LoadRule reads the commune's rule; unset values are DefaultRule's.
func LoadRule(ctx context.Context, q tenants.Querier) (Rule, error) {
	r := DefaultRule
	get := func(k string) (string, error) { return booking.Setting(ctx, q, k) }
	v, err := get(keyEnabled)
	if err != nil {
		return r, err
	}
	r.Enabled = v != "0"
	if v, err = get(keyDeadline); err != nil {
		return r, err
	}
	if h, m, ok := ParseDeadline(v); ok {
		r.DeadlineHour, r.DeadlineMinute = h, m
	}
	if v, err = get(keyCarence); err != nil {
		return r, err
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		r.CarenceDays = n
	}
	if v, err = get(keyCertificate); err != nil {
		return r, err
	}
	r.CertificateRequired = v != "optional"
	if v, err = get(keyCertMonths); err != nil {
		return r, err
	}
	if n, err := strconv.Atoi(v); err == nil && n >= MinCertificateMonths && n <= MaxCertificateMonths {
		r.CertificateMonths = n
	}
	return r, nil
}

// SaveRule writes the commune's rule in tx (a CertificateMonths of 0
// keeps the default retention).
func SaveRule(ctx context.Context, tx *sql.Tx, r Rule) error {
	enabled, cert := "1", "required"
	if !r.Enabled {
		enabled = "0"
	}
	if !r.CertificateRequired {
		cert = "optional"
	}
	if r.CertificateMonths == 0 {
		r.CertificateMonths = DefaultCertificateMonths // a rule written before the setting existed
	}
	if r.CertificateMonths < MinCertificateMonths || r.CertificateMonths > MaxCertificateMonths {
		return fmt.Errorf("absences: certificate retention of %d months", r.CertificateMonths)
	}
	for k, v := range map[string]string{keyEnabled: enabled, keyDeadline: fmt.Sprintf("%02d:%02d", r.DeadlineHour, r.DeadlineMinute),
		keyCarence: strconv.Itoa(r.CarenceDays), keyCertificate: cert, keyCertMonths: strconv.Itoa(r.CertificateMonths)} {
		if err := booking.SetSetting(ctx, tx, k, v); err != nil {
			return err
		}
	}
	return nil
}

// Upload is a certificate as received, already checked (CheckCertificate).
type Upload struct {
	Data []byte
}

// Declaration is a family's "Absent(e)" for one child and day.
type Declaration struct {
	FamilyID    int64
	ChildID     int64
	Day         calendar.Date
	Certificate *Upload // nil: none (it can be added later)
	By          string  // who declared it, for the mairie's list
}

// Outcome is what a declaration did.
type Outcome struct {
	Child       families.Child
	Cancelled   []string // prestations cancelled
	Carence     bool     // the day is a jour de carence
	Rank        int      // its place in the absence
	Billable    bool     // the day stays due
	CreditCents int64    // avoirs issued (this day, and days of the same absence it made refundable)
}

func publicErr(msg string) error { return web.NewError(http.StatusUnprocessableEntity, msg) }

// Declare records the absence in tx, at now: the child's bookings of the
// day (daily prestations; a forfait stays) are cancelled, which frees
// their places and takes them off the kitchen's numbers, and the rule
// decides, for this day and the others of the same absence, what is
// refunded (an avoir in a prepaid régie; a post-paid régie does not
// invoice it). Its French refusals are public errors.
func Declare(ctx context.Context, tx *sql.Tx, d Declaration, now time.Time) (Outcome, error) {
	var out Outcome
	rule, err := LoadRule(ctx, tx)
	if err != nil {
		return out, err
	}
	if out.Child, err = families.GuardedChild(ctx, tx, d.FamilyID, d.ChildID); err != nil {
		return out, err
	}
	if why := rule.Refusal(d.Day, now); why != "" {
		return out, publicErr(why)
	}
	res, err := booking.ReservationsOn(ctx, tx, d.Day)
	if err != nil {
		return out, err
	}
	var certID any
	if d.Certificate != nil {
		id, err := storeCertificate(ctx, tx, d.FamilyID, d.Certificate.Data, now)
		if err != nil {
			return out, err
		}
		certID = id
	}
	for _, r := range res {
		// A household declares its own bookings: under shared custody the
		// other household's days are its own to declare (and to be credited).
		if r.ChildID != d.ChildID || r.FamilyID != d.FamilyID || !r.ForfaitFrom.IsZero() {
			continue
		}
		if err := booking.CancelReservation(ctx, tx, r.ID, "", now); err != nil {
			return out, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO absences (family_id, child_id, reservation_id, prestation_id, regie_id, day, rank,
			billable, certificate_id, declared_by, declared_at) VALUES (?, ?, ?, ?, ?, ?, 1, 1, ?, ?, ?)`,
			d.FamilyID, d.ChildID, r.ID, r.PrestationID, r.RegieID, d.Day, certID, d.By, tenants.FormatTime(now)); err != nil {
			return out, fmt.Errorf("absences: insert: %w", err)
		}
		out.Cancelled = append(out.Cancelled, r.PrestationName)
	}
	if len(out.Cancelled) == 0 {
		return out, publicErr("Rien n'est réservé pour " + out.Child.FirstName + " le " + d.Day.FR() + " : il n'y a pas d'absence à signaler.")
	}
	dec, credit, err := apply(ctx, tx, rule, d.ChildID, d.Day, now)
	if err != nil {
		return out, err
	}
	out.Rank, out.Carence, out.Billable, out.CreditCents = dec.Rank, dec.Carence, dec.Billable, credit
	return out, nil
}

// AttachCertificate adds a certificate to the child's absence of day
// (every booking it cancelled), in tx, and refunds what the rule now
// grants; ErrNotFound when the family declared no absence that day, or
// it already has its certificate (nothing is stored then).
func AttachCertificate(ctx context.Context, tx *sql.Tx, familyID, childID int64, day calendar.Date, u Upload, now time.Time) (Outcome, error) {
	var out Outcome
	rule, err := LoadRule(ctx, tx)
	if err != nil {
		return out, err
	}
	if out.Child, err = families.GuardedChild(ctx, tx, familyID, childID); err != nil {
		return out, err
	}
	id, err := storeCertificate(ctx, tx, familyID, u.Data, now)
	if err != nil {
		return out, err
	}
	if err := tenants.ExecOne(ctx, tx, ErrNotFound, `UPDATE absences SET certificate_id = ? WHERE family_id = ? AND child_id = ? AND day = ?
		AND certificate_id IS NULL`, id, familyID, childID, day); err != nil {
		return out, fmt.Errorf("absences: attach: %w", err)
	}
	dec, credit, err := apply(ctx, tx, rule, childID, day, now)
	out.Rank, out.Carence, out.Billable, out.CreditCents = dec.Rank, dec.Carence, dec.Billable, credit
	return out, err
}

// window is how far around a day the child's bookings are read to find
// the absence it belongs to.
const window = 90

type absenceRow struct {
	id, reservationID, familyID, regieID, price int64
	day                                         calendar.Date
	billable                                    bool
	label                                       string
}

// apply decides the rule over the child's booked days around day and
// writes the outcome of every absence of the same absence (episode) as
// day: its rank, and a refund for each day that becomes refundable (a
// day already refunded stays so: declaring an earlier day, or adding a
// certificate, only ever turns due days into refunded ones). It returns
// day's decision and the avoirs issued.
func apply(ctx context.Context, tx *sql.Tx, rule Rule, childID int64, day calendar.Date, now time.Time) (Decision, int64, error) {
	from, to := day.AddDays(-window), day.AddDays(window)
	days, err := tenants.All(ctx, tx, func(row tenants.Row) (BookedDay, error) {
		var b BookedDay
		err := row.Scan(&b.Day, &b.Absent, &b.Certified)
		return b, err
	}, `SELECT day, 0, 0 FROM reservations WHERE child_id = ? AND state = 'validated' AND forfait_from IS NULL AND day BETWEEN ? AND ?
		UNION ALL SELECT day, 1, certificate_id IS NOT NULL OR certificate_purged_at IS NOT NULL FROM absences WHERE child_id = ? AND day BETWEEN ? AND ?`,
		childID, from, to, childID, from, to)
	if err != nil {
		return Decision{}, 0, fmt.Errorf("absences: booked days: %w", err)
	}
	dec := Decide(rule, days)
	mine := dec[day]
	rows, err := tenants.All(ctx, tx, func(row tenants.Row) (absenceRow, error) {
		var a absenceRow
		err := row.Scan(&a.id, &a.reservationID, &a.familyID, &a.regieID, &a.price, &a.day, &a.billable, &a.label)
		return a, err
	}, `SELECT a.id, a.reservation_id, a.family_id, a.regie_id, r.price_cents, a.day, a.billable,
			ch.first_name || ' – ' || p.name
		FROM absences a JOIN reservations r ON r.id = a.reservation_id JOIN children ch ON ch.id = a.child_id
		JOIN prestations p ON p.id = a.prestation_id
		WHERE a.child_id = ? AND a.day BETWEEN ? AND ?`, childID, from, to)
	if err != nil {
		return mine, 0, fmt.Errorf("absences: rows: %w", err)
	}
	var credited int64
	for _, a := range rows {
		d, ok := dec[a.day]
		if !ok || d.Episode != mine.Episode {
			continue
		}
		billable := a.billable && d.Billable // never back from refunded to due
		var credit int64
		if a.billable && !billable {
			credit, err = billing.CreditReservations(ctx, tx, "cancel", []billing.ReservationCredit{{FamilyID: a.familyID, RegieID: a.regieID,
				ReservationID: a.reservationID, AmountCents: a.price, Label: "Absence du " + a.day.FR() + " : " + a.label}}, now)
			if err != nil {
				return mine, 0, err
			}
			credited += credit
		}
		if _, err := tx.ExecContext(ctx, `UPDATE absences SET rank = ?, billable = ?, credit_cents = credit_cents + ? WHERE id = ?`,
			d.Rank, billable, credit, a.id); err != nil {
			return mine, 0, fmt.Errorf("absences: update %d: %w", a.id, err)
		}
	}
	return mine, credited, nil
}

func storeCertificate(ctx context.Context, tx *sql.Tx, familyID int64, data []byte, now time.Time) (int64, error) {
	if why := CheckCertificate(data, int64(len(data))); why != "" {
		return 0, publicErr(why)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO absence_certificates (family_id, content_type, size, data, uploaded_at) VALUES (?, ?, ?, ?, ?)`,
		familyID, SniffCertificate(data), len(data), data, tenants.FormatTime(now))
	if err != nil {
		return 0, fmt.Errorf("absences: store certificate: %w", err)
	}
	return res.LastInsertId()
}

// CertificateFile is a stored certificate.
type CertificateFile struct {
	ID          int64
	FamilyID    int64
	ContentType string
	Data        []byte
}

// Certificate returns certificate id; with familyID > 0 only if it is
// that family's (a parent), else ErrNotFound. The back office passes 0.
func Certificate(ctx context.Context, q tenants.Querier, familyID, id int64) (CertificateFile, error) {
	var f CertificateFile
	err := q.QueryRowContext(ctx, `SELECT id, family_id, content_type, data FROM absence_certificates WHERE id = ? AND (? = 0 OR family_id = ?)`,
		id, familyID, familyID).Scan(&f.ID, &f.FamilyID, &f.ContentType, &f.Data)
	if errors.Is(err, sql.ErrNoRows) {
		return f, ErrNotFound
	}
	if err != nil {
		return f, fmt.Errorf("absences: certificate %d: %w", id, err)
	}
	return f, nil
}

// Absence is one day of a child's absence (its bookings grouped).
type Absence struct {
	FamilyID      int64
	FamilyName    string
	ChildID       int64
	ChildName     string
	Day           calendar.Date
	Prestations   string
	Rank          int
	Billable      bool
	CreditCents   int64
	CertificateID int64 // 0: none
	DeclaredBy    string
	DeclaredAt    time.Time
}

// Carence reports whether the day is a jour de carence under rule.
func (a Absence) Carence(r Rule) bool { return a.Rank <= r.CarenceDays }

// Filter selects absences: a family (0: all) and a range of days.
type Filter struct {
	FamilyID int64
	From, To calendar.Date
}

// List lists absences, newest day first, one line per child and day.
func List(ctx context.Context, q tenants.Querier, f Filter) ([]Absence, error) {
	return tenants.All(ctx, q, func(row tenants.Row) (Absence, error) {
		var a Absence
		var at string
		err := row.Scan(&a.FamilyID, &a.FamilyName, &a.ChildID, &a.ChildName, &a.Day, &a.Prestations, &a.Rank, &a.Billable,
			&a.CreditCents, &a.CertificateID, &a.DeclaredBy, &at)
		a.DeclaredAt = tenants.StoredTime(at)
		return a, err
	}, `SELECT a.family_id, f.name, a.child_id, ch.first_name || ' ' || ch.last_name, a.day, group_concat(p.name, ', '),
			min(a.rank), max(a.billable), sum(a.credit_cents), COALESCE(max(a.certificate_id), 0), min(a.declared_by), min(a.declared_at)
		FROM absences a JOIN families f ON f.id = a.family_id JOIN children ch ON ch.id = a.child_id JOIN prestations p ON p.id = a.prestation_id
		WHERE (? = 0 OR a.family_id = ?) AND a.day BETWEEN ? AND ?
		GROUP BY a.child_id, a.day ORDER BY a.day DESC, ch.first_name LIMIT 500`, f.FamilyID, f.FamilyID, f.From, f.To)
}

// OnDay lists the day's absences of a prestation by child (the pointage):
// child → certified.
func OnDay(ctx context.Context, q tenants.Querier, day calendar.Date, prestationID int64) (map[int64]bool, error) {
	type row struct {
		child int64
		cert  bool
	}
	list, err := tenants.All(ctx, q, func(r tenants.Row) (row, error) {
		var x row
		err := r.Scan(&x.child, &x.cert)
		return x, err
	}, `SELECT child_id, certificate_id IS NOT NULL FROM absences WHERE day = ? AND prestation_id = ?`, day, prestationID)
	out := map[int64]bool{}
	for _, x := range list {
		out[x.child] = x.cert
	}
	return out, err
}
