package tenants

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// ErrPlatformHost: a commune cannot take the platform's own host name
// (the provider's console would become unreachable).
var ErrPlatformHost = fmt.Errorf("%w (c'est celui de la plateforme)", ErrDuplicateHost)

// PlatformHost is the platform's own host name, "" when not configured.
func (r *Registry) PlatformHost() string { return r.opt.PlatformHost }

// SetHosts replaces the host names a commune answers at, in one
// transaction: every name is validated, and one that another commune (or
// the platform) holds refuses the whole change. The resolve cache is
// dropped, so this process answers at the new names at once (other
// processes within Options.ResolveTTL).
func (r *Registry) SetHosts(ctx context.Context, slug string, hosts []string) ([]string, error) {
	var clean []string
	seen := map[string]bool{}
	for _, h := range hosts {
		nh, err := NormalizeHost(h)
		if err != nil {
			return nil, err
		}
		if r.opt.PlatformHost != "" && nh == r.opt.PlatformHost {
			return nil, fmt.Errorf("%w : %s", ErrPlatformHost, nh)
		}
		if !seen[nh] {
			seen[nh] = true
			clean = append(clean, nh)
		}
	}
	err := r.platform.Tx(ctx, func(tx *sql.Tx) error {
		var id int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM communes WHERE slug = ?`, slug).Scan(&id); errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM commune_hosts WHERE commune_id = ?`, id); err != nil {
			return err
		}
		for i, h := range clean {
			if _, err := tx.ExecContext(ctx, `INSERT INTO commune_hosts (host, commune_id, seq) VALUES (?, ?, ?)`, h, id, i); err != nil {
				if IsUnique(err) {
					return fmt.Errorf("%w : %s", ErrDuplicateHost, h)
				}
				return err
			}
		}
		return nil
	})
	r.forget()
	return clean, err
}
