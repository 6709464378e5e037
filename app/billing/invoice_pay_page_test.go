package billing_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"espacefamille/app/billing"
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
