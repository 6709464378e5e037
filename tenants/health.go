package tenants

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"
)

// ErrBroken means a commune's file cannot be served: missing, damaged, or
// failing its integrity check. Pages answer a French 503 ("service
// momentanément indisponible, la mairie en est informée") until
// `espacefamille commune check SLUG` finds the file sound again.
var ErrBroken = errors.New("commune en panne")

// BrokenError is ErrBroken with the commune and the reason.
type BrokenError struct {
	Slug   string
	Reason string
}

func (e *BrokenError) Error() string { return "commune " + e.Slug + " en panne : " + e.Reason }

// Is makes errors.Is(err, ErrBroken) true.
func (e *BrokenError) Is(target error) bool { return target == ErrBroken }

// MarkBroken records in the registry why slug's file cannot be served, logs
// it once (the first time; later calls change nothing), closes its handle
// and returns the BrokenError for the request that met it.
func (r *Registry) MarkBroken(ctx context.Context, slug, reason string) error {
	reason = strings.TrimSpace(reason)
	if len(reason) > 500 {
		reason = reason[:500] + "…"
	}
	ctx = context.WithoutCancel(ctx)
	res, err := r.platform.W.ExecContext(ctx, `UPDATE communes SET broken = ?, broken_at = ? WHERE slug = ? AND broken = ''`,
		reason, FormatTime(time.Now()), slug)
	if err != nil {
		r.log.Error("commune file broken; could not record it", "commune", slug, "reason", reason, "err", err)
	} else if n, _ := res.RowsAffected(); n == 1 {
		r.log.Error("commune file broken: its pages answer 503 until `espacefamille commune check "+slug+"` passes",
			"commune", slug, "reason", reason)
	}
	r.forget()
	return &BrokenError{Slug: slug, Reason: reason}
}

// clearBroken records that slug's file is sound again.
func (r *Registry) clearBroken(ctx context.Context, slug string) error {
	res, err := r.platform.W.ExecContext(ctx, `UPDATE communes SET broken = '', broken_at = '' WHERE slug = ? AND broken != ''`, slug)
	if err != nil {
		return fmt.Errorf("tenants: clear broken %s: %w", slug, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		r.log.Info("commune file sound again: served", "commune", slug)
	}
	r.forget()
	return nil
}

// ReportError lets the request middleware mark a commune broken when one
// of its queries found the file damaged; other errors pass unchanged.
func (r *Registry) ReportError(ctx context.Context, slug string, err error) error {
	if err == nil || errors.Is(err, ErrBroken) || !IsCorrupt(err) {
		return err
	}
	r.cache.Evict(slug)
	return errors.Join(r.MarkBroken(ctx, slug, err.Error()), err)
}

// sqliteMagic starts every SQLite database file.
var sqliteMagic = []byte("SQLite format 3\x00")

// checkHeader reads the first bytes of a database file and says what is
// wrong with them ("" when they are a database's). err is a failure to
// read that says nothing of the file (too many open files): not damage.
func checkHeader(path string) (reason string, err error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "fichier introuvable (" + path + ")", nil
	} else if err != nil {
		return "", err
	}
	defer f.Close()
	head := make([]byte, len(sqliteMagic))
	if _, err := io.ReadFull(f, head); errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "fichier tronqué (moins de 16 octets)", nil
	} else if err != nil {
		return "", err
	}
	if !bytes.Equal(head, sqliteMagic) {
		return "ce fichier n'est pas une base SQLite (en-tête invalide)", nil
	}
	return "", nil
}

// integrity runs PRAGMA integrity_check or quick_check and returns the
// problems found ("" when the file is sound), at most ten lines.
func integrity(ctx context.Context, db Querier, pragma string) (string, error) {
	rows, err := db.QueryContext(ctx, "PRAGMA "+pragma+"(10)")
	if err != nil {
		return "", err
	}
	lines, err := Column[string](rows)
	if err != nil {
		return "", err
	}
	if len(lines) == 1 && lines[0] == "ok" {
		return "", nil
	}
	return strings.Join(lines, "; "), nil
}

// CheckResult is the outcome of checking one commune's file.
type CheckResult struct {
	Slug     string
	Problems string // "" when the file is sound
	Err      error  // the check itself could not run
}

// Check runs PRAGMA integrity_check on slug's file (it reads all of it;
// the server may go on serving meanwhile) and records the outcome in the
// registry: a damaged file marks the commune broken, a sound one serves it
// again.
func (r *Registry) Check(ctx context.Context, slug string) CheckResult {
	res := CheckResult{Slug: slug}
	if _, err := r.Commune(ctx, slug); err != nil {
		res.Err = err
		return res
	}
	path := r.CommunePath(slug)
	problems, err := checkHeader(path)
	if err == nil && problems == "" {
		problems, err = r.integrityOf(ctx, path)
	}
	res.Err = err
	if res.Err != nil {
		return res
	}
	res.Problems = problems
	if problems != "" {
		r.cache.Evict(slug)
		_ = r.MarkBroken(ctx, slug, "integrity_check : "+problems)
		return res
	}
	res.Err = r.clearBroken(ctx, slug)
	return res
}

func (r *Registry) integrityOf(ctx context.Context, path string) (string, error) {
	db, err := OpenDB(path, OpenOptions{ReadConns: 1})
	if err != nil {
		if IsCorrupt(err) {
			return err.Error(), nil
		}
		return "", err
	}
	defer db.Close()
	problems, err := integrity(ctx, db.Reader(), "integrity_check")
	if err != nil && IsCorrupt(err) {
		return err.Error(), nil
	}
	return problems, err
}
