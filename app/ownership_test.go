package app_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The ownership check: every table of the commune and platform databases
// has one writer package. It parses every non-test Go file of the module,
// finds the SQL string literals that write a table and fails when a table
// is written by two packages. Run with -v to print the table → writer
// listing.

// exemptFromOwnership are packages whose writes do not count: test
// fixtures that build databases for the tests.
var exemptFromOwnership = map[string]bool{
	"app/apptest": true,
}

// declaredDynamicWrites are the writes whose table name is not in the
// SQL text ("INSERT INTO " + table): the copy of a configuration from
// another commune. Each package says here which tables it writes that
// way, and the check counts them; an undeclared dynamic write fails.
var declaredDynamicWrites = map[string][]string{
	"app/booking": {"regies", "prestations", "price_brackets", "closures", // CopyCatalogRows
		"partial_closures", "partial_closure_prestations", "partial_closure_schools"},
	"app/admin":    {"school_holidays"},                   // CopyConfig, its own table
	"app/families": {"schools"},                           // CopySchoolRows
	"app/auth":     {"staff_login_failures", "throttles"}, // Throttle, over its callers' tables
}

// sqlWrite finds the table a statement writes. Keywords are matched
// case-insensitively; names are checked against the tables the
// migrations create, so English prose ("update the price") never counts.
var sqlWrite = []*regexp.Regexp{
	regexp.MustCompile(`(?i)\bINSERT\s+(?:OR\s+[a-z]+\s+)?INTO\s+"?([a-z_][a-z0-9_]*)`),
	regexp.MustCompile(`(?i)\bREPLACE\s+INTO\s+"?([a-z_][a-z0-9_]*)`),
	regexp.MustCompile(`(?i)(?:^|[^a-z_])UPDATE\s+(?:OR\s+[a-z]+\s+)?"?([a-z_][a-z0-9_]*)"?\s+SET\b`),
	regexp.MustCompile(`(?i)\bDELETE\s+FROM\s+"?([a-z_][a-z0-9_]*)`),
}

// doUpdate is the upsert clause: its target is the INSERT's own table,
// already counted, and it must not read as "UPDATE <table> SET".
var doUpdate = regexp.MustCompile(`(?i)\bDO\s+UPDATE\s+SET\b`)

var sqlComment = regexp.MustCompile(`--[^\n]*`)

// dynamicWrite is a write whose table is not in the text: the keyword ends
// the literal or is followed by a format verb.
var dynamicWrite = regexp.MustCompile(`(?i)(?:\bINSERT\s+(?:OR\s+[a-z]+\s+)?INTO|\bREPLACE\s+INTO|(?:^|[^a-z_-])UPDATE|\bDELETE\s+FROM)\s+(?:$|%[sv])`)

// writtenTables returns the tables (among known) that one SQL text writes.
func writtenTables(sql string, known map[string]bool) []string {
	sql = sqlComment.ReplaceAllString(sql, " ")
	sql = doUpdate.ReplaceAllString(sql, " DO_UPSERT ")
	var out []string
	for _, re := range sqlWrite {
		for _, m := range re.FindAllStringSubmatch(sql, -1) {
			if t := strings.ToLower(m[1]); known[t] && !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	return out
}

// fileWrites returns the tables written by the string literals of one
// parsed Go file (literals joined with + count as one text), and whether
// it holds a write whose table is named at run time.
func fileWrites(f *ast.File, known map[string]bool) (tables []string, dynamic bool) {
	var out []string
	add := func(text string) {
		if dynamicWrite.MatchString(sqlComment.ReplaceAllString(text, " ")) {
			dynamic = true
		}
		for _, t := range writtenTables(text, known) {
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BinaryExpr:
			if n.Op == token.ADD {
				if s, ok := concat(n); ok {
					add(s)
					return false
				}
			}
		case *ast.BasicLit:
			if n.Kind == token.STRING {
				if s, err := strconv.Unquote(n.Value); err == nil {
					add(s)
				}
			}
		}
		return true
	})
	return out, dynamic
}

// concat joins a chain of string literals added together.
func concat(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.ParenExpr:
		return concat(e.X)
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		l, ok1 := concat(e.X)
		r, ok2 := concat(e.Y)
		return l + " " + r, ok1 && ok2
	}
	return "", false
}

// writers maps each table to the sorted packages that write it.
type writers map[string][]string

func (w writers) add(table, pkg string) {
	if !slices.Contains(w[table], pkg) {
		w[table] = append(w[table], pkg)
		slices.Sort(w[table])
	}
}

// shared lists the tables with more than one writer package, sorted.
func (w writers) shared() []string {
	var out []string
	for t, pkgs := range w {
		if len(pkgs) > 1 {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

var createTable = regexp.MustCompile(`(?i)\bCREATE\s+(?:VIRTUAL\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"?([a-z_][a-z0-9_]*)`)

// moduleRoot is the directory holding go.mod, above the test's directory.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found")
		}
		dir = parent
	}
}

