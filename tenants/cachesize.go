package tenants

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
)

// Budget per open commune handle, measured (bench/README.md): an idle
// handle holds one connection, three file descriptors (database, WAL,
// shared memory; two more per extra connection while its pools are busy),
// and 0.3–0.6 MiB resident. The descriptors the cache leaves cover the
// background checkpoints (an eighth of the limit, below), sockets, the
// platform database and the busy handles' extra connections (at most one
// per request in flight).
const (
	fdsPerHandle      = 3
	bytesPerHandle    = 600 << 10
	minDefaultHandles = 64
	maxDefaultHandles = 100_000
)

// The file-descriptor limit is shared out so that no share can starve
// another: half of it for the handles the cache keeps by default (five
// eighths at most, whatever --cache-size asks), an eighth for the
// connections of the background checkpoints (checkpoint.go: two more
// descriptors, database and WAL, for each handle checkpointing or just
// done with it), and the rest, a quarter at least, for sockets, the
// platform store and the busy handles' extra connections.
const (
	fdsPerCheckpointConn = 2
	maxHandlesShare      = 5 // eighths of the limit
	checkpointShare      = 1 // eighths of the limit
	minCheckpointConns   = 2
)

// MaxCacheSize is the largest handle cache the file-descriptor limit
// allows (ok is false when the limit is unknown): five eighths of the
// limit at fdsPerHandle each.
func MaxCacheSize() (n int, fds uint64, ok bool) {
	fds, err := fileLimit()
	if err != nil || fds == 0 {
		return 0, 0, false
	}
	return max(int(fds*maxHandlesShare/8/fdsPerHandle), 1), fds, true
}

// fitCacheSize lowers a configured cache size to MaxCacheSize; why says
// so when it did ("" when n fits).
func fitCacheSize(n int) (fit int, why string) {
	limit, fds, ok := MaxCacheSize()
	if !ok || n <= limit {
		return n, ""
	}
	return limit, fmt.Sprintf("%d open communes would need %d file descriptors (%d each) and this process may open %d, "+
		"with room kept for sockets and checkpoints: at most %d (raise the limit, LimitNOFILE= in systemd, to keep more open)",
		n, n*fdsPerHandle, fdsPerHandle, fds, limit)
}

// connSlots bounds a kind of connection across the process.
type connSlots struct {
	open  atomic.Int64
	limit func() int64
}

var errNoSlot = errors.New("tenants: no connection slot free (file-descriptor budget)")

// take reserves a slot, false when all are taken; nil slots are unbounded.
func (s *connSlots) take() bool {
	if s == nil {
		return true
	}
	limit := s.limit()
	for {
		n := s.open.Load()
		if n >= limit {
			return false
		}
		if s.open.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

func (s *connSlots) give() {
	if s != nil {
		s.open.Add(-1)
	}
}

// checkpointSlots bounds the background checkpoints' connections of every
// file of the process to an eighth of the file-descriptor limit, read at
// each new connection (a limit changed while running counts).
var checkpointSlots = &connSlots{limit: func() int64 { return int64(CheckpointConnBudget()) }}

// CheckpointConnBudget is how many checkpoint connections may be open at
// once in this process; a checkpoint that finds none free is skipped (the
// next commits try again; the writer's own checkpoint is the safety net).
func CheckpointConnBudget() int {
	fds, err := fileLimit()
	if err != nil || fds == 0 {
		return 1 << 20
	}
	return max(int(fds*checkpointShare/8/fdsPerCheckpointConn), minCheckpointConns)
}

// CheckpointConns is the number of checkpoint connections open now.
func CheckpointConns() int { return int(checkpointSlots.open.Load()) }

// DefaultCacheSize sizes the handle cache for this machine: at most half
// of the file-descriptor limit (the rest stays for sockets and the
// platform database) and a quarter of the memory, at fdsPerHandle and
// bytesPerHandle each. why says how the figure was reached, for the log.
func DefaultCacheSize() (n int, why string) {
	fds, fdErr := fileLimit()
	mem, memErr := memoryLimit()
	n = maxDefaultHandles
	var parts []string
	if fdErr == nil && fds > 0 {
		byFD := int(fds / 2 / fdsPerHandle)
		n = min(n, byFD)
		parts = append(parts, fmt.Sprintf("file descriptors %d → %d", fds, byFD))
	} else {
		parts = append(parts, fmt.Sprintf("file-descriptor limit unknown (%v)", fdErr))
	}
	if memErr == nil && mem > 0 {
		byMem := int(mem / 4 / bytesPerHandle)
		n = min(n, byMem)
		parts = append(parts, fmt.Sprintf("memory %d MiB → %d", mem>>20, byMem))
	} else {
		parts = append(parts, fmt.Sprintf("memory unknown (%v)", memErr))
	}
	n = max(n, minDefaultHandles)
	return n, strings.Join(parts, ", ")
}

// memoryLimit is the cgroup's memory limit when there is one, else the
// machine's memory.
func memoryLimit() (uint64, error) {
	if b, err := os.ReadFile("/sys/fs/cgroup/memory.max"); err == nil {
		if v, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64); err == nil && v > 0 {
			total, terr := memTotal()
			if terr != nil || v < total {
				return v, nil
			}
		}
	}
	return memTotal()
}

func memTotal() (uint64, error) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no MemTotal in /proc/meminfo")
}
