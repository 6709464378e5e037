package mail

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"espacefamille/tenants"
)

// Message is an email to be written to an outbox by Enqueue.
type Message struct {
	Kind     string // what the email is for, e.g. "invitation", "password_reset"
	To       string // bare recipient address, e.g. "parent@example.fr"
	ToName   string // recipient display name, may be empty
	FromName string // sender display name, e.g. "Commune de Malemort du Comtat"
	Subject  string
	Text     string // plain-text body, required
	HTML     string // HTML body, optional (the email is then text only)
	// Commune is the slug of the commune the email belongs to: required in
	// the platform's outbox (account mail asked from a commune's pages),
	// so that a commune's demo mailbox shows its own mail only.
	Commune string
	// Unsubscribe is the one-click unsubscribe URL of a notification
	// (RFC 8058): the sender adds List-Unsubscribe and
	// List-Unsubscribe-Post headers. Empty for other emails.
	Unsubscribe string
}

// Row statuses of the outbox table.
const (
	StatusPending = "pending"
	StatusSending = "sending"
	StatusSent    = "sent"
	StatusFailed  = "failed"
)

// ErrNotFound is returned by Get when no outbox row has the requested id.
var ErrNotFound = tenants.NotFound("mail: outbox entry not found")

// ErrInvalidMessage is wrapped by every validation error of Enqueue.
var ErrInvalidMessage = errors.New("mail: invalid message")

// timeLayout is the outbox's UTC timestamp format; it sorts lexically.
// Validate reports the first problem that would keep m from being sent.
func (m Message) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidMessage, fmt.Sprintf(format, args...))
	}
	switch {
	case strings.TrimSpace(m.Kind) == "":
		return bad("kind is empty")
	case strings.TrimSpace(m.Subject) == "":
		return bad("subject is empty")
	case strings.TrimSpace(m.Text) == "":
		return bad("text body is empty")
	}
	for _, f := range [][2]string{{"kind", m.Kind}, {"to name", m.ToName}, {"from name", m.FromName}, {"subject", m.Subject}, {"unsubscribe URL", m.Unsubscribe}} {
		if strings.ContainsAny(f[1], "\r\n") {
			return bad("%s contains a line break", f[0])
		}
	}
	if m.Unsubscribe != "" && !strings.HasPrefix(m.Unsubscribe, "https://") && !strings.HasPrefix(m.Unsubscribe, "http://") {
		return bad("unsubscribe URL %q is not an http(s) URL", m.Unsubscribe)
	}
	addr, err := mail.ParseAddress(m.To)
	if err != nil {
		return bad("recipient %q is not a valid email address: %v", m.To, err)
	}
	if addr.Address != m.To || addr.Name != "" {
		return bad("recipient %q must be a bare address (put the name in ToName)", m.To)
	}
	return nil
}

// Enqueue writes m as a pending outbox row inside the caller's transaction and
// returns the row id; the email exists only if that transaction commits.
func Enqueue(ctx context.Context, tx *sql.Tx, m Message, now time.Time) (int64, error) {
	if err := m.Validate(); err != nil {
		return 0, err
	}
	ts := tenants.FormatTime(now)
	// RETURNING, not LastInsertId: the platform's outbox may be on
	// PostgreSQL, whose driver has no last insert id.
	var id int64
	if err := tx.QueryRowContext(ctx, `
		INSERT INTO outbox (kind, to_addr, to_name, from_name, subject, text_body, html_body,
		                    status, attempts, next_attempt_at, last_error, created_at, commune, unsubscribe_url)
		VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, '', ?, ?, ?) RETURNING id`,
		m.Kind, m.To, m.ToName, m.FromName, m.Subject, m.Text, m.HTML, ts, ts, m.Commune, m.Unsubscribe).Scan(&id); err != nil {
		return 0, fmt.Errorf("mail: enqueue %s: %w", m.Kind, err)
	}
	return id, nil
}

