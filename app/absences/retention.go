package absences

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"espacefamille/app/calendar"
	"espacefamille/tenants"
)

// PurgeCertificates deletes, in tx, the medical certificates kept longer
// than the commune's retention (Rule.CertificateMonths) after the last day
// of absence each justifies (its upload day when no absence refers to it
// any more): health data is not kept past its purpose. The absences keep
// the fact that they had one (certificate_purged_at), so the rule's
// decisions stay as they were. It returns how many were deleted; the
// housekeeping job runs it (through app/admin, which audits it), on the
// communes the platform registry flags.
func PurgeCertificates(ctx context.Context, tx *sql.Tx, now time.Time) (int64, error) {
	rule, err := LoadRule(ctx, tx)
	if err != nil {
		return 0, err
	}
	// Kept through the whole last month: deleted from the day after.
	before := calendar.Today(now).AddMonths(-rule.CertificateMonths)
	if _, err := tx.ExecContext(ctx, `UPDATE absences SET certificate_purged_at = ?
		WHERE certificate_id IN (`+expiredCertificates+`)`, tenants.FormatTime(now), before); err != nil {
		return 0, fmt.Errorf("absences: purge certificates: %w", err)
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM absence_certificates WHERE id IN (`+expiredCertificates+`)`, before)
	if err != nil {
		return 0, fmt.Errorf("absences: purge certificates: %w", err)
	}
	return res.RowsAffected()
}

// expiredCertificates selects the certificates whose last day of absence
// (or upload day, when no absence refers to them) is before ?.
const expiredCertificates = `SELECT c.id FROM absence_certificates c
	WHERE COALESCE((SELECT MAX(a.day) FROM absences a WHERE a.certificate_id = c.id), substr(c.uploaded_at, 1, 10)) < ?`
