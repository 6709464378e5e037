package booking

import (
	"fmt"
	"html"
	"html/template"
	"strings"
)

// The Vue Agenda's week tables are written here rather than by
// html/template: a page has 60+ cells, and html/template's escapers,
// called by reflection for each of a cell's values, were most of the
// agenda's rendering under load (bench/README.md). The markup stays
// reviewable in one place: each piece below is one literal in which
// {name} marks a value, and every value is HTML-escaped when written
// (agenda_html_test.go checks the escaping and keeps a golden week).
// templates/famille/reservations.html prints the result inside each
// week's form.

// Week table: its caption and column headings, then its rows.
var (
	weekOpen = markupOf(`<table class="week" id="{anchor}">
    <caption>{title}</caption>
    <thead>
      <tr><th scope="col">Semaine</th>`)
	weekDayHeading = markupOf(`<th scope="col"><abbr title="{date}">{letter}</abbr> <span class="daynum">{number}</span></th>`)
	weekBody       = markupOf(`</tr>
    </thead>
    <tbody>
`)
	rowOpen = markupOf(`      <tr>
        <th scope="row">{name}</th>
`)
	rowClose  = markupOf("      </tr>\n")
	weekClose = markupOf(`    </tbody>
  </table>`)
)

// Cells, one literal per kind; each is a <td> and a line.
var (
	// cellBookable: a réservable cell, a button that books it.
	cellBookable = markupOf(`        <td class="cell {class}"><button type="submit" name="case" value="{value}" class="cell-button" title="{text}" aria-label="{label}"><span aria-hidden="true">{icon}</span></button></td>
`)
	// cellToggle: a demande en cours, a validated booking that can still be
	// cancelled, an annulation en cours: a button, with the state's word.
	cellToggle = markupOf(`        <td class="cell {class}"><button type="submit" name="case" value="{value}" class="cell-button" title="{text}" aria-label="{label}"><span aria-hidden="true">{icon}</span><span class="reason" aria-hidden="true">{reason}</span></button></td>
`)
	// cellWhy: a day that cannot be booked, or a validated booking past
	// its cancellation deadline. One tap (or Enter) on the sign opens why,
	// without JavaScript: a <details> whose summary is announced as a
	// collapsed button; name= keeps one open at a time.
	cellWhy = markupOf(`        <td class="cell {class}"><details class="why" name="pourquoi"><summary title="{text}"><span aria-hidden="true">{icon}</span><span class="reason" aria-hidden="true">{reason}</span><span class="visually-hidden">{label}</span></summary><p class="why-text">{why}</p></details></td>
`)
	// cellFull: a full day the child can wait for: cellWhy whose text
	// ends with the button that joins the waiting list (the week's form
	// posts it; the agenda's script leaves it to the browser).
	cellFull = markupOf(`        <td class="cell {class}"><details class="why" name="pourquoi"><summary title="{text}"><span aria-hidden="true">{icon}</span><span class="reason" aria-hidden="true">{reason}</span><span class="visually-hidden">{label}</span></summary><p class="why-text">{why} <button type="submit" name="attente" value="{join}" class="link">M'inscrire sur la liste d'attente</button></p></details></td>
`)
)

// field is a value a markup literal names.
type field uint8

const (
	fieldAnchor field = iota
	fieldTitle
	fieldDate
	fieldLetter
	fieldNumber
	fieldName
	fieldClass
	fieldValue
	fieldText
	fieldLabel
	fieldIcon
	fieldReason
	fieldWhy
	fieldJoin
	fieldCount
)

var fieldNames = [fieldCount]string{"anchor", "title", "date", "letter", "number", "name", "class", "value", "text", "label", "icon", "reason", "why", "join"}

// values are a piece's values, by field.
type values [fieldCount]string

// markup is a literal cut at its {name} slots: text[0] field[0] text[1] …
type markup struct {
	text  []string
	slots []field
}

// markupOf cuts a literal; an unknown or unclosed {name} is a programming
// error, found when the package loads (and by its tests).
func markupOf(s string) markup {
	var m markup
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			m.text = append(m.text, s)
			return m
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			panic(fmt.Sprintf("booking: unclosed field in %q", s))
		}
		name := s[i+1 : i+j]
		k := field(0)
		for k < fieldCount && fieldNames[k] != name {
			k++
		}
		if k == fieldCount {
			panic(fmt.Sprintf("booking: unknown field {%s}", name))
		}
		m.text = append(m.text, s[:i])
		m.slots = append(m.slots, k)
		s = s[i+j+1:]
	}
}

// write writes the piece with v's values escaped.
func (m markup) write(b *strings.Builder, v *values) {
	for i, s := range m.slots {
		b.WriteString(m.text[i])
		b.WriteString(html.EscapeString(v[s]))
	}
	b.WriteString(m.text[len(m.text)-1])
}

// writeHTML writes the cell with the literal of its kind.
func (v CellView) writeHTML(b *strings.Builder) {
	vals := values{fieldClass: v.Class, fieldValue: v.Value, fieldText: v.Text, fieldLabel: v.Label, fieldIcon: v.Icon, fieldReason: v.Reason, fieldWhy: v.Why, fieldJoin: v.Join}
	switch {
	case v.Join != "":
		cellFull.write(b, &vals)
	case v.Clickable && v.Reason == "":
		cellBookable.write(b, &vals)
	case v.Clickable:
		cellToggle.write(b, &vals)
	default:
		cellWhy.write(b, &vals)
	}
}

// tableHTML writes the week's table: the fragment the agenda cache keeps
// and the page prints inside the week's form.
func (w Week) tableHTML() template.HTML {
	var b strings.Builder
	b.Grow(1024 + 2048*len(w.Rows))
	weekOpen.write(&b, &values{fieldAnchor: w.Anchor(), fieldTitle: w.Title()})
	for _, d := range w.Days {
		weekDayHeading.write(&b, &values{fieldDate: d.Date.FR(), fieldLetter: d.Letter, fieldNumber: d.Number})
	}
	weekBody.write(&b, nil)
	for _, r := range w.Rows {
		rowOpen.write(&b, &values{fieldName: r.Prestation.Name})
		for _, v := range r.Views {
			v.writeHTML(&b)
		}
		rowClose.write(&b, nil)
	}
	weekClose.write(&b, nil)
	return template.HTML(b.String()) //nolint:gosec // markup.write escapes every value
}
