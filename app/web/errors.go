package web

import (
	"errors"
	"log/slog"
	"strings"

	"github.com/gofiber/fiber/v2"

	"espacefamille/tenants"
)

// PublicError carries an HTTP status and a French message that is safe to
// show; the wrapped error (if any) is logged, never shown.
type PublicError struct {
	Status  int
	Message string
	Err     error
}

func (e *PublicError) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *PublicError) Unwrap() error { return e.Err }

// NewError returns a PublicError.
func NewError(status int, message string) *PublicError {
	return &PublicError{Status: status, Message: message}
}

// ErrNotFound is the generic French "page not found".
var ErrNotFound = NewError(fiber.StatusNotFound, "La page demandée n'existe pas.")

type errorPage struct {
	Heading, Message, RequestID string
}

// errorHandler maps every error to a status and a French page, logging the
// internal error once. Scripts (Accept without text/html) get plain text.
func (s *Server) errorHandler(c *fiber.Ctx, err error) error {
	status := fiber.StatusInternalServerError
	heading := "Une erreur est survenue"
	msg := "Le service a rencontré un problème. Veuillez réessayer dans quelques instants."
	var pe *PublicError
	var fe *fiber.Error
	quiet := false
	switch {
	case errors.As(err, &pe):
		status, msg = pe.Status, pe.Message
		heading = headingFor(status)
	case errors.Is(err, tenants.ErrUnknownCommune):
		status, heading = fiber.StatusNotFound, "Commune introuvable"
		msg = "Aucune commune n'est enregistrée à cette adresse. Vérifiez le lien reçu par courriel."
	case errors.Is(err, tenants.ErrArchived):
		status, heading = fiber.StatusGone, "Espace famille fermé"
		msg = "Cette commune n'utilise plus Espace Famille : son espace famille est fermé. Pour vos démarches (cantine, garderie, factures), adressez-vous à votre mairie."
	case errors.Is(err, tenants.ErrSuspended):
		status, heading = fiber.StatusServiceUnavailable, "Service momentanément indisponible"
		msg = "L'espace famille de cette commune est suspendu. Veuillez contacter votre mairie."
	case errors.Is(err, tenants.ErrBroken):
		// The registry logged the reason once, when the file was found
		// damaged; each request only notes the refusal.
		status, heading = fiber.StatusServiceUnavailable, "Service momentanément indisponible"
		msg = "Service momentanément indisponible, la mairie en est informée. Veuillez réessayer plus tard."
		quiet = true
	case errors.Is(err, tenants.ErrMaintenance):
		// A move to another node: a few seconds (issue 15).
		status, heading = fiber.StatusServiceUnavailable, "Maintenance en cours"
		msg = "L'espace famille de cette commune est en maintenance pour quelques secondes. Veuillez réessayer dans un instant."
		c.Set(fiber.HeaderRetryAfter, "5")
		quiet = true
	case errors.Is(err, tenants.ErrFileNotHere):
		// This node lacks the file and the replica too: logged as an
		// error, the commune stays in service on the other nodes.
		status, heading = fiber.StatusServiceUnavailable, "Service momentanément indisponible"
		msg = "Les données de cette commune ne sont pas disponibles sur ce serveur pour le moment. Veuillez réessayer dans quelques minutes ; si le problème persiste, contactez votre mairie."
	case errors.Is(err, tenants.ErrSchemaBehind), errors.Is(err, tenants.ErrNewerSchema):
		status, heading = fiber.StatusServiceUnavailable, "Maintenance en cours"
		msg = "L'espace famille de cette commune est en cours de maintenance. Veuillez réessayer plus tard."
	case errors.Is(err, ErrCSRF):
		status, heading = fiber.StatusForbidden, "Formulaire expiré"
		msg = "Ce formulaire a expiré ou ne provient pas de ce site. Rechargez la page et recommencez."
	case errors.Is(err, tenants.ErrMissing):
		// Any package's not-found error, or a lookup's sql.ErrNoRows passed
		// through tenants.Missing; other database errors stay 500.
		status, heading, msg = fiber.StatusNotFound, headingFor(fiber.StatusNotFound), frenchStatus(fiber.StatusNotFound)
	case errors.As(err, &fe):
		status = fe.Code
		heading = headingFor(status)
		msg = frenchStatus(status)
	}
	log := s.Logger(c)
	if status >= 500 && !quiet {
		log.Error("request failed", "status", status, "err", err)
	} else {
		log.Info("request refused", "status", status, "err", err)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	securityHeaders(c)
	if !acceptsHTML(c) {
		c.Status(status)
		return c.SendString(heading + " : " + msg + "\n")
	}
	p := NewPage(c, heading, errorPage{Heading: heading, Message: msg, RequestID: RequestID(c)})
	c.Status(status)
	if rerr := c.Render("errors/error", p); rerr != nil {
		log.Error("render error page", "err", rerr)
		c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
		return c.SendString(heading + " : " + msg)
	}
	return nil
}

func acceptsHTML(c *fiber.Ctx) bool {
	// Browsers name text/html; scripts (curl's */*, API clients) get text.
	return strings.Contains(c.Get(fiber.HeaderAccept), "text/html")
}

func headingFor(status int) string {
	switch status {
	case fiber.StatusNotFound:
		return "Page introuvable"
	case fiber.StatusForbidden, fiber.StatusUnauthorized:
		return "Accès refusé"
	case fiber.StatusTooManyRequests:
		return "Trop de tentatives"
	case fiber.StatusBadRequest, fiber.StatusUnprocessableEntity:
		return "Demande invalide"
	case fiber.StatusServiceUnavailable:
		return "Service momentanément indisponible"
	case fiber.StatusRequestEntityTooLarge:
		return "Données trop volumineuses"
	}
	if status >= 500 {
		return "Une erreur est survenue"
	}
	return "Demande refusée"
}

func frenchStatus(status int) string {
	switch status {
	case fiber.StatusNotFound:
		return "La page demandée n'existe pas."
	case fiber.StatusMethodNotAllowed:
		return "Cette action n'est pas permise sur cette page."
	case fiber.StatusRequestEntityTooLarge:
		return "Les données envoyées sont trop volumineuses."
	case fiber.StatusTooManyRequests:
		return "Trop de tentatives. Veuillez patienter quelques minutes avant de réessayer."
	case fiber.StatusBadRequest:
		return "La demande est invalide."
	}
	if status >= 500 {
		return "Le service a rencontré un problème. Veuillez réessayer dans quelques instants."
	}
	return "La demande a été refusée."
}

// Logger returns the request's logger (with request id and commune).
func (s *Server) Logger(c *fiber.Ctx) *slog.Logger {
	l := s.log.With("request_id", RequestID(c))
	if t := tenants.From(c); t != nil {
		l = l.With("commune", t.Commune.Slug)
	}
	return l
}
