package payfip

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Client calls PayFiP's web service for one régie (one numcli).
type Client struct {
	Endpoint   string // SOAP endpoint; DefaultEndpoint when empty
	PaymentURL string // payment page; DefaultPaymentURL when empty
	Numcli     string // the régie's client number, given by the DGFiP
	Saisie     string // T test, X activation, W production
	HTTP       *http.Client
}

// Payment is what creerPaiementSecurise needs about one order.
type Payment struct {
	Refdet      string // order reference: 6–30 letters and digits
	AmountCents int64
	Email       string
	Object      string // free text; accents and punctuation are removed
	Year        int    // exercice
	NotifyURL   string
	RedirectURL string
}

// Errors of request validation (nothing is sent).
var (
	ErrConfig  = errors.New("payfip: régie not configured (numcli, saisie)")
	ErrRequest = errors.New("payfip: invalid payment request")
)

// PayFiP's limits on one payment (DGFiP): 1,00 € to 100 000,00 €.
const (
	MinAmountCents = 100
	MaxAmountCents = 100_000_00
)

// ValidNumcli reports whether s is a régie's PayFiP client number:
// exactly 6 digits, as the DGFiP gives it.
func ValidNumcli(s string) bool { return len(s) == 6 && isDigits(s) }

// Validate checks the client's configuration.
func (c *Client) Validate() error {
	if !ValidNumcli(c.Numcli) {
		return fmt.Errorf("%w: numcli %q", ErrConfig, c.Numcli)
	}
	switch c.Saisie {
	case "T", "X", "W":
	default:
		return fmt.Errorf("%w: saisie %q", ErrConfig, c.Saisie)
	}
	return nil
}

// ValidRefdet reports whether s is a valid refdet: 6 to 30 ASCII letters
// and digits.
func ValidRefdet(s string) bool {
	if len(s) < 6 || len(s) > 30 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// NormalizeObject makes free text acceptable as objet: accents removed,
// letters, digits and spaces only, single spaces, at most 100 characters.
func NormalizeObject(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if f, ok := fold[r]; ok {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteString(f)
			continue
		}
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			space = true
		}
	}
	out := b.String()
	if len(out) > 100 {
		out = strings.TrimSpace(out[:100])
	}
	return out
}

