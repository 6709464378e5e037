package apptest

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// PDFText extracts the text of a PDF with poppler's pdftotext, as a reader
// copying it would get it, every run of spaces and line breaks collapsed
// to one space. Without pdftotext the test is skipped (failed under CI,
// where scripts/install-test-deps installs poppler-utils).
func PDFText(t testing.TB, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext not found: run scripts/install-test-deps (poppler-utils)")
		}
		t.Skip("pdftotext not found (run scripts/install-test-deps as root for poppler-utils)")
	}
	var out, errOut bytes.Buffer
	cmd := exec.Command(bin, "-enc", "UTF-8", "-", "-")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(pdf), &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("pdftotext: %v: %s", err, errOut.String())
	}
	return strings.Join(strings.Fields(out.String()), " ")
}
