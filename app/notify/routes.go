package notify

import (
	"database/sql"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/web"
	"espacefamille/tenants"
)

// errLinkInvalid is the page of an unsubscribe link that is altered or of
// another commune.
var errLinkInvalid = web.NewError(fiber.StatusNotFound,
	"Ce lien de désabonnement n'est pas valable. Vous pouvez choisir les emails que vous recevez dans « Mon compte », rubrique « Mes notifications ».")

// Routes adds the unsubscribe page of each commune: GET shows what the
// link stops and a button; POST stops it, without log-in and without
// the CSRF token, as RFC 8058's one-click POST requires (the signed
// token is the proof). now is the clock (time.Now when nil).
func Routes(s *web.Server, now func() time.Time) {
	if now == nil {
		now = time.Now
	}
	h := handlers{now: now}
	r := s.Commune()
	r.Get(UnsubscribePath, h.showUnsubscribe)
	r.Post(UnsubscribePath, web.SmallForm, h.unsubscribe)
	s.SkipCSRF(UnsubscribePath)
}

type handlers struct{ now func() time.Time }

// unsubscribePage is what templates/famille/desabonnement.html shows.
type unsubscribePage struct {
	Email string
	Kind  Kind
	Token string
	Done  bool
}

// read checks the request's token against its commune.
func read(c *fiber.Ctx) (unsubscribePage, error) {
	t := tenants.From(c)
	tok := c.Query("jeton")
	if tok == "" {
		tok = c.FormValue("jeton")
	}
	key, err := linkKey(c.UserContext(), t.DB().Reader())
	if err != nil {
		return unsubscribePage{}, err
	}
	email, kind, err := parseToken(key, t.Commune.Slug, tok)
	if err != nil {
		return unsubscribePage{}, errLinkInvalid
	}
	return unsubscribePage{Email: email, Kind: kind, Token: tok}, nil
}

func (h handlers) showUnsubscribe(c *fiber.Ctx) error {
	p, err := read(c)
	if err != nil {
		return err
	}
	out, err := OptedOut(c.UserContext(), tenants.From(c).DB().Reader(), p.Email, p.Kind)
	if err != nil {
		return err
	}
	p.Done = out
	c.Set("Referrer-Policy", "no-referrer") // the token is in the URL
	return web.Render(c, "famille/desabonnement", "Se désabonner", p)
}

// unsubscribe answers both the page's button and a mail client's
// "List-Unsubscribe=One-Click" POST with the confirmation page.
func (h handlers) unsubscribe(c *fiber.Ctx) error {
	p, err := read(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	if err := tenants.From(c).DB().Tx(ctx, func(tx *sql.Tx) error {
		return Unsubscribe(ctx, tx, p.Email, p.Kind, h.now())
	}); err != nil {
		return err
	}
	p.Done = true
	c.Set("Referrer-Policy", "no-referrer")
	return web.Render(c, "famille/desabonnement", "Se désabonner", p)
}
