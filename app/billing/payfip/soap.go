// Package payfip is a client of PayFiP, the DGFiP's online payment service
// for the régies of French local authorities, in its web-service form: SOAP
// creerPaiementSecurise returns an operation id (idOp), the parent pays on
// PayFiP's page, PayFiP posts only the idOp to the notification URL (without
// signature), and the result is always read back with
// recupererDetailPaiementSecurise.
package payfip

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Namespaces and default URLs of the service.
const (
	// NSService is the namespace of the operations' wrapper elements.
	NSService = "http://securite.service.tpa.cp.finances.gouv.fr/services/mas_securite/contrat_paiement_securise/PaiementSecuriseService"
	nsSOAP    = "http://schemas.xmlsoap.org/soap/envelope/"
	// DefaultEndpoint is the production SOAP endpoint.
	DefaultEndpoint = "https://www.payfip.gouv.fr/tpa/services/securite"
	// DefaultPaymentURL is the page the parent is sent to, with ?idop=.
	DefaultPaymentURL = "https://www.payfip.gouv.fr/tpa/paiementws.web"
)

// maxResponse bounds what is read from the service.
const maxResponse = 1 << 20

// CreateRequest is the argument of creerPaiementSecurise.
type CreateRequest struct {
	XMLName     xml.Name `xml:"arg0"`
	Exer        string   `xml:"exer"`
	Mel         string   `xml:"mel"`
	Montant     string   `xml:"montant"`
	Numcli      string   `xml:"numcli"`
	Objet       string   `xml:"objet,omitempty"`
	Refdet      string   `xml:"refdet"`
	Saisie      string   `xml:"saisie"`
	URLNotif    string   `xml:"urlnotif"`
	URLRedirect string   `xml:"urlredirect"`
}

type detailRequest struct {
	XMLName xml.Name `xml:"arg0"`
	IDOp    string   `xml:"idOp"`
}

// Detail is the answer of recupererDetailPaiementSecurise.
type Detail struct {
	Dattrans   string `xml:"dattrans"`  // DDMMYYYY
	Heurtrans  string `xml:"heurtrans"` // HHMM
	Exer       string `xml:"exer"`
	IDOp       string `xml:"idOp"`
	Mel        string `xml:"mel"`
	Montant    string `xml:"montant"` // cents
	Numauto    string `xml:"numauto"`
	Numcli     string `xml:"numcli"`
	Objet      string `xml:"objet"`
	Refdet     string `xml:"refdet"`
	Resultrans string `xml:"resultrans"` // P, V paid; R, Z refused; A abandoned
	Saisie     string `xml:"saisie"`
}

// Fault is a SOAP fault of the service. Functional errors carry a code:
// P1 (unknown or purged idOp), P5 (payment still in progress), R… (the
// request was refused, e.g. an invalid parameter), and others.
type Fault struct {
	FaultCode   string
	FaultString string
	Code        string
	Descriptif  string
	Libelle     string
	Severite    string
}

func (f *Fault) Error() string {
	msg := f.Descriptif
	if msg == "" {
		msg = f.Libelle
	}
	if msg == "" {
		msg = f.FaultString
	}
	if f.Code == "" {
		return "payfip: fault: " + msg
	}
	return "payfip: fault " + f.Code + ": " + msg
}

// Codes of the functional faults the client interprets.
const (
	CodeUnknown    = "P1" // idOp unknown, or purged (the night after)
	CodeInProgress = "P5" // the parent has not finished on PayFiP's page
)

// FaultCode returns the functional code of err if it is a Fault, else "".
func FaultCode(err error) string {
	var f *Fault
	if errors.As(err, &f) {
		return f.Code
	}
	return ""
}

// ErrMalformed is wrapped by every error about an unreadable answer.
var ErrMalformed = errors.New("payfip: malformed SOAP response")

