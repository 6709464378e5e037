package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"espacefamille/tenants"
)

// Source is a database holding an outbox table, with the name the sender knows it by.
type Source struct {
	Name string // "platform", or the commune's slug
	// DB is the database's handle: the sender reads through its cached
	// read pool and writes through DB.Tx (the writer's queue and the work
	// recorder), never on the bare writer.
	DB *tenants.DB
}

// Sources tells the sender where mail may wait. Only Platform is drained on
// every tick; communes are opened one at a time, when notified, when a retry
// of theirs falls due, or when a sweep lists them.
type Sources struct {
	// Platform is the platform database; a nil DB means none.
	Platform Source
	// Open returns the database of the named commune for the length of one
	// drain, and a function releasing it (e.g. the tenants cache's reference).
	Open func(ctx context.Context, name string) (db *tenants.DB, release func(), err error)
	// OpenIfOpen, when set, is used instead of Open for the communes listed
	// by the periodic sweeps (every sweep after the start-up one): it returns
	// the commune's database only when it is open now, and never opens a
	// file, so that a commune closed since the sweep listed it stays closed
	// (ok false: the commune is skipped). Notified communes, due retries and
	// the start-up sweep always use Open. May be nil.
	OpenIfOpen func(ctx context.Context, name string) (db *tenants.DB, release func(), ok bool)
	// Sweep lists the communes that may hold pending mail (all of them, at
	// worst); it is called at start-up and every sweep interval. May be nil.
	Sweep func(ctx context.Context) ([]string, error)
}

// Counts is what one drain did.
type Counts struct {
	Sent    int // delivered (or kept in the demo mailbox)
	Retried int // back to 'pending' for a later attempt
	Failed  int // given up: permanent error or too many attempts
}

func (c *Counts) add(o Counts) { c.Sent += o.Sent; c.Retried += o.Retried; c.Failed += o.Failed }

// TxLabel is the label of the sender's write transactions in
// tenants.DB.WriterStats.
const TxLabel = "mail"

// Defaults of the Sender's options.
const (
	DefaultTick          = 2 * time.Second
	DefaultSweepInterval = 5 * time.Minute
	DefaultBatchSize     = 50
	DefaultMaxAttempts   = 12
	DefaultStuckAfter    = 5 * time.Minute
)

const (
	maxBackoff      = time.Hour
	maxPause        = 2 * time.Minute // longest wait after the SMTP server could not be reached
	batchesPerDrain = 20              // in Run, so that one busy commune does not starve the others
	sweepChunk      = 20              // swept sources drained between two looks at notifications
)

// Option tunes a Sender.
type Option func(*Sender)

// WithTransport replaces the transport chosen from the Config (tests, other transports).
func WithTransport(t Transport) Option { return func(s *Sender) { s.transport = t } }

// WithClock sets the clock used for due times, back-off and stuck-row recovery.
func WithClock(now func() time.Time) Option { return func(s *Sender) { s.now = now } }

// WithTick sets how often Run drains the platform and looks at due retries.
func WithTick(d time.Duration) Option { return func(s *Sender) { s.tick = d } }

// WithSweepInterval sets how often Run sweeps the sources listed by Sources.Sweep.
func WithSweepInterval(d time.Duration) Option { return func(s *Sender) { s.sweepEvery = d } }

// WithBatchSize sets how many messages are claimed and sent over one connection.
func WithBatchSize(n int) Option { return func(s *Sender) { s.batch = n } }

// WithMaxAttempts sets after how many tries a message is marked 'failed'.
func WithMaxAttempts(n int) Option { return func(s *Sender) { s.maxAttempts = n } }

// WithStuckAfter sets after how long a row left in 'sending' is taken back.
func WithStuckAfter(d time.Duration) Option { return func(s *Sender) { s.stuckAfter = d } }

// WithObserver has fn told what each batch did, by source ("platform" or a
// commune's slug), after its rows are settled (the metrics).
func WithObserver(fn func(source string, c Counts)) Option { return func(s *Sender) { s.observe = fn } }

