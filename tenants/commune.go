package tenants

import (
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"
	"time"
)

// Commune is one tenant as the platform registry knows it.
type Commune struct {
	ID         int64
	Slug       string // e.g. "malemort-du-comtat"; also the file name and the path prefix
	Name       string // e.g. "Commune de Malemort du Comtat"
	Hosts      []string
	Status     string // StatusActive or StatusSuspended
	Zone       string // school-holiday zone: A, B, C or Corse
	AdminEmail string
	CreatedAt  time.Time
	// SchemaVersion is the file's schema version as last checked by this
	// node (0 before the first check); a file checked at the binary's
	// latest version and not touched elsewhere since opens without a check.
	SchemaVersion int64
	// Broken says why the file cannot be served ("" while healthy): it is
	// served again once `espacefamille commune check` finds it sound.
	Broken string
	// MigrateError is the last failed migration of the file ("" once it
	// migrated): the commune answers "maintenance" until it migrates.
	MigrateError string
	// ArchivedAt is when the commune was archived (zero: it is not); an
	// archived commune is no longer served (a French 410 page) and is
	// deleted for good at PurgeAt (lifecycle.go).
	ArchivedAt, PurgeAt time.Time
	// fileStamp is the file's size and modification time when this node
	// last closed it (fleet.go).
	fileStamp string
}

// Commune statuses.
const (
	StatusActive    = "active"
	StatusSuspended = "suspended"
)

// Errors of the registry, each with a French message for people.
var (
	ErrNotFound      = NotFound("commune introuvable")
	ErrDuplicateSlug = errors.New("une commune utilise déjà cet identifiant")
	ErrDuplicateHost = errors.New("ce nom d'hôte est déjà attribué à une commune")
)

// ValidationError reports one invalid field of a new commune.
type ValidationError struct {
	Field   string
	Message string // French, for people
}

func (e *ValidationError) Error() string { return e.Field + " : " + e.Message }

var slugRE = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$`)

// reservedSlugs are first path segments used by the platform itself.
var reservedSlugs = map[string]bool{
	"admin": true, "api": true, "healthz": true, "static": true, "plateforme": true,
	"platform": true, "demo-mailbox": true, "www": true, "assets": true,
}

// ValidateSlug checks a commune identifier: 3–63 lowercase letters, digits
// and hyphens, starting and ending with a letter or digit.
func ValidateSlug(slug string) error {
	switch {
	case len(slug) < 3 || len(slug) > 63:
		return &ValidationError{"slug", "l'identifiant doit faire de 3 à 63 caractères"}
	case !slugRE.MatchString(slug):
		return &ValidationError{"slug", "l'identifiant ne peut contenir que des lettres minuscules, des chiffres et des tirets (ni au début ni à la fin)"}
	case strings.Contains(slug, "--"):
		return &ValidationError{"slug", "l'identifiant ne peut pas contenir deux tirets de suite"}
	case reservedSlugs[slug]:
		return &ValidationError{"slug", "cet identifiant est réservé"}
	}
	return nil
}

// NormalizeHost lower-cases a host name, strips a port and a final dot, and
// checks that it is a plausible DNS name.
func NormalizeHost(h string) (string, error) {
	h = strings.ToLower(strings.TrimSpace(h))
	if host, _, err := net.SplitHostPort(h); err == nil {
		h = host
	}
	h = strings.TrimSuffix(h, ".")
	if h == "" || len(h) > 253 {
		return "", &ValidationError{"host", fmt.Sprintf("nom d'hôte invalide : %q", h)}
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return "", &ValidationError{"host", fmt.Sprintf("nom d'hôte invalide : %q", h)}
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return "", &ValidationError{"host", fmt.Sprintf("nom d'hôte invalide : %q", h)}
			}
		}
	}
	return h, nil
}

// ValidZone reports whether z is a school-holiday zone.
func ValidZone(z string) bool {
	switch z {
	case "A", "B", "C", "Corse":
		return true
	}
	return false
}

// NewCommune is what creating a commune needs.
type NewCommune struct {
	Slug       string
	Name       string
	Hosts      []string
	Zone       string
	AdminEmail string
}

// normalize validates n and returns a cleaned copy.
func (n NewCommune) normalize() (NewCommune, error) {
	n.Slug = strings.TrimSpace(n.Slug)
	if err := ValidateSlug(n.Slug); err != nil {
		return n, err
	}
	var err error
	if n.Name, err = ValidateName(n.Name); err != nil {
		return n, err
	}
	if n.Zone == "" {
		n.Zone = "B"
	}
	if !ValidZone(n.Zone) {
		return n, &ValidationError{"zone", "la zone doit être A, B, C ou Corse"}
	}
	seen := map[string]bool{}
	var hosts []string
	for _, h := range n.Hosts {
		nh, err := NormalizeHost(h)
		if err != nil {
			return n, err
		}
		if !seen[nh] {
			seen[nh] = true
			hosts = append(hosts, nh)
		}
	}
	n.Hosts = hosts
	n.AdminEmail = strings.ToLower(strings.TrimSpace(n.AdminEmail))
	if n.AdminEmail != "" && !strings.Contains(n.AdminEmail, "@") {
		return n, &ValidationError{"admin-email", "adresse email de l'administrateur invalide"}
	}
	return n, nil
}

// ValidateNew checks a new commune's fields without touching any file.
func ValidateNew(n NewCommune) error {
	_, err := n.normalize()
	return err
}
