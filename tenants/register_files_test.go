package tenants_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"espacefamille/tenants"
)

// Files a tool copied into the data directory are registered in one go;
// a taken or invalid slug registers none of the batch.
func TestRegisterFilesAllOrNothing(t *testing.T) {
	ctx := context.Background()
	reg := openRegistry(t, 4)
	createCommune(t, reg, "modele")
	src, err := os.ReadFile(reg.CommunePath("modele"))
	if err != nil {
		t.Fatal(err)
	}
	latest, _ := tenants.CommuneSchema.Latest()
	copyAs := func(slug string) tenants.ExistingFile {
		if err := os.WriteFile(reg.CommunePath(slug), src, 0o600); err != nil {
			t.Fatal(err)
		}
		return tenants.ExistingFile{Slug: slug, Name: "Commune " + slug, SchemaVersion: latest, SizeBytes: int64(len(src))}
	}
	now := time.Now()
	if err := reg.RegisterFiles(ctx, []tenants.ExistingFile{copyAs("copie-a"), copyAs("copie-b")}, now); err != nil {
		t.Fatal(err)
	}
	for _, slug := range []string{"copie-a", "copie-b"} {
		if c, err := reg.Commune(ctx, slug); err != nil || c.Name != "Commune "+slug {
			t.Fatalf("%s: %+v, %v", slug, c, err)
		}
	}
	err = reg.RegisterFiles(ctx, []tenants.ExistingFile{copyAs("copie-c"), copyAs("copie-a")}, now)
	if !errors.Is(err, tenants.ErrDuplicateSlug) {
		t.Fatalf("a taken slug: %v", err)
	}
	if _, err := reg.Commune(ctx, "copie-c"); !errors.Is(err, tenants.ErrNotFound) {
		t.Fatalf("copie-c registered although its batch failed: %v", err)
	}
	if err := reg.RegisterFiles(ctx, []tenants.ExistingFile{{Slug: "Pas Un Slug", Name: "X"}}, now); err == nil {
		t.Fatal("an invalid slug was accepted")
	}
}