// Sender is the background worker that drains outboxes into a Transport.
type Sender struct {
	transport   Transport
	src         Sources
	log         *slog.Logger
	now         func() time.Time
	tick        time.Duration
	sweepEvery  time.Duration
	batch       int
	maxAttempts int
	stuckAfter  time.Duration
	observe     func(source string, c Counts)

	wake chan struct{} // buffered(1): Notify wakes Run

	mu          sync.Mutex
	due         map[string]time.Time // source name → when to drain it next
	connFails   int                  // consecutive batches that could not reach the server
	pausedUntil time.Time
	running     bool
	cancel      context.CancelFunc
	done        chan struct{}
}

// NewSender returns a Sender over the transport that cfg selects (SMTP, or
// the demo Mailbox when cfg is not Enabled). A nil logger means slog.Default().
func NewSender(cfg Config, src Sources, logger *slog.Logger, opts ...Option) (*Sender, error) {
	if logger == nil {
		logger = slog.Default()
	}
	s := &Sender{
		src: src, log: logger, now: time.Now,
		tick: DefaultTick, sweepEvery: DefaultSweepInterval, batch: DefaultBatchSize,
		maxAttempts: DefaultMaxAttempts, stuckAfter: DefaultStuckAfter,
		wake: make(chan struct{}, 1), due: make(map[string]time.Time),
	}
	for _, o := range opts {
		o(s)
	}
	if s.transport == nil {
		t, err := NewTransport(cfg)
		if err != nil {
			return nil, err
		}
		s.transport = t
	}
	switch {
	case s.tick <= 0 || s.sweepEvery <= 0 || s.stuckAfter <= 0:
		return nil, errors.New("mail: sender durations must be positive")
	case s.batch <= 0 || s.maxAttempts <= 0:
		return nil, errors.New("mail: sender batch size and max attempts must be positive")
	case src.Sweep != nil && src.Open == nil:
		return nil, errors.New("mail: Sources.Sweep needs Sources.Open")
	}
	return s, nil
}

