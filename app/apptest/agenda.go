package apptest

import (
	"regexp"
	"strings"
	"testing"
)

var cellRE = regexp.MustCompile(`(?s)<td class="cell ([^"]*)">(.*?)</td>`)

// AgendaCell returns the CSS state of a prestation's cell on a day in an
// agenda page (the cell's screen-reader text names the date, dayFR, as
// calendar.Date.FR writes it); it fails the test when there is none.
func AgendaCell(t testing.TB, body, prestation, dayFR string) string {
	t.Helper()
	for _, row := range strings.Split(body, "<tr>") {
		if !strings.Contains(row, `<th scope="row">`+prestation+`</th>`) {
			continue
		}
		for _, m := range cellRE.FindAllStringSubmatch(row, -1) {
			if strings.Contains(m[2], dayFR+" : ") {
				return m[1]
			}
		}
	}
	t.Fatalf("no cell %s on %s in\n%s", prestation, dayFR, body)
	return ""
}
