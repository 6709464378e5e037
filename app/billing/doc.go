// Package billing is the end of the parents' journey: orders, payment
// providers, payments, invoices, receipts and credits (avoirs).
//
// # Orders and payments
//
// The flow reads in one direction: start.go starts an order, the
// provider answers (apply.go: a notification, the parent's return or a
// reconciliation, never trusting the browser nor the notification's
// content), settle.go settles it through one Settlement value.
//
// "Valider" on the cart of a prepaid régie creates an order in one write
// transaction: the family's older pending cart order is replaced (its
// places released), every line is checked once and held for the order
// (booking.HoldCart: capacity, exclusive group, deadlines, counters
// taken), the lines are snapshotted, amount = total − the family's
// available credit (integer cents), a reference (also PayFiP's refdet)
// and an expiry 30 minutes later. Lines that cannot be held are recorded
// on the order (order_lines.refusal) and shown BEFORE any payment page,
// with the choice to pay for the rest (Continue) or go back (Abandon,
// places released at once). An order with nothing to pay (credit,
// cancellations: a zero or negative total) is settled at once, and
// summarised as "Demande validée" or "Annulation confirmée : un avoir de
// 2,55 € est ajouté à votre compte", never as a payment. An amount under
// MinOnlineCents (1,00 €, the DGFiP's minimum) is never sent to a
// provider: the demandes stay in the cart (an invoice's remainder is
// carried onto the next monthly invoice).
//
// A payment that arrives in time settles the order: held places become
// validated reservations without checking again (booking.ConfirmHolds),
// one "payée" invoice lists exactly what was booked, the receipt email is
// queued (it lists exactly what was booked). A day closed while the
// order waited is not booked and its amount becomes avoir; for a forfait,
// booked whole, the closed day's share becomes avoir (creditClosedDays);
// both are listed under "Non réservé". Expired, refused, abandoned
// or replaced orders release their places at once (closeFailed).
//
// Money a provider captured always ends applied or as an avoir, in the
// same transaction, for every kind of order: a payment for an order that
// had expired or been replaced is credited, then what the rules still
// allow is restored (taken back from the credit); a payment for an
// invoice that another order paid meanwhile, or of an amount that does
// not match its order, is credited. Applying the same result twice
// changes nothing (one payment per order).
//
// # Reconciliation
//
// Notifications can be lost, so Service.Reconcile asks the provider about
// every pending order of a commune (applying what it says, as a
// notification would) and expires the orders whose 30 minutes are over.
// An order the provider could not be asked about is reported
// (ReconcileReport.Problems) and `billing reconcile` then exits non-zero.
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
// # Monthly invoicing
//
// RunMonth invoices the post-paid régies' bookings once the month is over
// ("service fait": MonthEnded, MonthNotEndedError otherwise), only on days
// that were open, with the month as the printed period.
//
// # Credits
//
// The credits table is a ledger per family and régie; the balance is the sum
// of its rows. An order takes its credit at creation (a negative row) and
// gives it back if it fails or expires (a positive 'release' row).
package billing
