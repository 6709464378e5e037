package admin

import (
	"context"
	"database/sql"
	"errors"
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

func (a *Admin) listNews(c *fiber.Ctx) error {
	items, err := news.All(c.UserContext(), db(c).Reader(), 200)
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
	it, err := news.Load(c.UserContext(), db(c).Reader(), id)
	if err != nil {
		return err
	}
	items, err := news.All(c.UserContext(), db(c).Reader(), 200)
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
		items, err := news.All(c.UserContext(), db(c).Reader(), 200)
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
		before, err := news.Load(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := news.Update(ctx, tx, it); err != nil {
			return err
		}
		return audit(ctx, tx, currentStaff(c), "update", "news", id, before, it, now)
	})
	if errors.Is(err, news.ErrInvalid) {
		return fail(news.Message(err))
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
		before, err := news.Load(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := news.Delete(ctx, tx, id); err != nil {
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