// Entry is one outbox row, as shown by the demo mailbox page.
type Entry struct {
	ID            int64
	Kind          string
	To            string
	ToName        string
	FromName      string
	Subject       string
	Text          string
	HTML          string
	Status        string // StatusPending, StatusSending, StatusSent or StatusFailed
	Attempts      int
	NextAttemptAt time.Time // for a 'sending' row: when it was claimed
	LastError     string
	CreatedAt     time.Time
	SentAt        time.Time // zero unless sent
	Unsubscribe   string    // the List-Unsubscribe URL of a notification, else ""
}

const entryColumns = `id, kind, to_addr, to_name, from_name, subject, text_body, html_body,
	status, attempts, next_attempt_at, last_error, created_at, sent_at, unsubscribe_url`

// List returns up to limit outbox rows of any status, newest first
// (limit <= 0 means 50; at most 500).
func List(ctx context.Context, q tenants.Querier, limit int) ([]Entry, error) {
	return list(ctx, q, `SELECT `+entryColumns+` FROM outbox ORDER BY id DESC LIMIT ?`, limit)
}

// ListCommune is List restricted to the rows that belong to the commune
// of the given slug (Message.Commune): a commune's share of the platform's
// outbox.
func ListCommune(ctx context.Context, q tenants.Querier, slug string, limit int) ([]Entry, error) {
	if slug == "" {
		return nil, nil
	}
	return list(ctx, q, `SELECT `+entryColumns+` FROM outbox WHERE commune = ? ORDER BY id DESC LIMIT ?`, limit, slug)
}

func list(ctx context.Context, q tenants.Querier, query string, limit int, args ...any) ([]Entry, error) {
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	rows, err := q.QueryContext(ctx, query, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("mail: list outbox: %w", err)
	}
	out, err := tenants.Collect(rows, scanEntry)
	if err != nil {
		return nil, fmt.Errorf("mail: list outbox: %w", err)
	}
	return out, nil
}

// Get returns the outbox row with the given id, or ErrNotFound.
func Get(ctx context.Context, q tenants.Querier, id int64) (Entry, error) {
	e, err := scanEntry(q.QueryRowContext(ctx, `SELECT `+entryColumns+` FROM outbox WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Entry{}, ErrNotFound
	}
	if err != nil {
		return Entry{}, fmt.Errorf("mail: get outbox entry %d: %w", id, err)
	}
	return e, nil
}

func scanEntry(row interface{ Scan(...any) error }) (Entry, error) {
	var (
		e                 Entry
		next, created     string
		sentAt            sql.NullString
		errNext, errCreat error
	)
	if err := row.Scan(&e.ID, &e.Kind, &e.To, &e.ToName, &e.FromName, &e.Subject, &e.Text, &e.HTML,
		&e.Status, &e.Attempts, &next, &e.LastError, &created, &sentAt, &e.Unsubscribe); err != nil {
		return Entry{}, err
	}
	e.NextAttemptAt, errNext = tenants.ParseTime(next)
	e.CreatedAt, errCreat = tenants.ParseTime(created)
	if sentAt.Valid && sentAt.String != "" {
		var errSent error
		e.SentAt, errSent = tenants.ParseTime(sentAt.String)
		errNext = errors.Join(errNext, errSent)
	}
	if err := errors.Join(errNext, errCreat); err != nil {
		return Entry{}, fmt.Errorf("row %d: bad timestamp: %w", e.ID, err)
	}
	return e, nil
}

// Last returns the newest outbox row of kind addressed to to, or
// ErrNotFound: the delivery status of an invitation.
func Last(ctx context.Context, q tenants.Querier, kind, to string) (Entry, error) {
	e, err := scanEntry(q.QueryRowContext(ctx, `SELECT `+entryColumns+` FROM outbox WHERE kind = ? AND to_addr = ? ORDER BY id DESC LIMIT 1`, kind, to))
	if errors.Is(err, sql.ErrNoRows) {
		return Entry{}, ErrNotFound
	}
	if err != nil {
		return Entry{}, fmt.Errorf("mail: last %s to %s: %w", kind, to, err)
	}
	return e, nil
}
