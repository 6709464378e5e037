package app_test

import (
	"bytes"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"

	"espacefamille/app/apptest"
	"espacefamille/tenants"
)

// syncBuffer is a log sink safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// A commune whose file is damaged answers a French 503 on every page (not
// "le service a rencontré un problème" with an incident number), is
// logged once with the reason, shows as broken in the registry, leaves
// /healthz and the other communes alone, and is served again once
// `commune check` finds its restored file sound.
func TestCorruptedCommuneFileAnswers503AndIsLoggedOnce(t *testing.T) {
	var logs syncBuffer
	e := apptest.New(t, apptest.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))),
		apptest.WithCommune(tenants.NewCommune{Slug: "gamma", Name: "Commune de Gamma"}, nil))
	reg := e.Registry
	path := reg.CommunePath("gamma")
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// A disk fault: the first pages of the file overwritten.
	bad := bytes.Clone(good)
	for i := range 8192 {
		bad[i] = 0xA5
	}
	reg.Cache().Evict("gamma")
	if err := os.WriteFile(path, bad, 0o600); err != nil {
		t.Fatal(err)
	}
	c := e.Client(t, apptest.InCommune("gamma"), apptest.UnescapeBodies())
	for range 3 {
		r := c.Get("/")
		if r.Status != 503 || !strings.Contains(r.Body, "Service momentanément indisponible, la mairie en est informée") {
			t.Fatalf("damaged commune answered %d:\n%s", r.Status, r.Body)
		}
		if strings.Contains(r.Body, "a rencontré un problème") {
			t.Fatalf("generic incident page for a damaged file:\n%s", r.Body)
		}
	}
	if n := strings.Count(logs.String(), "commune file broken"); n != 1 {
		t.Errorf("broken file logged %d times, want once:\n%s", n, logs.String())
	}
	if !strings.Contains(logs.String(), "en-tête invalide") {
		t.Errorf("the log does not give the reason:\n%s", logs.String())
	}
	if r := e.Client(t).Get("/healthz"); r.Status != 200 {
		t.Errorf("/healthz = %d with one commune broken", r.Status)
	}
	if r := e.Client(t, apptest.InCommune("malemort-du-comtat")).Get("/"); r.Status != 200 {
		t.Errorf("another commune answered %d", r.Status)
	}
	fleet, err := reg.Fleet(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fleet {
		if (f.Slug == "gamma") != (f.Broken != "") {
			t.Errorf("%s: broken = %q", f.Slug, f.Broken)
		}
	}

	// The provider restores the file and checks it: served again.
	if err := os.WriteFile(path, good, 0o600); err != nil {
		t.Fatal(err)
	}
	if res := reg.Check(t.Context(), "gamma"); res.Err != nil || res.Problems != "" {
		t.Fatalf("check of the restored file = %+v", res)
	}
	if r := c.Get("/"); r.Status != 200 {
		t.Fatalf("restored commune answered %d", r.Status)
	}
}

// A file damaged behind the node's back without its size or date
// changing opens as trusted; the first query that meets a damaged page
// takes the commune out of service the same way.
func TestDamagedPageMetByAQueryTakesTheCommuneOut(t *testing.T) {
	var logs syncBuffer
	e := apptest.New(t, apptest.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))),
		apptest.WithCommune(tenants.NewCommune{Slug: "gamma", Name: "Commune de Gamma"}, nil))
	reg := e.Registry
	c := e.Client(t, apptest.InCommune("gamma"), apptest.UnescapeBodies())
	if r := c.Get("/"); r.Status != 200 {
		t.Fatalf("healthy commune answered %d", r.Status)
	}
	reg.Cache().Evict("gamma") // closed cleanly: its stamp is recorded
	path := reg.CommunePath("gamma")
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := 4096; i < len(b); i++ {
		b[i] = 0xA5
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, st.ModTime(), st.ModTime()); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if r := c.Get("/"); r.Status != 503 || !strings.Contains(r.Body, "la mairie en est informée") {
			t.Fatalf("damaged page answered %d:\n%s", r.Status, r.Body)
		}
	}
	if n := strings.Count(logs.String(), "commune file broken"); n != 1 {
		t.Errorf("logged %d times, want once:\n%s", n, logs.String())
	}
	if com, err := reg.Commune(t.Context(), "gamma"); err != nil || com.Broken == "" {
		t.Errorf("registry: %+v, %v", com, err)
	}
}
