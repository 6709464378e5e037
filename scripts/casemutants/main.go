// Command casemutants runs the mutants that gremlins v0.6.0 finds in the
// conditions of switch cases but never runs: Go's coverage profile has no
// counter for a case's expression, so gremlins reports such a mutant as
// "NOT COVERED" even when the case's body is covered (upstream issue
// go-gremlins/gremlins#298). scripts/mutation calls it on each gremlins
// JSON report.
//
// For each such mutant whose case body the package's tests cover, it
// writes the mutated file aside, runs the package's tests against it with
// go test -overlay (the work tree is never modified), records KILLED,
// LIVED, NOT VIABLE or TIMED OUT in the report, and recomputes the
// report's totals as gremlins defines them: test efficacy is killed over
// killed plus lived, mutator coverage is killed plus lived over those plus
// not covered.
//
// With -again it also reruns every mutant that survived, timed out or was
// not covered (a plain one counts as covered when a coverage block of the
// tests holds its position): a report made before tests were added is
// then brought up to date without rerunning the mutants already killed,
// which added tests cannot bring back to life. It is not valid after tests
// were changed or removed.
//
//	go run ./scripts/casemutants -report app_calendar.json -dir ./app/calendar
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

func main() {
	report := flag.String("report", "", "gremlins JSON report to complete (rewritten in place)")
	dir := flag.String("dir", "", "the package directory the report is about")
	timeout := flag.Duration("timeout", 3*time.Minute, "time limit of one mutant's test run")
	again := flag.Bool("again", false, "also rerun survived, timed-out and uncovered mutants (after tests were added)")
	workers := flag.Int("workers", 2, "mutants tested at once")
	deadline := flag.String("until", "", "start no mutant after this RFC 3339 time (the report then says how many were tested)")
	flag.Parse()
	if *report == "" || *dir == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: casemutants -report FILE.json -dir PACKAGE_DIR [-timeout 3m]")
		os.Exit(2)
	}
	var until time.Time
	if *deadline != "" {
		var err error
		if until, err = time.Parse(time.RFC3339, *deadline); err != nil {
			fmt.Fprintln(os.Stderr, "casemutants: -until:", err)
			os.Exit(2)
		}
	}
	if err := run(*report, *dir, *timeout, *again, *workers, until); err != nil {
		fmt.Fprintln(os.Stderr, "casemutants:", err)
		os.Exit(1)
	}
}

