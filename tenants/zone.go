package tenants

import (
	"context"
	"database/sql"
)

// SetZone changes the school-holiday zone (A, B, C or Corse) the platform
// registry records for a commune; the commune's own calendar is the back
// office's to change, in the commune's database.
func (r *Registry) SetZone(ctx context.Context, slug, zone string) error {
	if !ValidZone(zone) {
		return &ValidationError{"zone", "zone inconnue (A, B, C ou Corse)"}
	}
	err := r.platform.Tx(ctx, func(tx *sql.Tx) error {
		return ExecOne(ctx, tx, ErrNotFound, `UPDATE communes SET zone = ? WHERE slug = ?`, zone, slug)
	})
	r.forget() // resolved communes carry their zone
	return err
}
