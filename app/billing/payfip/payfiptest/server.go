// Package payfiptest is a fake PayFiP for tests and local trials: it speaks
// the SOAP protocol of the real web service (creerPaiementSecurise,
// recupererDetailPaiementSecurise, their functional faults) and serves a
// payment page that, like PayFiP, posts only the idop to the notification
// URL before sending the browser back.
package payfiptest

import (
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"

	"espacefamille/app/billing/payfip"
)

// Operation is one payment the fake knows.
type Operation struct {
	IDOp       string
	Request    payfip.CreateRequest
	Resultrans string // "" while the parent has not finished
	Numauto    string
	At         time.Time
	Purged     bool // answers P1, as after the night's purge
}

// Server is the fake service. SOAP is at /tpa/services/securite, the
// payment page at /tpa/paiementws.web.
type Server struct {
	*httptest.Server
	mu     sync.Mutex
	ops    map[string]*Operation
	next   int
	faults map[string]string // idOp (or "create") → fault code to answer
	// Notify is the client used to call urlnotif (default http.DefaultClient).
	Notify *http.Client
	// Now is the fake's clock (default time.Now).
	Now func() time.Time
}

// New starts a fake PayFiP.
func New() *Server {
	s := &Server{ops: map[string]*Operation{}, faults: map[string]string{}, Now: time.Now}
	mux := http.NewServeMux()
	mux.HandleFunc("/tpa/services/securite", s.soap)
	mux.HandleFunc("/tpa/paiementws.web", s.page)
	s.Server = httptest.NewServer(mux)
	return s
}

// Endpoint is the SOAP endpoint URL.
func (s *Server) Endpoint() string { return s.URL + "/tpa/services/securite" }

// PaymentURL is the payment page URL.
func (s *Server) PaymentURL() string { return s.URL + "/tpa/paiementws.web" }

// Op returns a copy of the operation idOp.
func (s *Server) Op(idOp string) (Operation, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	op, ok := s.ops[idOp]
	if !ok {
		return Operation{}, false
	}
	return *op, true
}

// Ops returns the number of operations created.
func (s *Server) Ops() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.ops) }

// Finish records the parent's outcome on PayFiP's page without notifying:
// "P" paid, "R" refused, "A" abandoned, "V" and "Z" for direct debit.
func (s *Server) Finish(idOp, resultrans string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if op, ok := s.ops[idOp]; ok {
		op.Resultrans = resultrans
		op.At = s.Now()
		if resultrans == "P" || resultrans == "V" {
			op.Numauto = fmt.Sprintf("%06d", 100000+len(s.ops))
		}
	}
}

// SetAmount makes the fake report another amount for idOp (a tampered
// or mismatched payment).
func (s *Server) SetAmount(idOp string, cents int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if op, ok := s.ops[idOp]; ok {
		op.Request.Montant = fmt.Sprint(cents)
	}
}

// Purge makes idOp answer P1 from now on.
func (s *Server) Purge(idOp string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if op, ok := s.ops[idOp]; ok {
		op.Purged = true
	}
}

// FailWith makes the next call about idOp (or every creation, with key
// "create") answer the functional fault code; "" clears it.
func (s *Server) FailWith(key, code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if code == "" {
		delete(s.faults, key)
	} else {
		s.faults[key] = code
	}
}

