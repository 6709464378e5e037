package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/web"
	"espacefamille/tenants"
)

// A node forwards the requests of a commune another node owns. A
// forwarded request used to keep its slot of the node's active-request
// bound (web.Config.MaxActive) while it waited for the owner: two nodes
// forwarding to each other could fill each other's slots with requests
// waiting for the other (after a failover, when both survivors serve
// some of the dead node's communes and forward the rest), and every
// request of both nodes hung until the forward timed out (HAProxy's 504
// in the rehearsal). Here node b has a single slot; a request for
// gordes, which node a owns, is forwarded to a, which is slow to answer;
// meanwhile a request for b's own commune is served at once, and the
// forwarded one then gets a's answer.
func TestAForwardedRequestGivesItsSlotBackWhileTheOwnerAnswers(t *testing.T) {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	platform := filepath.Join(t.TempDir(), "platform.db")

	arrived, served := make(chan struct{}, 1), make(chan struct{})
	var starved atomic.Bool
	owner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-served:
		case <-time.After(30 * time.Second):
			starved.Store(true) // b served nothing while this one waited
		}
		_, _ = io.WriteString(w, "servi par a")
	}))
	defer owner.Close()

	open := func(id, url string) *tenants.Registry {
		reg, err := tenants.Open(ctx, tenants.Options{DataDir: t.TempDir(), Logger: quiet, PlatformPath: platform,
			Node: &tenants.NodeOptions{ID: id, URL: url, TTL: 10 * time.Second}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { reg.Close() })
		return reg
	}
	a := open("a", owner.URL)
	if _, err := a.CreateCommune(ctx, tenants.NewCommune{Slug: "gordes", Name: "Commune de Gordes"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := a.WithCommune(ctx, "gordes", func(*tenants.DB) error { return nil }); err != nil {
		t.Fatalf("a claiming gordes: %v", err)
	}
	b := open("b", "http://b.invalid")
	if _, err := b.CreateCommune(ctx, tenants.NewCommune{Slug: "lourmarin", Name: "Commune de Lourmarin"}, nil); err != nil {
		t.Fatal(err)
	}
	s, err := web.New(ctx, web.Config{Registry: b, Logger: quiet, MaxActive: 1})
	if err != nil {
		t.Fatal(err)
	}
	s.Commune().Get("/ping", func(c *fiber.Ctx) error { return c.SendString("servi par b") })
	s.Finish()

	get := func(path string) (int, string) {
		resp, err := s.App.Test(httptest.NewRequest(http.MethodGet, path, nil), -1)
		if err != nil {
			t.Error(err)
			return 0, ""
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	forwarded := make(chan string, 1)
	go func() {
		code, body := get("/gordes/ping")
		forwarded <- http.StatusText(code) + " " + body
	}()
	<-arrived
	code, body := get("/lourmarin/ping")
	close(served)
	if code != http.StatusOK || body != "servi par b" {
		t.Fatalf("b's own commune while a forward waits: %d %q", code, body)
	}
	if got := <-forwarded; got != "OK servi par a" {
		t.Fatalf("the forwarded request: %q", got)
	}
	if starved.Load() {
		t.Fatal("b served nothing while the forwarded request waited for its owner: it kept b's only slot")
	}
}

// Among several nodes, a node that has no copy of a commune's file, when
// the replica has none either (or there is no replica), fails that
// request only: a French page, and the commune is not marked broken in
// the shared registry (another node may hold the file), nor left leased
// to this node.
func TestANodeWithoutTheFileFailsOnlyItsOwnRequest(t *testing.T) {
	for _, replicated := range []bool{true, false} {
		t.Run(map[bool]string{true: "replica without it", false: "no replica"}[replicated], func(t *testing.T) {
			ctx := context.Background()
			quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
			platform := filepath.Join(t.TempDir(), "platform.db")
			// A command creates the commune in another data directory.
			cmd, err := tenants.Open(ctx, tenants.Options{DataDir: t.TempDir(), Logger: quiet, PlatformPath: platform})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := cmd.CreateCommune(ctx, tenants.NewCommune{Slug: "gordes", Name: "Commune de Gordes"}, nil); err != nil {
				t.Fatal(err)
			}
			cmd.Close()
			opt := tenants.Options{DataDir: t.TempDir(), Logger: quiet, PlatformPath: platform,
				Node: &tenants.NodeOptions{ID: "b", URL: "http://b.invalid", TTL: 10 * time.Second}}
			if replicated {
				rep, err := tenants.NewReplicator(ctx, "file://"+filepath.Join(t.TempDir(), "replica"), tenants.ReplicaOptions{Logger: quiet})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { rep.Close(context.Background()) })
				opt.Replica = rep
			}
			b, err := tenants.Open(ctx, opt)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { b.Close() })
			s, err := web.New(ctx, web.Config{Registry: b, Logger: quiet})
			if err != nil {
				t.Fatal(err)
			}
			s.Commune().Get("/ping", func(c *fiber.Ctx) error { return c.SendString("servi par b") })
			s.Finish()

			resp, body := getHTML(t, s, "/gordes/ping")
			if resp.StatusCode != http.StatusServiceUnavailable ||
				!strings.Contains(string(body), "Les données de cette commune ne sont pas disponibles sur ce serveur pour le moment") {
				t.Fatalf("request on the node without the file: %d\n%s", resp.StatusCode, body)
			}
			c, err := b.Commune(ctx, "gordes")
			if err != nil || c.Broken != "" {
				t.Fatalf("commune after the failed request: broken %q, %v; want in service", c.Broken, err)
			}
			if l, err := b.LeaseOf(ctx, "gordes"); err != nil || l.Live {
				t.Fatalf("lease after the failed request: %+v %v; want free for another node", l, err)
			}
		})
	}
}
