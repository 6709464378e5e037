package menus

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"espacefamille/app/calendar"
	"espacefamille/app/families"
)

// The caterer's CSV file: one line per dish, with a header line naming
// the columns (any order, accents and case ignored):
//
//	date;repas;plat;allergenes
//	07/12/2026;Entrée;Carottes râpées;moutarde
//	07/12/2026;Plat;Poisson pané;poissons, gluten, œufs
//
// date is JJ/MM/AAAA (or AAAA-MM-JJ); repas is the course (entrée, plat,
// accompagnement, fromage / laitage, dessert, goûter); allergenes lists
// the annex II allergens separated by commas (or "aucun"). The separator
// is ';' or ','; the file is UTF-8 or Windows-1252 (Excel).

// Limits of one file.
const (
	MaxFileBytes = 512 << 10
	maxRows      = 2000
)

// columns maps a folded column title to its field.
var columns = map[string]string{
	"date": "date", "jour": "date",
	"repas": "course", "composante": "course", "type": "course", "categorie": "course", "service": "course",
	"plat": "name", "libelle": "name", "nom": "name", "intitule": "name", "nom du plat": "name",
	"allergenes": "allergens", "allergene": "allergens", "allergenes inco": "allergens",
}

// RowError is a line of the file that cannot be imported, with its
// French reason.
type RowError struct {
	Line    int
	Message string
}

// Import is a parsed file: the days it publishes (each replaces that
// day's menu when confirmed) and its lines in error. Nothing is written
// while a line is in error.
type Import struct {
	Days   []Day
	Errors []RowError
	Dishes int
}

// FileError is a file that cannot be read at all; its text is French.
type FileError struct{ Message string }

func (e *FileError) Error() string { return e.Message }

// ParseCSV reads a caterer's menu file; it touches no database. A file
// that cannot be read at all is a *FileError; lines in error are listed
// in the Import, one message per line.
func ParseCSV(data []byte) (*Import, error) {
	if len(data) > MaxFileBytes {
		return nil, &FileError{fmt.Sprintf("Le fichier dépasse %d Ko : découpez-le par semaine.", MaxFileBytes>>10)}
	}
	text := families.DecodeCSV(data)
	if strings.TrimSpace(text) == "" {
		return nil, &FileError{"Le fichier est vide."}
	}
	lines := families.NewCSVLines(text)
	header, err := lines.Header()
	if err != nil {
		return nil, &FileError{"La première ligne (les titres des colonnes) est illisible."}
	}
	cols := map[string]int{}
	for i, h := range header {
		if f, ok := columns[fold(strings.ReplaceAll(h, "\ufeff", ""))]; ok {
			if _, dup := cols[f]; !dup {
				cols[f] = i
			}
		}
	}
	for _, need := range []struct{ field, title string }{{"date", "date"}, {"course", "repas"}, {"name", "plat"}} {
		if _, ok := cols[need.field]; !ok {
			return nil, &FileError{fmt.Sprintf("La colonne « %s » est introuvable dans la première ligne (colonnes attendues : date ; repas ; plat ; allergènes).", need.title)}
		}
	}
	out := &Import{}
	byDay := map[calendar.Date]int{}
	rows := 0
	for {
		line, rec, err := lines.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			out.Errors = append(out.Errors, RowError{line, err.Error()})
			continue
		}
		if rows++; rows > maxRows {
			return nil, &FileError{fmt.Sprintf("Le fichier dépasse %d lignes : découpez-le par semaine.", maxRows)}
		}
		d, why := parseRow(rec, cols)
		if why != "" {
			out.Errors = append(out.Errors, RowError{line, why})
			continue
		}
		i, ok := byDay[d.Day]
		if !ok {
			i = len(out.Days)
			byDay[d.Day] = i
			out.Days = append(out.Days, Day{Date: d.Day})
		}
		if len(out.Days[i].Dishes) == MaxDishes {
			out.Errors = append(out.Errors, RowError{line, fmt.Sprintf("le %s compte déjà %d plats", d.Day.FR(), MaxDishes)})
			continue
		}
		out.Days[i].Dishes = append(out.Days[i].Dishes, d)
		out.Dishes++
	}
	if out.Dishes == 0 && len(out.Errors) == 0 {
		return nil, &FileError{"Le fichier ne contient aucun plat après les titres des colonnes."}
	}
	for i := range out.Days {
		sortDishes(out.Days[i].Dishes)
	}
	// Days in date order, as the preview shows them.
	for i := 1; i < len(out.Days); i++ {
		for j := i; j > 0 && out.Days[j].Date.Before(out.Days[j-1].Date); j-- {
			out.Days[j], out.Days[j-1] = out.Days[j-1], out.Days[j]
		}
	}
	return out, nil
}

func cell(rec []string, cols map[string]int, field string) string {
	i, ok := cols[field]
	if !ok || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// parseRow reads one dish, or says in French what is wrong with the line.
func parseRow(rec []string, cols map[string]int) (Dish, string) {
	var d Dish
	var err error
	raw := cell(rec, cols, "date")
	if raw == "" {
		return d, "date manquante"
	}
	if d.Day, err = calendar.ParseDate(raw); err != nil {
		return d, fmt.Sprintf("date « %s » invalide (JJ/MM/AAAA attendu)", clip(raw))
	}
	course := cell(rec, cols, "course")
	var ok bool
	if d.Course, ok = ParseCourse(course); !ok {
		return d, fmt.Sprintf("repas « %s » inconnu (entrée, plat, accompagnement, fromage / laitage, dessert ou goûter)", clip(course))
	}
	d.Name = cell(rec, cols, "name")
	if d.Allergens, err = ParseAllergens(cell(rec, cols, "allergens")); err != nil {
		return d, err.Error()
	}
	if why := checkDish(&d); why != "" {
		return d, why
	}
	return d, ""
}

// ParseAllergens reads a list of allergens separated by commas, "|", "/"
// or "+" ("gluten, lait"); "" and "aucun" are the empty set. The error
// names, in French, the first word that is not an allergen of annex II.
func ParseAllergens(s string) (Set, error) {
	var set Set
	if f := fold(s); f == "" || f == "aucun" || f == "-" || f == "neant" {
		return 0, nil
	}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '|' || r == '/' || r == '+' || r == ';' }) {
		if strings.TrimSpace(part) == "" {
			continue
		}
		a, ok := ParseAllergen(part)
		if !ok {
			return 0, fmt.Errorf("allergène « %s » inconnu (les 14 allergènes réglementaires : %s)", clip(strings.TrimSpace(part)), maxSet.Names())
		}
		set = set.With(a)
	}
	return set, nil
}

// clip shortens a value quoted back in a message.
func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
