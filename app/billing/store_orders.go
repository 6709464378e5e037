package billing

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"espacefamille/app/booking"
	"espacefamille/tenants"
)

// newOrderRef returns a reference usable as PayFiP's refdet: "EF", the
// Paris date and 8 random letters and digits (18 characters).
func newOrderRef(now time.Time) string {
	const alnum = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alnum[int(b[i])%len(alnum)]
	}
	return "EF" + now.In(parisLoc()).Format("20060102") + string(b)
}

// insertOrder writes a pending order and its lines.
func insertOrder(ctx context.Context, tx *sql.Tx, o *Order) error {
	var inv any
	if o.InvoiceID != 0 {
		inv = o.InvoiceID
	}
	err := tx.QueryRowContext(ctx, `
		INSERT INTO orders (ref, kind, family_id, regie_id, invoice_id, email, total_cents, credit_cents, amount_cents,
		       status, provider, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?) RETURNING id`,
		o.Ref, o.Kind, o.FamilyID, o.RegieID, inv, o.Email, o.TotalCents, o.CreditCents, o.AmountCents,
		o.Provider, tenants.FormatTime(o.CreatedAt), tenants.FormatTime(o.ExpiresAt)).Scan(&o.ID)
	if err != nil {
		return fmt.Errorf("billing: create order: %w", err)
	}
	o.Status = OrderPending
	rows := make([][]any, 0, len(o.Lines))
	for _, l := range o.Lines {
		var cl, res any
		if l.CartLineID != 0 {
			cl = l.CartLineID
		}
		if l.ReservationID != 0 {
			res = l.ReservationID
		}
		rows = append(rows, []any{o.ID, cl, res, l.ChildName, l.Prestation, l.Day, l.Label, l.Quantity, l.UnitCents, l.AmountCents, l.Refusal})
	}
	if err := tenants.InsertRows(ctx, tx, `INSERT INTO order_lines (order_id, cart_line_id, reservation_id, child_name,
		prestation, day, label, quantity, unit_cents, amount_cents, refusal)`, "", rows); err != nil {
		return fmt.Errorf("billing: create order line: %w", err)
	}
	return nil
}

const orderColumns = `id, ref, kind, family_id, regie_id, COALESCE(invoice_id, 0), email, total_cents, credit_cents,
	amount_cents, status, provider, COALESCE(provider_ref, ''), created_at, expires_at, COALESCE(closed_at, ''), outcome`

func scanOrder(s interface{ Scan(...any) error }) (Order, error) {
	var o Order
	var created, expires, closed string
	err := s.Scan(&o.ID, &o.Ref, &o.Kind, &o.FamilyID, &o.RegieID, &o.InvoiceID, &o.Email, &o.TotalCents,
		&o.CreditCents, &o.AmountCents, &o.Status, &o.Provider, &o.ProviderRef, &created, &expires, &closed, &o.Outcome)
	if err != nil {
		return Order{}, err
	}
	o.CreatedAt, o.ExpiresAt = tenants.StoredTime(created), tenants.StoredTime(expires)
	if closed != "" {
		o.ClosedAt = tenants.StoredTime(closed)
	}
	return o, nil
}

