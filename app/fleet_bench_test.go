package app_test

import (
	"fmt"
	"io"
	"net/http"
	"testing"

	"espacefamille/app/apptest"
	"espacefamille/tenants"
)

// BenchmarkHomePageMiss measures the home page of communes that are not
// open: 16 handles for 200 communes visited in turn, so that every
// request opens a file (bench/fleet measures the same over HTTP at scale).
func BenchmarkHomePageMiss(b *testing.B) {
	const n = 200
	opts := []apptest.Option{apptest.WithoutDemo(), apptest.MaxOpen(16), apptest.Listen()}
	for i := range n {
		opts = append(opts, apptest.WithCommune(tenants.NewCommune{Slug: fmt.Sprintf("commune-%03d", i), Name: "Commune"}, nil))
	}
	e := apptest.New(b, opts...)
	get := func(i int) {
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/commune-%03d/", e.URL, i%n), nil)
		req.Header.Set("Accept", "text/html")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	for i := range n { // every file closed once by this node
		get(i)
	}
	b.ResetTimer()
	i := 0
	for b.Loop() {
		get(i)
		i++
	}
}
