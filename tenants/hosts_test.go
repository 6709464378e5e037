package tenants_test

import (
	"context"
	"errors"
	"testing"

	"espacefamille/tenants"
)

// The platform's own host name can be no commune's, at creation or later:
// the provider's console would become unreachable.
func TestPlatformHostIsNoCommunes(t *testing.T) {
	ctx := context.Background()
	reg, err := tenants.Open(ctx, tenants.Options{DataDir: t.TempDir(), Logger: quietLogger(), PlatformHost: "console.ef.example"})
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	_, err = reg.CreateCommune(ctx, tenants.NewCommune{Slug: "mazan", Name: "Commune de Mazan", Hosts: []string{"Console.EF.example"}}, nil)
	if !errors.Is(err, tenants.ErrPlatformHost) || !errors.Is(err, tenants.ErrDuplicateHost) {
		t.Fatalf("create at the platform host: %v", err)
	}
	createCommune(t, reg, "mazan", "famille.mazan.example")
	if _, err := reg.SetHosts(ctx, "mazan", []string{"console.ef.example"}); !errors.Is(err, tenants.ErrPlatformHost) {
		t.Fatalf("set hosts to the platform host: %v", err)
	}
	if c, _ := reg.Commune(ctx, "mazan"); len(c.Hosts) != 1 || c.Hosts[0] != "famille.mazan.example" {
		t.Fatalf("hosts after a refused change: %v", c.Hosts)
	}
	if _, err := reg.SetHosts(ctx, "inconnue", nil); !errors.Is(err, tenants.ErrNotFound) {
		t.Fatalf("unknown commune: %v", err)
	}
}
