package billing_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"espacefamille/app/billing"
	"espacefamille/app/booking"
	"espacefamille/app/calendar"
)

// A forfait held by an order waiting for its payment, over a day closed
// meanwhile: the closure wins, as for a meal. The forfait is booked whole
// at payment, and each closed day's share of its price (the price over
// the days the forfait is held in its period, closures taken in the order
// they were created, as for a forfait a closure meets after its booking)
// becomes the family's avoir in the payment's transaction; the receipt
// page and email list the day under "Non réservé".
func TestClosureWinsOverAForfaitWaitingForItsPayment(t *testing.T) {
	for _, c := range []struct {
		name   string
		closed int  // days of the forfait closed while the order waits
		other  bool // the closure is of another prestation only
		before bool // the day was closed before "Valider"
	}{
		{name: "one day of the forfait closed for the whole commune: its share is avoir", closed: 1},
		{name: "two days closed one after the other: the second share counts one day less", closed: 2},
		{name: "another prestation closed that day: nothing credited", closed: 1, other: true},
		{name: "the day was closed before Valider: the forfait's price knew it, nothing credited", closed: 1, before: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			e.usePayFiP()
			ctx := context.Background()
			var forfait int64
			if err := e.db.Tx(ctx, func(tx *sql.Tx) error {
				var err error
				forfait, err = booking.CreatePrestation(ctx, tx, booking.PrestationInput{RegieID: e.cantine, Name: "FORFAIT CANTINE",
					Kind: booking.KindForfait, ForfaitKind: calendar.ForfaitMonth, Weekdays: calendar.SchoolWeekNoWed, PriceCents: 4000,
					Booking: calendar.Deadline{Days: 1, Hour: 10}, Cancel: calendar.Deadline{Days: 1, Hour: 10}}, e.clock.Now())
				return err
			}); err != nil {
				t.Fatal(err)
			}
			year := e.clock.Now().Year()
			cal, err := booking.LoadCalendar(ctx, e.db.Reader())
			if err != nil {
				t.Fatal(err)
			}
			// The days the forfait is held in November: Monday, Tuesday,
			// Thursday and Friday, school days open in the calendar.
			var held []calendar.Date
			for d := calendar.DateOf(year, time.November, 1); d.Month() == time.November; d = d.AddDays(1) {
				if wd := d.Weekday(); wd != time.Wednesday && wd != time.Saturday && wd != time.Sunday && cal.IsOpen(d) {
					held = append(held, d)
				}
			}
			closed := []calendar.Date{held[len(held)-3], held[5]} // closed in that order
			closed = closed[:c.closed]
			closeDays := func() {
				t.Helper()
				for _, d := range closed {
					e.clock.Advance(time.Minute)
					if err := e.db.Tx(ctx, func(tx *sql.Tx) error {
						if c.other {
							_, err := booking.AddPartialClosure(ctx, tx, calendar.ScopedClosure{Date: d, Reason: "Grève",
								Prestations: []int64{e.prestations["REPAS CLASSIQUE ENFANT"]}}, e.clock.Now())
							return err
						}
						return booking.AddClosure(ctx, tx, d, "Grève", e.clock.Now())
					}); err != nil {
						t.Fatal(err)
					}
				}
			}
			if c.before {
				closeDays()
			}
			if !e.bookable(e.family, forfait, held[0]) {
				t.Fatalf("the forfait cannot be booked on %s", held[0])
			}
			e.clock.Advance(time.Minute)
			o := e.startCart()
			if !c.before {
				closeDays()
			}
			got, err := e.payOnPayFiP(o)
			if err != nil || got.Status != billing.OrderPaid {
				t.Fatalf("paid: %s %q %v", got.Status, got.Outcome, err)
			}
			if n := e.count(`SELECT COUNT(*) FROM reservations WHERE order_ref = ? AND prestation_id = ? AND state = 'validated'`, o.Ref, forfait); n != 1 {
				t.Fatalf("forfait booked %d time(s), want once, whole", n)
			}
			total, _, paid, _ := e.orderInvoice(o)
			if total != 4000 || paid != 4000 {
				t.Errorf("invoice total %d paid %d, want the whole forfait 4000", total, paid)
			}
			var mail string
			e.scalar(`SELECT text_body FROM outbox WHERE kind = 'payment_receipt' ORDER BY id DESC LIMIT 1`, &mail)
			page := e.do("GET", "/famille/paiement/"+o.Ref, nil, e.family).Body
			if c.other || c.before {
				if e.balance() != 0 || len(got.NotBooked()) != 0 || strings.Contains(mail, "Non réservé") || strings.Contains(page, "Non réservé") {
					t.Errorf("avoir %d, not booked %+v: no day of this forfait was closed while it waited", e.balance(), got.NotBooked())
				}
				return
			}
			// Each share over the days still held when its closure came.
			var want int64
			var texts []string
			for i, d := range closed {
				n := len(held) - i
				share := int64(4000 / n)
				want += share
				texts = append(texts, fmt.Sprintf("fermé le %02d/%02d, 1 jour sur %d du forfait : %s en avoir",
					d.Day(), int(d.Month()), n, calendar.FormatEuros(share)))
			}
			if len(texts) == 2 {
				texts[0], texts[1] = texts[1], texts[0] // listed by day
			}
			if e.balance() != want {
				t.Errorf("avoir = %d, want %d", e.balance(), want)
			}
			cr := e.creditsOf(o)
			if len(cr) != 1 || cr[0].Kind != "closure" || cr[0].Amount != want {
				t.Errorf("credits of the order = %+v, want one closure credit of %d", cr, want)
			}
			for _, o := range []billing.Order{got, e.lastOrder()} {
				nb := o.NotBooked()
				if len(nb) != len(texts) {
					t.Fatalf("not booked = %+v, want %d closed day(s)", nb, len(texts))
				}
				for i, l := range nb {
					if l.NotBookedText() != texts[i] || l.Prestation != "FORFAIT CANTINE" {
						t.Errorf("not booked %d = %q (%s), want %q", i, l.NotBookedText(), l.Prestation, texts[i])
					}
				}
			}
			mustContain(t, mail, append([]string{"Non réservé :", "FORFAIT CANTINE"}, texts...)...)
			mustContain(t, page, append([]string{"Non réservé", "FORFAIT CANTINE"}, texts...)...)
		})
	}
}
