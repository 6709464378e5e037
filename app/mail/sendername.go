package mail

import (
	"context"
	"strings"

	"espacefamille/tenants"
)

// SenderName is the name a commune's emails come from: its "sender_name"
// setting, read through q (the commune's database or a transaction on
// it), or communeName when the setting is missing, blank or unreadable.
func SenderName(ctx context.Context, q tenants.Querier, communeName string) string {
	var v string
	if err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'sender_name'`).Scan(&v); err != nil || strings.TrimSpace(v) == "" {
		return communeName
	}
	return v
}
