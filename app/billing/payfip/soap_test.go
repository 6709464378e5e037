package payfip

import (
	"errors"
	"strings"
	"testing"
	"time"
)

const envOpen = `<?xml version="1.0" encoding="UTF-8"?><S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>`
const envClose = `</S:Body></S:Envelope>`

func TestParseCreateResponse(t *testing.T) {
	tests := []struct {
		name, body, wantID, wantCode string
		wantMalformed                bool
	}{
		{"prefixed answer as PayFiP sends it",
			`<ns2:creerPaiementSecuriseResponse xmlns:ns2="` + NSService + `"><return><idOp>a1b2c3d4-e5f6</idOp></return></ns2:creerPaiementSecuriseResponse>`,
			"a1b2c3d4-e5f6", "", false},
		{"idOp in the reponse namespace",
			`<ns:creerPaiementSecuriseResponse xmlns:ns="` + NSService + `"><return><idOp xmlns="http://securite.service.tpa.cp.finances.gouv.fr/reponse"> XYZ123 </idOp></return></ns:creerPaiementSecuriseResponse>`,
			"XYZ123", "", false},
		{"functional fault R3 on a bad parameter",
			`<S:Fault><faultcode>S:Server</faultcode><faultstring>fr.gouv.finances.cp.tpa.webservice.exceptions.FonctionnelleErreur</faultstring><detail><ns2:FonctionnelleErreur xmlns:ns2="urn:x"><code>R3</code><descriptif>Le format du paramètre REFDET n'est pas conforme</descriptif><libelle>x</libelle><severite>2</severite></ns2:FonctionnelleErreur></detail></S:Fault>`,
			"", "R3", false},
		{"fault without detail", `<S:Fault><faultcode>S:Server</faultcode><faultstring>boom</faultstring></S:Fault>`, "", "", false},
		{"empty idOp", `<ns2:creerPaiementSecuriseResponse xmlns:ns2="x"><return><idOp></idOp></return></ns2:creerPaiementSecuriseResponse>`, "", "", true},
		{"idOp with markup characters", `<a:creerPaiementSecuriseResponse xmlns:a="x"><return><idOp>a&lt;b</idOp></return></a:creerPaiementSecuriseResponse>`, "", "", true},
		{"wrong operation", `<a:recupererDetailPaiementSecuriseResponse xmlns:a="x"><return/></a:recupererDetailPaiementSecuriseResponse>`, "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := ParseCreateResponse(strings.NewReader(envOpen + tt.body + envClose))
			if id != tt.wantID {
				t.Errorf("idOp = %q, want %q", id, tt.wantID)
			}
			if got := FaultCode(err); got != tt.wantCode {
				t.Errorf("fault code = %q, want %q (err %v)", got, tt.wantCode, err)
			}
			if errors.Is(err, ErrMalformed) != tt.wantMalformed {
				t.Errorf("malformed = %v, want %v (err %v)", errors.Is(err, ErrMalformed), tt.wantMalformed, err)
			}
		})
	}
}

func TestParseRejectsNonSOAP(t *testing.T) {
	for name, body := range map[string]string{
		"html error page": "<html><body>502 Bad Gateway</body></html>",
		"truncated":       envOpen + `<a:creerPaiementSecuriseResponse xmlns:a="x"><return><idOp>abc`,
		"not xml":         "{}",
		"wrong envelope":  `<Envelope><Body/></Envelope>`,
	} {
		if _, err := ParseCreateResponse(strings.NewReader(body)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: err = %v, want ErrMalformed", name, err)
		}
	}
}

func detailXML(resultrans, montant, dattrans, heurtrans string) string {
	return envOpen + `<ns2:recupererDetailPaiementSecuriseResponse xmlns:ns2="` + NSService + `"><return>` +
		`<dattrans>` + dattrans + `</dattrans><exer>2017</exer><heurtrans>` + heurtrans + `</heurtrans><idOp>OP1</idOp>` +
		`<mel>famille.x@example.org</mel><montant>` + montant + `</montant><numauto>123456</numauto><numcli>012345</numcli>` +
		`<objet>Cantine</objet><refdet>EF2017112800AB</refdet><resultrans>` + resultrans + `</resultrans><saisie>T</saisie>` +
		`</return></ns2:recupererDetailPaiementSecuriseResponse>` + envClose
}

