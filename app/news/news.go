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
func Published(ctx context.Context, db *sql.DB, day string, limit int) ([]Item, error) {
	rows, err := db.QueryContext(ctx, `
		SELECT id, title, body, published_from, COALESCE(published_until, '')
		FROM news
		WHERE published_from <= ? AND (published_until IS NULL OR published_until >= ?)
		ORDER BY published_from DESC, id DESC
		LIMIT ?`, day, day, limit)
	if err != nil {
		return nil, fmt.Errorf("news: published: %w", err)
	}
	defer rows.Close()
	var out []Item
	for rows.Next() {
		var it Item
		if err := rows.Scan(&it.ID, &it.Title, &it.Body, &it.PublishedFrom, &it.PublishedUntil); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// Create inserts an item inside the caller's write transaction.
func Create(ctx context.Context, tx *sql.Tx, it Item, now time.Time) (int64, error) {
	it.Title = strings.TrimSpace(it.Title)
	it.Body = strings.TrimSpace(it.Body)
	if it.Title == "" || len(it.Title) > 200 || it.Body == "" || len(it.Body) > 20000 {
		return 0, fmt.Errorf("%w: titre (200 caractères au plus) et texte obligatoires", ErrInvalid)
	}
	if !isDate(it.PublishedFrom) || (it.PublishedUntil != "" && (!isDate(it.PublishedUntil) || it.PublishedUntil < it.PublishedFrom)) {
		return 0, fmt.Errorf("%w: dates de publication incorrectes", ErrInvalid)
	}
	var until any
	if it.PublishedUntil != "" {
		until = it.PublishedUntil
	}
	res, err := tx.ExecContext(ctx,
		`INSERT INTO news (title, body, published_from, published_until, created_at) VALUES (?, ?, ?, ?, ?)`,
		it.Title, it.Body, it.PublishedFrom, until, now.UTC().Format(time.RFC3339))
	if err != nil {
		return 0, fmt.Errorf("news: create: %w", err)
	}
	return res.LastInsertId()
}

func isDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}