func loadOrder(ctx context.Context, q tenants.Querier, where string, args ...any) (Order, error) {
	o, err := scanOrder(q.QueryRowContext(ctx, `SELECT `+orderColumns+` FROM orders WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return Order{}, ErrNotFound
	}
	if err != nil {
		return Order{}, fmt.Errorf("billing: load order: %w", err)
	}
	lines, err := orderLines(ctx, q, o.ID)
	for _, l := range lines {
		if l.ShareOf > 0 {
			o.ClosedDays = append(o.ClosedDays, l)
		} else {
			o.Lines = append(o.Lines, l)
		}
	}
	return o, err
}

// OrderByRef reads an order of the family by its reference; another
// family's order is ErrNotFound.
func OrderByRef(ctx context.Context, q tenants.Querier, familyID int64, ref string) (Order, error) {
	return loadOrder(ctx, q, `ref = ? AND family_id = ?`, ref, familyID)
}

// orderByProviderRef finds the order a provider's operation belongs to.
func orderByProviderRef(ctx context.Context, q tenants.Querier, provider, ref string) (Order, error) {
	return loadOrder(ctx, q, `provider = ? AND provider_ref = ?`, provider, ref)
}

func orderByID(ctx context.Context, q tenants.Querier, id int64) (Order, error) {
	return loadOrder(ctx, q, `id = ?`, id)
}

// orderLines reads the order's lines, then the closed days' shares of
// its forfaits (ShareOf > 0; order_closed_days), in one query.
func orderLines(ctx context.Context, q tenants.Querier, orderID int64) ([]Line, error) {
	out, err := tenants.All(ctx, q, func(row tenants.Row) (Line, error) {
		var l Line
		var part, rank int64
		var day string
		if err := row.Scan(&l.CartLineID, &l.ReservationID, &l.ChildName, &l.Prestation, &l.Day, &l.Label,
			&l.Quantity, &l.UnitCents, &l.AmountCents, &l.Refusal, &l.NotBooked, &l.ShareOf, &part, &rank, &day); err != nil {
			return l, err
		}
		return l, nil
	}, `SELECT COALESCE(cart_line_id, 0), COALESCE(reservation_id, 0), child_name,
			prestation, day, label, quantity, unit_cents, amount_cents, refusal, not_booked, 0, 0 AS part, id AS rank, '' AS d
		FROM order_lines WHERE order_id = ?
		UNION ALL
		SELECT COALESCE(l.cart_line_id, 0), COALESCE(l.reservation_id, 0), l.child_name,
			l.prestation, s.day, l.label, 1, s.amount_cents, s.amount_cents, '', ?, s.days, 1, l.id, s.day
		FROM order_closed_days s JOIN order_lines l ON l.id = s.order_line_id WHERE s.order_id = ?
		ORDER BY part, rank, d`, orderID, booking.ReasonDayClosed, orderID)
	if err != nil {
		return nil, fmt.Errorf("billing: order lines: %w", err)
	}
	return out, nil
}

// markLines records, on the order's lines, the reservation each cart
// line became (or cancelled), and why the payment could not book the
// others (notBooked): the receipt lists exactly those.
func markLines(ctx context.Context, tx *sql.Tx, orderID int64, booked map[int64]int64, notBooked map[int64]string) error {
	if len(booked)+len(notBooked) == 0 {
		return nil
	}
	rows := make([][3]any, 0, len(booked)+len(notBooked))
	for cl, rid := range booked {
		rows = append(rows, [3]any{cl, rid, ""})
	}
	for cl, why := range notBooked {
		rows = append(rows, [3]any{cl, nil, why})
	}
	list, err := json.Marshal(rows)
	if err != nil {
		return err
	}
	// One statement for every line: [[cart line, reservation, why], …],
	// the list read once.
	if _, err := tx.ExecContext(ctx, `WITH m(cart_line_id, reservation_id, why) AS MATERIALIZED
		(SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]') FROM json_each(?))
		UPDATE order_lines SET reservation_id = COALESCE(m.reservation_id, order_lines.reservation_id), not_booked = m.why FROM m
		WHERE order_lines.order_id = ? AND order_lines.cart_line_id = m.cart_line_id AND order_lines.refusal = ''`,
		string(list), orderID); err != nil {
		return fmt.Errorf("billing: order %d lines booked: %w", orderID, err)
	}
	return nil
}

// setProviderRef records the provider's operation id of a pending order.
func setProviderRef(ctx context.Context, tx *sql.Tx, orderID int64, ref string) error {
	_, err := tx.ExecContext(ctx, `UPDATE orders SET provider_ref = ? WHERE id = ?`, ref, orderID)
	if err != nil {
		return fmt.Errorf("billing: set provider ref: %w", err)
	}
	return nil
}

// closeOrder moves an order from one status to another; it reports whether
// the order was still in status from (so concurrent closings act once).
func closeOrder(ctx context.Context, tx *sql.Tx, id int64, from, to, outcome string, now time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE orders SET status = ?, outcome = ?, closed_at = ? WHERE id = ? AND status = ?`,
		to, outcome, tenants.FormatTime(now), id, from)
	if err != nil {
		return false, fmt.Errorf("billing: close order %d: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// pendingOrders lists pending orders (all, or of one family and régie).
func pendingOrders(ctx context.Context, q tenants.Querier, familyID, regieID int64) ([]Order, error) {
	where, args := `status = 'pending'`, []any{}
	if familyID != 0 {
		where += ` AND family_id = ? AND regie_id = ?`
		args = append(args, familyID, regieID)
	}
	var out []Order
	err := tenants.Each(ctx, q, func(row tenants.Row) error {
		o, err := scanOrder(row)
		if err != nil {
			return err
		}
		out = append(out, o)
		return nil
	}, `SELECT `+orderColumns+` FROM orders WHERE `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("billing: pending orders: %w", err)
	}
	return out, nil
}

// recentlyClosedUnpaid lists the orders sent to a provider that were
// closed without payment (expired or replaced) since since.
func recentlyClosedUnpaid(ctx context.Context, q tenants.Querier, since time.Time) ([]Order, error) {
	out, err := tenants.All(ctx, q, scanOrder, `SELECT `+orderColumns+` FROM orders o
		WHERE status IN ('expired', 'cancelled') AND provider_ref IS NOT NULL AND closed_at > ?
		  AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.id) ORDER BY id`, tenants.FormatTime(since))
	if err != nil {
		return nil, fmt.Errorf("billing: recently closed orders: %w", err)
	}
	return out, nil
}

// insertPayment records the payment of an order; the UNIQUE order_id makes
// a second one impossible. It reports whether it inserted.
func insertPayment(ctx context.Context, tx *sql.Tx, p Payment, now time.Time) (bool, error) {
	late := 0
	if p.Late {
		late = 1
	}
	res, err := tx.ExecContext(ctx, `
		INSERT INTO payments (order_id, provider, provider_ref, amount_cents, auth_number, paid_at, late, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (order_id) DO NOTHING`,
		p.OrderID, p.Provider, p.ProviderRef, p.AmountCents, p.AuthNumber, tenants.FormatTime(p.PaidAt), late, tenants.FormatTime(now))
	if err != nil {
		return false, fmt.Errorf("billing: record payment: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// OrderPayment reads the payment of an order.
func OrderPayment(ctx context.Context, q tenants.Querier, orderID int64) (Payment, error) {
	var p Payment
	var paid string
	var late int
	err := q.QueryRowContext(ctx, `SELECT id, order_id, provider, provider_ref, amount_cents, auth_number, paid_at, late
		FROM payments WHERE order_id = ?`, orderID).Scan(&p.ID, &p.OrderID, &p.Provider, &p.ProviderRef, &p.AmountCents,
		&p.AuthNumber, &paid, &late)
	if errors.Is(err, sql.ErrNoRows) {
		return Payment{}, ErrNotFound
	}
	if err != nil {
		return Payment{}, fmt.Errorf("billing: payment of order %d: %w", orderID, err)
	}
	p.PaidAt, p.Late = tenants.StoredTime(paid), late == 1
	return p, nil
}

// paymentEvent is one line of the payment log: a notification, a return,
// a reconciliation answer or a start, accepted or refused.
type paymentEvent struct {
	Provider, ProviderRef string
	OrderID               int64 // 0: no order (an unknown operation)
	Source, Outcome       string
	Detail                string
	At                    time.Time
}

// eventOf is an event about the order o.
func eventOf(o Order, source, outcome, detail string, at time.Time) paymentEvent {
	return paymentEvent{Provider: o.Provider, ProviderRef: o.ProviderRef, OrderID: o.ID, Source: source, Outcome: outcome, Detail: detail, At: at}
}

// logEvent records a payment event.
func logEvent(ctx context.Context, q tenants.Querier, e paymentEvent) error {
	var oid any
	if e.OrderID != 0 {
		oid = e.OrderID
	}
	_, err := q.ExecContext(ctx, `INSERT INTO payment_events (at, provider, provider_ref, order_id, source, outcome, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, tenants.FormatTime(e.At), e.Provider, e.ProviderRef, oid, e.Source, e.Outcome, e.Detail)
	if err != nil {
		return fmt.Errorf("billing: log payment event: %w", err)
	}
	return nil
}
