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

// rawReaders are the files outside tenants allowed to read through the
// raw read pool (DB.R) instead of DB.Reader's cached statements. None is
// left: every caller reads through DB.Reader (news.Published included). A
// file that needs DB.R again is listed here with the reason.
var rawReaders = []string{}

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
