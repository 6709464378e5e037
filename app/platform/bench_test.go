package platform_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"espacefamille/app/apptest"
	"espacefamille/app/demo"
	"espacefamille/app/platform"
)

// BenchmarkOnboard measures onboarding one commune (file, migrations,
// configuration, first administrator and invitation, registration, audit
// line), with the defaults and by copying Malemort's configuration. The
// issue's target is under 100 ms each.
func BenchmarkOnboard(b *testing.B) {
	for _, start := range []string{platform.StartDefaults, platform.StartCopy} {
		b.Run(start, func(b *testing.B) {
			env := apptest.New(b)
			ctx := context.Background()
			i := 0
			for b.Loop() {
				i++
				o := platform.Onboarding{Name: fmt.Sprintf("Commune numéro %d", i), Zone: "B", AdminEmail: fmt.Sprintf("admin%d@example.org", i),
					Start: start, MealPrice: "3,10", CopyFrom: demo.Slug}
				if _, err := platform.Onboard(ctx, env.Registry, o, env.PublicURL, "bench", time.Now()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
