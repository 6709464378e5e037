// Package news holds the commune's news items ("L'actualité Famille"),
// shown on the home page and in the families' space.
package news

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html"
	"html/template"
	"strings"
	"time"

	"espacefamille/tenants"
)

// Item is one news item. Body is plain text: paragraphs are separated by a
// blank line; it is escaped when shown (HTML renders it safely).
type Item struct {
	ID             int64
	Title          string
	Body           string
	PublishedFrom  string // civil date YYYY-MM-DD
	PublishedUntil string // civil date, "" when open-ended
}

// HTML renders the body as escaped paragraphs with line breaks.
func (it Item) HTML() template.HTML {
	var b strings.Builder
	for _, para := range strings.Split(strings.ReplaceAll(it.Body, "\r\n", "\n"), "\n\n") {
		para = strings.TrimSpace(para)
		if para == "" {
			continue
		}
		lines := strings.Split(para, "\n")
		for i := range lines {
			lines[i] = html.EscapeString(lines[i])
		}
		b.WriteString("<p>" + strings.Join(lines, "<br>") + "</p>")
	}
	return template.HTML(b.String())
}

// ErrInvalid reports a news item that cannot be saved.
var ErrInvalid = errors.New("actualité invalide")

// Published lists the items visible on day (YYYY-MM-DD), newest first.
func Published(ctx context.Context, q tenants.Querier, day string, limit int) ([]Item, error) {
	out, err := tenants.All(ctx, q, func(row tenants.Row) (Item, error) {
		var it Item
		err := row.Scan(&it.ID, &it.Title, &it.Body, &it.PublishedFrom, &it.PublishedUntil)
		return it, err
	}, `
		SELECT id, title, body, published_from, COALESCE(published_until, '')
		FROM news
		WHERE published_from <= ? AND (published_until IS NULL OR published_until >= ?)
		ORDER BY published_from DESC, id DESC
		LIMIT ?`, day, day, limit)
	if err != nil {
		return nil, fmt.Errorf("news: published: %w", err)
	}
	return out, nil
}

// ErrNotFound: no news item with this id in the commune.
var ErrNotFound = tenants.NotFound("actualité introuvable")

const columns = `id, title, body, published_from, COALESCE(published_until, '')`

func scan(row interface{ Scan(...any) error }) (Item, error) {
	var it Item
	err := row.Scan(&it.ID, &it.Title, &it.Body, &it.PublishedFrom, &it.PublishedUntil)
	return it, err
}

// All lists the commune's items, newest publication first (at most limit).
func All(ctx context.Context, q tenants.Querier, limit int) ([]Item, error) {
	out, err := tenants.All(ctx, q, scan, `SELECT `+columns+` FROM news ORDER BY published_from DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("news: all: %w", err)
	}
	return out, nil
}

// Load reads one item, ErrNotFound when there is none with this id.
func Load(ctx context.Context, q tenants.Querier, id int64) (Item, error) {
	it, err := scan(q.QueryRowContext(ctx, `SELECT `+columns+` FROM news WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return it, ErrNotFound
	}
	if err != nil {
		return it, fmt.Errorf("news: load %d: %w", id, err)
	}
	return it, nil
}

// Validate trims the item and checks it; the error wraps ErrInvalid and
// ends with a French message. Create and Update both apply it.
func (it *Item) Validate() error {
	it.Title = strings.TrimSpace(it.Title)
	it.Body = strings.TrimSpace(it.Body)
	if it.Title == "" || len(it.Title) > 200 || it.Body == "" || len(it.Body) > 20000 {
		return fmt.Errorf("%w: titre (200 caractères au plus) et texte obligatoires", ErrInvalid)
	}
	if !isDate(it.PublishedFrom) || (it.PublishedUntil != "" && (!isDate(it.PublishedUntil) || it.PublishedUntil < it.PublishedFrom)) {
		return fmt.Errorf("%w: dates de publication incorrectes", ErrInvalid)
	}
	return nil
}

// Message is the French part of a validation error, to show in a form.
func Message(err error) string {
	return strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": ")
}

func (it Item) until() any {
	if it.PublishedUntil == "" {
		return nil
	}
	return it.PublishedUntil
}

// Create inserts an item inside the caller's write transaction.
func Create(ctx context.Context, tx *sql.Tx, it Item, now time.Time) (int64, error) {
	if err := it.Validate(); err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx,
		`INSERT INTO news (title, body, published_from, published_until, created_at) VALUES (?, ?, ?, ?, ?)`,
		it.Title, it.Body, it.PublishedFrom, it.until(), tenants.FormatTime(now))
	if err != nil {
		return 0, fmt.Errorf("news: create: %w", err)
	}
	return res.LastInsertId()
}

// Update changes item it.ID inside the caller's write transaction, with
// the same checks as Create; ErrNotFound when there is no such item.
func Update(ctx context.Context, tx *sql.Tx, it Item) error {
	if err := it.Validate(); err != nil {
		return err
	}
	if err := tenants.ExecOne(ctx, tx, ErrNotFound, `UPDATE news SET title = ?, body = ?, published_from = ?, published_until = ? WHERE id = ?`,
		it.Title, it.Body, it.PublishedFrom, it.until(), it.ID); err != nil {
		return fmt.Errorf("news: update %d: %w", it.ID, err)
	}
	return nil
}

// Delete removes an item; ErrNotFound when there is no such item.
func Delete(ctx context.Context, tx *sql.Tx, id int64) error {
	if err := tenants.ExecOne(ctx, tx, ErrNotFound, `DELETE FROM news WHERE id = ?`, id); err != nil {
		return fmt.Errorf("news: delete %d: %w", id, err)
	}
	return nil
}

func isDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}
