package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/chromedp/chromedp"
)

// Shot checks the page's accessibility basics (A11y) and layout (Layout)
// and saves a
// screenshot of the whole page to
// test-output/<Test>/<size>/<NN>-<step>.png, numbered in order.
func (tab *Tab) Shot(step string) {
	tab.t.Helper()
	tab.A11y()
	tab.Layout()
	if err := tab.shot(step); err != nil {
		tab.t.Errorf("e2e: screenshot %q: %v", step, err)
	}
}

var leadingNumber = regexp.MustCompile(`^\d+-`)
var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func (tab *Tab) shot(step string) error {
	dir := tab.shotDir()
	n, fresh := nextShot(tab.t, dir)
	if fresh {
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(tab.ctx, tab.timeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return err
	}
	name := unsafeName.ReplaceAllString(leadingNumber.ReplaceAllString(step, ""), "_")
	return os.WriteFile(filepath.Join(dir, fmt.Sprintf("%02d-%s.png", n, name)), png, 0o644)
}

// shotDir is <repo>/test-output/<test name as folders>/<size>; a last
// subtest named after the size is not repeated.
func (tab *Tab) shotDir() string {
	parts := strings.Split(tab.t.Name(), "/")
	if len(parts) > 1 && parts[len(parts)-1] == tab.size.Name {
		parts = parts[:len(parts)-1]
	}
	for i, p := range parts {
		parts[i] = unsafeName.ReplaceAllString(p, "_")
	}
	return filepath.Join(append(append([]string{repoRoot(), "test-output"}, parts...), tab.size.Name)...)
}

// repoRoot is the folder of go.mod above the test's working directory.
func repoRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return "."
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}
