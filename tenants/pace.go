package tenants

import (
	"context"
	"time"
)

// Pace keeps a background sweep to at most share of one core: called
// after a piece of work that started at start, it sleeps (1/share - 1)
// times what the piece took (wall time, an upper bound of its CPU), and
// returns early with ctx's error when ctx ends. share outside (0, 1]
// means no pause.
func Pace(ctx context.Context, start time.Time, share float64) error {
	if share <= 0 || share >= 1 {
		return ctx.Err()
	}
	wait := time.Duration(float64(time.Since(start)) * (1/share - 1))
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
