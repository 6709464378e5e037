package booking

import (
	"strconv"
	"strings"

	"espacefamille/app/families"
)

// Audience is who a prestation is offered to: the schools (by id) and the
// classes (by name, compared without case) allowed. An empty list allows
// everyone; with both lists set, a child must match both.
type Audience struct {
	Schools []int64
	Classes []string
}

// All reports whether the prestation is offered to every child.
func (a Audience) All() bool { return len(a.Schools) == 0 && len(a.Classes) == 0 }

// Allows reports whether child may book the prestation; when not, the
// reason says which rule refuses (school first, then class).
func (a Audience) Allows(child families.Child) (bool, Reason) {
	if len(a.Schools) > 0 {
		ok := false
		for _, id := range a.Schools {
			ok = ok || id == child.SchoolID
		}
		if !ok {
			return false, Reason{Code: ReasonAudience, Detail: "son école"}
		}
	}
	if len(a.Classes) > 0 {
		class := strings.TrimSpace(child.ClassName)
		ok := false
		for _, c := range a.Classes {
			ok = ok || (class != "" && strings.EqualFold(c, class))
		}
		if !ok {
			return false, Reason{Code: ReasonAudience, Detail: "sa classe"}
		}
	}
	return true, Reason{}
}

// normalize trims, drops empty and duplicate entries.
func (a Audience) normalize() Audience {
	var out Audience
	seen := map[string]bool{}
	for _, id := range a.Schools {
		if k := "s" + strconv.FormatInt(id, 10); id > 0 && !seen[k] {
			seen[k] = true
			out.Schools = append(out.Schools, id)
		}
	}
	for _, c := range a.Classes {
		c = strings.TrimSpace(c)
		if k := "c" + strings.ToLower(c); c != "" && !seen[k] {
			seen[k] = true
			out.Classes = append(out.Classes, c)
		}
	}
	return out
}

// columns are the prestations.allowed_schools and allowed_classes values.
func (a Audience) columns() (schools, classes string) {
	s := make([]string, len(a.Schools))
	for i, id := range a.Schools {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ","), strings.Join(a.Classes, ",")
}

// audienceOf reads the two columns back (unknown tokens are ignored).
func audienceOf(schools, classes string) Audience {
	var a Audience
	for _, s := range strings.Split(schools, ",") {
		if id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
			a.Schools = append(a.Schools, id)
		}
	}
	if classes != "" {
		a.Classes = strings.Split(classes, ",")
	}
	return a.normalize()
}
