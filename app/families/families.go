// Package families owns a commune's register of families: families, their
// guardians and children, the schools children attend, the adhesion codes
// that link a parent's account to a family, those links, and the CSV
// import of families with its stored previews. It is the only package that
// writes the tables families, guardians, children, schools,
// adhesion_codes, family_accounts and import_previews; the back office,
// the parents' accounts and the demo call it.
//
// Writes take the caller's write transaction (a tenants.Querier), so
// that a caller adds its own audit entry or email in the same transaction.
package families

import "espacefamille/tenants"

// ErrNotFound reports a family, child, guardian or preview that does not
// exist in the commune (or not in the given family); it is
// tenants.ErrMissing, a 404 for the web's error handler.
var ErrNotFound = tenants.NotFound("families: not found")

// FieldErrors maps a form field to its French message.
type FieldErrors map[string]string

func (e FieldErrors) add(field, msg string) {
	if _, ok := e[field]; !ok {
		e[field] = msg
	}
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
