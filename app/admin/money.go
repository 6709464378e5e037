package admin

import (
	"context"
	"espacefamille/app/booking"
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/calendar"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// MoneyFilter narrows the invoices, payments and credits lists.
type MoneyFilter struct {
	Kind    string // "factures", "paiements", "avoirs"
	RegieID int64
	From    string // YYYY-MM-DD
	Until   string
	State   string // invoices: open, paid
	Family  string // name contains
}

// MoneyRow is one line of a money list.
type MoneyRow struct {
	Date, Regie, Family, Reference, State string
	Cents                                 int64
}

func moneyFilterOf(c *fiber.Ctx) MoneyFilter {
	f := MoneyFilter{Kind: c.Query("liste", "factures"), State: c.Query("etat"), Family: strings.TrimSpace(c.Query("famille"))}
	f.RegieID, _ = strconv.ParseInt(c.Query("regie"), 10, 64)
	errs := formErrors{}
	f.From = parseOptionalDate(errs, "from", c.Query("du"), "")
	f.Until = parseOptionalDate(errs, "until", c.Query("au"), "")
	return f
}

func moneyRows(ctx context.Context, q tenants.Querier, f MoneyFilter) ([]MoneyRow, error) {
	var query string
	switch f.Kind {
	case "paiements":
		query = `SELECT substr(p.paid_at, 1, 10), r.name, fa.name, o.ref, CASE WHEN p.late = 1 THEN 'tardif' ELSE 'reçu' END, p.amount_cents
			FROM payments p JOIN orders o ON o.id = p.order_id JOIN regies r ON r.id = o.regie_id JOIN families fa ON fa.id = o.family_id WHERE 1 = 1`
	case "avoirs":
		query = `SELECT substr(cr.created_at, 1, 10), r.name, fa.name, cr.label, cr.kind, cr.amount_cents
			FROM credits cr JOIN regies r ON r.id = cr.regie_id JOIN families fa ON fa.id = cr.family_id WHERE 1 = 1`
	default:
		query = `SELECT i.issued_on, r.name, fa.name, i.number, CASE i.status WHEN 'paid' THEN 'payée' ELSE 'en cours' END, i.total_cents
			FROM invoices i JOIN regies r ON r.id = i.regie_id JOIN families fa ON fa.id = i.family_id WHERE 1 = 1`
	}
	var args []any
	dateCol := map[string]string{"paiements": "substr(p.paid_at, 1, 10)", "avoirs": "substr(cr.created_at, 1, 10)"}[f.Kind]
	if dateCol == "" {
		dateCol = "i.issued_on"
	}
	if f.RegieID != 0 {
		query += ` AND r.id = ?`
		args = append(args, f.RegieID)
	}
	if f.From != "" {
		query += ` AND ` + dateCol + ` >= ?`
		args = append(args, f.From)
	}
	if f.Until != "" {
		query += ` AND ` + dateCol + ` <= ?`
		args = append(args, f.Until)
	}
	if f.Family != "" {
		query += ` AND lower(fa.name) LIKE ?`
		args = append(args, "%"+strings.ToLower(f.Family)+"%")
	}
	if f.Kind == "factures" && (f.State == "open" || f.State == "paid") {
		query += ` AND i.status = ?`
		args = append(args, f.State)
	}
	out, err := tenants.All(ctx, q, func(row tenants.Row) (MoneyRow, error) {
		var r MoneyRow
		err := row.Scan(&r.Date, &r.Regie, &r.Family, &r.Reference, &r.State, &r.Cents)
		return r, err
	}, query+` ORDER BY 1 DESC LIMIT 2000`, args...)
	if err != nil {
		return nil, fmt.Errorf("admin: money: %w", err)
	}
	return out, nil
}

type moneyData struct {
	base
	Filter MoneyFilter
	Regies []booking.Regie
	Rows   []MoneyRow
	Total  int64
	Query  string
	Month  string
}

func (a *Admin) showMoney(c *fiber.Ctx) error {
	ctx, q := c.UserContext(), db(c).Reader()
	f := moneyFilterOf(c)
	// The query's text depends on the filters: it stays out of the cache.
	rows, err := moneyRows(ctx, q.Uncached(), f)
	if err != nil {
		return err
	}
	rs, err := booking.AllRegies(ctx, q)
	if err != nil {
		return err
	}
	d := moneyData{base: baseOf(c, "finances"), Filter: f, Regies: rs, Rows: rows, Query: string(c.Request().URI().QueryString()),
		Month: calendar.Today(a.now()).AddMonths(-1).String()[:7]}
	for _, r := range rows {
		d.Total += r.Cents
	}
	return web.Render(c, "admin/finances", "Finances", d)
}

// moneyCSV exports the filtered list (';' and a UTF-8 BOM).
func (a *Admin) moneyCSV(c *fiber.Ctx) error {
	f := moneyFilterOf(c)
	// The query's text depends on the filters: it stays out of the cache.
	rows, err := moneyRows(c.UserContext(), db(c).Reader().Uncached(), f)
	if err != nil {
		return err
	}
	return web.SendCSV(c, f.Kind+".csv",
		[]string{"Date", "Régie", "Famille", "Référence", "État", "Montant"}, len(rows), func(i int) []string {
			r := rows[i]
			return []string{web.FormatDate(r.Date), r.Regie, r.Family, r.Reference, r.State, strings.TrimRight(strings.TrimSuffix(calendar.FormatEuros(r.Cents), "€"), " \u00a0\u202f")}
		})
}
