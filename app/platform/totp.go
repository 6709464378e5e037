package platform

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"fmt"
	"html/template"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"espacefamille/app/auth"
	"espacefamille/tenants"
)

// The second factor: RFC 6238 codes of 6 digits every 30 seconds (what
// every authenticator application reads from the QR code), one step of
// clock drift accepted either way, and each step accepted once.
const (
	totpPeriod = 30
	totpSkew   = 1
	issuer     = "Espace Famille"
	// recoveryCount recovery codes are issued at enrolment, shown once.
	recoveryCount = 10
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// newTOTPSecret returns a fresh secret for email.
func newTOTPSecret(email string) (string, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: email, Period: totpPeriod})
	if err != nil {
		return "", fmt.Errorf("platform: totp secret: %w", err)
	}
	return key.Secret(), nil
}

// enrolment is what the enrolment page shows of a secret.
type enrolment struct {
	Secret string       // base32, grouped by 4 for typing by hand
	QR     template.URL // PNG data URL of the otpauth:// URL (built here, so trusted)
}

// newEnrolment renders secret's otpauth URL as a QR code.
func newEnrolment(email, secret string) (enrolment, error) {
	u := fmt.Sprintf("otpauth://totp/%s:%s?secret=%s&issuer=%s&period=%d&digits=6&algorithm=SHA1",
		urlEscape(issuer), urlEscape(email), secret, urlEscape(issuer), totpPeriod)
	key, err := otp.NewKeyFromURL(u)
	if err != nil {
		return enrolment{}, fmt.Errorf("platform: totp url: %w", err)
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return enrolment{}, fmt.Errorf("platform: qr code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return enrolment{}, err
	}
	var groups []string
	for s := secret; s != ""; {
		n := min(4, len(s))
		groups = append(groups, s[:n])
		s = s[n:]
	}
	return enrolment{Secret: strings.Join(groups, " "), QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()))}, nil
}

func urlEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, " ", "%20"), ":", "%3A")
}

// matchTOTP returns the time step of the code among the accepted ones
// (now, and totpSkew steps either way) that is after lastStep, or 0.
func matchTOTP(secret, code string, now time.Time, lastStep int64) int64 {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != 6 {
		return 0
	}
	step := now.Unix() / totpPeriod
	for d := int64(-totpSkew); d <= totpSkew; d++ {
		s := step + d
		if s <= lastStep {
			continue
		}
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*totpPeriod, 0), totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s
		}
	}
	return 0
}

// useTOTPStep records step as the last accepted one; false when a
// concurrent request used it (or a later one) first.
func useTOTPStep(ctx context.Context, tx *sql.Tx, adminID, step int64) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE provider_admins SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?`, step, adminID, step)
	if err != nil {
		return false, fmt.Errorf("platform: totp step: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// setPendingSecret stores the secret being enrolled.
func setPendingSecret(ctx context.Context, tx *sql.Tx, adminID int64, secret string) error {
	_, err := tx.ExecContext(ctx, `UPDATE provider_admins SET totp_pending = ? WHERE id = ? AND totp_secret = ''`, secret, adminID)
	return err
}

// confirmEnrolment makes the pending secret the administrator's, with
// step as its first used code, and returns fresh recovery codes (stored
// hashed; the caller shows them once).
func confirmEnrolment(ctx context.Context, tx *sql.Tx, a Admin, step int64) ([]string, error) {
	if err := tenants.ExecOne(ctx, tx, errAlreadyEnrolled, `UPDATE provider_admins SET totp_secret = totp_pending, totp_pending = '', totp_last_step = ?
		WHERE id = ? AND totp_secret = '' AND totp_pending = ?`, step, a.ID, a.totpPending); err != nil {
		return nil, fmt.Errorf("platform: enrol: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM provider_recovery_codes WHERE admin_id = ?`, a.ID); err != nil {
		return nil, err
	}
	codes := make([]string, recoveryCount)
	for i := range codes {
		codes[i] = newRecoveryCode()
		if _, err := tx.ExecContext(ctx, `INSERT INTO provider_recovery_codes (admin_id, code_hash) VALUES (?, ?)`,
			a.ID, auth.HashToken(normalizeRecovery(codes[i]))); err != nil {
			return nil, fmt.Errorf("platform: recovery code: %w", err)
		}
	}
	return codes, nil
}

// recoveryAlphabet has no 0/O or 1/I/L to misread.
const recoveryAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// newRecoveryCode returns a code such as "K7QMP-3XWRA" (about 49 bits).
func newRecoveryCode() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	var sb strings.Builder
	for i, c := range b {
		if i == 5 {
			sb.WriteByte('-')
		}
		sb.WriteByte(recoveryAlphabet[int(c)%len(recoveryAlphabet)])
	}
	return sb.String()
}

func normalizeRecovery(code string) string {
	return strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(code)))
}

// useRecoveryCode spends one unused recovery code; false when it is not one.
func useRecoveryCode(ctx context.Context, tx *sql.Tx, adminID int64, code string, now time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE provider_recovery_codes SET used_at = ? WHERE admin_id = ? AND code_hash = ? AND used_at IS NULL`,
		tenants.FormatTime(now), adminID, auth.HashToken(normalizeRecovery(code)))
	if err != nil {
		return false, fmt.Errorf("platform: recovery code: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// recoveryLeft counts the administrator's unused recovery codes.
func recoveryLeft(ctx context.Context, q tenants.Querier, adminID int64) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM provider_recovery_codes WHERE admin_id = ? AND used_at IS NULL`, adminID).Scan(&n)
	return n, err
}
