package accounts

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"espacefamille/app/names"
)

// FieldErrors maps a form field's name to its French error message.
type FieldErrors map[string]string

// Civilities offered by the sign-up form (value → label).
var Civilities = []struct{ Value, Label string }{{"Mme", "Madame"}, {"M", "Monsieur"}}

// Signup is the sign-up form, as typed and then normalised.
type Signup struct {
	Civility, LastName, FirstName string
	Email, EmailConfirm           string
	Password, PasswordConfirm     string
	Phone, Address, PostalCode    string
	City                          string
	ConsentInvoices               bool // "MesfacturesOnLine" in the memento: invoices online
	ConsentFamily                 bool // "MonEspaceFamille": the family space
}

// signupFields lists the form's fields in page order, for the error summary.
var signupFields = []string{"civilite", "nom", "prenom", "email", "email_confirmation",
	"mot_de_passe", "mot_de_passe_confirmation", "telephone", "adresse", "code_postal", "ville"}

// ParseSignup reads the form values through get (fiber's FormValue) and
// normalises them: surrounding spaces trimmed, email lower-cased, phone
// reduced to its digits. Passwords are kept exactly as typed.
func ParseSignup(get func(key string) string) Signup {
	return Signup{
		Civility:        clean(get("civilite")),
		LastName:        names.Tidy(get("nom")),
		FirstName:       names.Tidy(get("prenom")),
		Email:           NormalizeEmail(get("email")),
		EmailConfirm:    NormalizeEmail(get("email_confirmation")),
		Password:        get("mot_de_passe"),
		PasswordConfirm: get("mot_de_passe_confirmation"),
		Phone:           clean(get("telephone")),
		Address:         clean(get("adresse")),
		PostalCode:      clean(get("code_postal")),
		City:            clean(get("ville")),
		ConsentInvoices: get("consentement_factures") != "",
		ConsentFamily:   get("consentement_espace") != "",
	}
}

// Validate returns the errors of each field; an empty map means valid.
func (s Signup) Validate() FieldErrors {
	errs := FieldErrors{}
	if s.Civility != "Mme" && s.Civility != "M" {
		errs["civilite"] = "Choisissez votre civilité."
	}
	checkName(errs, "nom", s.LastName, "Saisissez votre nom.")
	checkName(errs, "prenom", s.FirstName, "Saisissez votre prénom.")
	if msg := emailProblem(s.Email); msg != "" {
		errs["email"] = msg
	} else if s.EmailConfirm != s.Email {
		errs["email_confirmation"] = "Les deux adresses email ne sont pas identiques."
	}
	if msg := PasswordProblem(s.Password); msg != "" {
		errs["mot_de_passe"] = msg
	} else if s.PasswordConfirm != s.Password {
		errs["mot_de_passe_confirmation"] = "Les deux mots de passe ne sont pas identiques."
	}
	if digits, ok := normalizePhone(s.Phone); s.Phone == "" {
		errs["telephone"] = "Saisissez votre numéro de téléphone."
	} else if n := len(strings.TrimPrefix(digits, "+")); !ok || n < 10 || n > 15 {
		errs["telephone"] = "Le numéro de téléphone doit comporter de 10 à 15 chiffres, par exemple 06 12 34 56 78."
	}
	checkText(errs, "adresse", s.Address, "Saisissez votre adresse.", 200)
	if s.PostalCode == "" {
		errs["code_postal"] = "Saisissez votre code postal."
	} else if len(s.PostalCode) != 5 || strings.Trim(s.PostalCode, "0123456789") != "" {
		errs["code_postal"] = "Le code postal comporte 5 chiffres, par exemple 84570."
	}
	checkText(errs, "ville", s.City, "Saisissez votre commune.", 100)
	return errs
}

// ErrorList returns the errors in page order, for the summary at the top
// of the form.
func (e FieldErrors) ErrorList() []struct{ Field, Message string } {
	var out []struct{ Field, Message string }
	for _, f := range signupFields {
		if m, ok := e[f]; ok {
			out = append(out, struct{ Field, Message string }{f, m})
		}
	}
	return out
}

// NormalizeEmail trims and lower-cases an address: accounts are found by
// this form, so "Parent@Example.FR " and "parent@example.fr" are one.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// emailProblem returns why a normalised address is refused, or "".
func emailProblem(e string) string {
	if e == "" {
		return "Saisissez votre adresse email."
	}
	a, err := mail.ParseAddress(e)
	at := strings.LastIndexByte(e, '@')
	if err != nil || a.Address != e || len(e) > 254 || at < 1 || !strings.Contains(e[at+1:], ".") ||
		strings.ContainsAny(e, " \"()<>,;:\\[]") {
		return "Saisissez une adresse email valide, par exemple prenom.nom@exemple.fr."
	}
	return ""
}

// PasswordProblem returns why a new password is refused, or "".
func PasswordProblem(p string) string {
	n := utf8.RuneCountInString(p)
	switch {
	case p == "":
		return "Choisissez un mot de passe."
	case n < MinPasswordLen:
		return "Le mot de passe doit comporter au moins 12 caractères."
	case n > MaxPasswordLen || !utf8.ValidString(p):
		return "Le mot de passe doit comporter au plus 128 caractères."
	}
	return ""
}

// checkName applies the product's one name rule (names.Check).
func checkName(errs FieldErrors, field, v, missing string) {
	switch name, problem := names.Check(v, 100); {
	case name == "":
		errs[field] = missing
	case problem != "":
		errs[field] = problem
	}
}

func checkText(errs FieldErrors, field, v, missing string, max int) {
	switch {
	case v == "":
		errs[field] = missing
	case utf8.RuneCountInString(v) > max:
		errs[field] = "Ce champ est trop long."
	}
}

// clean trims spaces and drops control characters (a pasted tab or line
// break must not end up in a name printed on an invoice).
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// normalizePhone keeps a leading "+" and the digits, dropping the usual
// separators; ok is false when anything else was typed.
func normalizePhone(s string) (digits string, ok bool) {
	s = strings.TrimSpace(s)
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')' || r == '\u00a0':
		default:
			return "", false
		}
	}
	return b.String(), true
}
