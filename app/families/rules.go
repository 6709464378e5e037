package families

import (
	"net/mail"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"espacefamille/app/calendar"
	"espacefamille/app/names"
	"espacefamille/app/web"
)

// Family is a family as the commune registers it.
type Family struct {
	ID          int64
	Name        string
	Email       string
	Phone       string
	Address     string
	PostalCode  string
	City        string
	ExternalRef string
	HasQF       bool
	QF          int64
	QFFrom      string // YYYY-MM-DD or ""
	QFUntil     string
	InvitedAt   string
}

// Guardian is a legal guardian of a family.
type Guardian struct {
	ID        int64
	FamilyID  int64
	Civility  string
	LastName  string
	FirstName string
	Email     string
	Phone     string
}

// Child is a child of a family. PAI and HomeBasket are yes/no only.
type Child struct {
	ID         int64
	FamilyID   int64
	FirstName  string
	LastName   string
	BirthDate  string // YYYY-MM-DD
	SchoolID   int64
	SchoolName string
	ClassName  string
	PAI        bool
	HomeBasket bool
	Diet       string
}

// FamilyForm is a family form or CSV row, as typed (dates JJ/MM/AAAA).
type FamilyForm struct {
	Name, Email, Phone, Address, PostalCode, City, ExternalRef string
	QF, QFFrom, QFUntil                                        string
}

// ChildForm is a child form or CSV row, as typed.
type ChildForm struct {
	FirstName, LastName, BirthDate, School, ClassName, Diet string
	PAI, HomeBasket                                         bool
}

// Name is "Fille FAMILLE X".
func (c Child) Name() string { return c.FirstName + " " + c.LastName }

// Class is the child's class, or "Sans classe".
func (c Child) Class() string {
	if c.ClassName == "" {
		return "Sans classe"
	}
	return c.ClassName
}

// Label is the child as the memento shows it:
// "Fille FAMILLE X (28/11/2017 - Sans classe)".
func (c Child) Label() string {
	return c.Name() + " (" + web.FormatDate(c.BirthDate) + " - " + c.Class() + ")"
}

// CleanText trims a typed value and folds its runs of spaces and control
// characters into one space.
func CleanText(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
}

// CheckName validates a name field with the product's one name rule
// (names.Check), adding missing when it is empty.
func CheckName(errs FieldErrors, field, v string, max int, missing string) string {
	name, problem := names.Check(v, max)
	switch {
	case name == "":
		errs.add(field, missing)
	case problem != "":
		errs.add(field, problem)
	}
	return name
}

// Validate checks a family form and returns the family to save.
func (f FamilyForm) Validate() (Family, FieldErrors) {
	errs := FieldErrors{}
	fam := Family{Email: strings.ToLower(strings.TrimSpace(f.Email)), Phone: CleanText(f.Phone),
		Address: CleanText(f.Address), PostalCode: CleanText(f.PostalCode), City: CleanText(f.City), ExternalRef: CleanText(f.ExternalRef)}
	fam.Name = CheckName(errs, "name", f.Name, 200, "Le nom de la famille est obligatoire.")
	if fam.Email != "" {
		if a, err := mail.ParseAddress(fam.Email); err != nil || a.Address != fam.Email {
			errs.add("email", "L'adresse email n'est pas valide.")
		}
	}
	if len(fam.Phone) > 40 || len(fam.Address) > 300 || len(fam.City) > 100 || len(fam.PostalCode) > 10 || len(fam.ExternalRef) > 100 {
		errs.add("address", "Un des champs est trop long.")
	}
	if strings.TrimSpace(f.QF) != "" {
		v, ok := parseQF(f.QF)
		if !ok {
			errs.add("qf", "Le quotient familial est un nombre positif, par exemple 523 ou 523,50.")
		}
		fam.HasQF, fam.QF = true, v
	}
	fam.QFFrom = ParseOptionalDate(errs, "qf_from", f.QFFrom, "La date de début du quotient familial")
	fam.QFUntil = ParseOptionalDate(errs, "qf_until", f.QFUntil, "La date de fin du quotient familial")
	if fam.QFFrom != "" && fam.QFUntil != "" && fam.QFUntil < fam.QFFrom {
		errs.add("qf_until", "La fin de validité du quotient familial précède son début.")
	}
	if !fam.HasQF && (fam.QFFrom != "" || fam.QFUntil != "") {
		errs.add("qf", "Indiquez le quotient familial dont vous donnez les dates de validité.")
	}
	return fam, errs
}

// parseQF reads a quotient familial as the CAF prints it, in whole euros or
// with decimals ("523", "523,50", "1 234.5"), and returns it rounded up
// to a whole number: price brackets are whole numbers, inclusive, so
// 523,50 is above a bracket that ends at 523 exactly as 524 is.
func parseQF(s string) (int64, bool) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u00a0' || r == '\u202f' {
			return -1
		}
		return r
	}, s)
	whole, frac, hasFrac := strings.Cut(strings.Replace(s, ",", ".", 1), ".")
	if whole == "" || len(whole) > 7 || strings.Trim(whole, "0123456789") != "" ||
		(hasFrac && (frac == "" || len(frac) > 4 || strings.Trim(frac, "0123456789") != "")) {
		return 0, false
	}
	v, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, false
	}
	if strings.Trim(frac, "0") != "" {
		v++
	}
	return v, v <= 1_000_000
}

