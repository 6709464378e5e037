package mail

import (
	"strings"
	"testing"
	"testing/fstest"
)

// A broken mail template is an error of parseTemplates, hence of
// CheckTemplates at start-up, not of the first sending.
func TestBrokenMailTemplateFailsTheParse(t *testing.T) {
	layout := &fstest.MapFile{Data: []byte(`{{define "layout"}}<html lang="fr">{{template "body" .}}</html>{{end}}`)}
	for _, tc := range []struct {
		name  string
		files fstest.MapFS
		want  string
	}{
		{"unclosed action in the text part", fstest.MapFS{"mail/layout.html.tmpl": layout,
			"mail/notice.txt.tmpl":  {Data: []byte("Bonjour {{.Name,\n")},
			"mail/notice.html.tmpl": {Data: []byte(`{{define "body"}}<p>Bonjour</p>{{end}}`)}}, "notice"},
		{"unknown function in the HTML part", fstest.MapFS{"mail/layout.html.tmpl": layout,
			"mail/notice.txt.tmpl":  {Data: []byte("Bonjour\n")},
			"mail/notice.html.tmpl": {Data: []byte(`{{define "body"}}{{francs .Total}}{{end}}`)}}, "notice"},
		{"HTML part missing", fstest.MapFS{"mail/layout.html.tmpl": layout,
			"mail/notice.txt.tmpl": {Data: []byte("Bonjour\n")}}, "notice"},
		{"HTML part without a body", fstest.MapFS{"mail/layout.html.tmpl": layout,
			"mail/notice.txt.tmpl":  {Data: []byte("Bonjour\n")},
			"mail/notice.html.tmpl": {Data: []byte(`<p>Bonjour</p>`)}}, "body"},
	} {
		if _, err := parseTemplates(tc.files); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want one naming %q", tc.name, err, tc.want)
		}
	}
	good := fstest.MapFS{"mail/layout.html.tmpl": layout, "mail/notice.txt.tmpl": {Data: []byte("Total : {{euros .}}\n")},
		"mail/notice.html.tmpl": {Data: []byte(`{{define "body"}}{{euros .}}{{end}}`)}}
	if _, err := parseTemplates(good); err != nil {
		t.Errorf("a sound set failed: %v", err)
	}
}
