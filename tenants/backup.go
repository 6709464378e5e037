package tenants

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Backup writes a consistent snapshot of slug's database to dir as
// <slug>-<UTC timestamp>.db with VACUUM INTO, without stopping writers for
// longer than the copy of one read transaction. It returns the file's path.
func (r *Registry) Backup(ctx context.Context, slug, dir string, now time.Time) (string, error) {
	if _, err := r.Commune(ctx, slug); err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("tenants: backup directory: %w", err)
	}
	dest, err := filepath.Abs(filepath.Join(dir, slug+"-"+now.UTC().Format("20060102T150405Z")+".db"))
	if err != nil {
		return "", err
	}
	if strings.ContainsAny(dest, "'?#") {
		return "", fmt.Errorf("tenants: unsupported character in backup path %q", dest)
	}
	if _, err := os.Stat(dest); err == nil {
		return "", fmt.Errorf("tenants: backup %s already exists", dest)
	}
	// A dedicated read-only connection: the commune's writer stays free.
	db, err := sql.Open("sqlite", "file:"+r.CommunePath(slug)+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return "", err
	}
	defer db.Close()
	tmp := dest + ".partial"
	if _, err := db.ExecContext(ctx, `VACUUM INTO '`+tmp+`'`); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("tenants: backup %s: %w", slug, err)
	}
	if err := os.Rename(tmp, dest); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("tenants: backup %s: %w", slug, err)
	}
	return dest, nil
}