// ParseOptionalDate reads JJ/MM/AAAA (or AAAA-MM-JJ) into YYYY-MM-DD.
func ParseOptionalDate(errs FieldErrors, field, v, label string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return ""
	}
	d, err := calendar.ParseDate(v)
	if err != nil {
		errs.add(field, label+" doit être au format JJ/MM/AAAA.")
		return ""
	}
	return d.String()
}

// GuardianForm is a guardian form, as typed.
type GuardianForm struct {
	Civility, LastName, FirstName, Email, Phone string
}

// Validate checks a guardian form and returns the guardian to save, or
// the first problem in French.
func (f GuardianForm) Validate() (Guardian, string) {
	g := Guardian{Civility: strings.TrimSpace(f.Civility), Email: strings.TrimSpace(f.Email), Phone: CleanText(f.Phone)}
	errs := FieldErrors{}
	g.LastName = CheckName(errs, "last_name", f.LastName, 100, "Le nom du responsable est obligatoire.")
	if first := strings.TrimSpace(f.FirstName); first != "" {
		g.FirstName = CheckName(errs, "first_name", first, 100, "")
	}
	if len(g.Phone) > 40 {
		errs.add("phone", "Le numéro de téléphone est trop long.")
	}
	for _, field := range []string{"last_name", "first_name", "phone"} {
		if msg, ok := errs[field]; ok {
			return g, msg
		}
	}
	if g.Civility != "" && g.Civility != "M" && g.Civility != "Mme" {
		return g, "Civilité invalide."
	}
	if g.Email != "" {
		fam, errs := FamilyForm{Name: "x", Email: g.Email}.Validate()
		if len(errs) > 0 {
			return g, "L'adresse email du responsable n'est pas valide."
		}
		g.Email = fam.Email
	}
	return g, ""
}

// Validate checks a child form; School is returned as typed.
func (f ChildForm) Validate() (Child, FieldErrors) {
	errs := FieldErrors{}
	ch := Child{SchoolName: CleanText(f.School),
		ClassName: CleanText(f.ClassName), PAI: f.PAI, HomeBasket: f.HomeBasket, Diet: CleanText(f.Diet)}
	ch.FirstName = CheckName(errs, "first_name", f.FirstName, 100, "Le prénom de l'enfant est obligatoire.")
	ch.LastName = CheckName(errs, "last_name", f.LastName, 100, "Le nom de l'enfant est obligatoire.")
	if strings.TrimSpace(f.BirthDate) == "" {
		errs.add("birth_date", "La date de naissance est obligatoire (JJ/MM/AAAA).")
	} else if d, err := calendar.ParseDate(strings.TrimSpace(f.BirthDate)); err != nil {
		errs.add("birth_date", "La date de naissance doit être au format JJ/MM/AAAA.")
	} else if d.Year() < 1990 || d.Year() > 2100 {
		errs.add("birth_date", "La date de naissance n'est pas plausible.")
	} else {
		ch.BirthDate = d.String()
	}
	if len(ch.SchoolName) > 200 || len(ch.ClassName) > 50 {
		errs.add("school", "L'école ou la classe est trop longue.")
	}
	if msg := dietProblem(ch.Diet); msg != "" {
		errs.add("diet", msg)
	}
	return ch, errs
}

// Words refused in a diet preference: the commune records what a child
// eats ("sans porc", "végétarien"), never a religion nor a diagnosis.
var (
	religiousWords = []string{"halal", "hallal", "casher", "cacher", "kasher", "kosher", "cachere", "musulman", "juif", "juive",
		"israelite", "islam", "islamique", "chretien", "catholique", "protestant", "orthodoxe", "religion", "religieu",
		"ramadan", "careme", "hindou", "bouddhiste", "confession", "culte"}
	medicalWords = []string{"allergi", "diabet", "asthm", "epilep", "maladie", "intoleran", "coeliaqu", "celiaqu", "pathologi", "traitement", "medica"}
)

// dietProblem returns the French reason a diet preference is refused.
func dietProblem(diet string) string {
	if len(diet) > 200 {
		return "La préférence alimentaire est trop longue (200 caractères au plus)."
	}
	d := FoldText(diet)
	for _, w := range religiousWords {
		if strings.Contains(d, w) {
			return "Indiquez une préférence alimentaire (par exemple « sans porc », « végétarien ») sans mention religieuse."
		}
	}
	for _, w := range medicalWords {
		if strings.Contains(d, w) {
			return "Aucune information médicale ici : cochez « PAI » si l'enfant a un projet d'accueil individualisé."
		}
	}
	return ""
}

// FoldText lower-cases and removes accents, for searching and matching
// ("Œuvre Élodie" is "oeuvre elodie"). An import folds every name of the
// file and of the commune: ASCII text takes a fast path, and other
// characters are decomposed one by one rather than through a
// transform.Chain built per call (that was a third of an import's time).
func FoldText(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			b.WriteRune(unicode.ToLower(r))
		case r == 'œ' || r == 'Œ':
			b.WriteString("oe")
		default:
			for _, d := range norm.NFD.String(string(r)) {
				if !unicode.Is(unicode.Mn, d) {
					b.WriteRune(unicode.ToLower(d))
				}
			}
		}
	}
	return b.String()
}
