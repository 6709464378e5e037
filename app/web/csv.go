package web

import (
	"encoding/csv"
	"io"
	"strings"
	"unicode"

	"github.com/gofiber/fiber/v2"
)

// CSVWriter writes the spreadsheet files the product hands out, as French
// offices open them (';' separated, UTF-8 with a byte-order mark), every
// cell neutralised against formula injection (SafeCSVCell). Every CSV the
// product writes goes through it.
type CSVWriter struct{ w *csv.Writer }

// NewCSVWriter starts a file on w with the byte-order mark.
func NewCSVWriter(w io.Writer) (*CSVWriter, error) {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return nil, err
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	return &CSVWriter{w: cw}, nil
}

// Write writes one line, each cell through SafeCSVCell.
func (w *CSVWriter) Write(cells []string) error {
	safe := make([]string, len(cells))
	for i, c := range cells {
		safe[i] = SafeCSVCell(c)
	}
	return w.w.Write(safe)
}

// Flush writes what is buffered and returns the first write error.
func (w *CSVWriter) Flush() error {
	w.w.Flush()
	return w.w.Error()
}

// SafeCSVCell neutralises a cell that a spreadsheet would run as a formula
// (OWASP "CSV injection"): one whose first character, leading spaces
// aside, is = + - @, a tab or a carriage return gets a leading apostrophe,
// so "=HYPERLINK(…)" is shown as text. A plain number ("-2,55",
// "+33 6 12 34 56 78") is left as it is: it cannot call anything.
func SafeCSVCell(s string) string {
	t := strings.TrimLeft(s, " ")
	if t == "" {
		return s
	}
	switch t[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if plainNumber(t) {
			return s
		}
		return "'" + s
	}
	return s
}

// plainNumber reports a sign followed by digits, spaces and at most one
// decimal separator.
func plainNumber(s string) bool {
	if s[0] != '-' && s[0] != '+' {
		return false
	}
	digits, seps := 0, 0
	for _, r := range s[1:] {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == ',' || r == '.':
			seps++
		case r == ' ' || r == '\u00a0' || r == '\u202f':
		default:
			return false
		}
	}
	return digits > 0 && seps <= 1 && !unicode.IsSpace(rune(s[len(s)-1]))
}

// SendCSV sends a spreadsheet file for download: the header line, then
// row(i) for each of the n rows, through CSVWriter.
func SendCSV(c *fiber.Ctx, filename string, header []string, n int, row func(i int) []string) error {
	var b strings.Builder
	w, err := NewCSVWriter(&b)
	if err != nil {
		return err
	}
	if err := w.Write(header); err != nil {
		return err
	}
	for i := range n {
		if err := w.Write(row(i)); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
	return c.SendString(b.String())
}