func TestDetailOutcome(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	tests := []struct {
		name                string
		resultrans, montant string
		dattrans, heurtrans string
		want                Status
		wantCents           int64
		wantAt              string
		wantErr             bool
	}{
		{"card payment P on the memento's day", "P", "1530", "28112017", "1008", Paid, 1530, "2017-11-28T10:08:00+01:00", false},
		{"direct debit V is paid too", "V", "765", "01122017", "0000", Paid, 765, "2017-12-01T00:00:00+01:00", false},
		{"summer time is Paris time", "P", "255", "01072026", "1230", Paid, 255, "2026-07-01T12:30:00+02:00", false},
		{"card refused R", "R", "1530", "28112017", "1008", Refused, 1530, "2017-11-28T10:08:00+01:00", false},
		{"direct debit refused Z", "Z", "1530", "", "", Refused, 1530, "", false},
		{"abandoned A", "A", "1530", "", "", Abandoned, 1530, "", false},
		{"abandoned before any amount: montant 0 is read", "A", "0", "", "", Abandoned, 0, "", false},
		{"a date without an hour is midnight", "R", "1530", "28112017", "", Refused, 1530, "2017-11-28T00:00:00+01:00", false},
		{"a short date is refused", "P", "1530", "2811207", "1008", Unknown, 0, "", true},
		{"a short hour is refused", "P", "1530", "28112017", "108", Unknown, 0, "", true},
		{"an empty amount is refused", "P", "", "28112017", "1008", Unknown, 0, "", true},
		{"unknown resultrans", "X", "1530", "28112017", "1008", Unknown, 0, "", true},
		{"amount with decimals is refused", "P", "15.30", "28112017", "1008", Unknown, 0, "", true},
		{"negative amount", "P", "-1", "28112017", "1008", Unknown, 0, "", true},
		{"impossible date", "P", "1530", "31022017", "1008", Unknown, 0, "", true},
		{"paid without a date", "P", "1530", "", "", Unknown, 0, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ParseDetailResponse(strings.NewReader(detailXML(tt.resultrans, tt.montant, tt.dattrans, tt.heurtrans)))
			if err != nil {
				t.Fatal(err)
			}
			if d.Refdet != "EF2017112800AB" || d.Numauto != "123456" {
				t.Fatalf("detail = %+v", d)
			}
			st, cents, at, err := d.Outcome(paris)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if st != tt.want || cents != tt.wantCents {
				t.Errorf("outcome = %s %d, want %s %d", st, cents, tt.want, tt.wantCents)
			}
			if tt.wantAt != "" && at.Format(time.RFC3339) != tt.wantAt {
				t.Errorf("at = %s, want %s", at.Format(time.RFC3339), tt.wantAt)
			}
		})
	}
}

func TestDetailFaults(t *testing.T) {
	for _, code := range []string{"P1", "P5", "R3"} {
		body := envOpen + `<S:Fault><faultcode>S:Server</faultcode><faultstring>fr.gouv.finances.cp.tpa.webservice.exceptions.FonctionnelleErreur</faultstring><detail><ns2:FonctionnelleErreur xmlns:ns2="urn:r"><code>` + code + `</code><descriptif>d</descriptif></ns2:FonctionnelleErreur></detail></S:Fault>` + envClose
		_, err := ParseDetailResponse(strings.NewReader(body))
		if FaultCode(err) != code {
			t.Errorf("code %s: got %v", code, err)
		}
	}
}

func TestNormalizeObjectAndRefdet(t *testing.T) {
	if got := NormalizeObject("Régie Cantine – prépaiement : FAMILLE X (réf. 12)!"); got != "Regie Cantine prepaiement FAMILLE X ref 12" {
		t.Errorf("NormalizeObject = %q", got)
	}
	if got := NormalizeObject(strings.Repeat("é", 200)); len(got) != 100 {
		t.Errorf("len = %d", len(got))
	}
	for s, want := range map[string]bool{"ABC123": true, "abc12": false, strings.Repeat("A", 30): true, strings.Repeat("A", 31): false, "AB-123": false, "ÉCOLE1": false} {
		if ValidRefdet(s) != want {
			t.Errorf("ValidRefdet(%q) = %v", s, !want)
		}
	}
}

func TestEnvelopeEscapes(t *testing.T) {
	b, err := envelope("creerPaiementSecurise", CreateRequest{Mel: `a&b<c>@x.fr`, Refdet: "ABC123"})
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if !strings.Contains(s, "<pai:creerPaiementSecurise><arg0>") || !strings.Contains(s, "a&amp;b&lt;c&gt;@x.fr") || !strings.Contains(s, `xmlns:pai="`+NSService+`"`) {
		t.Errorf("envelope = %s", s)
	}
}

func FuzzParseResponses(f *testing.F) {
	f.Add(detailXML("P", "1530", "28112017", "1008"))
	f.Add(envOpen + `<ns2:creerPaiementSecuriseResponse xmlns:ns2="x"><return><idOp>abc</idOp></return></ns2:creerPaiementSecuriseResponse>` + envClose)
	f.Add(envOpen + `<S:Fault><faultcode>S:Server</faultcode><detail><e><code>P5</code></e></detail></S:Fault>` + envClose)
	f.Add("<html/>")
	paris, _ := time.LoadLocation("Europe/Paris")
	f.Fuzz(func(t *testing.T, body string) {
		if id, err := ParseCreateResponse(strings.NewReader(body)); err == nil && !validIDOp(id) {
			t.Fatalf("accepted invalid idOp %q", id)
		}
		d, err := ParseDetailResponse(strings.NewReader(body))
		if err != nil {
			return
		}
		st, cents, at, err := d.Outcome(paris)
		if err != nil {
			return
		}
		if cents < 0 {
			t.Fatalf("negative amount %d", cents)
		}
		if st == Paid && at.IsZero() {
			t.Fatal("paid without a time")
		}
	})
}

// The operation ids PayFiP issues are accepted whole: letters a to z and
// A to Z, digits 0 to 9, "-" and "_", up to 64 characters; anything else
// (or longer) is not an id of ours and is refused before any call.
func TestOperationIDBounds(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want bool
	}{
		{"azAZ09-_", true},
		{"z", true},
		{"Z", true},
		{"9", true},
		{"0", true},
		{strings.Repeat("a", 64), true},
		{strings.Repeat("a", 65), false},
		{"", false},
		{"a b", false},
		{"a/b", false},
		{"é", false},
		{"a{", false},
		{"a`", false},
		{"a:", false},
		{"a@", false},
		{"a[", false},
	} {
		if got := validIDOp(tc.id); got != tc.want {
			t.Errorf("validIDOp(%q) = %v, want %v", tc.id, got, tc.want)
		}
	}
}