// Backoff is the delay before try number failures+1, after the given number
// of failed tries (>= 1): 30s, 1m, 2m, 4m … capped at 1h; the sender adds up to 10% jitter.
func Backoff(failures int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < failures && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

func jitter(d time.Duration) time.Duration { return d + rand.N(d/10+1) }

// Notify tells the sender that the named source has just committed mail;
// Run drains it at once. It never blocks and may be called from any goroutine.
func (s *Sender) Notify(name string) {
	s.mu.Lock()
	s.due[name] = time.Time{} // the zero time is always due
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Flush drains one source now, until nothing in it is due or the server
// cannot be reached, and reports what it did. Delivery failures are counted,
// not returned; the error is for database failures.
func (s *Sender) Flush(ctx context.Context, src Source) (Counts, error) {
	c, _, err := s.drain(ctx, src, 0)
	return c, err
}

// drain sends what is due in src, at most maxBatches batches (0: no limit),
// and returns when src should be looked at again (zero: nothing left).
func (s *Sender) drain(ctx context.Context, src Source, maxBatches int) (Counts, time.Time, error) {
	// The sender's transactions queue for the writer like any other and
	// are counted under their own label (DB.WriterStats).
	ctx = tenants.WithTxLabel(ctx, TxLabel)
	var total Counts
	now := s.now()
	st, err := peek(ctx, src.DB)
	if err != nil {
		return total, time.Time{}, fmt.Errorf("%s: %w", src.Name, err)
	}
	cutoff := now.Add(-s.stuckAfter)
	if st.oldestSending != "" && st.oldestSending <= tenants.FormatTime(cutoff) {
		n, err := recoverStuck(ctx, src.DB, cutoff, now)
		if err != nil {
			return total, time.Time{}, fmt.Errorf("%s: %w", src.Name, err)
		}
		if n > 0 {
			s.log.Warn("mail: rows left in 'sending' taken back for a new attempt", "source", src.Name, "rows", n)
			st.nextPending = tenants.FormatTime(now)
		}
	}
	if st.nextPending != "" && st.nextPending <= tenants.FormatTime(now) {
		for i := 0; (maxBatches == 0 || i < maxBatches) && ctx.Err() == nil; i++ {
			c, claimedN, reached, err := s.sendBatch(ctx, src)
			total.add(c)
			if err != nil {
				return total, time.Time{}, fmt.Errorf("%s: %w", src.Name, err)
			}
			if !reached || claimedN < s.batch {
				break
			}
		}
	}
	next, err := s.nextDue(ctx, src)
	return total, next, err
}

// nextDue is when src next needs the sender: its earliest pending row, or
// the moment a row now 'sending' would count as stuck.
func (s *Sender) nextDue(ctx context.Context, src Source) (time.Time, error) {
	st, err := peek(ctx, src.DB)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: %w", src.Name, err)
	}
	var next time.Time
	if st.nextPending != "" {
		if t, err := tenants.ParseTime(st.nextPending); err == nil {
			next = t
		} else {
			next = s.now()
		}
	}
	if st.oldestSending != "" {
		if t, err := tenants.ParseTime(st.oldestSending); err == nil {
			if t = t.Add(s.stuckAfter); next.IsZero() || t.Before(next) {
				next = t
			}
		}
	}
	return next, nil
}

// sendBatch claims one batch, sends it outside any transaction, and settles
// it. reached is false when the server could not be reached.
func (s *Sender) sendBatch(ctx context.Context, src Source) (c Counts, n int, reached bool, err error) {
	rows, err := claim(ctx, src.DB, src.Name, s.now(), s.batch)
	if err != nil || len(rows) == 0 {
		return c, 0, true, err
	}
	// From here the rows are ours: finish and settle them even if ctx is cancelled
	// (Stop waits for this), so that none is left in 'sending'.
	ctx = context.WithoutCancel(ctx)
	batch := make([]Outgoing, len(rows))
	for i, r := range rows {
		batch[i] = r.Outgoing
	}
	errs, connErr := s.transport.Send(ctx, batch)
	s.noteConnection(connErr)
	done := s.now()
	outs := make([]outcome, len(rows))
	for i, r := range rows {
		e := connErr
		if e == nil {
			if i < len(errs) {
				e = errs[i]
			} else {
				e = errors.New("transport returned no result for this message")
			}
		}
		outs[i] = s.outcome(src.Name, r, e, done)
		switch outs[i].status {
		case StatusSent:
			c.Sent++
		case StatusPending:
			c.Retried++
		default:
			c.Failed++
		}
	}
	if err := settle(ctx, src.DB, done, outs); err != nil {
		// The rows stay 'sending' and are taken back after StuckAfter: a delivered
		// one may then go out twice, with the same Message-ID.
		return c, len(rows), connErr == nil, err
	}
	if s.observe != nil {
		s.observe(src.Name, c)
	}
	return c, len(rows), connErr == nil, nil
}

// outcome decides the fate of one claimed row and logs it (never its body or address).
func (s *Sender) outcome(source string, r claimed, err error, now time.Time) outcome {
	attrs := []any{"source", source, "id", r.ID, "kind", r.Kind, "attempt", r.Attempt}
	switch {
	case err == nil:
		s.log.Info("mail: delivered", attrs...)
		return outcome{id: r.ID, status: StatusSent}
	case IsPermanent(err):
		s.log.Error("mail: delivery failed permanently", append(attrs, "error", err)...)
		return outcome{id: r.ID, status: StatusFailed, lastError: truncate(err.Error())}
	case r.Attempt >= s.maxAttempts:
		s.log.Error("mail: delivery abandoned after too many attempts", append(attrs, "error", err)...)
		return outcome{id: r.ID, status: StatusFailed,
			lastError: truncate(fmt.Sprintf("gave up after %d attempts: %v", r.Attempt, err))}
	default:
		next := now.Add(jitter(Backoff(r.Attempt)))
		s.log.Warn("mail: delivery failed, will retry", append(attrs, "error", err, "next_attempt_at", tenants.FormatTime(next))...)
		return outcome{id: r.ID, status: StatusPending, next: next, lastError: truncate(err.Error())}
	}
}

func truncate(s string) string {
	const limit = 1000
	if len(s) <= limit {
		return s
	}
	return s[:limit] + "…"
}

// noteConnection pauses Run after the server could not be reached, so that
// an outage costs one failed connection per pause, not one per source.
func (s *Sender) noteConnection(connErr error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if connErr == nil {
		s.connFails, s.pausedUntil = 0, time.Time{}
		return
	}
	s.connFails++
	pause := min(Backoff(s.connFails), maxPause)
	s.pausedUntil = s.now().Add(pause)
	s.log.Warn("mail: SMTP server unreachable, pausing", "error", connErr, "pause", pause.String())
}

func (s *Sender) paused() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now().Before(s.pausedUntil)
}
