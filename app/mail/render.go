package mail

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
	texttemplate "text/template"
	"time"

	"espacefamille/app/calendar"
	"espacefamille/templates"
)

// funcs are the helpers every mail template can call, as in the pages:
// {{euros .AmountCents}} is "15,30 €", {{datetime .PaidAt}} is
// "28/11/2017 10:08:14" in Paris time; a calendar.Date prints as
// JJ/MM/AAAA with {{.Day.FR}}.
var funcs = map[string]any{
	"euros": calendar.FormatEuros,
	"datetime": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(calendar.Paris()).Format("02/01/2006 15:04:05")
	},
}

// mailSet is every mail kind of templates/mail/: <kind>.txt.tmpl, and
// <kind>.html.tmpl, which defines "body" inside layout.html.tmpl.
type mailSet struct {
	text map[string]*texttemplate.Template
	html map[string]*htmltemplate.Template
}

// loadTemplates parses the embedded mail templates once.
var loadTemplates = sync.OnceValues(func() (*mailSet, error) { return parseTemplates(templates.FS) })

// parseTemplates parses every mail kind of fsys's mail/ folder. A field
// that a template reads and a map of data lacks is an error, not
// "<no value>".
func parseTemplates(fsys fs.FS) (*mailSet, error) {
	set := &mailSet{text: map[string]*texttemplate.Template{}, html: map[string]*htmltemplate.Template{}}
	names, err := fs.Glob(fsys, "mail/*.txt.tmpl")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		kind := strings.TrimSuffix(path.Base(name), ".txt.tmpl")
		t, err := texttemplate.New(path.Base(name)).Funcs(funcs).Option("missingkey=error").ParseFS(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("mail: template %s: %w", kind, err)
		}
		h, err := htmltemplate.New("layout.html.tmpl").Funcs(funcs).Option("missingkey=error").
			ParseFS(fsys, "mail/layout.html.tmpl", "mail/"+kind+".html.tmpl")
		if err != nil {
			return nil, fmt.Errorf("mail: template %s: %w", kind, err)
		}
		if h.Lookup("body") == nil {
			return nil, fmt.Errorf("mail: template %s: the HTML part defines no \"body\"", kind)
		}
		set.text[kind], set.html[kind] = t, h
	}
	return set, nil
}

// CheckTemplates parses every mail template; the server calls it at
// start-up, so that a broken mail stops the start rather than its first
// sending.
func CheckTemplates() error {
	_, err := loadTemplates()
	return err
}

// Kinds lists the mail kinds that templates/mail/ holds, sorted.
func Kinds() []string {
	set, err := loadTemplates()
	if err != nil {
		return nil
	}
	out := make([]string, 0, len(set.text))
	for k := range set.text {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Render builds the plain-text and HTML bodies of the mail kind with
// data, which the layout reads .CommuneName from.
func Render(kind string, data any) (text, html string, err error) {
	set, err := loadTemplates()
	if err != nil {
		return "", "", err
	}
	tt, ok := set.text[kind]
	if !ok {
		return "", "", fmt.Errorf("mail: no template for mail kind %q", kind)
	}
	var tb, hb bytes.Buffer
	if err := tt.Execute(&tb, data); err != nil {
		return "", "", fmt.Errorf("mail: render %s: %w", kind, err)
	}
	if err := set.html[kind].ExecuteTemplate(&hb, "layout", data); err != nil {
		return "", "", fmt.Errorf("mail: render %s: %w", kind, err)
	}
	return tb.String(), hb.String(), nil
}