// gremlins' JSON report, the parts this command reads and writes; other
// fields are kept as they are.
type mutation struct {
	Type   string `json:"type"`
	Status string `json:"status"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
	Note   string `json:"note,omitempty"`
}

type file struct {
	Name      string     `json:"file_name"`
	Mutations []mutation `json:"mutations"`
}

// job is one mutant to test.
type job struct {
	m            *mutation
	name         string // the report's file name
	pkgDir, path string
	mutated      []byte
	switchCase   bool
}

func run(reportPath, dir string, timeout time.Duration, again bool, workers int, until time.Time) error {
	raw, err := os.ReadFile(reportPath)
	if err != nil {
		return err
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("%s: %w", reportPath, err)
	}
	var files []file
	if err := json.Unmarshal(doc["files"], &files); err != nil {
		return fmt.Errorf("%s: files: %w", reportPath, err)
	}
	tmp, err := os.MkdirTemp("", "casemutants-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	jobs, err := plan(files, dir, tmp, again)
	if err != nil {
		return err
	}
	// A small pool: each mutant builds and tests the package on its own.
	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
		next  = make(chan int)
	)
	for w := range max(workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				j := jobs[i]
				status, err := test(j.pkgDir, j.path, j.mutated, filepath.Join(tmp, strconv.Itoa(w)), timeout)
				mu.Lock()
				if err != nil && first == nil {
					first = err
				}
				if err == nil {
					j.m.Status, j.m.Note = status, "run by scripts/casemutants"
					if j.switchCase {
						j.m.Note = "switch case condition, run by scripts/casemutants (gremlins#298)"
					}
					fmt.Fprintf(os.Stderr, "%12s %s at %s:%d:%d\n", j.m.Status, j.m.Type, j.name, j.m.Line, j.m.Column)
				}
				mu.Unlock()
			}
		}()
	}
	started := 0
	for i := range jobs {
		if !until.IsZero() && time.Now().After(until) {
			break
		}
		next <- i
		started++
	}
	close(next)
	if started < len(jobs) {
		fmt.Fprintf(os.Stderr, "casemutants: stopped at the deadline: %d of %d mutants tested, the others keep their status\n", started, len(jobs))
	}
	wg.Wait()
	if first != nil {
		return first
	}
	ran := 0
	for _, j := range jobs[:started] {
		if j.switchCase {
			ran++
		}
	}
	return write(reportPath, doc, files, ran)
}

// plan lists the mutants to test: the switch-case mutants gremlins left
// uncovered whose case body is covered, and with again every mutant not
// killed yet (RUNNABLE, from a dry run, too) that the tests now reach.
func plan(files []file, dir, tmp string, again bool) ([]job, error) {
	profiles := map[string][]block{} // package dir → its tests' coverage
	var jobs []job
	for fi := range files {
		path := filepath.Join(dir, files[fi].Name)
		src, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, src, 0)
		if err != nil {
			return nil, err
		}
		pkgDir := filepath.Dir(path)
		for mi := range files[fi].Mutations {
			m := &files[fi].Mutations[mi]
			clause := caseOf(fset, f, m.Line, m.Column)
			switch {
			case m.Status == "NOT COVERED" && (clause != nil || again):
			case (m.Status == "LIVED" || m.Status == "TIMED OUT" || m.Status == "RUNNABLE") && again:
			default:
				continue
			}
			if _, ok := profiles[pkgDir]; !ok {
				if profiles[pkgDir], err = coverage(pkgDir, tmp); err != nil {
					return nil, err
				}
			}
			base := filepath.Base(path)
			if m.Status == "NOT COVERED" && clause != nil && !covered(fset, clause, base, profiles[pkgDir]) {
				continue
			}
			if m.Status == "NOT COVERED" && clause == nil && !holds(base, m.Line, m.Column, profiles[pkgDir]) {
				continue
			}
			mutated, err := mutate(src, fset.File(f.Pos()), m)
			if err != nil {
				fmt.Fprintf(os.Stderr, "casemutants: %s:%d:%d %s: %v\n", files[fi].Name, m.Line, m.Column, m.Type, err)
				continue
			}
			jobs = append(jobs, job{m: m, name: files[fi].Name, pkgDir: pkgDir, path: path, mutated: mutated, switchCase: clause != nil})
		}
	}
	return jobs, nil
}

// caseOf returns the case clause whose expression list holds line:column.
func caseOf(fset *token.FileSet, f *ast.File, line, column int) *ast.CaseClause {
	var found *ast.CaseClause
	ast.Inspect(f, func(n ast.Node) bool {
		cc, ok := n.(*ast.CaseClause)
		if !ok || found != nil {
			return found == nil
		}
		for _, e := range cc.List {
			from, to := fset.Position(e.Pos()), fset.Position(e.End())
			if after(line, column, from.Line, from.Column) && !after(line, column, to.Line, to.Column) {
				found = cc
			}
		}
		return true
	})
	return found
}

// after reports whether l:c is at or after line:col.
func after(l, c, line, col int) bool { return l > line || (l == line && c >= col) }

// holds reports whether a counter that the tests ran spans line:column.
func holds(base string, line, column int, blocks []block) bool {
	for _, b := range blocks {
		if b.file == base && b.count > 0 && after(line, column, b.fromL, b.fromC) && !after(line, column, b.toL, b.toC) {
			return true
		}
	}
	return false
}

// block is one counter of a coverage profile.
type block struct {
	file                   string
	fromL, fromC, toL, toC int
	count                  int
}

// coverage runs the package's tests once with a coverage profile.
func coverage(pkgDir, tmp string) ([]block, error) {
	out := filepath.Join(tmp, "cover.out")
	cmd := exec.Command("go", "test", "-count=1", "-coverprofile="+out, "./"+filepath.ToSlash(filepath.Clean(pkgDir)))
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("coverage of %s: %v\n%s", pkgDir, err, b)
	}
	fh, err := os.Open(out)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	var blocks []block
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		// espacefamille/app/calendar/deadline.go:59.14,60.5 1 3
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || strings.HasPrefix(sc.Text(), "mode:") {
			continue
		}
		var b block
		var stmts int
		if _, err := fmt.Sscanf(rest, "%d.%d,%d.%d %d %d", &b.fromL, &b.fromC, &b.toL, &b.toC, &stmts, &b.count); err != nil {
			return nil, fmt.Errorf("coverage profile line %q: %w", sc.Text(), err)
		}
		b.file = name[strings.LastIndex(name, "/")+1:]
		blocks = append(blocks, b)
	}
	return blocks, sc.Err()
}

// covered reports whether the tests ran the body of the case clause.
func covered(fset *token.FileSet, cc *ast.CaseClause, base string, blocks []block) bool {
	if len(cc.Body) == 0 {
		return false
	}
	from, to := fset.Position(cc.Colon), fset.Position(cc.End())
	for _, b := range blocks {
		if b.file == base && b.count > 0 && after(b.fromL, b.fromC, from.Line, from.Column) && !after(b.fromL, b.fromC, to.Line, to.Column+1) {
			return true
		}
	}
	return false
}

// replacements are gremlins' default mutators, token for token.
var replacements = map[string]map[token.Token]token.Token{
	"CONDITIONALS_BOUNDARY": {token.LSS: token.LEQ, token.LEQ: token.LSS, token.GTR: token.GEQ, token.GEQ: token.GTR},
	"CONDITIONALS_NEGATION": {token.EQL: token.NEQ, token.NEQ: token.EQL, token.LSS: token.GEQ, token.GEQ: token.LSS,
		token.GTR: token.LEQ, token.LEQ: token.GTR},
	"ARITHMETIC_BASE":     {token.ADD: token.SUB, token.SUB: token.ADD, token.MUL: token.QUO, token.QUO: token.MUL, token.REM: token.MUL},
	"INVERT_NEGATIVES":    {token.SUB: token.ADD},
	"INCREMENT_DECREMENT": {token.INC: token.DEC, token.DEC: token.INC},
}

// mutate returns src with the operator at the mutation's position replaced.
func mutate(src []byte, tf *token.File, m *mutation) ([]byte, error) {
	repl, ok := replacements[m.Type]
	if !ok {
		return nil, errors.New("mutator not supported")
	}
	if m.Line < 1 || m.Line > tf.LineCount() {
		return nil, errors.New("line out of range")
	}
	offset := tf.Offset(tf.LineStart(m.Line)) + m.Column - 1
	var s scanner.Scanner
	s.Init(tf, src, nil, 0)
	for {
		pos, tok, _ := s.Scan()
		if tok == token.EOF {
			return nil, errors.New("no operator at that position")
		}
		if tf.Offset(pos) != offset {
			continue
		}
		to, ok := repl[tok]
		if !ok {
			return nil, fmt.Errorf("%s cannot mutate %s", m.Type, tok)
		}
		var b bytes.Buffer
		b.Write(src[:offset])
		b.WriteString(to.String())
		b.Write(src[offset+len(tok.String()):])
		return b.Bytes(), nil
	}
}

// test runs the package's tests with the mutated file in place of path;
// tmp is the worker's own folder.
func test(pkgDir, path string, mutated []byte, tmp string, timeout time.Duration) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return "", err
	}
	mut := filepath.Join(tmp, "mutant.go")
	if err := os.WriteFile(mut, mutated, 0o600); err != nil {
		return "", err
	}
	overlay, _ := json.Marshal(map[string]map[string]string{"Replace": {abs: mut}})
	ovl := filepath.Join(tmp, "overlay.json")
	if err := os.WriteFile(ovl, overlay, 0o600); err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "test", "-count=1", "-failfast", "-overlay", ovl,
		"-timeout", (timeout + 5*time.Second).String(), "./"+filepath.ToSlash(filepath.Clean(pkgDir)))
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return "TIMED OUT", nil
	case err == nil:
		return "LIVED", nil
	case !errors.As(err, &exit):
		return "", err
	case bytes.Contains(out, []byte("[build failed]")) || bytes.Contains(out, []byte("[setup failed]")) || exit.ExitCode() == 2:
		return "NOT VIABLE", nil
	}
	return "KILLED", nil
}

// write stores the completed report with its totals recomputed.
func write(path string, doc map[string]json.RawMessage, files []file, ran int) error {
	n := map[string]int{}
	for _, f := range files {
		for _, m := range f.Mutations {
			n[m.Status]++
		}
	}
	k, l, nc := n["KILLED"], n["LIVED"], n["NOT COVERED"]
	set := func(key string, v any) {
		b, _ := json.Marshal(v)
		doc[key] = b
	}
	set("files", files)
	set("mutants_killed", k)
	set("mutants_lived", l)
	set("mutants_not_covered", nc)
	set("mutants_not_viable", n["NOT VIABLE"])
	set("mutants_timed_out", n["TIMED OUT"])
	set("mutants_total", k+l)
	set("switch_case_mutants_run", ran)
	if k+l > 0 {
		set("test_efficacy", float64(k)/float64(k+l)*100)
	}
	if k+l+nc > 0 {
		set("mutations_coverage", float64(k+l)/float64(k+l+nc)*100)
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, out, 0o600)
}
