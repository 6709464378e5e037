package families

import (
	"errors"
	"io"
	"slices"
	"testing"
)

// A spreadsheet's export is read line by line with each line's number in
// the file: blank lines are passed over, the separator is picked from the
// header, stray quotes stay text (LazyQuotes, so that a hand-typed quote
// never loses a line).
func TestCSVLinesNumberEveryLineAndKeepStrayQuotes(t *testing.T) {
	type got struct {
		line int
		rec  []string
		err  error
	}
	for _, c := range []struct {
		name, text string
		want       []got
	}{
		{"semicolons, a blank line skipped", "a;b\n1;2\n\n ; \n3;\"x;y\"\n",
			[]got{{2, []string{"1", "2"}, nil}, {5, []string{"3", "x;y"}, nil}}},
		{"commas, a stray quote kept as text", "a,b\n1,2\"\n3,4\n",
			[]got{{2, []string{"1", "2\""}, nil}, {3, []string{"3", "4"}, nil}}},
		{"a quote left open takes the rest of the file, from its line", "a;b\n1;2\n3;\"oops\n4;5\n",
			[]got{{2, []string{"1", "2"}, nil}, {3, []string{"3", "oops\n4;5\n"}, nil}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := NewCSVLines(c.text)
			if _, err := r.Header(); err != nil {
				t.Fatal(err)
			}
			var out []got
			for {
				line, rec, err := r.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				out = append(out, got{line, rec, err})
				if len(out) > 10 {
					t.Fatal("no end")
				}
			}
			if !slices.EqualFunc(out, c.want, func(a, b got) bool {
				return a.line == b.line && slices.Equal(a.rec, b.rec) && errors.Is(a.err, b.err)
			}) {
				t.Errorf("got %v, want %v", out, c.want)
			}
		})
	}
}
