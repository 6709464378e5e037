package tenants

import (
	"context"
	"errors"
	"testing"
)

func TestSetZone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	reg, err := Open(ctx, Options{DataDir: t.TempDir(), MaxOpen: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	if _, err := reg.CreateCommune(ctx, NewCommune{Slug: "alpha", Name: "Commune d'Alpha", Zone: "B"}, nil); err != nil {
		t.Fatal(err)
	}
	if c, err := reg.BySlug(ctx, "alpha"); err != nil || c.Zone != "B" {
		t.Fatalf("before: %+v %v", c, err)
	}
	if err := reg.SetZone(ctx, "alpha", "C"); err != nil {
		t.Fatal(err)
	}
	// The resolved commune (cached by slug) shows the new zone at once.
	if c, err := reg.BySlug(ctx, "alpha"); err != nil || c.Zone != "C" {
		t.Fatalf("after: %+v %v", c, err)
	}
	var ve *ValidationError
	if err := reg.SetZone(ctx, "alpha", "D"); !errors.As(err, &ve) {
		t.Fatalf("zone D: %v", err)
	}
	if err := reg.SetZone(ctx, "inconnue", "A"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown commune: %v", err)
	}
}
