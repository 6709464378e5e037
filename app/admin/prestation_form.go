package admin

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/names"
	"espacefamille/app/web"
)

// PrestationForm is the prestation form as typed.
type PrestationForm struct {
	RegieID, Name, Kind, Forfait, ExclusiveGroup, Price, Brackets string
	Weekdays                                                      map[string]bool // "1" (lundi) … "0" (dimanche)
	Capacity, CapacityScope, ValidFrom, ValidUntil, Position      string
	Booking, Cancel                                               DeadlineForm
	SurchargeKind, SurchargeValue                                 string
	Schools                                                       map[string]bool // allowed school ids ("" map: all)
	Classes                                                       string          // allowed classes, comma-separated
}

// DeadlineForm is a deadline as typed: kind (days, workdays, week),
// number of days, weekday and time HH:MM.
type DeadlineForm struct{ Kind, Days, Weekday, At string }

// WeekdayChoices are the weekday checkboxes, Monday first.
var WeekdayChoices = []struct{ Value, Label string }{
	{"1", "lundi"}, {"2", "mardi"}, {"3", "mercredi"}, {"4", "jeudi"}, {"5", "vendredi"}, {"6", "samedi"}, {"0", "dimanche"},
}

func defaultPrestationForm() PrestationForm {
	return PrestationForm{Kind: "daily", Schools: map[string]bool{}, Price: "0,00", Capacity: "0", CapacityScope: "day", Position: "0",
		Weekdays: map[string]bool{"1": true, "2": true, "4": true, "5": true},
		Booking:  DeadlineForm{Kind: "workdays", Days: "2", Weekday: "4", At: "10:00"},
		Cancel:   DeadlineForm{Kind: "workdays", Days: "2", Weekday: "4", At: "10:00"}}
}

func deadlineForm(d calendar.Deadline) DeadlineForm {
	f := DeadlineForm{Days: strconv.Itoa(d.Days), Weekday: strconv.Itoa(int(d.Weekday)), At: fmt.Sprintf("%02d:%02d", d.Hour, d.Minute)}
	switch d.Kind {
	case calendar.DeadlineWorkingDays:
		f.Kind = "workdays"
	case calendar.DeadlinePreviousWeek:
		f.Kind = "week"
	default:
		f.Kind = "days"
	}
	return f
}

func formOfPrestation(p booking.Prestation, s Surcharge) PrestationForm {
	f := PrestationForm{RegieID: strconv.FormatInt(p.RegieID, 10), Name: p.Name, Kind: p.Kind, Forfait: string(p.ForfaitKind),
		ExclusiveGroup: p.ExclusiveGroup, Price: calendar.FormatEuros(p.Price.FlatCents), Weekdays: map[string]bool{},
		Capacity: strconv.Itoa(p.Capacity), CapacityScope: p.CapacityScope, Position: strconv.Itoa(p.Position),
		ValidFrom: p.ValidFrom.FR(), ValidUntil: p.ValidUntil.FR(), Booking: deadlineForm(p.Booking), Cancel: deadlineForm(p.Cancel),
		SurchargeKind: s.Kind, Schools: map[string]bool{}, Classes: strings.Join(p.Audience.Classes, ", ")}
	for _, id := range p.Audience.Schools {
		f.Schools[strconv.FormatInt(id, 10)] = true
	}
	f.Price = strings.TrimSuffix(f.Price, " €")
	if p.ValidFrom.IsZero() {
		f.ValidFrom = ""
	}
	if p.ValidUntil.IsZero() {
		f.ValidUntil = ""
	}
	for _, w := range WeekdayChoices {
		n, _ := strconv.Atoi(w.Value)
		f.Weekdays[w.Value] = p.Weekdays.Has(time.Weekday(n))
	}
	var lines []string
	for i, b := range p.Price.Brackets {
		price := strings.TrimSuffix(calendar.FormatEuros(b.Cents), " €")
		if i == len(p.Price.Brackets)-1 {
			lines = append(lines, "au-delà ; "+price)
		} else {
			lines = append(lines, fmt.Sprintf("%d ; %s", b.MaxQF, price))
		}
	}
	f.Brackets = strings.Join(lines, "\n")
	switch s.Kind {
	case "percent":
		f.SurchargeValue = strconv.FormatInt(s.Value, 10)
	case "fixed":
		f.SurchargeValue = strings.TrimSuffix(calendar.FormatEuros(s.Value), " €")
	}
	return f
}

