package tenants

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Budget per open commune handle, measured (bench/README.md): an idle
// handle holds one connection, three file descriptors (database, WAL,
// shared memory; two more per extra connection while its pools are busy),
// and 0.3–0.6 MiB resident. The half of the descriptor limit that the
// cache leaves covers sockets, the platform database and the busy
// handles' extra connections (at most one per request in flight).
const (
	fdsPerHandle      = 3
	bytesPerHandle    = 600 << 10
	minDefaultHandles = 64
	maxDefaultHandles = 100_000
)

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
