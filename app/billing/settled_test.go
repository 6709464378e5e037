package billing_test

import (
	"strings"
	"testing"
	"time"

	"espacefamille/app/billing"
	"espacefamille/app/calendar"
)

func line(amount, reservation int64, label, refusal string) billing.Line {
	return billing.Line{ChildName: "Fille FAMILLE X", Prestation: "REPAS CLASSIQUE ENFANT", Day: calendar.DateOf(2026, time.January, 7),
		Label: label, Quantity: 1, UnitCents: amount, AmountCents: amount, ReservationID: reservation, Refusal: refusal}
}

// What an order settled without payment says to the parent (issue 9 §3).
func TestSettledNoticeSaysWhatHappened(t *testing.T) {
	nbsp := calendar.NBSP
	for _, tc := range []struct {
		name  string
		order billing.Order
		want  string
	}{
		{"a cart that only cancels one meal", billing.Order{Kind: billing.KindCart, Status: billing.OrderPaid,
			Lines: []billing.Line{line(-255, 1, "Annulation", "")}},
			"Annulation confirmée : un avoir de 2,55" + nbsp + "€ est ajouté à votre compte."},
		{"a demande and two cancellations", billing.Order{Kind: billing.KindCart, Status: billing.OrderPaid,
			Lines: []billing.Line{line(255, 1, "", ""), line(-255, 2, "Annulation", ""), line(-255, 3, "Annulation", "")}},
			"Demande validée : un avoir de 2,55" + nbsp + "€ est ajouté à votre compte."},
		{"a replacement, total zero", billing.Order{Kind: billing.KindCart, Status: billing.OrderPaid,
			Lines: []billing.Line{line(255, 1, "", ""), line(-255, 2, "Annulation", "")}},
			"Demande validée : aucun montant n'est dû."},
		{"demandes covered by an avoir", billing.Order{Kind: billing.KindCart, Status: billing.OrderPaid, CreditCents: 510,
			Lines: []billing.Line{line(255, 1, "", ""), line(255, 2, "", "")}},
			"Demande validée : votre avoir de 5,10" + nbsp + "€ couvre son montant, aucun paiement n'est nécessaire."},
		{"a cancellation that could not be confirmed gives nothing", billing.Order{Kind: billing.KindCart, Status: billing.OrderPaid,
			Lines: []billing.Line{line(-255, 0, "Annulation", "")}},
			"Demande validée : aucun montant n'est dû."},
		{"an invoice paid by an avoir", billing.Order{Kind: billing.KindInvoice, Status: billing.OrderPaid, CreditCents: 1530,
			Lines: []billing.Line{line(1530, 0, "", "")}},
			"Facture réglée par votre avoir de 15,30" + nbsp + "€ : aucun paiement n'est nécessaire."},
	} {
		if got := tc.order.SettledNotice(); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// What a settled order lists: only what it booked (issue 10 §1).
func TestOrderListsExactlyWhatWasHeldAndBooked(t *testing.T) {
	o := billing.Order{Kind: billing.KindCart, Status: billing.OrderPaid, Lines: []billing.Line{
		line(255, 11, "", ""), line(255, 0, "", ""), line(255, 0, "", "complet")}}
	if n := len(o.Held()); n != 2 {
		t.Errorf("held = %d, want 2", n)
	}
	if r := o.Refused(); len(r) != 1 || r[0].RefusalText() != "complet le 07/01" {
		t.Errorf("refused = %+v", r)
	}
	if b := o.Booked(); len(b) != 1 || b[0].ReservationID != 11 {
		t.Errorf("booked = %+v", b)
	}
	o.Status = billing.OrderCredited
	if b := o.Booked(); len(b) != 0 {
		t.Errorf("a credited order lists %d booked lines", len(b))
	}
	inv := billing.Order{Kind: billing.KindInvoice, Status: billing.OrderPaid, Lines: []billing.Line{line(765, 0, "", "")}}
	if len(inv.Booked()) != 1 {
		t.Error("an invoice order's lines are what it paid")
	}
}

// A receipt pretends a payment only when money was paid.
func TestReceiptTitleAndTicket(t *testing.T) {
	for _, tc := range []struct {
		name         string
		r            billing.Receipt
		title        string
		ticket, paid bool
	}{
		{"paid by card", billing.Receipt{AmountCents: 765, Lines: []billing.Line{line(765, 1, "", "")}}, "Le résumé de votre paiement", true, true},
		{"cart without payment", billing.Receipt{Notice: "Annulation confirmée : …", Lines: []billing.Line{line(-255, 1, "Annulation", "")}}, "Demande validée", false, false},
		{"invoice by avoir", billing.Receipt{Invoice: true, CreditCents: 765, Notice: "Facture réglée …", Lines: []billing.Line{line(765, 0, "", "")}}, "Facture réglée", false, false},
	} {
		if got := tc.r.Title(); got != tc.title {
			t.Errorf("%s: title %q", tc.name, got)
		}
		text, html, err := tc.r.Mail()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for _, body := range []string{text, html} {
			if strings.Contains(body, "ticket de paiement") != tc.ticket || strings.Contains(body, "Montant payé") != tc.paid {
				t.Errorf("%s: ticket/amount shown wrongly:\n%s", tc.name, body)
			}
		}
	}
}