// knownTables reads the table names the migrations create.
func knownTables(t *testing.T, root string) map[string]bool {
	t.Helper()
	known := map[string]bool{}
	err := filepath.WalkDir(filepath.Join(root, "migrations"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".sql") {
			return err
		}
		b, err := os.ReadFile(path)
		for _, m := range createTable.FindAllStringSubmatch(string(b), -1) {
			known[strings.ToLower(m[1])] = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(known) < 20 {
		t.Fatalf("only %d tables found in the migrations", len(known))
	}
	return known
}

// moduleWriters parses every non-test Go file of the module.
func moduleWriters(t *testing.T, root string, known map[string]bool) writers {
	t.Helper()
	w := writers{}
	fset := token.NewFileSet()
	files := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		pkg := filepath.ToSlash(rel)
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files++
		if exemptFromOwnership[pkg] {
			return nil
		}
		tables, dynamic := fileWrites(f, known)
		for _, table := range tables {
			w.add(table, pkg)
		}
		if dynamic {
			declared, ok := declaredDynamicWrites[pkg]
			if !ok {
				t.Errorf("%s writes a table named at run time: declare its tables in declaredDynamicWrites", path)
			}
			for _, table := range declared {
				w.add(table, pkg)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 100 {
		t.Fatalf("only %d Go files parsed", files)
	}
	return w
}

func TestEveryTableHasOneWriterPackage(t *testing.T) {
	root := moduleRoot(t)
	w := moduleWriters(t, root, knownTables(t, root))
	tables := make([]string, 0, len(w))
	for table := range w {
		tables = append(tables, table)
	}
	slices.Sort(tables)
	for _, table := range tables {
		t.Logf("%-24s %s", table, strings.Join(w[table], ", "))
	}
	for _, table := range w.shared() {
		t.Errorf("table %s is written by %d packages (%s): give it one writer package and call it from the others",
			table, len(w[table]), strings.Join(w[table], ", "))
	}

}

// The check itself: two packages writing one table fail it, whatever the
// spelling of the write; reads, prose and upserts' DO UPDATE do not count.
func TestOwnershipCheckFindsASecondWriter(t *testing.T) {
	known := map[string]bool{"news": true, "settings": true, "regies": true, "audit_log": true}
	parse := func(src string) *ast.File {
		f, err := parser.ParseFile(token.NewFileSet(), "fixture.go", src, 0)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	owner := parse(`package news
const insert = "INSERT INTO news (title) VALUES (?)"
func upsert() string { return ` + "`INSERT INTO settings (key, value) VALUES (?, ?)\n\tON CONFLICT (key) DO UPDATE SET value = excluded.value`" + ` }
`)
	intruder := parse(`package admin
import "errors"
var errUpdate = errors.New("update news failed: delete from the list")
func q() string { return "UPDATE " + "news SET title = ? WHERE id = ?" }
func r() string { return "SELECT * FROM regies -- DELETE FROM regies" }
func s() string { return "insert or replace into audit_log (at) values (1)" }
`)
	w := writers{}
	for pkg, f := range map[string]*ast.File{"app/news": owner, "app/admin": intruder} {
		tables, dynamic := fileWrites(f, known)
		if dynamic {
			t.Errorf("%s: no write with a run-time table name, yet one was found", pkg)
		}
		for _, table := range tables {
			w.add(table, pkg)
		}
	}
	for _, tc := range []struct {
		table string
		want  []string
	}{
		{"news", []string{"app/admin", "app/news"}},
		{"settings", []string{"app/news"}},
		{"regies", nil},
		{"audit_log", []string{"app/admin"}},
	} {
		if !slices.Equal(w[tc.table], tc.want) {
			t.Errorf("%s written by %v, want %v", tc.table, w[tc.table], tc.want)
		}
	}
	if got := w.shared(); !slices.Equal(got, []string{"news"}) {
		t.Errorf("tables with two writers = %v, want [news]", got)
	}
}

func TestOwnershipCheckSeesTablesNamedAtRunTime(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		dynamic   bool
	}{
		{"a concatenated table name", "package p\nfunc q(t string) string { return `INSERT INTO ` + t + ` (a) VALUES (?)` }\n", true},
		{"a formatted table name", "package p\nimport \"fmt\"\nfunc q(t string) string { return fmt.Sprintf(\"DELETE FROM %s WHERE id = ?\", t) }\n", true},
		{"an update of a variable table", "package p\nfunc q(t string) string { return \"UPDATE \" + t + \" SET a = 1\" }\n", true},
		{"a literal table", "package p\nconst q = \"DELETE FROM news WHERE id = ?\"\n", false},
		{"an error message", "package p\nimport \"fmt\"\nvar e = fmt.Errorf(\"news: update %d: delete\", 1)\n", false},
		{"a read of a variable table", "package p\nfunc q(t string) string { return `SELECT * FROM ` + t }\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := parser.ParseFile(token.NewFileSet(), "fixture.go", tc.src, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, dynamic := fileWrites(f, map[string]bool{"news": true}); dynamic != tc.dynamic {
				t.Errorf("dynamic = %v, want %v", dynamic, tc.dynamic)
			}
		})
	}
}
