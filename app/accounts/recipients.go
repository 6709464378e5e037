package accounts

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"espacefamille/app/families"
	"espacefamille/tenants"
)

// FamilyRecipients lists the addresses a notice about a family's bookings
// goes to (a closure, a cancellation by the mairie, a new invoice): the
// family's address on file (else its first guardian's), then the address
// of every parent's account linked to the family, each once. family is
// the commune's database; platform is the platform's (nil: no account is
// looked up, for code that has no platform, such as a unit test).
func FamilyRecipients(ctx context.Context, family tenants.Querier, platform querier, familyID int64) ([]string, error) {
	var out []string
	add := func(addr string) {
		addr = NormalizeEmail(addr)
		if addr != "" && emailProblem(addr) == "" && !slices.Contains(out, addr) {
			out = append(out, addr)
		}
	}
	_, contact, err := families.Contact(ctx, family, familyID)
	if err != nil {
		return nil, fmt.Errorf("accounts: family %d recipients: %w", familyID, err)
	}
	add(contact)
	if platform == nil {
		return out, nil
	}
	rows, err := family.QueryContext(ctx, `SELECT account_id FROM family_accounts WHERE family_id = ? ORDER BY linked_at, account_id`, familyID)
	if err != nil {
		return nil, fmt.Errorf("accounts: family %d accounts: %w", familyID, err)
	}
	ids, err := tenants.Column[int64](rows)
	if err != nil || len(ids) == 0 {
		return out, err
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	// Only confirmed addresses: a link is made after log-in, which needs
	// one, but an address may have changed since.
	rows, err = platform.QueryContext(ctx, `SELECT email FROM accounts WHERE email_confirmed_at IS NOT NULL AND id IN (?`+
		strings.Repeat(", ?", len(ids)-1)+`) ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("accounts: family %d accounts: %w", familyID, err)
	}
	emails, err := tenants.Column[string](rows)
	if err != nil {
		return nil, err
	}
	for _, e := range emails {
		add(e)
	}
	return out, nil
}
