package app_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"slices"
	"testing"
	"time"

	"espacefamille/app/apptest"
	"espacefamille/app/demo"
	"espacefamille/tenants"
)

// BenchmarkForwardedRequest serves the demo commune's home page from
// node a, which owns it, and from node b, which forwards it to a (Fiber's
// proxy, as a round-robin load balancer would make it), both in this
// process on loopback: one iteration is one direct and one forwarded
// request, in alternating order. It reports each one's median and 99th
// percentile and the extra median of forwarding (the aim: < 1 ms).
//
//	go test -run '^$' -bench BenchmarkForwardedRequest -benchtime 2000x ./app/
func BenchmarkForwardedRequest(b *testing.B) {
	ctx := context.Background()
	replica := "file://" + b.TempDir()
	node := func(id string, ln net.Listener, opts ...apptest.Option) *apptest.Env {
		rep, err := tenants.NewReplicator(ctx, replica, tenants.ReplicaOptions{Logger: apptest.Quiet()})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { rep.Close(context.Background()) })
		return apptest.New(b, append(opts, apptest.OnSQLite(), apptest.WithReplica(rep), apptest.ListenOn(ln),
			apptest.AsNode(tenants.NodeOptions{ID: id, URL: "http://" + ln.Addr().String()}))...)
	}
	a := node("a", loopback(b))
	fwd := node("b", loopback(b), apptest.WithoutDemo(), apptest.SharePlatform(a.Registry.Platform().Path()))
	path := "/" + demo.Slug + "/"
	get := func(base string) time.Duration {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		req.Header.Set("Accept", "text/html")
		start := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		took := time.Since(start)
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("GET %s%s: %d", base, path, resp.StatusCode)
		}
		return took
	}
	for range 50 { // connections open, the commune open on a, its owner known to b
		get(a.URL)
		get(fwd.URL)
	}
	if owner, err := fwd.Registry.Nodes().Route(ctx, demo.Slug); err != nil || owner != a.URL {
		b.Fatalf("b routes the demo commune to %q (%v), want a at %s", owner, err, a.URL)
	}
	var direct, forwarded []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 {
			direct = append(direct, get(a.URL))
			forwarded = append(forwarded, get(fwd.URL))
		} else {
			forwarded = append(forwarded, get(fwd.URL))
			direct = append(direct, get(a.URL))
		}
	}
	b.StopTimer()
	b.ReportMetric(quantileMs(direct, 0.5), "direct-p50-ms")
	b.ReportMetric(quantileMs(direct, 0.99), "direct-p99-ms")
	b.ReportMetric(quantileMs(forwarded, 0.5), "forwarded-p50-ms")
	b.ReportMetric(quantileMs(forwarded, 0.99), "forwarded-p99-ms")
	b.ReportMetric(quantileMs(forwarded, 0.5)-quantileMs(direct, 0.5), "extra-p50-ms")
}

func loopback(b *testing.B) net.Listener {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	return ln
}

// quantileMs is the p quantile (0 to 1) of ds in milliseconds; ds is
// sorted in place.
func quantileMs(ds []time.Duration, p float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return float64(ds[int(p*float64(len(ds)-1))].Microseconds()) / 1000
}
