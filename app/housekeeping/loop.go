package housekeeping

import (
	"context"
	"errors"
	"time"
)

// Loop is the life of a periodic job of the node (the housekeeping, the
// booking cut-off reminders): a pass at once, then one every period,
// until Stop or until the context ends.
type Loop struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// Start runs pass now and then every period; a pass that returns an error
// ends the loop (return the context's error to stop with it, and log the
// others inside the pass).
func (l *Loop) Start(ctx context.Context, period time.Duration, pass func(ctx context.Context) error) {
	ctx, l.cancel = context.WithCancel(ctx)
	l.done = make(chan struct{})
	go func() {
		defer close(l.done)
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			if err := pass(ctx); err != nil {
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// Stop ends the loop and waits for the pass in progress (which decides
// what it lets finish), or for ctx; name is the job's, for the error.
func (l *Loop) Stop(ctx context.Context, name string) error {
	if l.cancel == nil {
		return nil
	}
	l.cancel()
	select {
	case <-l.done:
		return nil
	case <-ctx.Done():
		return errors.New(name + ": stop: " + ctx.Err().Error())
	}
}
