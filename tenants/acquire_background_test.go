package tenants_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
)

// A background pass over many closed communes (reminders, housekeeping)
// opens each through AcquireBackground: the communes parents are using
// stay open, and the pass's own handles are evicted one after the other.
func TestBackgroundPassDoesNotEvictTheCommunesInUse(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cache int
	}{
		{"small cache closing on the request path", 4},
		{"cache with a background closer", 16},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			reg := openRegistry(t, tc.cache)
			hot := []string{"parents-a", "parents-b", "parents-c"}
			var cold []string
			for i := range tc.cache * 2 {
				cold = append(cold, fmt.Sprintf("closed-%02d", i))
			}
			for _, slug := range append(slices.Clone(hot), cold...) {
				createCommune(t, reg, slug)
			}
			for _, slug := range hot {
				_, release, err := reg.Acquire(ctx, slug)
				if err != nil {
					t.Fatal(err)
				}
				release()
			}
			for _, slug := range cold {
				db, release, err := reg.AcquireBackground(ctx, slug)
				if err != nil {
					t.Fatal(err)
				}
				var v string
				if err := db.Reader().QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'name'`).Scan(&v); err != nil {
					t.Fatal(err)
				}
				release()
			}
			open := reg.Cache().Open()
			for _, slug := range hot {
				if !slices.Contains(open, slug) {
					t.Fatalf("%s, in use before the pass, was evicted by it; open now: %v", slug, open)
				}
			}
			if st := reg.Cache().Stats(); st.Open > tc.cache {
				t.Fatalf("%d handles open, bound %d", st.Open, tc.cache)
			}
		})
	}
}
