package records

import (
	"strconv"
	"strings"
	"time"

	"espacefamille/app/accounts"
	"espacefamille/app/calendar"
)

// Contact is a person allowed to pick the child up, or to call in an
// emergency.
type Contact struct {
	Name         string `json:"name"`
	Phone        string `json:"phone"` // ten digits, "0612345678"
	Relationship string `json:"relationship"`
}

// PhoneFR is the phone as the French write it ("06 12 34 56 78").
func (c Contact) PhoneFR() string { return accounts.FormatPhone(c.Phone) }

// Record is one version of a child's record.
type Record struct {
	ID          int64
	ChildID     int64
	FamilyID    int64
	Status      string // StatusPending, StatusValidated, StatusRefused, StatusReplaced
	Allergies   bool
	PAI         bool
	PAIUntil    calendar.Date // validity of the PAI document; zero without PAI
	DoctorName  string
	DoctorPhone string
	Pickups     []Contact
	Emergency   []Contact
	ImageRights bool
	SubmittedBy string
	SubmittedAt time.Time
	DecidedBy   string
	DecidedAt   time.Time
	Refusal     string
}

// Record statuses.
const (
	StatusPending   = "pending"
	StatusValidated = "validated"
	StatusRefused   = "refused"
	StatusReplaced  = "replaced"
)

// DoctorPhoneFR is the doctor's phone as the French write it.
func (r Record) DoctorPhoneFR() string { return accounts.FormatPhone(r.DoctorPhone) }

// PAIExpired reports whether the record declares a PAI whose document's
// validity date has passed on today: both the family and the mairie are
// told to renew it.
func (r Record) PAIExpired(today calendar.Date) bool {
	return r.PAI && !r.PAIUntil.IsZero() && r.PAIUntil.Before(today)
}

// MaxContacts is how many pick-up people (and emergency contacts) a
// record holds at most.
const MaxContacts = 6

// Form is the record form as typed; Yes/no answers are "oui", "non" or
// "" (not answered). Contact rows left entirely blank are ignored.
type Form struct {
	Allergies   string
	PAI         string
	PAIUntil    string
	DoctorName  string
	DoctorPhone string
	Pickups     []Contact
	Emergency   []Contact
	ImageRights string
}

// FieldErrors maps a form field to its French message.
type FieldErrors map[string]string

func (e FieldErrors) add(field, msg string) {
	if _, ok := e[field]; !ok {
		e[field] = msg
	}
}

// FormOf is the form that shows r.
func FormOf(r Record) Form {
	yn := func(b bool) string {
		if b {
			return "oui"
		}
		return "non"
	}
	f := Form{Allergies: yn(r.Allergies), PAI: yn(r.PAI), DoctorName: r.DoctorName, DoctorPhone: accounts.FormatPhone(r.DoctorPhone),
		ImageRights: yn(r.ImageRights)}
	if !r.PAIUntil.IsZero() {
		f.PAIUntil = r.PAIUntil.FR()
	}
	for _, c := range r.Pickups {
		c.Phone = accounts.FormatPhone(c.Phone)
		f.Pickups = append(f.Pickups, c)
	}
	for _, c := range r.Emergency {
		c.Phone = accounts.FormatPhone(c.Phone)
		f.Emergency = append(f.Emergency, c)
	}
	return f
}

const maxText = 100

// Check validates the form against today and returns the record it
// declares, or the French message of each wrong field. A PAI needs the
// validity date of its document (not already passed); at least one
// emergency contact is required; a contact row needs a name and a French
// phone number, and a pick-up person their relationship to the child.
func (f Form) Check(today calendar.Date) (Record, FieldErrors) {
	errs := FieldErrors{}
	var r Record
	yesNo := func(field, v, label string) bool {
		switch v {
		case "oui":
			return true
		case "non":
			return false
		}
		errs.add(field, "Répondez oui ou non : "+label+".")
		return false
	}
	r.Allergies = yesNo("allergies", f.Allergies, "allergies")
	r.PAI = yesNo("pai", f.PAI, "projet d'accueil individualisé (PAI)")
	r.ImageRights = yesNo("image_rights", f.ImageRights, "droit à l'image")
	if r.PAI {
		d, err := calendar.ParseDate(f.PAIUntil)
		switch {
		case strings.TrimSpace(f.PAIUntil) == "":
			errs.add("pai_until", "Indiquez la date de fin de validité du PAI (JJ/MM/AAAA).")
		case err != nil:
			errs.add("pai_until", "La date de fin de validité du PAI doit être au format JJ/MM/AAAA.")
		case d.Before(today):
			errs.add("pai_until", "Ce PAI n'est plus valide depuis le "+d.FR()+" : faites-le renouveler, puis indiquez la nouvelle date.")
		default:
			r.PAIUntil = d
		}
	}
	r.DoctorName = strings.TrimSpace(f.DoctorName)
	if len(r.DoctorName) > maxText {
		errs.add("doctor_name", "Le nom du médecin est trop long (100 caractères au plus).")
	}
	if p := strings.TrimSpace(f.DoctorPhone); p != "" {
		n, ok := accounts.FrenchPhone(p)
		if !ok {
			errs.add("doctor_phone", "Le numéro du médecin n'est pas un numéro français (10 chiffres, par exemple 04 90 12 34 56).")
		}
		r.DoctorPhone = n
	}
	r.Pickups = contacts(errs, "pickup", f.Pickups, true)
	r.Emergency = contacts(errs, "emergency", f.Emergency, false)
	if len(r.Emergency) == 0 {
		errs.add("emergency", "Indiquez au moins une personne à prévenir en cas d'urgence.")
	}
	if len(errs) > 0 {
		return Record{}, errs
	}
	return r, nil
}

// contacts checks the rows of one list; field errors are keyed
// "prefix-N-column" (N from 1) so the page puts each beside its input.
func contacts(errs FieldErrors, prefix string, rows []Contact, needRelationship bool) []Contact {
	var out []Contact
	for i, c := range rows {
		c = Contact{Name: strings.TrimSpace(c.Name), Phone: strings.TrimSpace(c.Phone), Relationship: strings.TrimSpace(c.Relationship)}
		if c == (Contact{}) {
			continue
		}
		key := prefix + "-" + strconv.Itoa(i+1) + "-"
		if c.Name == "" {
			errs.add(key+"name", "Indiquez le nom de la personne.")
		}
		if len(c.Name) > maxText || len(c.Relationship) > maxText {
			errs.add(key+"name", "Le nom ou le lien est trop long (100 caractères au plus).")
		}
		n, ok := accounts.FrenchPhone(c.Phone)
		if !ok {
			errs.add(key+"phone", "Indiquez un numéro de téléphone français (10 chiffres).")
		}
		c.Phone = n
		if needRelationship && c.Relationship == "" {
			errs.add(key+"relationship", "Indiquez le lien avec l'enfant (grand-mère, voisin…).")
		}
		out = append(out, c)
	}
	if len(out) > MaxContacts {
		errs.add(prefix, "Six personnes au plus.")
	}
	return out
}

// Same reports whether two records declare the same things (a change
// that repeats the validated record needs no validation).
func Same(a, b Record) bool {
	eq := func(x, y []Contact) bool {
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if x[i] != y[i] {
				return false
			}
		}
		return true
	}
	return a.Allergies == b.Allergies && a.PAI == b.PAI && a.PAIUntil.Equal(b.PAIUntil) && a.DoctorName == b.DoctorName &&
		a.DoctorPhone == b.DoctorPhone && a.ImageRights == b.ImageRights && eq(a.Pickups, b.Pickups) && eq(a.Emergency, b.Emergency)
}
