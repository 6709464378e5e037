package tenants_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// rawReaders are the only files outside tenants still reading through the
// raw read pool (DB.R) instead of DB.Reader's cached statements: files
// being rewritten in parallel work, and two callers of news.Published,
// which still takes a *sql.DB. Remove a file from the list when it moves
// to Reader; when the list is empty, DB.R becomes private.
var rawReaders = []string{
	"app/accounts/handlers_family.go", // news.Published
	"app/admin/adhesion.go",
	"app/admin/families.go",
	"app/admin/news.go",
	"app/admin/services.go",
	"app/admin/settings.go",
	"app/portal/portal.go", // news.Published
}

// Every read goes through the statement cache (DB.Reader, DB.InTx): this
// lists the files that use the raw read pool and fails on any file not
// in rawReaders (and on a listed file that no longer needs to be).
func TestReadsGoThroughTheStatementCache(t *testing.T) {
	use := regexp.MustCompile(`[\w)]\.R\b[.,)\s]`)
	var found []string
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("..", path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == "tenants" || strings.HasPrefix(d.Name(), ".") && rel != "." {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if use.Match(b) {
			found = append(found, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range found {
		if !slices.Contains(rawReaders, f) {
			t.Errorf("%s reads through the raw pool DB.R: use DB.Reader() (or DB.InTx inside a write)", f)
		}
	}
	for _, f := range rawReaders {
		if !slices.Contains(found, f) {
			t.Errorf("%s no longer uses DB.R: remove it from rawReaders", f)
		}
	}
}