// NotifyAndRedirect is what PayFiP does when the parent finishes: post the
// idop to urlnotif, then return where the browser goes (urlredirect).
func (s *Server) NotifyAndRedirect(idOp string) (string, error) {
	op, ok := s.Op(idOp)
	if !ok {
		return "", fmt.Errorf("payfiptest: unknown idOp %s", idOp)
	}
	hc := s.Notify
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.PostForm(op.Request.URLNotif, url.Values{"idop": {idOp}})
	if err != nil {
		return "", err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return op.Request.URLRedirect, nil
}

type soapRequest struct {
	Body struct {
		Create *struct {
			Arg payfip.CreateRequest `xml:"arg0"`
		} `xml:"creerPaiementSecurise"`
		Detail *struct {
			Arg struct {
				IDOp string `xml:"idOp"`
			} `xml:"arg0"`
		} `xml:"recupererDetailPaiementSecurise"`
	} `xml:"Body"`
}

func (s *Server) soap(w http.ResponseWriter, r *http.Request) {
	var req soapRequest
	if r.Method != http.MethodPost || xml.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req) != nil {
		fault(w, "", "requête SOAP illisible")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case req.Body.Create != nil:
		a := req.Body.Create.Arg
		if code := s.faults["create"]; code != "" {
			fault(w, code, "Erreur fonctionnelle simulée")
			return
		}
		if !payfip.ValidRefdet(a.Refdet) || a.Numcli == "" || a.Montant == "" || a.URLNotif == "" {
			fault(w, "R3", "Paramètres de la demande de paiement invalides")
			return
		}
		s.next++
		id := fmt.Sprintf("FAKE%012d", s.next)
		s.ops[id] = &Operation{IDOp: id, Request: a}
		envelope(w, `<ns2:creerPaiementSecuriseResponse xmlns:ns2="`+payfip.NSService+`"><return><idOp>`+id+`</idOp></return></ns2:creerPaiementSecuriseResponse>`)
	case req.Body.Detail != nil:
		id := strings.TrimSpace(req.Body.Detail.Arg.IDOp)
		if code := s.faults[id]; code != "" {
			fault(w, code, "Erreur fonctionnelle simulée")
			return
		}
		op, ok := s.ops[id]
		switch {
		case !ok || op.Purged:
			fault(w, payfip.CodeUnknown, "IdOp incorrect")
			return
		case op.Resultrans == "":
			fault(w, payfip.CodeInProgress, "Transaction en cours")
			return
		}
		a := op.Request
		t := op.At.In(paris())
		var b strings.Builder
		b.WriteString(`<ns2:recupererDetailPaiementSecuriseResponse xmlns:ns2="` + payfip.NSService + `"><return>`)
		for _, kv := range [][2]string{{"dattrans", t.Format("02012006")}, {"exer", a.Exer}, {"heurtrans", t.Format("1504")},
			{"idOp", id}, {"mel", a.Mel}, {"montant", a.Montant}, {"numauto", op.Numauto}, {"numcli", a.Numcli},
			{"objet", a.Objet}, {"refdet", a.Refdet}, {"resultrans", op.Resultrans}, {"saisie", a.Saisie}} {
			b.WriteString("<" + kv[0] + ">" + html.EscapeString(kv[1]) + "</" + kv[0] + ">")
		}
		b.WriteString(`</return></ns2:recupererDetailPaiementSecuriseResponse>`)
		envelope(w, b.String())
	default:
		fault(w, "", "opération inconnue")
	}
}

func paris() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.UTC
	}
	return loc
}

func envelope(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>`+body+`</S:Body></S:Envelope>`)
}

func fault(w http.ResponseWriter, code, msg string) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	detail := ""
	if code != "" {
		detail = `<detail><ns2:FonctionnelleErreur xmlns:ns2="http://securite.service.tpa.cp.finances.gouv.fr/reponse"><code>` + code +
			`</code><descriptif>` + html.EscapeString(msg) + `</descriptif><libelle>` + html.EscapeString(msg) + `</libelle><severite>2</severite></ns2:FonctionnelleErreur></detail>`
	}
	io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><S:Fault><faultcode>S:Server</faultcode><faultstring>fr.gouv.finances.cp.tpa.webservice.exceptions.FonctionnelleErreur</faultstring>`+detail+`</S:Fault></S:Body></S:Envelope>`)
}

// page is PayFiP's payment page: GET shows the operation, POST with
// resultrans records it, notifies and redirects.
func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	id := r.FormValue("idop")
	op, ok := s.Op(id)
	if !ok {
		http.Error(w, "idop inconnu", http.StatusNotFound)
		return
	}
	if r.Method == http.MethodGet {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="fr"><title>PayFiP (test)</title><h1>PayFiP de test</h1>
<p>Référence %s, montant %s centimes</p><form method="post"><input type="hidden" name="idop" value="%s">
<button name="resultrans" value="P">Payer</button> <button name="resultrans" value="R">Refuser</button> <button name="resultrans" value="A">Abandonner</button></form>`,
			html.EscapeString(op.Request.Refdet), html.EscapeString(op.Request.Montant), html.EscapeString(id))
		return
	}
	s.Finish(id, r.FormValue("resultrans"))
	target, err := s.NotifyAndRedirect(id)
	if err != nil {
		target = op.Request.URLRedirect
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}
