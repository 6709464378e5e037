package billing_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"espacefamille/app/billing"
	"espacefamille/app/booking"
)

// "Payer" on an invoice that cannot go to the payment service brings the
// parent back to the invoice with the reason, and leaves it open: online
// payment not open for the régie, or the payment service down.
func TestInvoicePayerExplainsWhyThePaymentPageDidNotOpen(t *testing.T) {
	for _, c := range []struct {
		name string
		deps func(*billing.Deps)
		down bool
		want string
	}{
		{name: "simulator closed outside demo mode", deps: func(d *billing.Deps) { d.RefuseSimulator = true },
			want: "Le paiement en ligne n&#39;est pas encore ouvert pour ce service, contactez la mairie."},
		{name: "PayFiP down", down: true, want: "momentanément indisponible"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnvWith(t, c.deps)
			if c.down {
				e.usePayFiP()
				e.payfip.FailWith("create", "R3")
			}
			inv := e.openInvoice()
			path := "/famille/factures/" + itoa(int(inv.ID))
			e.do(http.MethodGet, path, nil, e.family)
			r := e.do(http.MethodPost, path+"/payer", url.Values{}, e.family)
			if r.Status != http.StatusSeeOther || !strings.HasSuffix(r.Location, path) {
				t.Fatalf("payer: %d %s", r.Status, r.Location)
			}
			mustContain(t, e.follow(r, e.family).Body, c.want)
			var status string
			e.scalar(`SELECT status FROM invoices WHERE id = ?`, &status, inv.ID)
			if status != billing.InvoiceOpen || e.count(`SELECT COUNT(*) FROM orders WHERE status IN ('pending', 'paid')`) != 0 {
				t.Errorf("invoice %s, or an order still open", status)
			}
		})
	}
}

// Outside demo mode the simulator takes no payment, but a régie paying
// through PayFiP does, and a cart that needs no payment (it only cancels)
// is settled whatever the régie's provider.
func TestSimulatorRefusalLeavesPayFiPAndPaymentlessCartsAlone(t *testing.T) {
	refuse := func(d *billing.Deps) { d.RefuseSimulator = true }
	t.Run("PayFiP régie", func(t *testing.T) {
		e := newEnvWith(t, refuse)
		e.usePayFiP()
		e.book(e.children[0], 1)
		out, err := e.h.Service().StartCart(context.Background(), e.db, e.com, e.family, e.cantine, "")
		if err != nil || !strings.HasPrefix(out.RedirectURL, e.payfip.PaymentURL()) {
			t.Fatalf("Valider: %+v %v", out, err)
		}
	})
	t.Run("cancellation only, simulator régie", func(t *testing.T) {
		e := newEnv(t)
		e.payThenCancelOne() // paid while the simulator was open
		closed := billing.NewService(billing.Options{Now: e.clock.Now, Logger: quiet(), RefuseSimulator: true})
		out, err := closed.StartCart(context.Background(), e.db, e.com, e.family, e.cantine, "")
		if err != nil || out.Order.Status != billing.OrderPaid || out.RedirectURL != "" {
			t.Fatalf("Valider: %+v %v", out, err)
		}
	})
	t.Run("a régie without provider is the simulator", func(t *testing.T) {
		e := newEnvWith(t, refuse)
		if e.h.Service().PaymentOpen(booking.Regie{Provider: ""}) || e.h.Service().PaymentOpen(booking.Regie{Provider: billing.ProviderSimulator}) ||
			!e.h.Service().PaymentOpen(booking.Regie{Provider: billing.ProviderPayFiP}) || e.h.Service().SimulatorOpen() {
			t.Error("payment open where it should not be, or closed for PayFiP")
		}
	})
}
