package billing_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"espacefamille/app/apptest"
	"espacefamille/app/billing"
	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/demo"
)

func (e *env) newInvoice(tx *sql.Tx, status string) (billing.Invoice, error) {
	day := calendar.DateOf(e.clock.Now().Year(), time.November, 28)
	return billing.CreateInvoice(context.Background(), tx, billing.NewInvoice{RegieID: e.cantine, FamilyID: e.family,
		Status: status, IssuedOn: day, DueOn: day.AddDays(30), PaidAt: e.clock.Now(), PaymentMeans: "Carte bancaire (PayFiP)",
		Lines: []billing.Line{
			{ChildName: "Fille FAMILLE X", Prestation: "REPAS VEGETARIEN", Day: day, Quantity: 3, UnitCents: 255, AmountCents: 765},
			{ChildName: "Garçon FAMILLE X", Prestation: "REPAS CLASSIQUE ENFANT", Day: day.AddDays(1), Quantity: 3, UnitCents: 255, AmountCents: 765},
		}}, e.clock.Now())
}

func TestInvoiceNumbersGapFreeUnder50ConcurrentPayments(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	rollback := errors.New("rolled back")
	var mu sync.Mutex
	var numbers []string
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := e.db.Tx(ctx, func(tx *sql.Tx) error {
				inv, err := e.newInvoice(tx, billing.InvoicePaid)
				if err != nil {
					return err
				}
				if i%7 == 3 { // a payment transaction that fails after numbering
					return rollback
				}
				mu.Lock()
				numbers = append(numbers, inv.Number)
				mu.Unlock()
				return nil
			})
			if err != nil && !errors.Is(err, rollback) {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	sort.Strings(numbers)
	year := e.clock.Now().Year()
	for i, n := range numbers {
		if want := fmt.Sprintf("%d-GM-%05d", year, i+1); n != want {
			t.Fatalf("number %d = %s, want %s (gap or duplicate)", i, n, want)
		}
	}
	if len(numbers) != 50-7 || e.count(`SELECT COUNT(DISTINCT number) FROM invoices`) != len(numbers) {
		t.Errorf("committed %d numbers", len(numbers))
	}
}

func TestInvoicePDFHoldsReferenceAndTotal(t *testing.T) {
	e := newEnv(t)
	var inv billing.Invoice
	err := e.db.Tx(context.Background(), func(tx *sql.Tx) error {
		var err error
		inv, err = e.newInvoice(tx, billing.InvoicePaid)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	r := e.do(http.MethodGet, fmt.Sprintf("/famille/factures/%d/pdf", inv.ID), nil, e.family)
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Body, "%PDF-") {
		t.Fatalf("pdf: %d %.20q", r.Status, r.Body)
	}
	got := apptest.PDFText(t, []byte(r.Body))
	for _, want := range []string{inv.Number, "15,30", "Commune de Malemort du Comtat", "REGIE CANTINE - prépaiement", "M FAMILLE X Y", "Payée le", "Fille FAMILLE X",
		"moyen de paiement : Carte bancaire", "Période : du", "article 256 B du code général des impôts"} {
		if !strings.Contains(got, want) {
			t.Errorf("PDF text lacks %q:\n%s", want, got)
		}
	}
	// Détail page, and another family's invoice is not found.
	d := e.do(http.MethodGet, fmt.Sprintf("/famille/factures/%d", inv.ID), nil, e.family)
	mustContain(t, d.Body, inv.Number, "REPAS VEGETARIEN", "2,55", "15,30", "Télécharger la facture (PDF)")
	for _, p := range []string{"/famille/factures/%d", "/famille/factures/%d/pdf"} {
		if r := e.do(http.MethodGet, fmt.Sprintf(p, inv.ID), nil, e.family+1); r.Status != http.StatusNotFound {
			t.Errorf("another family got %s: %d", p, r.Status)
		}
	}
}

func TestCancellationCreditReducesTheNextOrder(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.payThenCancelOne() // one validated, paid meal cancelled inside the window
	out, err := e.h.Service().StartCart(ctx, e.db, e.com, e.family, e.cantine, "")
	if err != nil || out.RedirectURL != "" || out.Order.Status != billing.OrderPaid {
		t.Fatalf("cancellation order: %+v %v", out, err)
	}
	if bal, _ := billing.CreditBalance(ctx, e.db.Reader(), e.family, e.cantine); bal != 255 {
		t.Fatalf("credit after cancellation = %d, want 255", bal)
	}
	e.book(e.children[1], 3)
	r := e.checkout()
	if r.Status != http.StatusSeeOther {
		t.Fatalf("checkout: %d", r.Status)
	}
	o := e.lastOrder()
	if o.TotalCents != 765 || o.CreditCents != 255 || o.AmountCents != 510 {
		t.Fatalf("next order = total %d credit %d amount %d", o.TotalCents, o.CreditCents, o.AmountCents)
	}
}

// bookGarderieNextMonth books and validates the garderie forfait of next
// month (post-paid) for the first child, and returns the month's first day.
func (e *env) bookGarderieNextMonth() calendar.Date {
	e.t.Helper()
	ctx := context.Background()
	now := e.clock.Now()
	next := calendar.Today(now).AddMonths(1)
	first := calendar.DateOf(next.Year(), next.Month(), 1)
	var booked bool
	for d := first; d.Month() == first.Month() && !booked; d = d.AddDays(1) {
		_, err := booking.ToggleCell(ctx, e.db, booking.Click{FamilyID: e.family, RegieID: e.garderie, ChildID: e.children[0],
			PrestationID: e.prestations["GARDERIE MATIN ET SOIR"], Day: d, Intent: booking.IntentBook}, now)
		booked = err == nil
	}
	if !booked {
		e.t.Fatal("no garderie day bookable")
	}
	if _, err := booking.ValidatePostpaid(ctx, e.db, e.family, e.garderie, now); err != nil {
		e.t.Fatal(err)
	}
	return first
}

func TestMonthlyRunIsIdempotent(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	first := e.bookGarderieNextMonth()
	e.clock.Set(first.AddMonths(1).At(9, 0)) // the month is over
	for i, want := range []billing.RunReport{{Regies: 1, Created: 1, TotalCents: 2500}, {Regies: 1, Existing: 1}} {
		rep, err := e.h.Service().RunMonth(ctx, e.db, e.com, first.Year(), first.Month(), "http://ef.test/malemort-du-comtat/famille/factures")
		if err != nil {
			t.Fatal(err)
		}
		if rep.Created != want.Created || rep.Existing != want.Existing || rep.TotalCents != want.TotalCents {
			t.Errorf("run %d = %+v, want %+v", i+1, rep, want)
		}
	}
	if e.count(`SELECT COUNT(*) FROM invoices WHERE status = 'open'`) != 1 || e.count(`SELECT COUNT(*) FROM outbox WHERE kind = 'invoice_available'`) != 1 {
		t.Error("not exactly one open invoice and one email")
	}
	list := e.do(http.MethodGet, "/famille/factures", nil, e.family)
	mustContain(t, list.Body, "Factures en cours", "à régler avant le", "-GA-00001", "25,00")
	// Paid online through the same provider.
	var id int64
	e.scalar(`SELECT id FROM invoices`, &id)
	e.do(http.MethodGet, fmt.Sprintf("/famille/factures/%d", id), nil, e.family)
	r := e.do(http.MethodPost, fmt.Sprintf("/famille/factures/%d/payer", id), url.Values{}, e.family)
	if r.Status != http.StatusSeeOther || !strings.Contains(r.Location, "/paiement/simulateur/") {
		t.Fatalf("pay invoice: %d %s %s", r.Status, r.Location, r.Body)
	}
}

// Issue 9 item 17: the "nouvelle facture" notice went to the family's
// address on file only; the parents' accounts linked to the family get
// it too, as the payment receipt reaches the paying account.
func TestNewInvoiceNoticeReachesLinkedParents(t *testing.T) {
	e := newEnv(t)
	e.ParentAccount(demo.Slug, e.family, "Parent.Lie@Example.org", apptest.ParentPassword)
	e.ParentAccount(demo.Slug, e.family, "famille.x@example.org", apptest.ParentPassword+"2") // the address on file: once
	to := e.invoiceNoticeRecipients(t)
	if strings.Join(to, " ") != "famille.x@example.org parent.lie@example.org" {
		t.Fatalf("invoice notice sent to %v, want the family's address then the linked account's, once each", to)
	}
}
