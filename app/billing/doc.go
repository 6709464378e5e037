// Package billing is the end of the parents' journey: orders, payment
// providers, payments, invoices, receipts and credits (avoirs).
//
// # Orders and payments
//
// "Valider" on the cart of a prepaid régie creates an order: a snapshot of
// the cart's lines, amount = total − the family's available credit (integer
// cents), a reference (also PayFiP's refdet) and an expiry 30 minutes later.
// The provider of the régie (simulator or PayFiP) is asked for a payment
// page; the parent pays there; the provider's notification (or the parent's
// return, whichever comes first) makes us fetch the result from the provider
// — never trusting the browser nor the notification's content — and apply it
// in one write transaction: payment recorded (one per order, amount checked),
// booking.ConfirmLines, invoice created "payée", receipt email queued.
// Applying the same result twice changes nothing. A payment for an order
// that had expired or been replaced is recorded, its amount credited, and
// its bookings restored where the rules still allow (the restored part is
// taken back from the credit).
//
// # Reconciliation
//
// Notifications can be lost, so Service.Reconcile asks the provider about
// every pending order of a commune (applying what it says, as a
// notification would) and expires the orders whose 30 minutes are over.
// serve runs it as a background job (Reconciler, reconciler.go): once at
// start-up over every commune, then every ReconcileInterval (5 minutes)
// over the communes that may hold pending orders and those open now.
//
// Which communes may hold pending orders is kept in memory, not in a
// platform table: the Service marks a commune (Options.OnPending) after
// committing an order that waits for a provider, and a pass unmarks it
// once it holds none (unless an order was created meanwhile: marks carry a
// generation). One process owns a commune file, so every pending order was
// either created by this process (marked) or there when it started (the
// start-up pass): nothing is missed, nothing is written twice across two
// databases, and the 10,000 communes of a node are opened once at
// start-up, not every 5 minutes. The open communes are added to each pass
// as a cheap safety net. The job finishes the commune in progress when the
// server stops. `espacefamille billing reconcile` runs the same by hand.
//
// # Invoice numbers
//
// Numbers are "YYYY-PREFIX-NNNNN" (e.g. "2026-GM-00019"): the year of issue,
// the régie's invoice prefix (regies.invoice_prefix, "R<id>" when empty) and
// a sequence per régie and year, zero-padded to five digits (it grows past
// 99999 if needed). The sequence comes from a counter row per (régie, year)
// incremented inside the BEGIN IMMEDIATE transaction that creates the
// invoice, so numbers are unique and gap-free: a rolled-back transaction
// rolls its number back too.
//
// # Credits
//
// The credits table is a ledger per family and régie; the balance is the sum
// of its rows. An order takes its credit at creation (a negative row) and
// gives it back if it fails or expires (a positive 'release' row).
package billing
