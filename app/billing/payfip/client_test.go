package payfip_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"espacefamille/app/billing/payfip"
	"espacefamille/app/billing/payfip/payfiptest"
)

func newClient(srv *payfiptest.Server) *payfip.Client {
	return &payfip.Client{Endpoint: srv.Endpoint(), PaymentURL: srv.PaymentURL(), Numcli: "012345", Saisie: "T"}
}

func payment() payfip.Payment {
	return payfip.Payment{Refdet: "EF20261128ABCD", AmountCents: 765, Email: "famille.x@example.org",
		Object: "Régie cantine – FAMILLE X", Year: 2026, NotifyURL: "http://app.test/notif", RedirectURL: "http://app.test/retour"}
}

func TestCreateAndDetailAgainstFake(t *testing.T) {
	srv := payfiptest.New()
	defer srv.Close()
	c := newClient(srv)
	ctx := context.Background()
	id, err := c.Create(ctx, payment())
	if err != nil {
		t.Fatal(err)
	}
	op, _ := srv.Op(id)
	if op.Request.Montant != "765" || op.Request.Objet != "Regie cantine FAMILLE X" || op.Request.Saisie != "T" || op.Request.Exer != "2026" {
		t.Errorf("request as received = %+v", op.Request)
	}
	if !strings.HasPrefix(c.PageURL(id), srv.PaymentURL()+"?idop=") {
		t.Errorf("page URL %s", c.PageURL(id))
	}
	// Before the parent finishes: P5.
	if _, err := c.Detail(ctx, id); payfip.FaultCode(err) != payfip.CodeInProgress {
		t.Fatalf("in progress: err = %v", err)
	}
	srv.Finish(id, "P")
	d, err := c.Detail(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	st, cents, at, err := d.Outcome(paris)
	if err != nil || st != payfip.Paid || cents != 765 || at.IsZero() || d.Numauto == "" || d.Refdet != "EF20261128ABCD" {
		t.Fatalf("detail = %+v %s %d %v %v", d, st, cents, at, err)
	}
	// Purged the night after: P1.
	srv.Purge(id)
	if _, err := c.Detail(ctx, id); payfip.FaultCode(err) != payfip.CodeUnknown {
		t.Fatalf("purged: err = %v", err)
	}
}

func TestCreateFaultsAndValidation(t *testing.T) {
	srv := payfiptest.New()
	defer srv.Close()
	c := newClient(srv)
	ctx := context.Background()
	srv.FailWith("create", "R3")
	if _, err := c.Create(ctx, payment()); payfip.FaultCode(err) != "R3" {
		t.Fatalf("R3: err = %v", err)
	}
	srv.FailWith("create", "")
	bad := payment()
	bad.Refdet = "AB-1"
	if _, err := c.Create(ctx, bad); !errors.Is(err, payfip.ErrRequest) {
		t.Fatalf("bad refdet: err = %v", err)
	}
	bad = payment()
	bad.AmountCents = 0
	if _, err := c.Create(ctx, bad); !errors.Is(err, payfip.ErrRequest) {
		t.Fatalf("zero amount: err = %v", err)
	}
	if _, err := (&payfip.Client{Endpoint: srv.Endpoint(), Numcli: "", Saisie: "T"}).Create(ctx, payment()); !errors.Is(err, payfip.ErrConfig) {
		t.Fatalf("no numcli: err = %v", err)
	}
	if srv.Ops() != 0 {
		t.Errorf("invalid requests reached the service: %d ops", srv.Ops())
	}
}

func TestTransportErrors(t *testing.T) {
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "bad gateway", http.StatusBadGateway)
	}))
	defer down.Close()
	c := &payfip.Client{Endpoint: down.URL, Numcli: "012345", Saisie: "T"}
	if _, err := c.Detail(context.Background(), "OP1"); err == nil || payfip.FaultCode(err) != "" {
		t.Fatalf("502: err = %v", err)
	}
}

// The régie's client number is exactly 6 digits (issue 9 §4).
func TestNumcliIsExactlySixDigits(t *testing.T) {
	for _, tc := range []struct {
		numcli string
		ok     bool
	}{
		{"012345", true}, {"999999", true}, {"", false}, {"12345", false}, {"1234567", false},
		{"01234A", false}, {" 12345", false}, {"０１２３４５", false},
	} {
		if got := payfip.ValidNumcli(tc.numcli); got != tc.ok {
			t.Errorf("ValidNumcli(%q) = %v, want %v", tc.numcli, got, tc.ok)
		}
		err := (&payfip.Client{Numcli: tc.numcli, Saisie: "T"}).Validate()
		if (err == nil) != tc.ok {
			t.Errorf("Validate with numcli %q: %v", tc.numcli, err)
		}
	}
}

// Amounts outside 1,00 € – 100 000,00 € are never sent (issue 9 §4).
func TestAmountLimitsAreNotSent(t *testing.T) {
	srv := payfiptest.New()
	defer srv.Close()
	c := newClient(srv)
	for _, tc := range []struct {
		cents int64
		ok    bool
	}{{0, false}, {1, false}, {99, false}, {100, true}, {100_000_00, true}, {100_000_01, false}} {
		p := payment()
		p.AmountCents = tc.cents
		_, err := c.Create(context.Background(), p)
		if tc.ok != (err == nil) || (!tc.ok && !errors.Is(err, payfip.ErrRequest)) {
			t.Errorf("%d cents: err = %v", tc.cents, err)
		}
	}
	if srv.Ops() != 2 {
		t.Errorf("operations created = %d, want 2", srv.Ops())
	}
}
