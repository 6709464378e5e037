package tenants

import (
	"database/sql/driver"
	"regexp"
	"strings"
	"testing"
)

func TestRebindNumbersPlaceholdersOutsideLiterals(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"no placeholder", `SELECT 1`, `SELECT 1`},
		{"in order", `SELECT a FROM t WHERE b = ? AND c > ?`, `SELECT a FROM t WHERE b = $1 AND c > $2`},
		{"a question mark in a string stays", `SELECT '?' || a FROM t WHERE b = ?`, `SELECT '?' || a FROM t WHERE b = $1`},
		{"an escaped quote does not end the string", `SELECT 'it''s ?' WHERE a = ?`, `SELECT 'it''s ?' WHERE a = $1`},
		{"quoted identifier", `SELECT "what?" FROM t WHERE a = ?`, `SELECT "what?" FROM t WHERE a = $1`},
		{"line comment", "SELECT a -- why?\nFROM t WHERE a = ?", "SELECT a -- why?\nFROM t WHERE a = $1"},
		{"block comment", `SELECT /* ? */ a FROM t WHERE a = ?`, `SELECT /* ? */ a FROM t WHERE a = $1`},
		{"numbered as in SQLite", `SELECT ?2, ?1, ?`, `SELECT $2, $1, $3`},
		{"ten and more", `VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, `VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`},
		{"unterminated string is copied", `SELECT 'abc ?`, `SELECT 'abc ?`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := rebind(c.in); got != c.want {
				t.Fatalf("rebind(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestNamedArgumentsBecomeNumberedInOrderOfFirstUse(t *testing.T) {
	q, args, err := bindArgs(`SELECT :b, :a::text, ':c', :b WHERE x = :a`, []driver.NamedValue{
		{Name: "a", Ordinal: 1, Value: "A"}, {Name: "b", Ordinal: 2, Value: int64(2)}})
	if err != nil {
		t.Fatal(err)
	}
	if want := `SELECT $1, $2::text, ':c', $1 WHERE x = $2`; q != want {
		t.Fatalf("query %q, want %q", q, want)
	}
	if len(args) != 2 || args[0].Value != int64(2) || args[1].Value != "A" || args[0].Ordinal != 1 || args[1].Ordinal != 2 {
		t.Fatalf("args %+v, want b then a", args)
	}
	if _, _, err := bindArgs(`SELECT :missing`, []driver.NamedValue{{Name: "a", Ordinal: 1, Value: 1}}); err == nil {
		t.Fatal("a name no argument gives was accepted")
	}
}

func TestBooleansAreSentAsTheIntegersTheSchemaStores(t *testing.T) {
	c := &pgConn{}
	for in, want := range map[bool]int64{true: 1, false: 0} {
		v := driver.NamedValue{Value: in}
		if err := c.CheckNamedValue(&v); err != nil || v.Value != want {
			t.Fatalf("%v sent as %v (%v), want %d", in, v.Value, err, want)
		}
	}
	v := driver.NamedValue{Value: "text"}
	if err := c.CheckNamedValue(&v); err != nil || v.Value != "text" {
		t.Fatalf("a string became %v", v.Value)
	}
}

// FuzzRebind: rebinding only ever turns a `?` into `$n`: numbering back
// every `$n` of the result gives the query again.
func FuzzRebind(f *testing.F) {
	for _, s := range []string{`SELECT ? WHERE a = '?' AND b = ?`, "a -- ?\n?", `/* ? */ ? "?" ''''?`, `'unterminated ?`, `/* open ?`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		if strings.Contains(q, "$") || questionN.MatchString(q) {
			return // ?NNN keeps its number (TestRebind…)
		}
		got := rebind(q)
		if back := dollarN.ReplaceAllString(got, "?"); back != q {
			t.Fatalf("rebind(%q) = %q, which does not number back to the query", q, got)
		}
	})
}

var dollarN, questionN = regexp.MustCompile(`\$[0-9]+`), regexp.MustCompile(`\?[0-9]+`)