var fold = map[rune]string{
	'à': "a", 'â': "a", 'ä': "a", 'á': "a", 'ã': "a", 'ç': "c", 'é': "e", 'è': "e", 'ê': "e", 'ë': "e",
	'î': "i", 'ï': "i", 'í': "i", 'ô': "o", 'ö': "o", 'ó': "o", 'ù': "u", 'û': "u", 'ü': "u", 'ú': "u",
	'ÿ': "y", 'ñ': "n", 'œ': "oe", 'æ': "ae", 'À': "A", 'Â': "A", 'Ä': "A", 'Ç': "C", 'É': "E", 'È': "E",
	'Ê': "E", 'Ë': "E", 'Î': "I", 'Ï': "I", 'Ô': "O", 'Ö': "O", 'Ù': "U", 'Û': "U", 'Ü': "U", 'Œ': "OE", 'Æ': "AE",
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// Create calls creerPaiementSecurise and returns the idOp.
func (c *Client) Create(ctx context.Context, p Payment) (string, error) {
	if err := c.Validate(); err != nil {
		return "", err
	}
	switch {
	case !ValidRefdet(p.Refdet):
		return "", fmt.Errorf("%w: refdet %q", ErrRequest, p.Refdet)
	case p.AmountCents < MinAmountCents || p.AmountCents > MaxAmountCents:
		return "", fmt.Errorf("%w: amount %d", ErrRequest, p.AmountCents)
	case !strings.Contains(p.Email, "@") || len(p.Email) < 6 || len(p.Email) > 80:
		return "", fmt.Errorf("%w: email", ErrRequest)
	case p.NotifyURL == "" || p.RedirectURL == "":
		return "", fmt.Errorf("%w: notification and redirect URLs are required", ErrRequest)
	}
	req := CreateRequest{
		Exer: strconv.Itoa(p.Year), Mel: p.Email, Montant: strconv.FormatInt(p.AmountCents, 10),
		Numcli: c.Numcli, Objet: NormalizeObject(p.Object), Refdet: p.Refdet, Saisie: c.Saisie,
		URLNotif: p.NotifyURL, URLRedirect: p.RedirectURL,
	}
	body, err := envelope("creerPaiementSecurise", req)
	if err != nil {
		return "", err
	}
	var id string
	err = c.call(ctx, body, func(r io.Reader) error {
		var perr error
		id, perr = ParseCreateResponse(r)
		return perr
	})
	return id, err
}

// Detail calls recupererDetailPaiementSecurise for idOp.
func (c *Client) Detail(ctx context.Context, idOp string) (Detail, error) {
	if !validIDOp(idOp) {
		return Detail{}, fmt.Errorf("%w: idOp %q", ErrRequest, idOp)
	}
	body, err := envelope("recupererDetailPaiementSecurise", detailRequest{IDOp: idOp})
	if err != nil {
		return Detail{}, err
	}
	var d Detail
	err = c.call(ctx, body, func(r io.Reader) error {
		var perr error
		d, perr = ParseDetailResponse(r)
		return perr
	})
	return d, err
}

// PageURL is where the parent is sent to pay the operation idOp.
func (c *Client) PageURL(idOp string) string {
	base := c.PaymentURL
	if base == "" {
		base = DefaultPaymentURL
	}
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "idop=" + url.QueryEscape(idOp)
}

func (c *Client) call(ctx context.Context, body []byte, read func(io.Reader) error) error {
	endpoint := c.Endpoint
	if endpoint == "" {
		endpoint = DefaultEndpoint
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 20 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(string(body)))
	if err != nil {
		return fmt.Errorf("payfip: %w", err)
	}
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	req.Header.Set("SOAPAction", `""`)
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("payfip: call: %w", err)
	}
	defer resp.Body.Close()
	// A SOAP fault comes with status 500; anything else not 200 is transport.
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusInternalServerError {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponse))
		return fmt.Errorf("payfip: call: HTTP %d", resp.StatusCode)
	}
	return read(resp.Body)
}

// Status is what a Detail says about the payment.
type Status string

// Statuses of a payment at PayFiP.
const (
	Paid      Status = "paid"
	Refused   Status = "refused"
	Abandoned Status = "abandoned"
	Unknown   Status = "unknown"
)

// Outcome interprets resultrans, the amount and the transaction time
// (dattrans DDMMYYYY and heurtrans HHMM, Paris time).
func (d Detail) Outcome(loc *time.Location) (Status, int64, time.Time, error) {
	var st Status
	switch d.Resultrans {
	case "P", "V":
		st = Paid
	case "R", "Z":
		st = Refused
	case "A":
		st = Abandoned
	default:
		return Unknown, 0, time.Time{}, fmt.Errorf("%w: resultrans %q", ErrMalformed, d.Resultrans)
	}
	amount, err := strconv.ParseInt(d.Montant, 10, 64)
	if err != nil || amount < 0 || !isDigits(d.Montant) {
		return Unknown, 0, time.Time{}, fmt.Errorf("%w: montant %q", ErrMalformed, d.Montant)
	}
	var at time.Time
	if d.Dattrans != "" {
		hm := d.Heurtrans
		if hm == "" {
			hm = "0000"
		}
		at, err = time.ParseInLocation("020120061504", d.Dattrans+hm, loc)
		if err != nil || len(d.Dattrans) != 8 || len(hm) != 4 {
			return Unknown, 0, time.Time{}, fmt.Errorf("%w: dattrans %q heurtrans %q", ErrMalformed, d.Dattrans, d.Heurtrans)
		}
	}
	if st == Paid && at.IsZero() {
		return Unknown, 0, time.Time{}, fmt.Errorf("%w: paid without dattrans", ErrMalformed)
	}
	return st, amount, at, nil
}
