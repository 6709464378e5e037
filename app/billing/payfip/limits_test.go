package payfip_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"espacefamille/app/billing/payfip"
	"espacefamille/app/billing/payfip/payfiptest"
)

// The limits PayFiP sets on creerPaiementSecurise, checked before any
// call: a request outside them is refused here, with nothing sent.
func TestCreateRequestLimits(t *testing.T) {
	srv := payfiptest.New()
	defer srv.Close()
	ctx := context.Background()
	email := func(n int) string { return strings.Repeat("a", n-len("@x.fr")) + "@x.fr" }
	tests := []struct {
		name    string
		change  func(p *payfip.Payment)
		wantErr error
	}{
		{"100 000,00 € is the largest amount", func(p *payfip.Payment) { p.AmountCents = 100_000_00 }, nil},
		{"100 000,01 € is refused", func(p *payfip.Payment) { p.AmountCents = 100_000_01 }, payfip.ErrRequest},
		{"zero is refused", func(p *payfip.Payment) { p.AmountCents = 0 }, payfip.ErrRequest},
		{"a negative amount is refused", func(p *payfip.Payment) { p.AmountCents = -100 }, payfip.ErrRequest},
		{"6-character email is the shortest", func(p *payfip.Payment) { p.Email = email(6) }, nil},
		{"5-character email is refused", func(p *payfip.Payment) { p.Email = "a@b.f" }, payfip.ErrRequest},
		{"80-character email is the longest", func(p *payfip.Payment) { p.Email = email(80) }, nil},
		{"81-character email is refused", func(p *payfip.Payment) { p.Email = email(81) }, payfip.ErrRequest},
		{"email without @ is refused", func(p *payfip.Payment) { p.Email = "famille.x.example.org" }, payfip.ErrRequest},
		{"missing notification URL", func(p *payfip.Payment) { p.NotifyURL = "" }, payfip.ErrRequest},
		{"missing redirect URL", func(p *payfip.Payment) { p.RedirectURL = "" }, payfip.ErrRequest},
		{"6-character refdet is the shortest", func(p *payfip.Payment) { p.Refdet = "ABC123" }, nil},
		{"5-character refdet is refused", func(p *payfip.Payment) { p.Refdet = "ABC12" }, payfip.ErrRequest},
		{"30-character refdet is the longest", func(p *payfip.Payment) { p.Refdet = strings.Repeat("Z", 30) }, nil},
		{"31-character refdet is refused", func(p *payfip.Payment) { p.Refdet = strings.Repeat("Z", 31) }, payfip.ErrRequest},
		{"refdet with the letters and digits at both ends of their ranges", func(p *payfip.Payment) { p.Refdet = "azAZ09" }, nil},
		{"refdet with a backquote (before a) is refused", func(p *payfip.Payment) { p.Refdet = "ABC12`" }, payfip.ErrRequest},
		{"refdet with a brace (after z) is refused", func(p *payfip.Payment) { p.Refdet = "ABC12{" }, payfip.ErrRequest},
		{"refdet with an at sign (before A) is refused", func(p *payfip.Payment) { p.Refdet = "ABC12@" }, payfip.ErrRequest},
		{"refdet with a bracket (after Z) is refused", func(p *payfip.Payment) { p.Refdet = "ABC12[" }, payfip.ErrRequest},
		{"refdet with a slash (before 0) is refused", func(p *payfip.Payment) { p.Refdet = "ABC12/" }, payfip.ErrRequest},
		{"refdet with a colon (after 9) is refused", func(p *payfip.Payment) { p.Refdet = "ABC12:" }, payfip.ErrRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := payment()
			tt.change(&p)
			before := srv.Ops()
			id, err := newClient(srv).Create(ctx, p)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || id != "" {
					t.Fatalf("Create = %q, %v; want %v", id, err, tt.wantErr)
				}
				if srv.Ops() != before {
					t.Fatal("a refused request reached PayFiP")
				}
				return
			}
			if err != nil || id == "" {
				t.Fatalf("Create = %q, %v", id, err)
			}
			op, _ := srv.Op(id)
			if op.Request.Refdet != p.Refdet || op.Request.Mel != p.Email {
				t.Fatalf("request as received = %+v", op.Request)
			}
		})
	}
}

