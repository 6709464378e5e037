package families

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"

	"espacefamille/app/names"
)

// maxImportRows bounds one CSV import.
const maxImportRows = 20000

// ImportRow is one data line of a families CSV file, as typed, with its
// problems in French. Each line holds a family and, optionally, one of its
// children and one guardian; a family spans several lines.
type ImportRow struct {
	Line     int
	Family   FamilyForm
	Guardian Guardian
	HasChild bool
	Child    ChildForm
	Errors   []string
	// Notes are what the preview reports without refusing the line: a
	// value repaired (Excel's lost leading zero, a decimal QF) or a match
	// a person has to decide (same name, no reference nor email).
	Notes []string

	fam Family // validated family
	ch  Child  // validated child (when HasChild)
	key string // family grouping key within the file (groupRows)
}

// ImportFile is a parsed families file: its lines, and the columns of its
// header that the import does not use, for the preview to list.
type ImportFile struct {
	Rows    []ImportRow
	Ignored []string // "Colonne" or "Colonne (en double)"
}

// OK reports whether the line can be imported.
func (r ImportRow) OK() bool { return len(r.Errors) == 0 }

// importColumns maps a folded header (letters and digits only) to a field.
var importColumns = map[string]string{
	"reference": "ref", "ref": "ref", "referencefamille": "ref", "reffamille": "ref", "idfamille": "ref", "numerofamille": "ref",
	"codefamille": "ref", "identifiant": "ref", "dossier": "ref", "numerodossier": "ref",
	// "N° famille", "Nº dossier", "No famille", "Num. famille", "Numéro de famille"
	"nofamille": "ref", "nodossier": "ref", "numfamille": "ref", "numdossier": "ref", "numerodefamille": "ref",
	"nodefamille": "ref", "numerodedossier": "ref", "nodedossier": "ref", "referencedossier": "ref", "identifiantfamille": "ref",
	"nofoyer": "ref", "numerofoyer": "ref", "codefoyer": "ref",
	"famille": "family", "nomfamille": "family", "nomdelafamille": "family", "foyer": "family",
	"email": "email", "mail": "email", "courriel": "email", "emailfamille": "email", "adresseemail": "email", "adressemail": "email",
	"telephone": "phone", "tel": "phone", "portable": "phone", "telephonefamille": "phone",
	"adresse": "address", "codepostal": "postal", "cp": "postal", "ville": "city", "commune": "city",
	"qf": "qf", "quotientfamilial": "qf", "quotient": "qf",
	"qfdebut": "qf_from", "debutqf": "qf_from", "qfdu": "qf_from", "qfvalidedu": "qf_from", "debutquotient": "qf_from",
	"qffin": "qf_until", "finqf": "qf_until", "qfau": "qf_until", "qfvalideau": "qf_until", "finquotient": "qf_until",
	"responsablecivilite": "g_civility", "civilite": "g_civility",
	"responsablenom": "g_last", "nomresponsable": "g_last", "responsableprenom": "g_first", "prenomresponsable": "g_first",
	"responsableemail": "g_email", "emailresponsable": "g_email", "responsabletelephone": "g_phone", "telephoneresponsable": "g_phone",
	"enfantnom": "c_last", "nomenfant": "c_last", "enfantprenom": "c_first", "prenomenfant": "c_first", "prenom": "c_first",
	"naissance": "c_birth", "datedenaissance": "c_birth", "datenaissance": "c_birth", "nele": "c_birth", "enfantnaissance": "c_birth",
	"ecole": "c_school", "etablissement": "c_school", "classe": "c_class", "niveau": "c_class",
	"pai": "c_pai", "panierrepas": "c_basket", "panier": "c_basket",
	"regime": "c_diet", "regimealimentaire": "c_diet", "preferencealimentaire": "c_diet",
}

var errImportEmpty = errors.New("le fichier est vide")

// ImportError is a problem with the whole file, in French.
type ImportError struct{ Message string }

func (e *ImportError) Error() string { return e.Message }

