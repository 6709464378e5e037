// Package menus holds the canteen's weekly menus (issue 14): the dishes
// of each day with the 14 allergens of regulation (EU) 1169/2011, annex
// II, published by the mairie through a form or the caterer's CSV. A menu
// is information for families, never a diagnosis: the pages only say
// which allergens a dish contains, and for a child whose record has a
// PAI, they point them out.
package menus

import (
	"strings"

	"espacefamille/app/families"
)

// Allergen is one of the 14 allergens of annex II, a bit of a Set.
type Allergen uint8

// The 14 allergens, in the annex's order.
const (
	Gluten Allergen = iota
	Crustaceans
	Eggs
	Fish
	Peanuts
	Soy
	Milk
	Nuts
	Celery
	Mustard
	Sesame
	Sulphites
	Lupin
	Molluscs
	allergenCount
)

// allergenNames are the French names families read, by Allergen.
var allergenNames = [allergenCount]string{
	"gluten", "crustacés", "œufs", "poissons", "arachides", "soja", "lait",
	"fruits à coque", "céleri", "moutarde", "sésame", "sulfites", "lupin", "mollusques",
}

// allergenAliases are other spellings a caterer's file uses, folded (see
// fold), by Allergen.
var allergenAliases = map[string]Allergen{
	"cereales contenant du gluten": Gluten, "ble": Gluten, "crustace": Crustaceans, "oeuf": Eggs, "oeufs": Eggs,
	"poisson": Fish, "arachide": Peanuts, "cacahuete": Peanuts, "cacahuetes": Peanuts, "lactose": Milk,
	"fruit a coque": Nuts, "fruits a coques": Nuts, "noix": Nuts, "celeri": Celery, "sesame": Sesame,
	"anhydride sulfureux": Sulphites, "sulfite": Sulphites, "anhydride sulfureux et sulfites": Sulphites,
	"mollusque": Molluscs,
}

// All lists the 14 allergens in the annex's order.
func All() []Allergen {
	out := make([]Allergen, allergenCount)
	for i := range out {
		out[i] = Allergen(i)
	}
	return out
}

// Name is the allergen's French name, "fruits à coque".
func (a Allergen) Name() string {
	if a >= allergenCount {
		return ""
	}
	return allergenNames[a]
}

// Field is the allergen's form field name, "allergene-7".
func (a Allergen) Field() string {
	return "allergene-" + string(rune('0'+a/10)) + string(rune('0'+a%10))
}

// Set is a set of allergens, one bit each (menu_dishes.allergens).
type Set uint16

// maxSet has the 14 bits.
const maxSet Set = 1<<allergenCount - 1

// Has reports whether a is in the set.
func (s Set) Has(a Allergen) bool { return a < allergenCount && s&(1<<a) != 0 }

// With returns the set with a added.
func (s Set) With(a Allergen) Set {
	if a >= allergenCount {
		return s
	}
	return s | 1<<a
}

// List is the set's allergens in the annex's order.
func (s Set) List() []Allergen {
	var out []Allergen
	for _, a := range All() {
		if s.Has(a) {
			out = append(out, a)
		}
	}
	return out
}

// Names is "gluten, lait, moutarde", or "" for an empty set.
func (s Set) Names() string {
	var parts []string
	for _, a := range s.List() {
		parts = append(parts, a.Name())
	}
	return strings.Join(parts, ", ")
}

// fold lowers s, drops accents and œ ligatures, and squeezes spaces, so
// that "Œufs", "oeufs" and "OEUFS " compare equal.
func fold(s string) string {
	return strings.Join(strings.Fields(families.FoldText(strings.ReplaceAll(s, "’", "'"))), " ")
}

// ParseAllergen reads an allergen's name as a family or a caterer writes
// it ("Œufs", "oeuf", "Fruits à coque", "céleri").
func ParseAllergen(s string) (Allergen, bool) {
	f := fold(s)
	for i, n := range allergenNames {
		if fold(n) == f {
			return Allergen(i), true
		}
	}
	a, ok := allergenAliases[f]
	return a, ok
}
