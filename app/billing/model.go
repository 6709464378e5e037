package billing

import (
	"errors"
	"fmt"
	"time"

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/tenants"
)

// Order kinds.
const (
	KindCart    = "cart"    // a prepaid cart
	KindInvoice = "invoice" // an open invoice of a post-paid régie
)

// Order statuses.
const (
	OrderPending   = "pending"
	OrderPaid      = "paid"
	OrderRefused   = "refused"
	OrderAbandoned = "abandoned"
	OrderExpired   = "expired"
	OrderCancelled = "cancelled" // replaced by a newer order of the same cart
	OrderCredited  = "credited"  // paid too late, amount turned into credit
)

// Invoice statuses.
const (
	InvoiceOpen = "open" // "en cours"
	InvoicePaid = "paid" // "payée"
)

// OrderTTL is how long an order waits for its payment.
const OrderTTL = 30 * time.Minute

// Errors of the payment flow.
var (
	ErrNotFound       = tenants.NotFound("billing: not found")
	ErrAmountMismatch = errors.New("billing: paid amount does not match the order")
	ErrRefMismatch    = errors.New("billing: provider answer is about another order")
	ErrEmptyCart      = errors.New("billing: empty cart")
)

// Line is one priced line of an order or an invoice.
type Line struct {
	CartLineID    int64
	ReservationID int64
	ChildName     string
	Prestation    string
	Day           calendar.Date
	Label         string // e.g. "Annulation" or the forfait period
	Quantity      int64
	UnitCents     int64
	AmountCents   int64
	// Refusal is why a cart line could not be held at "Valider" ("complet"):
	// the order shows it before the payment page, and never charges it.
	Refusal string
	// Why is the invoice page's "Pourquoi ce prix ?" (ExplainInvoice).
	Why *booking.PriceWhy
	// NotBooked is why a held line was not booked when the payment
	// arrived ("fermé": its day was closed meanwhile): its amount became
	// credit, and the receipt lists it with that reason.
	NotBooked string
	// ShareOf is, for a day of a forfait closed while its order waited
	// for the payment, the number of days the forfait's share was counted
	// over ("1 jour sur ShareOf"): the forfait was booked whole, and
	// AmountCents, that day's share, became credit (Order.ClosedDays).
	ShareOf int
}

// Order is a payment request for a cart or an invoice.
type Order struct {
	ID          int64
	Ref         string
	Kind        string
	FamilyID    int64
	RegieID     int64
	InvoiceID   int64
	Email       string
	TotalCents  int64
	CreditCents int64
	AmountCents int64
	Status      string
	Provider    string
	ProviderRef string
	CreatedAt   time.Time
	ExpiresAt   time.Time
	ClosedAt    time.Time
	Outcome     string
	Lines       []Line
	// ClosedDays are the days of the forfaits it booked that a closure
	// created while it waited for its payment closes: each day's share
	// (Line.ShareOf) became credit at payment.
	ClosedDays []Line
}

// Held lists the order's lines that were held (or, for an invoice, its
// lines): what the order charges.
func (o Order) Held() []Line {
	var out []Line
	for _, l := range o.Lines {
		if l.Refusal == "" {
			out = append(out, l)
		}
	}
	return out
}

// Refused lists the cart lines that could not be held at "Valider".
func (o Order) Refused() []Line {
	var out []Line
	for _, l := range o.Lines {
		if l.Refusal != "" {
			out = append(out, l)
		}
	}
	return out
}

// Booked lists what a settled order booked or cancelled: the lines of a
// cart turned into reservations (or cancellations), every line of the
// invoice it paid; nothing when its money became credit.
func (o Order) Booked() []Line {
	if o.Status == OrderCredited {
		return nil
	}
	if o.Kind == KindInvoice {
		return o.Lines
	}
	var out []Line
	for _, l := range o.Held() {
		if l.ReservationID != 0 {
			out = append(out, l)
		}
	}
	return out
}

// NotBooked lists the held lines that the payment could not book (their
// day closed meanwhile…), with their reasons: their amount became credit.
func (o Order) NotBooked() []Line {
	var out []Line
	for _, l := range o.Lines {
		if l.Refusal == "" && l.NotBooked != "" {
			out = append(out, l)
		}
	}
	return append(out, o.ClosedDays...)
}

// NotBookedText is "fermé le 07/01 : 4,20 € en avoir" for a line the
// payment could not book ("fermé le 07/01, 1 jour sur 19 du forfait :
// 2,10 € en avoir" for a forfait's closed day) (an annulation not made credits nothing:
// "réservation déjà annulée le 07/01").
func (l Line) NotBookedText() string {
	s := fmt.Sprintf("%s le %02d/%02d", l.NotBooked, l.Day.Day(), int(l.Day.Month()))
	if l.ShareOf > 0 {
		s += fmt.Sprintf(", 1 jour sur %d du forfait", l.ShareOf)
	}
	if l.AmountCents > 0 {
		s += " : " + calendar.FormatEuros(l.AmountCents) + " en avoir"
	}
	return s
}

// RefusalText is "complet le 07/01" for a refused line.
func (l Line) RefusalText() string {
	return fmt.Sprintf("%s le %02d/%02d", l.Refusal, l.Day.Day(), int(l.Day.Month()))
}

// Payment is a confirmed payment of an order.
type Payment struct {
	ID          int64
	OrderID     int64
	Provider    string
	ProviderRef string
	AmountCents int64
	AuthNumber  string
	PaidAt      time.Time
	Late        bool
}

// Invoice is a facture, "en cours" or "payée".
type Invoice struct {
	ID           int64
	RegieID      int64
	RegieName    string
	FamilyID     int64
	Number       string
	Status       string
	PayerName    string
	IssuedOn     calendar.Date
	DueOn        calendar.Date
	PeriodStart  calendar.Date
	PeriodEnd    calendar.Date
	PeriodKey    string
	TotalCents   int64
	CreditCents  int64
	PaidCents    int64
	PaidAt       time.Time
	PaymentMeans string
	OrderID      int64
	Lines        []Line
}

// Paid reports whether the invoice is "payée".
func (i Invoice) Paid() bool { return i.Status == InvoicePaid }

// DueCents is what remains to pay on the invoice.
func (i Invoice) DueCents() int64 {
	if i.Paid() {
		return 0
	}
	return i.TotalCents - i.CreditCents - i.PaidCents
}

// Credit is one row of the credits ledger.
type Credit struct {
	ID          int64
	FamilyID    int64
	RegieID     int64
	Kind        string
	AmountCents int64
	Label       string
	OrderID     int64
	CreatedAt   time.Time
}

func parisLoc() *time.Location { return calendar.Paris() }

// Summary is the invoice's line in "Mes factures", as in the memento:
// "Facture du 01/12/2017 pour M FAMILLE X Y payée le 28/11/2017 10:08:14
// (ref.: 2017-GM-00019)" (the amount follows).
func (i Invoice) Summary() string {
	s := "Facture du " + i.IssuedOn.FR() + " pour " + i.PayerName
	if i.Paid() {
		s += " payée le " + i.PaidAt.In(parisLoc()).Format("02/01/2006 15:04:05")
	} else if !i.DueOn.IsZero() {
		s += " à régler avant le " + i.DueOn.FR()
	}
	return s + " (ref.: " + i.Number + ")"
}

// Total is the invoice's total in French ("15,30 €").
func (i Invoice) Total() string { return calendar.FormatEuros(i.TotalCents) }

// FormatCents renders cents the French way ("15,30 €").
func FormatCents(cents int64) string { return calendar.FormatEuros(cents) }