// headerKey folds a column title to letters and digits; the degree sign
// and the ordinal indicator of "N°", "Nº" are an "o", so "N° famille" is
// "nofamille".
func headerKey(h string) string {
	var b strings.Builder
	for _, r := range FoldText(h) {
		switch {
		case r == '°' || r == 'º':
			b.WriteByte('o')
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ParseImport reads a families CSV file: separator ';' or ',', UTF-8 with
// or without BOM or Windows-1252, a header line naming the columns, dates
// JJ/MM/AAAA. Every line is validated on its own and against the lines
// before it (duplicates), and lines are grouped into families by
// reference or email only (groupRows); nothing touches a database.
func ParseImport(data []byte) (*ImportFile, error) {
	text := DecodeCSV(data)
	if strings.TrimSpace(text) == "" {
		return nil, &ImportError{"Le fichier est vide."}
	}
	lines := NewCSVLines(text)
	header, err := lines.Header()
	if err != nil {
		return nil, &ImportError{"La première ligne (les titres des colonnes) est illisible."}
	}
	cols := map[string]int{}
	file := &ImportFile{}
	untitled := map[int]bool{} // untitled columns: listed when a line fills them
	for i, h := range header {
		h = CleanText(h)
		field, ok := importColumns[headerKey(h)]
		_, dup := cols[field]
		switch {
		case ok && !dup:
			cols[field] = i
		case ok:
			file.Ignored = append(file.Ignored, h+" (en double)")
		case h != "":
			file.Ignored = append(file.Ignored, h)
		default:
			untitled[i] = false
		}
	}
	if _, ok := cols["family"]; !ok {
		msg := "La colonne « Famille » (nom de la famille) est introuvable dans la première ligne."
		if len(file.Ignored) > 0 {
			msg += " Colonnes non reconnues : " + strings.Join(file.Ignored, ", ") + "."
		}
		return nil, &ImportError{msg}
	}
	var rows []ImportRow
	seenChild := map[string]int{}
	for {
		line, rec, err := lines.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			rows = append(rows, ImportRow{Line: line, Errors: []string{err.Error()}})
			if len(rows) > maxImportRows {
				return nil, &ImportError{fmt.Sprintf("Le fichier dépasse %d lignes : découpez-le.", maxImportRows)}
			}
			continue
		}
		if len(rows) >= maxImportRows {
			return nil, &ImportError{fmt.Sprintf("Le fichier dépasse %d lignes : découpez-le.", maxImportRows)}
		}
		for i := range untitled {
			if i < len(rec) && strings.TrimSpace(rec[i]) != "" {
				untitled[i] = true
			}
		}
		rows = append(rows, parseImportRow(line, rec, cols, seenChild))
	}
	if len(rows) == 0 {
		return nil, &ImportError{"Le fichier ne contient aucune ligne après les titres des colonnes."}
	}
	for i := range len(header) {
		if untitled[i] {
			file.Ignored = append(file.Ignored, fmt.Sprintf("colonne %d sans titre", i+1))
		}
	}
	groupRows(rows)
	file.Rows = rows
	return file, nil
}

func parseImportRow(line int, rec []string, cols map[string]int, seenChild map[string]int) ImportRow {
	get := func(field string) string {
		if i, ok := cols[field]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	r := ImportRow{Line: line}
	r.Family = FamilyForm{Name: get("family"), Email: get("email"), Phone: r.repairPhone(get("phone")), Address: get("address"),
		PostalCode: r.repairPostalCode(get("postal")), City: get("city"), ExternalRef: get("ref"), QF: get("qf"),
		QFFrom: get("qf_from"), QFUntil: get("qf_until")}
	fam, errs := r.Family.Validate()
	for _, f := range []string{"name", "email", "address", "qf", "qf_from", "qf_until"} {
		if m, ok := errs[f]; ok {
			r.Errors = append(r.Errors, m)
		}
	}
	if _, bad := errs["qf"]; !bad && fam.HasQF && strconv.FormatInt(fam.QF, 10) != strings.ReplaceAll(r.Family.QF, " ", "") {
		r.Notes = append(r.Notes, fmt.Sprintf("QF « %s » compté %d (les tranches de prix sont en nombres entiers)", r.Family.QF, fam.QF))
	}
	r.fam = fam
	r.Guardian = Guardian{Civility: normalizeCivility(get("g_civility")), Email: strings.ToLower(get("g_email")), Phone: CleanText(r.repairPhone(get("g_phone")))}
	for _, n := range []struct {
		dst   *string
		field string
	}{{&r.Guardian.LastName, "g_last"}, {&r.Guardian.FirstName, "g_first"}} {
		var problem string
		if *n.dst, problem = names.Check(get(n.field), 100); problem != "" {
			r.Errors = append(r.Errors, "responsable : "+problem)
		}
	}
	if r.Guardian.LastName == "" && (r.Guardian.FirstName != "" || r.Guardian.Email != "") {
		r.Errors = append(r.Errors, "le nom du responsable est obligatoire quand son prénom ou son email est donné")
	}
	if r.Guardian.Email != "" {
		if _, e := (FamilyForm{Name: "x", Email: r.Guardian.Email}).Validate(); len(e) > 0 {
			r.Errors = append(r.Errors, "l'adresse email du responsable n'est pas valide")
		}
	}
	childCols := []string{"c_last", "c_first", "c_birth", "c_school", "c_class", "c_pai", "c_basket", "c_diet"}
	for _, f := range childCols {
		if get(f) != "" {
			r.HasChild = true
		}
	}
	if !r.HasChild {
		return r
	}
	pai, ok1 := parseYesNo(get("c_pai"))
	basket, ok2 := parseYesNo(get("c_basket"))
	if !ok1 {
		r.Errors = append(r.Errors, fmt.Sprintf("PAI : « %s » n'est ni oui ni non", get("c_pai")))
	}
	if !ok2 {
		r.Errors = append(r.Errors, fmt.Sprintf("panier repas : « %s » n'est ni oui ni non", get("c_basket")))
	}
	r.Child = ChildForm{FirstName: get("c_first"), LastName: get("c_last"), BirthDate: get("c_birth"), School: get("c_school"),
		ClassName: get("c_class"), Diet: get("c_diet"), PAI: pai, HomeBasket: basket}
	if r.Child.LastName == "" {
		r.Child.LastName = fam.Name
	}
	ch, cerrs := r.Child.Validate()
	for _, f := range []string{"first_name", "last_name", "birth_date", "school", "diet"} {
		if m, ok := cerrs[f]; ok {
			r.Errors = append(r.Errors, m)
		}
	}
	r.ch = ch
	if len(cerrs) == 0 {
		k := FoldText(ch.FirstName) + "|" + FoldText(ch.LastName) + "|" + ch.BirthDate
		if prev, dup := seenChild[k]; dup {
			r.Errors = append(r.Errors, fmt.Sprintf("doublon : même enfant (prénom, nom, date de naissance) qu'à la ligne %d", prev))
		} else {
			seenChild[k] = line
		}
	}
	return r
}

// repairPhone puts back the leading zero that Excel drops from a French
// number stored as a number (612345678 → 0612345678), with a note.
func (r *ImportRow) repairPhone(v string) string {
	if len(v) == 9 && v[0] != '0' && strings.Trim(v, "0123456789") == "" {
		r.Notes = append(r.Notes, fmt.Sprintf("téléphone %s complété en 0%s (zéro initial perdu par le tableur)", v, v))
		return "0" + v
	}
	return v
}

// repairPostalCode puts back the leading zero of a postal code of the
// départements 01 to 09 (1000 → 01000), with a note.
func (r *ImportRow) repairPostalCode(v string) string {
	if len(v) == 4 && v[0] != '0' && strings.Trim(v, "0123456789") == "" {
		r.Notes = append(r.Notes, fmt.Sprintf("code postal %s complété en 0%s (zéro initial perdu par le tableur)", v, v))
		return "0" + v
	}
	return v
}

// groupRows gives each valid line its family key. Lines are one family
// only when they share a reference, or, without one, an email (joined to
// the reference that lines with that email carry); a line with neither is
// a family of its own. A line whose family name is another family's gets
// a note, for a person to decide: a name alone never merges families.
func groupRows(rows []ImportRow) {
	const several = "\x00"
	refOfEmail := map[string]string{}
	for i := range rows {
		f := rows[i].fam
		if !rows[i].OK() || f.ExternalRef == "" || f.Email == "" {
			continue
		}
		if ref, seen := refOfEmail[f.Email]; !seen {
			refOfEmail[f.Email] = f.ExternalRef
		} else if ref != f.ExternalRef {
			refOfEmail[f.Email] = several
		}
	}
	type first struct {
		key  string
		line int
	}
	byName := map[string]first{}
	for i := range rows {
		r := &rows[i]
		if !r.OK() {
			continue
		}
		switch ref := refOfEmail[r.fam.Email]; {
		case r.fam.ExternalRef != "":
			r.key = "ref:" + r.fam.ExternalRef
		case r.fam.Email != "" && ref != "" && ref != several:
			r.key = "ref:" + ref
		case r.fam.Email != "":
			r.key = "email:" + r.fam.Email
		default:
			r.key = "line:" + strconv.Itoa(r.Line)
		}
		name := FoldText(r.fam.Name)
		if f, seen := byName[name]; !seen {
			byName[name] = first{r.key, r.Line}
		} else if f.key != r.key {
			r.Notes = append(r.Notes, fmt.Sprintf("même nom de famille qu'à la ligne %d, sans la même référence ni le même email : "+
				"importée comme une autre famille. S'il s'agit de la même famille, donnez à ses lignes la même référence (ou le même email).", f.line))
		}
	}
}

func parseYesNo(v string) (bool, bool) {
	switch FoldText(strings.TrimSpace(v)) {
	case "", "non", "n", "0", "no", "faux", "false", "-":
		return false, true
	case "oui", "o", "1", "x", "yes", "y", "vrai", "true":
		return true, true
	}
	return false, false
}

func normalizeCivility(v string) string {
	switch FoldText(strings.TrimSuffix(strings.TrimSpace(v), ".")) {
	case "m", "monsieur", "mr":
		return "M"
	case "mme", "madame", "mlle", "mademoiselle":
		return "Mme"
	}
	return ""
}
