package admin

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/calendar"
	"espacefamille/app/news"
	"espacefamille/app/web"
)

type newsData struct {
	base
	Items []news.Item
	Item  news.Item
	Error string
}

func allNews(ctx context.Context, q querier) ([]news.Item, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, title, body, published_from, COALESCE(published_until, '') FROM news
		ORDER BY published_from DESC, id DESC LIMIT 200`)
	if err != nil {
		return nil, fmt.Errorf("admin: news: %w", err)
	}
	defer rows.Close()
	var out []news.Item
	for rows.Next() {
		var it news.Item
		if err := rows.Scan(&it.ID, &it.Title, &it.Body, &it.PublishedFrom, &it.PublishedUntil); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

func newsByID(ctx context.Context, q querier, id int64) (news.Item, error) {
	var it news.Item
	err := q.QueryRowContext(ctx, `SELECT id, title, body, published_from, COALESCE(published_until, '') FROM news WHERE id = ?`, id).
		Scan(&it.ID, &it.Title, &it.Body, &it.PublishedFrom, &it.PublishedUntil)
	if errors.Is(err, sql.ErrNoRows) {
		return it, ErrNotFound
	}
	return it, err
}

func (a *Admin) listNews(c *fiber.Ctx) error {
	items, err := allNews(c.UserContext(), db(c).R)
	if err != nil {
		return err
	}
	d := newsData{base: baseOf(c, "actualites"), Items: items, Item: news.Item{PublishedFrom: calendar.Today(a.now()).String()}}
	return web.Render(c, "admin/actualites", "Actualités", d)
}

func (a *Admin) editNews(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	it, err := newsByID(c.UserContext(), db(c).R, id)
	if err != nil {
		return web.ErrNotFound
	}
	items, err := allNews(c.UserContext(), db(c).R)
	if err != nil {
		return err
	}
	return web.Render(c, "admin/actualites", "Actualités", newsData{base: baseOf(c, "actualites"), Items: items, Item: it})
}

// saveNews creates or updates a news item (plain text, shown escaped).
func (a *Admin) saveNews(c *fiber.Ctx) error {
	var id int64
	if c.Params("id") != "" {
		var err error
		if id, err = idParam(c, "id"); err != nil {
			return err
		}
	}
	it := news.Item{ID: id, Title: strings.TrimSpace(c.FormValue("title")), Body: strings.TrimSpace(c.FormValue("body"))}
	errs := formErrors{}
	it.PublishedFrom = parseOptionalDate(errs, "from", c.FormValue("from"), "La date de publication")
	it.PublishedUntil = parseOptionalDate(errs, "until", c.FormValue("until"), "La date de fin")
	if it.PublishedFrom == "" && len(errs) == 0 {
		errs.add("from", "La date de publication est obligatoire.")
	}
	fail := func(msg string) error {
		items, err := allNews(c.UserContext(), db(c).R)
		if err != nil {
			return err
		}
		return web.RenderStatus(c, fiber.StatusUnprocessableEntity, "admin/actualites", "Actualités",
			newsData{base: baseOf(c, "actualites"), Items: items, Item: it, Error: msg})
	}
	for _, m := range errs {
		return fail(m)
	}
	err := a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		if id == 0 {
			var err error
			if it.ID, err = news.Create(ctx, tx, it, now); err != nil {
				return err
			}
			return audit(ctx, tx, currentStaff(c), "create", "news", it.ID, nil, it, now)
		}
		before, err := newsByID(ctx, tx, id)
		if err != nil {
			return web.ErrNotFound
		}
		if it.Title == "" || len(it.Title) > 200 || it.Body == "" || len(it.Body) > 20000 ||
			(it.PublishedUntil != "" && it.PublishedUntil < it.PublishedFrom) {
			return fmt.Errorf("%w: titre (200 caractères au plus), texte et dates de publication cohérentes obligatoires", news.ErrInvalid)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE news SET title = ?, body = ?, published_from = ?, published_until = ? WHERE id = ?`,
			it.Title, it.Body, it.PublishedFrom, nullable(it.PublishedUntil), id); err != nil {
			return err
		}
		return audit(ctx, tx, currentStaff(c), "update", "news", id, before, it, now)
	})
	if errors.Is(err, news.ErrInvalid) {
		return fail(strings.TrimPrefix(err.Error(), news.ErrInvalid.Error()+": "))
	}
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", "Actualité enregistrée.")
	return web.RedirectTo(c, "/admin/actualites")
}

func (a *Admin) deleteNews(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	err = a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		before, err := newsByID(ctx, tx, id)
		if err != nil {
			return web.ErrNotFound
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM news WHERE id = ?`, id); err != nil {
			return err
		}
		return audit(ctx, tx, currentStaff(c), "delete", "news", strconv.FormatInt(id, 10), before, nil, now)
	})
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", "Actualité supprimée.")
	return web.RedirectTo(c, "/admin/actualites")
}
