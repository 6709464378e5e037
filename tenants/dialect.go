package tenants

import (
	"strconv"
	"strings"
	"sync"
)

// The platform store runs on SQLite (platform.db, one node) or on
// PostgreSQL (ESPACEFAMILLE_PLATFORM_DSN, several nodes sharing it), with
// one code: every platform query is written once, in the SQL both accept.
// What differs is kept here and in postgres.go:
//   - placeholders: queries are written with `?`; the PostgreSQL
//     connections rebind them to `$1, $2, …` (rebind);
//   - unique violations: IsUnique reads both drivers' error codes;
//   - arguments: a Go bool is sent as 0 or 1, the way SQLite stores it,
//     since both schemas keep flags in integer columns;
//   - instants: TEXT in TimeLayout in both, so they compare as text;
//   - write transactions: SQLite's BEGIN IMMEDIATE makes them one at a
//     time; on PostgreSQL DB.Tx takes a transaction-scoped advisory lock
//     first, so the code keeps that guarantee across every node.
// Platform SQL therefore avoids what only SQLite knows (strftime,
// julianday, INSERT OR IGNORE/REPLACE, rowid, group_concat, LastInsertId,
// a comparison read as 0/1): ON CONFLICT … DO NOTHING/UPDATE, RETURNING,
// string_agg, CASE and COALESCE are common to both (migrations/README.md).

// Dialect is the SQL engine behind a DB.
type Dialect int

const (
	// SQLite is the embedded engine: every commune file, and the platform
	// database of a single node.
	SQLite Dialect = iota
	// Postgres is the platform store shared by several nodes.
	Postgres
)

// String names the dialect as goose and the logs do.
func (d Dialect) String() string {
	if d == Postgres {
		return "postgres"
	}
	return "sqlite"
}

// Dialect returns the handle's SQL engine.
func (d *DB) Dialect() Dialect { return d.dialect }

// rebound caches rebind's results: the platform's queries are a few
// hundred constant texts.
var rebound sync.Map // string → string

// rebind returns query with its `?` placeholders numbered `$1, $2, …` as
// PostgreSQL wants them (`?NNN` keeps its number); a `?` inside a string literal, a quoted
// identifier or a comment is left alone.
func rebind(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	if s, ok := rebound.Load(query); ok {
		return s.(string)
	}
	n := 0
	s := mapOutsideLiterals(query, func(s string, i int) (string, int) {
		if s[i] != '?' {
			return "", 0
		}
		// SQLite's ?NNN is parameter NNN, as PostgreSQL's $NNN; a bare ?
		// is the one after the highest so far.
		j := i + 1
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j > i+1 {
			if v, err := strconv.Atoi(s[i+1 : j]); err == nil {
				n = max(n, v)
			}
			return "$" + s[i+1:j], j - i
		}
		n++
		return "$" + strconv.Itoa(n), 1
	})
	rebound.Store(query, s)
	return s
}

// mapOutsideLiterals copies query, offering each position outside string
// literals, quoted identifiers and comments to fn, which returns the text
// to put instead and how many bytes it replaces (0: none, copy the byte).
func mapOutsideLiterals(query string, fn func(s string, i int) (string, int)) string {
	var b strings.Builder
	b.Grow(len(query) + 16)
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(query) {
				if query[j] == c {
					if j+1 < len(query) && query[j+1] == c { // '' or "" inside
						j += 2
						continue
					}
					break
				}
				j++
			}
			end := min(j+1, len(query))
			b.WriteString(query[i:end])
			i = end - 1
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			j := strings.IndexByte(query[i:], '\n')
			if j < 0 {
				j = len(query) - i
			}
			b.WriteString(query[i : i+j])
			i += j - 1
		case c == '/' && i+1 < len(query) && query[i+1] == '*':
			j := strings.Index(query[i+2:], "*/")
			end := len(query)
			if j >= 0 {
				end = i + 2 + j + 2
			}
			b.WriteString(query[i:end])
			i = end - 1
		default:
			if repl, n := fn(query, i); n > 0 {
				b.WriteString(repl)
				i += n - 1
				continue
			}
			b.WriteByte(c)
		}
	}
	return b.String()
}
