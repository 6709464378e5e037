package platform

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"espacefamille/app/admin"
	"espacefamille/app/calendar"
	"espacefamille/tenants"
)

// Starting configurations of a new commune.
const (
	StartDefaults = "defaults"
	StartCopy     = "copy"
)

// Onboarding is the one form that creates a collectivité.
type Onboarding struct {
	Name       string
	Slug       string // "" = suggested from the name
	Hosts      []string
	Zone       string
	AdminEmail string
	Start      string // StartDefaults or StartCopy
	MealPrice  string // defaults: the meals' price, "3,10"
	CopyFrom   string // copy: the slug of the commune whose configuration is copied
}

// Onboarded is what onboarding did.
type Onboarded struct {
	Commune    tenants.Commune
	Invitation admin.StaffInvitation
	Holidays   int
}

// FieldErrors are French messages by form field.
type FieldErrors map[string]string

func (e FieldErrors) Error() string {
	var parts []string
	for k, v := range e {
		parts = append(parts, k+" : "+v)
	}
	return strings.Join(parts, " ; ")
}

// SuggestSlug derives a commune identifier from its name: "Commune de
// Saint-Étienne-les-Orgues" → "saint-etienne-les-orgues".
func SuggestSlug(name string) string {
	n := strings.TrimSpace(name)
	for _, p := range []string{"commune de ", "commune d'", "commune du ", "ville de ", "ville d'", "mairie de ", "mairie d'"} {
		if len(n) > len(p) && strings.EqualFold(n[:len(p)], p) {
			n = n[len(p):]
			break
		}
	}
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(strings.ToLower(n)) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.Trim(b.String(), "-")
	if len(s) > 63 {
		s = strings.Trim(s[:63], "-")
	}
	return s
}

// validate checks the form and returns the commune to create.
func (o *Onboarding) validate() (tenants.NewCommune, admin.NewStaff, int64, FieldErrors) {
	errs := FieldErrors{}
	if o.Slug = strings.TrimSpace(o.Slug); o.Slug == "" {
		o.Slug = SuggestSlug(o.Name)
	}
	n := tenants.NewCommune{Slug: o.Slug, Name: o.Name, Hosts: o.Hosts, Zone: o.Zone, AdminEmail: o.AdminEmail}
	if _, err := tenants.ValidateName(o.Name); err != nil {
		errs["name"] = "Saisissez le nom de la collectivité (200 caractères au plus, sur une ligne)."
	}
	if err := tenants.ValidateSlug(o.Slug); err != nil {
		var ve *tenants.ValidationError
		if errors.As(err, &ve) {
			errs["slug"] = upperFirst(ve.Message) + "."
		}
	}
	for _, h := range o.Hosts {
		if _, err := tenants.NormalizeHost(h); err != nil {
			errs["hosts"] = fmt.Sprintf("Nom d'hôte invalide : « %s ».", h)
		}
	}
	if !tenants.ValidZone(o.Zone) {
		errs["zone"] = "Choisissez la zone de vacances scolaires."
	}
	st := admin.NewStaff{Email: o.AdminEmail, Name: o.AdminEmail, Role: admin.RoleAdmin}
	if err := st.Validate(); err != nil {
		errs["admin_email"] = "Saisissez l'adresse email du premier administrateur."
	}
	var meal int64
	switch o.Start {
	case StartDefaults:
		var err error
		if meal, err = calendar.ParseEuros(o.MealPrice); err != nil || meal <= 0 {
			errs["meal_price"] = "Saisissez le prix d'un repas, par exemple 3,10."
		}
	case StartCopy:
		if tenants.ValidateSlug(o.CopyFrom) != nil {
			errs["copy_from"] = "Choisissez la commune dont la configuration est copiée."
		}
	default:
		errs["start"] = "Choisissez la configuration de départ."
	}
	return n, st, meal, errs
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// Onboard creates a collectivité in one step: its file with the starting
// configuration (the defaults, or a copy of another commune's), its first
// administrator with their invitation queued in the same transaction, and
// its registration; then the platform audit log. publicURL is the node's
// base URL for the invitation link; actor names who did it.
func Onboard(ctx context.Context, reg *tenants.Registry, o Onboarding, publicURL, actor string, now time.Time) (Onboarded, error) {
	n, st, meal, errs := o.validate()
	if len(errs) > 0 {
		return Onboarded{}, errs
	}
	var snap admin.ConfigSnapshot
	if o.Start == StartCopy {
		if _, err := reg.Commune(ctx, o.CopyFrom); errors.Is(err, tenants.ErrNotFound) {
			return Onboarded{}, FieldErrors{"copy_from": "Cette commune n'existe pas."}
		}
		err := reg.WithCommune(ctx, o.CopyFrom, func(db *tenants.DB) error {
			var err error
			snap, err = admin.ReadConfig(ctx, db.Reader())
			return err
		})
		if err != nil {
			return Onboarded{}, err
		}
	}
	var out Onboarded
	c, err := reg.CreateCommune(ctx, n, func(ctx context.Context, tx *sql.Tx, c tenants.Commune) error {
		var err error
		if o.Start == StartCopy {
			err = admin.CopyConfig(ctx, tx, snap)
			out.Holidays = snap.Counts()["school_holidays"]
		} else {
			out.Holidays, err = admin.DefaultConfig(ctx, tx, c.Zone, meal, now)
		}
		if err != nil {
			return err
		}
		out.Invitation, err = admin.AddStaff(ctx, tx, c, publicURL, st, nil, now)
		return err
	})
	switch {
	case errors.Is(err, tenants.ErrDuplicateSlug):
		return out, FieldErrors{"slug": "Une commune utilise déjà cet identifiant."}
	case errors.Is(err, tenants.ErrDuplicateHost):
		return out, FieldErrors{"hosts": upperFirst(err.Error()) + "."}
	case err != nil:
		return out, err
	}
	out.Commune = c
	detail := "configuration par défaut"
	if o.Start == StartCopy {
		detail = "configuration copiée de " + o.CopyFrom
	}
	err = reg.Platform().Tx(ctx, func(tx *sql.Tx) error {
		return writeAudit(ctx, tx, actor, "commune_create", c.Slug, detail+" ; administrateur "+st.Email, now)
	})
	return out, err
}
