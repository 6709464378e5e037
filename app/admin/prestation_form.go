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

// Kinds of the prestation form: a meal and a garderie or activity by the
// session are sold by the day (booking.KindDaily, told apart by their
// category), a forfait for a period.
const (
	formKindMeal    = "meal"
	formKindSession = "session"
	formKindForfait = "forfait"
)

// PrestationForm is the prestation form as typed.
type PrestationForm struct {
	RegieID, Name, Kind, Forfait, ExclusiveGroup, Price      string
	Brackets                                                 []BracketRow
	Weekdays                                                 map[string]bool // "1" (lundi) … "0" (dimanche)
	Capacity, CapacityScope, ValidFrom, ValidUntil, Position string
	Booking, Cancel                                          DeadlineForm
	SurchargeKind, SurchargeValue                            string
	Schools                                                  map[string]bool // allowed school ids ("" map: all)
	Classes                                                  string          // allowed classes, comma-separated
}

// DeadlineForm is a deadline as typed: kind (days, workdays, week),
// number of days, weekday and time HH:MM.
type DeadlineForm struct{ Kind, Days, Weekday, At string }

// WeekdayChoices are the weekday checkboxes, Monday first.
var WeekdayChoices = []struct{ Value, Label string }{
	{"1", "lundi"}, {"2", "mardi"}, {"3", "mercredi"}, {"4", "jeudi"}, {"5", "vendredi"}, {"6", "samedi"}, {"0", "dimanche"},
}

func defaultPrestationForm() PrestationForm {
	return PrestationForm{Kind: formKindMeal, ExclusiveGroup: "repas", Schools: map[string]bool{}, Capacity: "0", CapacityScope: "day", Position: "0",
		Brackets: padBracketRows(nil),
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

func formOfPrestation(p booking.Prestation, s booking.Surcharge) PrestationForm {
	f := PrestationForm{RegieID: strconv.FormatInt(p.RegieID, 10), Name: p.Name, Kind: formKindOf(p), Forfait: string(p.ForfaitKind),
		ExclusiveGroup: p.ExclusiveGroup, Price: calendar.FormatEuros(p.Price.FlatCents), Weekdays: map[string]bool{},
		Capacity: strconv.Itoa(p.Capacity), CapacityScope: p.CapacityScope, Position: strconv.Itoa(p.Position),
		ValidFrom: p.ValidFrom.FR(), ValidUntil: p.ValidUntil.FR(), Booking: deadlineForm(p.Booking), Cancel: deadlineForm(p.Cancel),
		SurchargeKind: s.Kind, Schools: map[string]bool{}, Classes: strings.Join(p.Audience.Classes, ", ")}
	for _, id := range p.Audience.Schools {
		f.Schools[strconv.FormatInt(id, 10)] = true
	}
	f.Price = eurosField(p.Price.FlatCents)
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
	f.Brackets = bracketRowsOf(p.Price.Brackets)
	if len(p.Price.Brackets) > 0 && p.Price.FlatCents == p.Price.Brackets[len(p.Price.Brackets)-1].Cents {
		f.Price = "" // the single price only mirrors the open bracket
	}
	switch s.Kind {
	case "percent":
		f.SurchargeValue = strconv.FormatInt(s.Value, 10)
	case "fixed":
		f.SurchargeValue = eurosField(s.Value)
	}
	return f
}

// formKindOf is the form's kind of a stored prestation.
func formKindOf(p booking.Prestation) string {
	switch {
	case p.Kind == booking.KindForfait:
		return formKindForfait
	case p.Category == booking.CategorySession:
		return formKindSession
	}
	return formKindMeal
}

// ShowsForfait, ShowsExclusiveGroup: the fields that apply to the form's
// kind (the others are hidden, and ignored when saved).
func (f PrestationForm) ShowsForfait() bool        { return f.Kind == formKindForfait }
func (f PrestationForm) ShowsExclusiveGroup() bool { return f.Kind != formKindSession }

// KindChoices are the kinds of prestation the form offers.
func (PrestationForm) KindChoices() []struct{ Value, Label string } {
	return []struct{ Value, Label string }{
		{formKindMeal, "repas (à la journée)"}, {formKindSession, "garderie ou activité à la séance"}, {formKindForfait, "forfait (mois, période ou année)"}}
}

// bracketRowsOf reads the grid's rows (bracket_count rows, at most
// maxBracketRows).
func bracketRowsFormOf(c *fiber.Ctx) []BracketRow {
	n, _ := strconv.Atoi(c.FormValue("bracket_count"))
	n = min(max(n, 0), maxBracketRows)
	rows := make([]BracketRow, n)
	for i := range rows {
		k := strconv.Itoa(i)
		rows[i] = BracketRow{Min: c.FormValue("qf_min_" + k), Max: c.FormValue("qf_max_" + k), Price: c.FormValue("qf_price_" + k)}
	}
	return rows
}

func prestationFormOf(c *fiber.Ctx) PrestationForm {
	f := PrestationForm{RegieID: c.FormValue("regie_id"), Name: c.FormValue("name"), Kind: c.FormValue("kind"), Forfait: c.FormValue("forfait"),
		ExclusiveGroup: c.FormValue("exclusive_group"), Price: c.FormValue("price"), Brackets: bracketRowsFormOf(c),
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
func (f PrestationForm) parse() (booking.PrestationInput, []calendar.Bracket, booking.Surcharge, formErrors) {
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
	switch f.Kind {
	case formKindMeal, booking.KindDaily: // "daily": what scripts posted before the kinds

		in.Kind, in.Category, in.ExclusiveGroup = booking.KindDaily, booking.CategoryMeal, cleanText(f.ExclusiveGroup)
	case formKindSession:
		in.Kind, in.Category = booking.KindDaily, booking.CategorySession
	case formKindForfait:
		in.Kind, in.ForfaitKind, in.ExclusiveGroup = booking.KindForfait, calendar.ForfaitKind(f.Forfait), cleanText(f.ExclusiveGroup)
	default:
		errs.add("kind", "Choisissez le type : repas, garderie ou activité à la séance, ou forfait.")
	}
	for v, on := range f.Weekdays {
		if n, _ := strconv.Atoi(v); on {
			in.Weekdays = in.Weekdays.With(time.Weekday(n))
		}
	}
	brackets, problems := parseBracketRows(f.Brackets)
	for _, p := range problems {
		errs.add(fmt.Sprintf("bracket_%d", p.Row), p.Message)
	}
	switch price := strings.TrimSpace(f.Price); {
	case price == "" && len(brackets) > 0:
		// The single price is optional with a grid: it mirrors the open
		// bracket (a family without a valid QF pays it).
		in.PriceCents = brackets[len(brackets)-1].Cents
	case price == "" && len(problems) == 0:
		errs.add("price", "Indiquez le prix unique, ou les tranches de quotient familial.")
	case price != "":
		if in.PriceCents, err = calendar.ParseEuros(price); err != nil {
			errs.add("price", "Le prix unique doit être un montant en euros, par exemple 2,55.")
		}
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
	sur := booking.Surcharge{Kind: f.SurchargeKind}
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
		return formErrors{"bracket_0": err.Error()}
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
