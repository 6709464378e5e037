package tenants

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSetName(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// A TTL far longer than the test: only forget() can show the new name.
	reg, err := Open(ctx, Options{DataDir: t.TempDir(), MaxOpen: 2, ResolveTTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	if _, err := reg.CreateCommune(ctx, NewCommune{Slug: "alpha", Name: "Commune d'Alpha", Hosts: []string{"alpha.example"}}, nil); err != nil {
		t.Fatal(err)
	}
	// Warm both resolve caches.
	if c, err := reg.BySlug(ctx, "alpha"); err != nil || c.Name != "Commune d'Alpha" {
		t.Fatalf("before: %+v %v", c, err)
	}
	if c, err := reg.ByHost(ctx, "alpha.example"); err != nil || c.Name != "Commune d'Alpha" {
		t.Fatalf("before (host): %+v %v", c, err)
	}
	if err := reg.SetName(ctx, "alpha", "  Ville d'Alpha-sur-Mer  "); err != nil {
		t.Fatal(err)
	}
	for _, get := range []func() (Commune, error){
		func() (Commune, error) { return reg.BySlug(ctx, "alpha") },
		func() (Commune, error) { return reg.ByHost(ctx, "alpha.example") },
		func() (Commune, error) { return reg.Commune(ctx, "alpha") },
	} {
		if c, err := get(); err != nil || c.Name != "Ville d'Alpha-sur-Mer" {
			t.Fatalf("after: %+v %v", c, err)
		}
	}

	for _, bad := range []string{"", "   ", strings.Repeat("x", 201), "Alpha\r\nBcc: x@example.org", "Alpha\x00"} {
		var ve *ValidationError
		if err := reg.SetName(ctx, "alpha", bad); !errors.As(err, &ve) || ve.Field != "name" {
			t.Errorf("SetName(%q) = %v, want a validation error on name", bad, err)
		}
	}
	if c, _ := reg.Commune(ctx, "alpha"); c.Name != "Ville d'Alpha-sur-Mer" {
		t.Fatalf("a refused name was stored: %q", c.Name)
	}
	if err := reg.SetName(ctx, "inconnue", "Commune inconnue"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown commune: %v", err)
	}
	// NewCommune validates the name the same way.
	if err := ValidateNew(NewCommune{Slug: "gamma", Name: "Gamma\nX"}); err == nil {
		t.Fatal("a new commune's name with a newline was accepted")
	}
}
