package admin

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/billing"
	"espacefamille/app/calendar"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

type invoicingPreviewData struct {
	base
	Month   string // YYYY-MM
	MonthFR string // 11/2026
	Preview billing.MonthPreview
	// NotEnded says why the month cannot be invoiced yet ("" when it can).
	NotEnded string
}

func parseMonth(s string) (time.Time, error) {
	m, err := time.Parse("2006-01", s)
	if err != nil {
		return m, errInvalid("Choisissez le mois au format AAAA-MM.")
	}
	return m, nil
}

// previewInvoicing shows what the monthly run would invoice, per family
// and régie, with the totals, before the administrator starts it.
func (a *Admin) previewInvoicing(c *fiber.Ctx) error {
	month, err := parseMonth(c.Query("month"))
	if err != nil {
		return err
	}
	p, err := billing.PreviewMonth(c.UserContext(), db(c).Reader(), month.Year(), month.Month())
	if err != nil {
		return err
	}
	d := invoicingPreviewData{base: baseOf(c, "finances"), Month: month.Format("2006-01"), MonthFR: month.Format("01/2006"), Preview: p}
	if !billing.MonthEnded(month.Year(), month.Month(), a.now()) {
		d.NotEnded = (&billing.MonthNotEndedError{Year: month.Year(), Month: month.Month()}).Message()
	}
	return web.Render(c, "admin/facturation", "Facturation de "+month.Format("01/2006"), d)
}

// runInvoicing runs billing's monthly invoicing in the background, with
// progress per family and a summary.
func (a *Admin) runInvoicing(c *fiber.Ctx) error {
	month, err := parseMonth(formValue(c, "month"))
	if err != nil {
		return err
	}
	if !billing.MonthEnded(month.Year(), month.Month(), a.now()) {
		return errInvalid((&billing.MonthNotEndedError{Year: month.Year(), Month: month.Month()}).Message())
	}
	com := commune(c)
	who := *currentStaff(c)
	svc := billing.NewService(billing.Options{Notify: a.notify, Now: a.now, AbsURL: a.srv.CommuneURL, Platform: a.srv.Registry.Platform()})
	link := a.srv.CommuneURL(com, "/famille/factures")
	log := a.srv.Logger(c) // request id and commune; the job outlives the request
	j := a.startJob(c, "Facturation de "+month.Format("01/2006"), "/admin/finances", func(ctx context.Context, d *tenants.DB, j *job) string {
		rep, err := svc.RunMonthProgress(ctx, d, com, month.Year(), month.Month(), link, j.progress)
		if err != nil {
			// The cause is for the logs; staff get what to do.
			log.Error("admin: invoicing run failed", "month", month.Format("2006-01"), "err", err)
			return "La facturation s'est arrêtée sur une erreur ; les factures déjà créées sont gardées, relancez-la pour terminer. Si l'erreur persiste, contactez votre hébergeur."
		}
		_ = d.Tx(ctx, func(tx *sql.Tx) error {
			return audit(ctx, tx, &who, "run", "invoicing", month.Format("2006-01"), nil, rep, a.now())
		})
		return fmt.Sprintf("%d facture(s) créée(s) (%s), %d déjà existante(s), %d régie(s) en post-paiement.",
			rep.Created, calendar.FormatEuros(rep.TotalCents), rep.Existing, rep.Regies)
	})
	return web.RedirectTo(c, "/admin/taches/"+j.ID)
}

// CreditRow is a family's available credit in a régie.
type CreditRow struct {
	FamilyID   int64
	FamilyName string
	RegieID    int64
	RegieName  string
	Cents      int64
}

func positiveCredits(ctx context.Context, q tenants.Querier) ([]CreditRow, error) {
	out, err := tenants.All(ctx, q, func(row tenants.Row) (CreditRow, error) {
		var r CreditRow
		err := row.Scan(&r.FamilyID, &r.FamilyName, &r.RegieID, &r.RegieName, &r.Cents)
		return r, err
	}, `SELECT c.family_id, f.name, c.regie_id, r.name, SUM(c.amount_cents)
		FROM credits c JOIN families f ON f.id = c.family_id JOIN regies r ON r.id = c.regie_id
		GROUP BY c.family_id, c.regie_id HAVING SUM(c.amount_cents) > 0 ORDER BY f.name, r.name LIMIT 2000`)
	if err != nil {
		return nil, fmt.Errorf("admin: credits: %w", err)
	}
	return out, nil
}

type creditsData struct {
	base
	Credits []CreditRow
	Today   string
}

// showCredits lists the families' available credits, each with the form
// that records its refund by cheque or transfer.
func (a *Admin) showCredits(c *fiber.Ctx) error {
	list, err := positiveCredits(c.UserContext(), db(c).Reader())
	if err != nil {
		return err
	}
	return web.Render(c, "admin/avoirs", "Avoirs à rembourser", creditsData{base: baseOf(c, "finances"), Credits: list,
		Today: calendar.Today(a.now()).FR()})
}

// refundCredit records a refund made by hand (cheque or transfer): one
// transaction with its audit row; the family's credit decreases and can
// never go below zero.
func (a *Admin) refundCredit(c *fiber.Ctx) error {
	r := billing.Refund{Means: formValue(c, "means"), Reference: cleanText(c.FormValue("reference"))}
	var err error
	r.FamilyID, _ = strconv.ParseInt(formValue(c, "family"), 10, 64)
	r.RegieID, _ = strconv.ParseInt(formValue(c, "regie"), 10, 64)
	switch r.AmountCents, err = calendar.ParseEuros(formValue(c, "amount")); {
	case err != nil || r.AmountCents <= 0:
		return errInvalid("Le montant remboursé est un montant en euros positif, par exemple 12,50.")
	case r.Means != billing.RefundCheque && r.Means != billing.RefundTransfer:
		return errInvalid("Choisissez le moyen de remboursement : chèque ou virement.")
	case len(r.Reference) > 60:
		return errInvalid("La référence est trop longue (60 caractères au plus).")
	}
	if r.Day, err = calendar.ParseDate(formValue(c, "day")); err != nil {
		return errInvalid("La date du remboursement doit être au format JJ/MM/AAAA.")
	}
	var balance int64
	err = a.change(c, func(ctx context.Context, tx *sql.Tx, now time.Time) error {
		if _, _, err := familyContact(ctx, tx, r.FamilyID); err != nil {
			return err
		}
		before, err := billing.CreditBalance(ctx, tx, r.FamilyID, r.RegieID)
		if err != nil {
			return err
		}
		if balance, err = billing.RefundCredit(ctx, tx, r, now); errors.Is(err, billing.ErrRefundTooHigh) {
			return errInvalid(fmt.Sprintf("Le remboursement (%s) dépasse l'avoir disponible de la famille (%s).",
				calendar.FormatEuros(r.AmountCents), calendar.FormatEuros(before)))
		} else if err != nil {
			return err
		}
		return audit(ctx, tx, currentStaff(c), "refund", "credit", r.FamilyID, map[string]any{"balance_cents": before},
			map[string]any{"refund": r, "balance_cents": balance}, now)
	})
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", fmt.Sprintf("Remboursement de %s enregistré ; avoir restant : %s.",
		calendar.FormatEuros(r.AmountCents), calendar.FormatEuros(balance)))
	return web.RedirectTo(c, "/admin/finances/avoirs")
}
