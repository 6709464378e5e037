package tenants

import (
	"context"
	"net/http"
)

// ActiveLimit bounds the requests that run at once (web's middleware
// makes each request hold a slot), so that under a burst the goroutine
// holding a commune's writer is not one runnable goroutine among a
// thousand. In the deadline rush the writer's transactions held it three
// times longer than the CPU they used: every syscall of the holder (WAL
// writes, file reads) sent it to the back of the run queue behind the
// page views. A request gives its slot back while it waits for the writer
// and while it holds it (DB.Tx), and while it waits for another server
// (YieldingTransport), so slots only ever measure work on the CPU; the one
// writer of each commune runs beside them.
type ActiveLimit struct {
	sem chan struct{}
}

// NewActiveLimit allows n requests at once.
func NewActiveLimit(n int) *ActiveLimit {
	return &ActiveLimit{sem: make(chan struct{}, max(n, 1))}
}

type activeKey struct{}

type activeSlot struct {
	l    *ActiveLimit
	held bool
}

// Enter waits for a slot (in arrival order: a channel's senders are
// served first come, first served) and returns ctx carrying it, and the
// function that gives it back.
func (l *ActiveLimit) Enter(ctx context.Context) (context.Context, func(), error) {
	select {
	case l.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx, func() {}, ctx.Err()
	}
	s := &activeSlot{l: l, held: true}
	return context.WithValue(ctx, activeKey{}, s), func() {
		if s.held {
			s.held = false
			<-l.sem
		}
	}, nil
}

// yieldActive gives back the request's slot, if it holds one, and
// returns the function that takes one again (waiting its turn; a done
// context leaves the request without a slot, which ends soon anyway).
func yieldActive(ctx context.Context) func() {
	s, ok := ctx.Value(activeKey{}).(*activeSlot)
	if !ok || !s.held {
		return func() {}
	}
	s.held = false
	<-s.l.sem
	return func() {
		select {
		case s.l.sem <- struct{}{}:
			s.held = true
		case <-ctx.Done():
		}
	}
}

// leaveActive gives back the request's slot, if it holds one, for the
// rest of the request: for a request that only waits for another node
// from then on (a forward).
func leaveActive(ctx context.Context) { _ = yieldActive(ctx) }

// YieldingTransport gives back the request's slot while a call to another
// server (a payment provider) is in flight: a slow provider must not hold
// the node's slots.
func YieldingTransport(rt http.RoundTripper) http.RoundTripper {
	if rt == nil {
		rt = http.DefaultTransport
	}
	return yielding{rt}
}

type yielding struct{ rt http.RoundTripper }

func (y yielding) RoundTrip(req *http.Request) (*http.Response, error) {
	resume := yieldActive(req.Context())
	defer resume()
	return y.rt.RoundTrip(req)
}