// The régie's settings; the length of the numcli is left to the PayFiP
// settings rework (issue 9), only what stays true either way is pinned.
func TestClientConfiguration(t *testing.T) {
	tests := []struct {
		name, numcli, saisie string
		ok                   bool
	}{
		{"test mode", "012345", "T", true},
		{"activation mode", "012345", "X", true},
		{"production mode", "012345", "W", true},
		{"eleven-digit numcli is refused", "01234567890", "W", false},
		{"a numcli of nines", "999999", "W", true},
		{"empty numcli is refused", "", "W", false},
		{"letters in the numcli are refused", "01234A", "W", false},
		{"lower-case mode is refused", "012345", "t", false},
		{"unknown mode is refused", "012345", "P", false},
		{"no mode is refused", "012345", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := (&payfip.Client{Numcli: tt.numcli, Saisie: tt.saisie}).Validate()
			if (err == nil) != tt.ok || (err != nil && !errors.Is(err, payfip.ErrConfig)) {
				t.Fatalf("Validate(%q, %q) = %v, want ok %v", tt.numcli, tt.saisie, err, tt.ok)
			}
		})
	}
}

func TestPageURLAndDetailID(t *testing.T) {
	c := &payfip.Client{PaymentURL: "https://pay.test/tpa/paiement.web"}
	if got := c.PageURL("OP 1&2"); got != "https://pay.test/tpa/paiement.web?idop=OP+1%262" {
		t.Fatalf("PageURL = %q", got)
	}
	c.PaymentURL = "https://pay.test/tpa/paiement.web?x=1"
	if got := c.PageURL("OP1"); got != "https://pay.test/tpa/paiement.web?x=1&idop=OP1" {
		t.Fatalf("PageURL with a query = %q", got)
	}
	c.PaymentURL = ""
	if got := c.PageURL("OP1"); !strings.HasPrefix(got, payfip.DefaultPaymentURL) || !strings.HasSuffix(got, "idop=OP1") {
		t.Fatalf("default PageURL = %q", got)
	}
	if _, err := (&payfip.Client{Numcli: "012345", Saisie: "T"}).Detail(context.Background(), ""); !errors.Is(err, payfip.ErrRequest) {
		t.Fatalf("Detail of an empty idOp: %v", err)
	}
}

func TestNormalizeObjectLetters(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"accents folded, case kept", "Été À Noël", "Ete A Noel"},
		{"ligatures", "Œuvre cœur", "OEuvre coeur"},
		{"digits and the letters at both ends of the alphabet kept", "azAZ09", "azAZ09"},
		{"punctuation runs become one space", "A -- B", "A B"},
		{"no leading or trailing space", "  (Cantine)  ", "Cantine"},
		{"no leading space before an accented first letter", " (École) ", "Ecole"},
		{"characters just outside the ranges dropped", "@[`{/:", ""},
		{"an accent right after punctuation starts a new word", "réf.été", "ref ete"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := payfip.NormalizeObject(tt.in); got != tt.want {
				t.Fatalf("NormalizeObject(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	// 100 characters at most, cut without a trailing space.
	long := strings.Repeat("abcd ", 30)
	if got := payfip.NormalizeObject(long); len(got) > 100 || strings.HasSuffix(got, " ") || !strings.HasPrefix(got, "abcd abcd") {
		t.Fatalf("long object = %q (%d)", got, len(got))
	}
	if got := payfip.NormalizeObject(strings.Repeat("a", 100)); len(got) != 100 {
		t.Fatalf("exactly 100 characters cut to %d", len(got))
	}
}
