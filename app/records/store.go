package records

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"espacefamille/app/accounts"
	"espacefamille/app/calendar"
	"espacefamille/app/families"
	appmail "espacefamille/app/mail"
	"espacefamille/tenants"
)

// ErrNotFound reports a record, or a change, that is not there (or not
// the family's): a 404.
var ErrNotFound = tenants.NotFound("records: not found")

const columns = `id, child_id, family_id, status, allergies, pai, COALESCE(pai_until, ''), doctor_name, doctor_phone, pickups, emergency,
	image_rights, submitted_by, submitted_at, decided_by, COALESCE(decided_at, ''), refusal`

func scan(row tenants.Row) (Record, error) {
	var r Record
	var until, pickups, emergency, submitted, decided string
	err := row.Scan(&r.ID, &r.ChildID, &r.FamilyID, &r.Status, &r.Allergies, &r.PAI, &until, &r.DoctorName, &r.DoctorPhone,
		&pickups, &emergency, &r.ImageRights, &r.SubmittedBy, &submitted, &r.DecidedBy, &decided, &r.Refusal)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("records: scan: %w", err)
	}
	if until != "" {
		if r.PAIUntil, err = calendar.ParseISO(until); err != nil {
			return r, fmt.Errorf("records: record %d: %w", r.ID, err)
		}
	}
	if err := json.Unmarshal([]byte(pickups), &r.Pickups); err != nil {
		return r, fmt.Errorf("records: record %d pickups: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(emergency), &r.Emergency); err != nil {
		return r, fmt.Errorf("records: record %d emergency: %w", r.ID, err)
	}
	r.SubmittedAt, r.DecidedAt = tenants.StoredTime(submitted), tenants.StoredTime(decided)
	return r, nil
}

// State is what is known of a child's record: the validated record in
// force (nil before the first validation), the change awaiting the
// mairie (nil when none), and the last refusal since the last
// validation (nil when none), with the child's PAI flag as the back
// office has it (children.pai, the one source of truth).
type State struct {
	Child   families.Child
	Current *Record
	Pending *Record
	Refused *Record
	PAI     bool
	Today   calendar.Date
}

// PAIExpired reports whether the record in force declares a PAI whose
// document is no longer valid.
func (s State) PAIExpired() bool { return s.Current != nil && s.Current.PAIExpired(s.Today) }

// Load returns the state of the family's child's record, or ErrNotFound
// (families.ErrNotFound) when the child is not the family's.
func Load(ctx context.Context, q tenants.Querier, familyID, childID int64, today calendar.Date) (State, error) {
	ch, err := families.FamilyChild(ctx, q, familyID, childID)
	if err != nil {
		return State{}, err
	}
	s := State{Child: ch, PAI: ch.PAI, Today: today}
	one := func(where string) (*Record, error) {
		r, err := scan(q.QueryRowContext(ctx, `SELECT `+columns+` FROM child_records WHERE child_id = ? AND `+where+` ORDER BY id DESC LIMIT 1`, childID))
		if errors.Is(err, ErrNotFound) {
			return nil, nil
		}
		return &r, err
	}
	if s.Current, err = one(`status = 'validated'`); err != nil {
		return s, err
	}
	if s.Current != nil {
		s.Current.PAI = ch.PAI // the back office may have changed the flag since
	}
	if s.Pending, err = one(`status = 'pending'`); err != nil {
		return s, err
	}
	refused, err := one(`status = 'refused'`)
	if err != nil {
		return s, err
	}
	if refused != nil && (s.Current == nil || refused.ID > s.Current.ID) && s.Pending == nil {
		s.Refused = refused
	}
	return s, nil
}

