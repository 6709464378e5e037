package tenants

import (
	"context"
	"database/sql"
	"strings"

	"espacefamille/app/names"
)

// maxNameLen bounds a commune's display name, in bytes.
const maxNameLen = 200

// ValidateName checks a commune's display name ("Commune de Malemort du
// Comtat") and returns it trimmed: required, 200 bytes at most, on one line
// (it goes into page titles and email headers).
func ValidateName(name string) (string, error) {
	name, problem := names.Check(name, maxNameLen)
	switch {
	case name == "" || len(name) > maxNameLen:
		return name, &ValidationError{"name", "le nom de la commune est obligatoire (200 caractères au plus)"}
	case problem != "":
		return name, &ValidationError{"name", "le nom de la commune : " + strings.ToLower(problem[:1]) + problem[1:]}
	}
	return name, nil
}

// SetName changes the display name the platform registry records for a
// commune, which every page of the commune shows; the commune's own
// settings are the back office's to change, in the commune's database.
// The resolve cache is dropped, so this process shows the new name at the
// next request (other processes within Options.ResolveTTL).
func (r *Registry) SetName(ctx context.Context, slug, name string) error {
	name, err := ValidateName(name)
	if err != nil {
		return err
	}
	err = r.platform.Tx(ctx, func(tx *sql.Tx) error {
		return ExecOne(ctx, tx, ErrNotFound, `UPDATE communes SET name = ? WHERE slug = ?`, name, slug)
	})
	r.forget() // resolved communes carry their name
	return err
}
