// Package booking is "Mes réservations" (issue 4): the Vue Agenda and the
// Vue Période, forfaits, the commune's booking rules, and the family's
// cart, up to "Valider".
//
// # Shape
//
//   - rules.go, ledger.go, period.go, cartview.go: pure rules over plain
//     values (no database, no HTTP, the clock passed in): which days are
//     open (DayOpen, CanBook, CanCancel, Full), the state of an agenda
//     cell (CellFor), what a click does (Booker.Toggle: add, remove,
//     cancel, exclusivity replacement, forfait periods), what a period
//     adds and skips (Booker.Plan), the cart's counts and total in cents
//     (Summarize). The calendar arithmetic itself is app/calendar's.
//   - store*.go: SQL, next to the code that scans it. Reads take a tenants.Querier
//     (the read pool, or the caller's transaction); writes take a *sql.Tx.
//   - cart.go, agenda.go: one transaction per parent action (ToggleCell,
//     AddPeriod, ClearCart, ValidatePostpaid) and the agenda's read path
//     (LoadAgenda).
//   - cart_validate.go: the API billing builds on (below).
//   - settings.go: the domain API that edits the rules (prestations, price
//     brackets, closures), for the back office.
//   - handlers*.go, routes.go: thin Fiber handlers; templates are
//     templates/famille/reservations.html, periode.html,
//     periode-resultat.html and partials/booking-*.html.
//
// # Data (migrations/commune/00004_booking.sql)
//
// reservations hold validated and cancelled bookings with the price copied
// at booking time; a forfait is one row per period, keyed by the period's
// first day (day = forfait_from). cart_lines is the family's cart, shared
// by both guardians and every device: action 'add' (demande en cours) or
// 'cancel' (annulation en cours, with reservation_id), UNIQUE per (child,
// prestation, day, action). slot_counts holds the booked places per
// (prestation, day, site), validated and held places alike, changed in
// the same transaction as every hold, release, validation and
// cancellation; capacity checks read it inside the
// writer's BEGIN IMMEDIATE transaction, so a capacity is never exceeded
// whatever the concurrency. prestations.weekdays is Monday = bit 0 (see
// WeekdaysFromMask).
//
// # Rules
//
// A day is bookable when the commune is open (no weekend, public holiday,
// closure or school holiday), the prestation is offered that weekday and
// within its dates, the booking deadline (Europe/Paris) has not passed,
// and a place is left. A forfait is booked for its whole period (month,
// school period or school year) by one click on any open day, priced
// once, until the booking deadline of the period's first day; it is
// cancelled the same way. Prestations of one exclusive group ("repas")
// exclude each other on a day: a click replaces the other demande, or asks
// for the cancellation of the other validated booking when its window is
// still open. Prices follow the family's quotient familial on the day
// (calendar.Price) and are copied onto the cart line, then the
// reservation. A click carries the intent the parent saw (réserver,
// retirer, annuler, garder): when the other guardian changed the cell
// first, the click changes nothing (ErrStale). Demandes whose deadline
// passed are dropped, with a notice, when the cart is shown (PurgeExpired)
// and when it is validated (CheckCart).
//
// # API for billing
//
// All take the commune's *sql.Tx inside billing's own transaction:
//
//	CheckCart(ctx, tx, familyID, regieID, now) (CartCheck, error)
//	    re-validates every line (child still in the family, prestation of
//	    the régie, deadlines and calendar, capacity, exclusivity, not
//	    already booked), deletes those that no longer hold and returns the
//	    kept lines with their prices, the removed ones with French
//	    reasons, and the total in cents (cancellations negative).
//	HoldCart(ctx, db, tx, familyID, regieID, orderRef, now) (CartCheck, error)
//	    "Valider" of a prepaid cart: CheckCart's checks, done once, and the
//	    kept lines held for the order (holds; a demande's place counted in
//	    slot_counts at once), so that no other path books them.
//	ConfirmHolds(ctx, tx, familyID, orderRef, now) (ConfirmResult, error)
//	    the order is paid: its holds become reservations (and
//	    cancellations) without checking again; the lines leave the cart.
//	    A day closed while the order waited (AddClosure or
//	    AddPartialClosure released its hold at once) is rejected with
//	    ReasonDayClosed: the closure wins, billing credits its amount.
//	    A forfait is booked whole; ForfaitDaysClosedSince gives the share
//	    of each of its days closed after the order was placed (the rule
//	    of a closure over a booked forfait, ForfaitClosureShares: price /
//	    days held in the period, rounded down, closures taken in the order
//	    they were created), which billing credits.
//	PendingOrdersOn(ctx, q, closure) (int, error)
//	    how many orders waiting for their payment a closure concerns.
//	ReleaseHolds(ctx, tx, orderRef) (int, error)
//	    the order will not be paid: its places are free at once.
//	ConfirmLines(ctx, tx, familyID, lineIDs, orderRef, now) (ConfirmResult, error)
//	    turns those lines into validated reservations (order_ref) and
//	    cancellations (cancel_order_ref), re-checking capacity,
//	    exclusivity and the child, not deadlines (call CheckCart first for
//	    a late payment); rejected lines are reported with their reasons and
//	    prices, never confirmed; every line found leaves the cart.
//	CancelReservation(ctx, tx, id, orderRef, now) error
//	    cancels one validated reservation and frees its place (closures).
//
// and, for invoices and receipts, reading through any tenants.Querier:
//
//	MonthReservations(ctx, q, familyID, regieID, year, month) ([]Reservation, error)
//	OrderReservations(ctx, q, orderRef) ([]Reservation, error)
//	LoadReservation(ctx, q, id) (Reservation, error)
//	CartLines(ctx, q, familyID, regieID) ([]CartLine, error)
//	ReservationsOn(ctx, q, day) ([]Reservation, error)
//
// Reservation carries the child's and the prestation's names, the day (or
// forfait period) and PriceCents, the unit price copied at booking.
//
// "Valider" on a prepaid régie's cart posts to /famille/paiement, whose
// handler calls Config.Checkout (billing's, wired in app.New) with the
// family and the régie; while it is nil the page says that online payment
// is not available and nothing changes. On a post-paid régie "Valider"
// runs ValidatePostpaid: CheckCart, then ConfirmLines, at once.
package booking
