package tenants

import (
	"runtime"
	"sync/atomic"
	"time"
)

// measureWriterCPU turns on the writer's CPU accounting (TxStat.CPU).
var measureWriterCPU atomic.Bool

// MeasureWriterCPU turns on (or off) the accounting of the CPU time each
// write transaction uses while it holds the writer (TxStat.CPU), for the
// load tool and the benchmarks: the time the writer is held grows with
// the machine's load (the holder waits for a core), its CPU time much
// less. While on, Tx keeps its goroutine on one OS thread for the time it
// holds the writer and reads that thread's CPU time before and after (two
// system calls per transaction).
func MeasureWriterCPU(on bool) { measureWriterCPU.Store(on) }

// writerCPU starts measuring the calling goroutine's CPU time when the
// accounting is on; the returned function ends it and returns the time.
func writerCPU() func() time.Duration {
	if !measureWriterCPU.Load() {
		return func() time.Duration { return 0 }
	}
	runtime.LockOSThread()
	start := threadCPU()
	return func() time.Duration {
		d := threadCPU() - start
		runtime.UnlockOSThread()
		return max(d, 0)
	}
}
