package accounts

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"espacefamille/app/auth"
)

// The limits. Codes: 5 wrong tries hold the account and the address for 15
// minutes (issue 3). Log-in: the address is held after 10 failures on one
// identifier, and a client address after 30 (a household behind one
// router, a typo-prone parent). Reset emails: at most 5 an hour.
var (
	codeLimit      = auth.Limit{Max: 5, Window: 15 * time.Minute, Hold: 15 * time.Minute}
	loginLimit     = auth.Limit{Max: 10, Window: 15 * time.Minute, Hold: 15 * time.Minute}
	loginIPLimit   = auth.Limit{Max: 30, Window: 15 * time.Minute, Hold: 15 * time.Minute}
	resetMailLimit = auth.Limit{Max: 5, Window: time.Hour, Hold: time.Hour}
	// Mon compte: 5 address changes an hour (each sends an email), 5 wrong
	// current passwords per 15 minutes.
	emailChangeLimit    = auth.Limit{Max: 5, Window: time.Hour, Hold: time.Hour}
	passwordChangeLimit = auth.Limit{Max: 5, Window: 15 * time.Minute, Hold: 15 * time.Minute}
)

// throttle counts attempts in the platform's throttles table.
var throttle = auth.NewThrottle("throttles")

// begin counts one attempt against keys in one platform transaction (see
// auth.Throttle.Begin).
func (svc *Service) begin(ctx context.Context, now time.Time, keys ...auth.Key) (auth.Attempt, error) {
	var a auth.Attempt
	err := svc.platform.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		a, err = throttle.Begin(ctx, tx, now, keys...)
		return err
	})
	return a, err
}

// succeeded forgets a successful attempt (auth.Throttle.Succeeded).
func (svc *Service) succeeded(ctx context.Context, now time.Time, a auth.Attempt) error {
	return svc.platform.Tx(ctx, func(tx *sql.Tx) error { return throttle.Succeeded(ctx, tx, now, a) })
}

// purgeThrottles drops rows that no longer hold anything (PurgePlatform)
// and returns how many.
func purgeThrottles(ctx context.Context, tx *sql.Tx, now time.Time) (int64, error) {
	return throttle.Purge(ctx, tx, now, 2*time.Hour)
}

// Throttle keys.
func keyLoginEmail(email string) string { return "login:email:" + email }
func keyLoginIP(ip string) string       { return "login:ip:" + ip }
func keyCodeAccount(id int64) string    { return fmt.Sprintf("code:account:%d", id) }
func keyCodeIP(ip string) string        { return "code:ip:" + ip }
func keyResetMail(email string) string  { return "reset:email:" + email }
func keyEmailChange(id int64) string    { return fmt.Sprintf("emailchange:account:%d", id) }
func keyPasswordChange(id int64) string { return fmt.Sprintf("password:account:%d", id) }
