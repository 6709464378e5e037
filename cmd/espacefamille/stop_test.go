package main

import (
	"context"
	"strings"
	"testing"
	"time"
)

// cancelOnLog cancels the command's context as soon as a log line holds
// want: the signal arrives at that very point of the start-up.
type cancelOnLog struct {
	syncBuffer
	want   string
	cancel context.CancelFunc
}

func (c *cancelOnLog) Write(p []byte) (int, error) {
	n, err := c.syncBuffer.Write(p)
	if strings.Contains(string(p), c.want) {
		c.cancel()
	}
	return n, err
}

// A SIGTERM that arrives just as serve says "listening", before fasthttp
// has taken the listener, still stops the process: Shutdown alone then
// had no listener to close and serve accepted forever.
func TestServeStopsWhenTheSignalComesRightAfterListening(t *testing.T) {
	data := t.TempDir()
	envv := map[string]string{"ESPACEFAMILLE_DATA": data}
	if code, out, errs := cli(t, envv, "commune", "create", "--slug", "mazan", "--name", "Commune de Mazan"); code != 0 {
		t.Fatalf("create: %d %s %s", code, out, errs)
	}
	for i := range 5 {
		ctx, cancel := context.WithCancel(context.Background())
		logs := &cancelOnLog{want: "msg=listening", cancel: cancel}
		done := make(chan int, 1)
		go func() {
			done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, &syncBuffer{}, logs, func(k string) string { return envv[k] })
		}()
		select {
		case code := <-done:
			if code != 0 {
				t.Fatalf("run %d: exit %d\n%s", i, code, logs.String())
			}
		case <-time.After(2 * time.Minute): // a hang, not a slow stop
			cancel()
			t.Fatalf("run %d: serve did not stop after the signal:\n%s", i, logs.String())
		}
		cancel()
	}
}
