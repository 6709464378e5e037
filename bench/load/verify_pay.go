package main

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"espacefamille/tenants"
)

var mailLineRE = regexp.MustCompile(`REPAS CLASSIQUE ENFANT le \d\d/\d\d/\d{4}`)

// verifyPay checks the commune's file after the pay run (the server has
// stopped): every place paid is booked and every booking paid, one
// payment and one invoice per paid order, invoice numbers without gaps,
// capacity never exceeded, nobody charged for a place not received, and
// the receipts (page and email) list exactly what was booked.
func verifyPay(ctx context.Context, path string, cfg config, info setupInfo, outcomes []payOutcome, st *stats) error {
	db, err := tenants.OpenDB(path, tenants.OpenOptions{})
	if err != nil {
		return err
	}
	defer db.Close()
	c := &checks{ctx: ctx, db: db}
	check, q := c.check, c.count
	fmt.Println("checks:")
	paidJourneys, refusedV, credited, told, partial, added := 0, 0, 0, 0, 0, 0
	for _, o := range outcomes {
		added += o.added
		if o.ref != "" {
			paidJourneys++
		}
		if o.refusedV {
			refusedV++
		}
		if o.credited {
			credited++
		}
		if o.fullAtPeriod {
			told++
		}
		if o.partial {
			partial++
		}
	}
	check(st.failures() == 0, "%d journeys failed", st.failures())
	paid := q(`SELECT COUNT(*) FROM orders WHERE status = 'paid' AND kind = 'cart'`)
	check(paid == paidJourneys, "%d orders paid = %d journeys that reached their receipt (%d sent back at Valider with nothing to pay, %d told \"complet\" by the Vue Période; %d paid for part of their cart after being shown the days not held)", paid, paidJourneys, refusedV, told, partial)
	check(paidJourneys+refusedV+told+credited == len(outcomes), "every journey ended in a receipt, a \"complet\" before paying, or an avoir (%d + %d + %d + %d of %d)",
		paidJourneys, refusedV, told, credited, len(outcomes))
	booked := q(`SELECT COUNT(*) FROM reservations WHERE state = 'validated' AND prestation_id = ?`, info.Meal)
	lines := q(`SELECT COUNT(*) FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.status = 'paid' AND o.kind = 'cart'`)
	check(booked == lines, "bookings = places paid: %d meals booked, %d order lines paid (%d demandes added by the Vue Période)", booked, lines, added)
	check(q(`SELECT COUNT(*) FROM orders o WHERE o.status = 'paid' AND o.total_cents <> (SELECT COALESCE(SUM(price_cents), 0)
		FROM reservations r WHERE r.order_ref = o.ref AND r.state = 'validated')`) == 0, "each paid order's total = the price of the meals it booked")
	charged := q(`SELECT COUNT(*) FROM payments p JOIN orders o ON o.id = p.order_id WHERE o.status <> 'paid' OR p.late = 1`)
	check(charged == 0 && credited == 0, "nobody paid for a place not received: %d payments on orders not turned into bookings (avoirs: %d; %d return pages said \"Paiement reçu après expiration\")", charged,
		q(`SELECT COUNT(*) FROM credits WHERE kind IN ('late', 'rejected')`), credited)
	check(q(`SELECT COUNT(*) FROM orders o WHERE o.status = 'paid' AND (SELECT COUNT(*) FROM payments p WHERE p.order_id = o.id) <> 1`) == 0,
		"one payment per paid order")
	check(q(`SELECT COUNT(*) FROM orders o WHERE o.status = 'paid' AND (SELECT COUNT(*) FROM invoices i WHERE i.order_id = o.id) <> 1`) == 0,
		"one invoice per paid order")
	check(q(`SELECT COUNT(*) FROM (SELECT regie_id, year FROM invoices GROUP BY regie_id, year HAVING MAX(seq) <> COUNT(*) OR MIN(seq) <> 1 OR COUNT(DISTINCT seq) <> COUNT(*))`) == 0,
		"invoice numbers gap-free (%d invoices)", q(`SELECT COUNT(*) FROM invoices`))
	check(q(`SELECT COUNT(*) FROM (SELECT day FROM reservations WHERE state = 'validated' AND prestation_id = ? GROUP BY day HAVING COUNT(*) > ?)`, info.Meal, cfg.capacity) == 0,
		"capacity %d never exceeded", cfg.capacity)
	full := q(`SELECT COUNT(*) FROM (SELECT day FROM reservations WHERE state = 'validated' AND prestation_id = ? GROUP BY day HAVING COUNT(*) = ?)`, info.Meal, min(cfg.capacity, cfg.families))
	check(full == info.Meals, "each of the %d days holds min(capacity, families) = %d meals (%d days do)", info.Meals, min(cfg.capacity, cfg.families), full)
	check(q(`SELECT COUNT(*) FROM (SELECT 1 FROM reservations WHERE state = 'validated' GROUP BY child_id, prestation_id, day HAVING COUNT(*) > 1)`) == 0, "no reservation doubled")
	check(q(`SELECT COUNT(*) FROM (SELECT s.prestation_id, s.day, s.booked, (SELECT COUNT(*) FROM reservations r WHERE r.state = 'validated'
		AND r.prestation_id = s.prestation_id AND r.day = s.day AND r.site_id = s.site_id) AS n FROM slot_counts s) WHERE booked <> n`) == 0,
		"slot counts equal the reservations")

	// Receipts: the page each family saw, and every receipt email queued
	// (one per payment), list exactly the meals the order booked.
	bookedBy, err := countBy(ctx, db, `SELECT order_ref, COUNT(*) FROM reservations WHERE state = 'validated' AND order_ref IS NOT NULL GROUP BY order_ref`)
	if err != nil {
		return err
	}
	badPage := 0
	for _, o := range outcomes {
		if o.ref != "" && o.receipt != bookedBy[o.ref] {
			badPage++
		}
	}
	check(badPage == 0, "receipt pages list exactly the meals booked (%d differ)", badPage)
	mails := map[string][]string{} // order ref → receipt texts
	err = tenants.Each(ctx, db.Reader(), func(row tenants.Row) error {
		var subject, text string
		if err := row.Scan(&subject, &text); err != nil {
			return err
		}
		ref := subject[strings.LastIndexByte(subject, ' ')+1:]
		mails[ref] = append(mails[ref], text)
		return nil
	}, `SELECT subject, text_body FROM outbox WHERE kind = 'payment_receipt'`)
	if err != nil {
		return err
	}
	paidRefs, err := countBy(ctx, db, `SELECT o.ref, 1 FROM payments p JOIN orders o ON o.id = p.order_id`)
	if err != nil {
		return err
	}
	badMail := 0
	for ref := range paidRefs {
		if m := mails[ref]; len(m) != 1 || len(mailLineRE.FindAllString(m[0], -1)) != bookedBy[ref] {
			badMail++
		}
	}
	check(badMail == 0, "one receipt email per payment (%d), listing exactly the meals booked (%d differ or missing)", len(paidRefs), badMail)
	return c.err()
}

// countBy runs a query of (key, count) rows into a map.
func countBy(ctx context.Context, db *tenants.DB, query string) (map[string]int, error) {
	out := map[string]int{}
	err := tenants.Each(ctx, db.Reader(), func(row tenants.Row) error {
		var k string
		var n int
		err := row.Scan(&k, &n)
		out[k] = n
		return err
	}, query)
	return out, err
}