func prestationFormOf(c *fiber.Ctx) PrestationForm {
	f := PrestationForm{RegieID: c.FormValue("regie_id"), Name: c.FormValue("name"), Kind: c.FormValue("kind"), Forfait: c.FormValue("forfait"),
		ExclusiveGroup: c.FormValue("exclusive_group"), Price: c.FormValue("price"), Brackets: c.FormValue("brackets"),
		Weekdays: map[string]bool{}, Capacity: c.FormValue("capacity"), CapacityScope: c.FormValue("capacity_scope"),
		ValidFrom: c.FormValue("valid_from"), ValidUntil: c.FormValue("valid_until"), Position: c.FormValue("position"),
		SurchargeKind: c.FormValue("surcharge_kind"), SurchargeValue: c.FormValue("surcharge_value"),
		Schools: map[string]bool{}, Classes: c.FormValue("classes")}
	for _, v := range c.Request().PostArgs().PeekMulti("schools") {
		f.Schools[string(v)] = true
	}
	for _, w := range WeekdayChoices {
		f.Weekdays[w.Value] = checked(c, "weekday_"+w.Value)
	}
	dl := func(p string) DeadlineForm {
		return DeadlineForm{Kind: c.FormValue(p + "_kind"), Days: c.FormValue(p + "_days"), Weekday: c.FormValue(p + "_weekday"), At: c.FormValue(p + "_at")}
	}
	f.Booking, f.Cancel = dl("booking"), dl("cancel")
	return f
}

func (d DeadlineForm) parse() (calendar.Deadline, error) {
	var s string
	switch d.Kind {
	case "week":
		n, err := strconv.Atoi(strings.TrimSpace(d.Weekday))
		if err != nil || n < 0 || n > 6 {
			return calendar.Deadline{}, errors.New("jour de la semaine inconnu")
		}
		s = "week:" + calendar.WeekdayNamesFR[n] + "@" + d.At
	case "days", "workdays":
		s = d.Kind + ":" + strings.TrimSpace(d.Days) + "@" + d.At
	default:
		return calendar.Deadline{}, errors.New("type de délai inconnu")
	}
	return calendar.ParseDeadline(s)
}

// parse turns the form into booking's input, the QF brackets and the
// majoration, or French errors per field.
func (f PrestationForm) parse() (booking.PrestationInput, []calendar.Bracket, Surcharge, formErrors) {
	errs := formErrors{}
	var in booking.PrestationInput
	var err error
	in.RegieID, _ = strconv.ParseInt(f.RegieID, 10, 64)
	if in.RegieID <= 0 {
		errs.add("regie_id", "Choisissez la régie.")
	}
	var nameProblem string
	in.Name, nameProblem = names.Check(f.Name, 120)
	if nameProblem != "" && in.Name != "" {
		errs.add("name", nameProblem)
	}
	in.Kind, in.ForfaitKind, in.ExclusiveGroup = f.Kind, calendar.ForfaitKind(f.Forfait), cleanText(f.ExclusiveGroup)
	for v, on := range f.Weekdays {
		if n, _ := strconv.Atoi(v); on {
			in.Weekdays = in.Weekdays.With(time.Weekday(n))
		}
	}
	if in.PriceCents, err = calendar.ParseEuros(f.Price); err != nil {
		errs.add("price", "Le prix doit être un montant en euros, par exemple 2,55.")
	}
	if in.Capacity, err = strconv.Atoi(strings.TrimSpace(f.Capacity)); err != nil {
		errs.add("capacity", "La capacité est un nombre entier (0 : sans limite).")
	}
	in.CapacityScope = f.CapacityScope
	in.Position, _ = strconv.Atoi(strings.TrimSpace(f.Position))
	if in.Booking, err = f.Booking.parse(); err != nil {
		errs.add("booking_deadline", "Délai de réservation : "+err.Error())
	}
	if in.Cancel, err = f.Cancel.parse(); err != nil {
		errs.add("cancel_deadline", "Délai d'annulation : "+err.Error())
	}
	if from := parseOptionalDate(errs, "valid_from", f.ValidFrom, "Le début de validité"); from != "" {
		in.ValidFrom, _ = calendar.ParseISO(from)
	}
	if until := parseOptionalDate(errs, "valid_until", f.ValidUntil, "La fin de validité"); until != "" {
		in.ValidUntil, _ = calendar.ParseISO(until)
	}
	for v, on := range f.Schools {
		id, err := strconv.ParseInt(v, 10, 64)
		if on && (err != nil || id <= 0) {
			errs.add("schools", "École inconnue.")
		} else if on {
			in.Audience.Schools = append(in.Audience.Schools, id)
		}
	}
	slices.Sort(in.Audience.Schools)
	for _, class := range strings.Split(f.Classes, ",") {
		if class = cleanText(class); class != "" {
			in.Audience.Classes = append(in.Audience.Classes, class)
		}
	}
	brackets, msg := parseBrackets(f.Brackets)
	if msg != "" {
		errs.add("brackets", msg)
	}
	sur := Surcharge{Kind: f.SurchargeKind}
	switch sur.Kind {
	case "":
	case "percent":
		v, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(f.SurchargeValue), "%")), 10, 64)
		if err != nil || v < 0 || v > 1000 {
			errs.add("surcharge", "La majoration en pourcentage est un nombre entier de 0 à 1000.")
		}
		sur.Value = v
	case "fixed":
		if sur.Value, err = calendar.ParseEuros(f.SurchargeValue); err != nil {
			errs.add("surcharge", "La majoration est un montant en euros, par exemple 1,00.")
		}
	default:
		errs.add("surcharge", "Type de majoration inconnu.")
	}
	if fe := in.Validate(); fe != nil {
		for _, e := range fe {
			errs.add(e.Field, e.Message+".")
		}
	}
	return in, brackets, sur, errs
}