// envelope builds a request envelope around the operation op and its arg0.
func envelope(op string, arg any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString(`<soapenv:Envelope xmlns:soapenv="` + nsSOAP + `" xmlns:pai="` + NSService + `">`)
	b.WriteString(`<soapenv:Header/><soapenv:Body><pai:` + op + `>`)
	enc := xml.NewEncoder(&b)
	if err := enc.Encode(arg); err != nil {
		return nil, fmt.Errorf("payfip: encode %s: %w", op, err)
	}
	b.WriteString(`</pai:` + op + `></soapenv:Body></soapenv:Envelope>`)
	return b.Bytes(), nil
}

// faultXML matches a SOAP 1.1 fault; its detail holds one element
// (FonctionnelleErreur, TechDysfonctionnementErreur…) with the code.
type faultXML struct {
	FaultCode   string `xml:"faultcode"`
	FaultString string `xml:"faultstring"`
	Detail      struct {
		Err struct {
			XMLName    xml.Name
			Code       string `xml:"code"`
			Descriptif string `xml:"descriptif"`
			Libelle    string `xml:"libelle"`
			Severite   string `xml:"severite"`
		} `xml:",any"`
	} `xml:"detail"`
}

// responseXML matches the answer of either operation, whatever the
// namespace prefixes (matching is on local names).
type responseXML struct {
	XMLName xml.Name
	Body    struct {
		Fault  *faultXML `xml:"Fault"`
		Create *struct {
			Return struct {
				IDOp string `xml:"idOp"`
			} `xml:"return"`
		} `xml:"creerPaiementSecuriseResponse"`
		Detail *struct {
			Return Detail `xml:"return"`
		} `xml:"recupererDetailPaiementSecuriseResponse"`
	} `xml:"Body"`
}

// parse reads a SOAP response. A fault is returned as *Fault.
func parse(r io.Reader) (*responseXML, error) {
	var resp responseXML
	dec := xml.NewDecoder(io.LimitReader(r, maxResponse))
	dec.Strict = true
	if err := dec.Decode(&resp); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if resp.XMLName.Local != "Envelope" || resp.XMLName.Space != nsSOAP {
		return nil, fmt.Errorf("%w: root element %q", ErrMalformed, resp.XMLName.Local)
	}
	if f := resp.Body.Fault; f != nil {
		return nil, &Fault{
			FaultCode: strings.TrimSpace(f.FaultCode), FaultString: strings.TrimSpace(f.FaultString),
			Code: strings.TrimSpace(f.Detail.Err.Code), Descriptif: strings.TrimSpace(f.Detail.Err.Descriptif),
			Libelle: strings.TrimSpace(f.Detail.Err.Libelle), Severite: strings.TrimSpace(f.Detail.Err.Severite),
		}
	}
	return &resp, nil
}

// ParseCreateResponse reads the answer of creerPaiementSecurise: the idOp.
func ParseCreateResponse(r io.Reader) (string, error) {
	resp, err := parse(r)
	if err != nil {
		return "", err
	}
	if resp.Body.Create == nil {
		return "", fmt.Errorf("%w: no creerPaiementSecuriseResponse", ErrMalformed)
	}
	id := strings.TrimSpace(resp.Body.Create.Return.IDOp)
	if !validIDOp(id) {
		return "", fmt.Errorf("%w: invalid idOp %q", ErrMalformed, id)
	}
	return id, nil
}

// ParseDetailResponse reads the answer of recupererDetailPaiementSecurise.
func ParseDetailResponse(r io.Reader) (Detail, error) {
	resp, err := parse(r)
	if err != nil {
		return Detail{}, err
	}
	if resp.Body.Detail == nil {
		return Detail{}, fmt.Errorf("%w: no recupererDetailPaiementSecuriseResponse", ErrMalformed)
	}
	d := resp.Body.Detail.Return
	for _, f := range []*string{&d.Dattrans, &d.Heurtrans, &d.Exer, &d.IDOp, &d.Mel, &d.Montant, &d.Numauto,
		&d.Numcli, &d.Objet, &d.Refdet, &d.Resultrans, &d.Saisie} {
		*f = strings.TrimSpace(*f)
	}
	return d, nil
}

// validIDOp accepts the operation ids PayFiP issues (opaque, URL-safe, short).
func validIDOp(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
