package families

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Spreadsheets' CSV exports, as the families import and the caterer's
// menus read them: DecodeCSV makes the text, CSVLines reads its lines.

// DecodeCSV returns the file as UTF-8: a BOM is dropped, and a file that
// is not valid UTF-8 is read as Windows-1252 (Excel's "CSV" on Windows).
func DecodeCSV(data []byte) string {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if utf8.Valid(data) {
		return string(data)
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(data)
	if err != nil {
		return strings.ToValidUTF8(string(data), "\uFFFD")
	}
	return string(out)
}

// DetectSeparator picks ';' or ',' by counting them, outside quotes, in
// the header line.
func DetectSeparator(text string) rune {
	semi, comma, quoted := 0, 0, false
	for _, r := range text {
		switch {
		case r == '"':
			quoted = !quoted
		case quoted:
		case r == '\n':
			if semi > comma {
				return ';'
			}
			return ','
		case r == ';':
			semi++
		case r == ',':
			comma++
		}
	}
	if semi > comma {
		return ';'
	}
	return ','
}

// ErrUnreadableLine is a CSV line that encoding/csv refuses (its quotes,
// although LazyQuotes lets most stray quotes through as text); its text
// is the French reason the import previews show beside the line's number.
var ErrUnreadableLine = errors.New("ligne illisible (guillemets mal fermés ?)")

// CSVLines reads a CSV text (DecodeCSV's) line by line: the separator is
// DetectSeparator's, lines may have any number of fields and stray quotes
// are kept as text.
type CSVLines struct{ cr *csv.Reader }

// NewCSVLines returns a reader of text's lines.
func NewCSVLines(text string) *CSVLines {
	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma = DetectSeparator(text)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	return &CSVLines{cr: cr}
}

// Header reads the first line (the columns' titles).
func (r *CSVLines) Header() ([]string, error) { return r.cr.Read() }

// Next returns the next line that is not blank, with its number in the
// file (from 1). A line that cannot be read is ErrUnreadableLine with its
// number, and the next call goes on after it; the end of the text is
// io.EOF.
func (r *CSVLines) Next() (line int, rec []string, err error) {
	for {
		rec, err := r.cr.Read()
		if errors.Is(err, io.EOF) {
			return 0, nil, io.EOF
		}
		line, _ := r.cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			return line, nil, ErrUnreadableLine
		}
		if !blank(rec) {
			return line, rec, nil
		}
	}
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}