// parseBrackets reads one bracket per line, "QF maximum ; prix", the last
// line ("au-delà ; prix") without limit. An empty text is a flat price.
func parseBrackets(text string) ([]calendar.Bracket, string) {
	var out []calendar.Bracket
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	var kept []string
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			kept = append(kept, l)
		}
	}
	for i, l := range kept {
		qf, price, ok := strings.Cut(l, ";")
		if !ok {
			return nil, fmt.Sprintf("Tranche %d : écrivez « QF maximum ; prix », par exemple « 500 ; 1,20 ».", i+1)
		}
		cents, err := calendar.ParseEuros(strings.TrimSpace(price))
		if err != nil {
			return nil, fmt.Sprintf("Tranche %d : le prix n'est pas un montant en euros.", i+1)
		}
		b := calendar.Bracket{Cents: cents}
		if i < len(kept)-1 {
			if b.MaxQF, err = strconv.Atoi(strings.TrimSpace(qf)); err != nil || b.MaxQF < 0 {
				return nil, fmt.Sprintf("Tranche %d : le quotient familial maximum est un nombre entier.", i+1)
			}
		}
		out = append(out, b)
	}
	if len(out) == 1 {
		return nil, "Indiquez au moins deux tranches, ou laissez vide pour un prix unique."
	}
	if err := (calendar.PriceRule{Brackets: out}).Validate(); err != nil {
		return nil, err.Error()
	}
	return out, ""
}

// fieldErrorsOf turns booking's French errors into form errors.
func fieldErrorsOf(err error) formErrors {
	var fe calendar.FieldErrors
	switch {
	case errors.As(err, &fe):
		out := formErrors{}
		for _, e := range fe {
			out.add(e.Field, e.Message+".")
		}
		return out
	case errors.Is(err, booking.ErrDuplicateName):
		return formErrors{"name": "Une prestation de ce nom existe déjà pour cette régie."}
	case errors.Is(err, calendar.ErrInvalidPriceRule):
		return formErrors{"brackets": err.Error()}
	case errors.Is(err, booking.ErrNotFound):
		return formErrors{"regie_id": "Régie introuvable."}
	}
	if m := publicMessage(err); m != "" {
		return formErrors{"name": m}
	}
	return nil
}

func priceText(flat int64, brackets []calendar.Bracket) string {
	if len(brackets) == 0 {
		return web.FormatEuros(flat)
	}
	var parts []string
	for i, b := range brackets {
		if i == len(brackets)-1 {
			parts = append(parts, "au-delà : "+web.FormatEuros(b.Cents))
		} else {
			parts = append(parts, fmt.Sprintf("QF ≤ %d : %s", b.MaxQF, web.FormatEuros(b.Cents)))
		}
	}
	return strings.Join(parts, " ; ")
}
