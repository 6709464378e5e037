package tenants_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"espacefamille/tenants"
)

// AcquireIfOpen hands out a commune that is open now and never opens one:
// a commune closed (evicted) since a background job listed it stays closed.
func TestAcquireIfOpenNeverOpens(t *testing.T) {
	ctx := context.Background()
	reg, err := tenants.Open(ctx, tenants.Options{DataDir: t.TempDir(), MaxOpen: 1,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	for _, slug := range []string{"alpha", "beta"} {
		if _, err := reg.CreateCommune(ctx, tenants.NewCommune{Slug: slug, Name: slug}, nil); err != nil {
			t.Fatal(err)
		}
	}
	reg.Cache().Evict("alpha")
	reg.Cache().Evict("beta")
	if _, _, ok := reg.AcquireIfOpen(ctx, "alpha"); ok {
		t.Fatal("a closed commune was handed out")
	}
	if open := reg.Cache().Open(); len(open) != 0 {
		t.Fatalf("AcquireIfOpen opened %v", open)
	}
	_, release, err := reg.Acquire(ctx, "alpha")
	if err != nil {
		t.Fatal(err)
	}
	release()
	db, release, ok := reg.AcquireIfOpen(ctx, "alpha")
	if !ok || db == nil {
		t.Fatal("an open commune was not handed out")
	}
	if err := db.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	release()
	// beta's opening evicts alpha (a cache of one): alpha, listed as open
	// a moment ago, is not reopened.
	listed := reg.Cache().Open()
	_, release, err = reg.Acquire(ctx, "beta")
	if err != nil {
		t.Fatal(err)
	}
	release()
	for _, slug := range listed {
		if slug == "alpha" {
			if _, _, ok := reg.AcquireIfOpen(ctx, slug); ok {
				t.Error("alpha was reopened after its eviction")
			}
		}
	}
	if open := reg.Cache().Open(); len(open) != 1 || open[0] != "beta" {
		t.Errorf("open communes = %v, want [beta]", open)
	}
	// Unknown communes are not opened either.
	if _, _, ok := reg.AcquireIfOpen(ctx, "nulle-part"); ok {
		t.Error("an unknown commune was handed out")
	}
}