// Submit records a parent's change of the child's record in tx, replacing
// the change still pending if any, and returns the change's identifier;
// 0 when r repeats the record in force (nothing to validate, nothing
// written).
func Submit(ctx context.Context, tx *sql.Tx, familyID, childID int64, r Record, by string, now time.Time) (int64, error) {
	st, err := Load(ctx, tx, familyID, childID, calendar.Today(now))
	if err != nil {
		return 0, err
	}
	if st.Current != nil && Same(*st.Current, r) {
		if _, err := tx.ExecContext(ctx, `DELETE FROM child_records WHERE child_id = ? AND status = 'pending'`, childID); err != nil {
			return 0, fmt.Errorf("records: drop pending: %w", err)
		}
		return 0, nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM child_records WHERE child_id = ? AND status = 'pending'`, childID); err != nil {
		return 0, fmt.Errorf("records: replace pending: %w", err)
	}
	pickups, err := json.Marshal(nonNil(r.Pickups))
	if err != nil {
		return 0, err
	}
	emergency, err := json.Marshal(nonNil(r.Emergency))
	if err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO child_records (child_id, family_id, status, allergies, pai, pai_until, doctor_name,
		doctor_phone, pickups, emergency, image_rights, submitted_by, submitted_at) VALUES (?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		childID, familyID, r.Allergies, r.PAI, r.PAIUntil, r.DoctorName, r.DoctorPhone, string(pickups), string(emergency),
		r.ImageRights, by, tenants.FormatTime(now))
	if err != nil {
		return 0, fmt.Errorf("records: submit: %w", err)
	}
	return res.LastInsertId()
}

func nonNil(c []Contact) []Contact {
	if c == nil {
		return []Contact{}
	}
	return c
}

// LoadChange returns one record version by its identifier, within the
// commune (the back office's pages).
func LoadChange(ctx context.Context, q tenants.Querier, id int64) (Record, error) {
	return scan(q.QueryRowContext(ctx, `SELECT `+columns+` FROM child_records WHERE id = ?`, id))
}

// ErrDecided: the change was already validated, refused or replaced by a
// newer one (two agents on the same page).
var ErrDecided = errors.New("records: change already decided")

// Validate makes the pending change id the record in force, in tx: the
// previous record becomes history and the child's PAI flag follows the
// change (children.pai). It returns the validated record.
func Validate(ctx context.Context, tx *sql.Tx, id int64, by string, now time.Time) (Record, error) {
	r, err := decide(ctx, tx, id)
	if err != nil {
		return r, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE child_records SET status = 'replaced' WHERE child_id = ? AND status = 'validated'`, r.ChildID); err != nil {
		return r, fmt.Errorf("records: replace: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE child_records SET status = 'validated', decided_by = ?, decided_at = ? WHERE id = ?`,
		by, tenants.FormatTime(now), id); err != nil {
		return r, fmt.Errorf("records: validate: %w", err)
	}
	if err := families.SetPAI(ctx, tx, r.FamilyID, r.ChildID, r.PAI); err != nil {
		return r, err
	}
	r.Status = StatusValidated
	return r, nil
}

// Refuse refuses the pending change id with a reason the family reads,
// in tx; the record in force stays as it is.
func Refuse(ctx context.Context, tx *sql.Tx, id int64, reason, by string, now time.Time) (Record, error) {
	r, err := decide(ctx, tx, id)
	if err != nil {
		return r, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE child_records SET status = 'refused', refusal = ?, decided_by = ?, decided_at = ? WHERE id = ?`,
		reason, by, tenants.FormatTime(now), id); err != nil {
		return r, fmt.Errorf("records: refuse: %w", err)
	}
	r.Status, r.Refusal = StatusRefused, reason
	return r, nil
}

func decide(ctx context.Context, tx *sql.Tx, id int64) (Record, error) {
	r, err := LoadChange(ctx, tx, id)
	if err != nil {
		return r, err
	}
	if r.Status != StatusPending {
		return r, ErrDecided
	}
	return r, nil
}

// PendingRow is a change awaiting validation, for the back office's list.
type PendingRow struct {
	ID          int64
	ChildID     int64
	FamilyID    int64
	ChildName   string
	FamilyName  string
	SubmittedAt time.Time
	PAI         bool
	First       bool // no record validated yet
}

// PendingList lists the changes awaiting validation, oldest first.
func PendingList(ctx context.Context, q tenants.Querier) ([]PendingRow, error) {
	return tenants.All(ctx, q, func(row tenants.Row) (PendingRow, error) {
		var p PendingRow
		var at string
		err := row.Scan(&p.ID, &p.ChildID, &p.FamilyID, &p.ChildName, &p.FamilyName, &at, &p.PAI, &p.First)
		p.SubmittedAt = tenants.StoredTime(at)
		return p, err
	}, `SELECT r.id, r.child_id, r.family_id, ch.first_name || ' ' || ch.last_name, f.name, r.submitted_at, r.pai,
			NOT EXISTS (SELECT 1 FROM child_records v WHERE v.child_id = r.child_id AND v.status = 'validated')
		FROM child_records r JOIN children ch ON ch.id = r.child_id JOIN families f ON f.id = r.family_id
		WHERE r.status = 'pending' ORDER BY r.submitted_at, r.id`)
}

// PendingCount is the number of changes awaiting validation (the back
// office's home page).
func PendingCount(ctx context.Context, q tenants.Querier) (int, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM child_records WHERE status = 'pending'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("records: pending count: %w", err)
	}
	return n, nil
}

// ExpiredPAI lists the children whose record in force declares a PAI
// whose document expired before today (the back office's list).
func ExpiredPAI(ctx context.Context, q tenants.Querier, today calendar.Date) ([]PendingRow, error) {
	return tenants.All(ctx, q, func(row tenants.Row) (PendingRow, error) {
		var p PendingRow
		err := row.Scan(&p.ID, &p.ChildID, &p.FamilyID, &p.ChildName, &p.FamilyName)
		p.PAI = true
		return p, err
	}, `SELECT r.id, r.child_id, r.family_id, ch.first_name || ' ' || ch.last_name, f.name
		FROM child_records r JOIN children ch ON ch.id = r.child_id JOIN families f ON f.id = r.family_id
		WHERE r.status = 'validated' AND ch.pai = 1 AND r.pai_until IS NOT NULL AND r.pai_until < ? ORDER BY r.pai_until`, today)
}

// LoadForChild is Load for the back office, which knows the child only.
func LoadForChild(ctx context.Context, q tenants.Querier, childID int64, today calendar.Date) (State, error) {
	var familyID int64
	err := q.QueryRowContext(ctx, `SELECT family_id FROM children WHERE id = ?`, childID).Scan(&familyID)
	if errors.Is(err, sql.ErrNoRows) {
		return State{}, ErrNotFound
	}
	if err != nil {
		return State{}, fmt.Errorf("records: child %d: %w", childID, err)
	}
	return Load(ctx, q, familyID, childID, today)
}

// DecisionMail is the email that tells a family the mairie's decision.
type DecisionMail struct {
	Commune  tenants.Commune
	Link     string          // the record's page, absolute
	Platform tenants.Querier // the platform's database (the parents' accounts)
}

// QueueDecisionMail writes, in tx, the email that tells the family of r
// (validated or refused) to its address on file and every parent's
// account linked to it.
func QueueDecisionMail(ctx context.Context, tx *sql.Tx, m DecisionMail, r Record, now time.Time) error {
	to, err := accounts.FamilyRecipients(ctx, tx, m.Platform, r.FamilyID)
	if err != nil {
		return err
	}
	ch, err := families.FamilyChild(ctx, tx, r.FamilyID, r.ChildID)
	if err != nil {
		return err
	}
	name, _, err := families.Contact(ctx, tx, r.FamilyID)
	if err != nil {
		return err
	}
	from := appmail.SenderName(ctx, tx, m.Commune.Name)
	text, html, err := appmail.Render("child_record", map[string]string{"CommuneName": m.Commune.Name, "Name": name, "Child": ch.FirstName, "Refusal": r.Refusal,
		"Link": m.Link, "From": from})
	if err != nil {
		return err
	}
	subject := "Fiche de " + ch.FirstName + " validée"
	if r.Status == StatusRefused {
		subject = "Fiche de " + ch.FirstName + " : modifications non validées"
	}
	for _, addr := range to {
		if _, err := appmail.Enqueue(ctx, tx, appmail.Message{Kind: "child_record", To: addr, ToName: name, FromName: from,
			Subject: subject, Text: text, HTML: html, Commune: m.Commune.Slug}, now); err != nil {
			return err
		}
	}
	return nil
}

// ExpiredPAIChildren is the set of children whose record in force
// declares a PAI whose document expired before today (the pointage marks
// them, so that staff ask for the renewed document).
func ExpiredPAIChildren(ctx context.Context, q tenants.Querier, today calendar.Date) (map[int64]bool, error) {
	ids, err := tenants.Values[int64](ctx, q, `SELECT r.child_id FROM child_records r JOIN children ch ON ch.id = r.child_id
		WHERE r.status = 'validated' AND ch.pai = 1 AND r.pai_until IS NOT NULL AND r.pai_until < ?`, today)
	if err != nil {
		return nil, fmt.Errorf("records: expired PAI: %w", err)
	}
	out := make(map[int64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}
