package booking_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"espacefamille/app/booking"
)

// A régie is created with the simulator until a provider is chosen, its
// invoices are numbered with its prefix ("R<id>" without one), two régies
// never share a name, and its PayFiP settings are written once, then
// updated; an unknown provider is refused and changes nothing.
func TestRegieSettingsAndPaymentProvider(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	save := func(r booking.Regie) (int64, error) {
		var id int64
		err := f.db.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			id, err = booking.SaveRegie(ctx, tx, r, f.Clock.Now())
			return err
		})
		return id, err
	}
	load := func(id int64) booking.Regie {
		t.Helper()
		r, err := booking.LoadRegie(ctx, f.db.Reader(), id)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	id, err := save(booking.Regie{Name: "REGIE PERISCOLAIRE", Mode: booking.ModePostpaid})
	if err != nil {
		t.Fatal(err)
	}
	r := load(id)
	if r.Provider != booking.ProviderSimulator || r.Prefix() != "R"+itoa(id) || r.ModeLabel() != "post-paiement" || r.Prepaid() || r.Payment.Saisie != "T" {
		t.Fatalf("new post-paid régie: %+v, prefix %q, %q", r, r.Prefix(), r.ModeLabel())
	}
	r.InvoicePrefix, r.Mode = "PERI", booking.ModePrepaid
	if got, err := save(r); err != nil || got != id {
		t.Fatalf("update: %d %v", got, err)
	}
	if r = load(id); r.Prefix() != "PERI" || r.ModeLabel() != "prépaiement" || !r.Prepaid() {
		t.Fatalf("updated régie: %+v, prefix %q, %q", r, r.Prefix(), r.ModeLabel())
	}
	if _, err := save(booking.Regie{Name: "REGIE PERISCOLAIRE", Mode: booking.ModePrepaid}); !errors.Is(err, booking.ErrDuplicateRegie) {
		t.Fatalf("a second régie of that name: %v", err)
	}
	cantine := load(f.cantine)
	cantine.Name = "REGIE PERISCOLAIRE"
	if _, err := save(cantine); !errors.Is(err, booking.ErrDuplicateRegie) {
		t.Fatalf("renaming the cantine to the périscolaire's name: %v", err)
	}
	if _, err := save(booking.Regie{ID: id + 100, Name: "REGIE FANTOME", Mode: booking.ModePrepaid}); !errors.Is(err, booking.ErrNotFound) {
		t.Fatalf("updating a régie that does not exist: %v", err)
	}

	provider := func(p string, s booking.PaymentSettings) error {
		return f.db.Tx(ctx, func(tx *sql.Tx) error { return booking.SetPaymentProvider(ctx, tx, id, p, s) })
	}
	if err := provider("paypal", booking.PaymentSettings{Numcli: "123456"}); err == nil {
		t.Fatal("an unknown provider was accepted")
	}
	if err := provider(booking.ProviderPayFiP, booking.PaymentSettings{Numcli: "123456", Endpoint: "https://payfip.example/ws"}); err != nil {
		t.Fatal(err)
	}
	want := booking.PaymentSettings{Numcli: "123456", Saisie: "T", Endpoint: "https://payfip.example/ws"}
	if r = load(id); r.Provider != booking.ProviderPayFiP || r.Payment != want {
		t.Fatalf("PayFiP chosen: %s %+v, want %+v", r.Provider, r.Payment, want)
	}
	want = booking.PaymentSettings{Numcli: "654321", Saisie: "X", PaymentURL: "https://payfip.example/pay"}
	if err := provider(booking.ProviderPayFiP, want); err != nil {
		t.Fatal(err)
	}
	if r = load(id); r.Payment != want {
		t.Fatalf("settings changed: %+v, want %+v", r.Payment, want)
	}
	if err := provider(booking.ProviderSimulator, want); err != nil || load(id).Provider != booking.ProviderSimulator {
		t.Fatalf("back to the simulator: %v %+v", err, load(id))
	}
}

// A prestation's majoration for a child present without a booking is
// read back as written; an unknown prestation has none to read.
func TestPrestationSurchargeIsReadBackAsWritten(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	for _, s := range []booking.Surcharge{{Kind: "percent", Value: 10}, {Kind: "fixed", Value: 150}, {}} {
		if err := f.db.Tx(ctx, func(tx *sql.Tx) error { return booking.SetSurcharge(ctx, tx, f.classique, s) }); err != nil {
			t.Fatal(err)
		}
		if got, err := booking.PrestationSurcharge(ctx, f.db.Reader(), f.classique); err != nil || got != s {
			t.Fatalf("surcharge %+v read back as %+v, %v", s, got, err)
		}
	}
	if _, err := booking.PrestationSurcharge(ctx, f.db.Reader(), f.classique+1000); !errors.Is(err, booking.ErrNotFound) {
		t.Fatalf("surcharge of an unknown prestation: %v", err)
	}
}
