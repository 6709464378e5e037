package admin

import "espacefamille/app/families"

// The back office's forms share the families register's text rules.

func cleanText(s string) string { return families.CleanText(s) }

func parseOptionalDate(errs formErrors, field, v, label string) string {
	return families.ParseOptionalDate(families.FieldErrors(errs), field, v, label)
}

// nullable stores an empty optional text as NULL.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
