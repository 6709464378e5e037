//go:build !linux

package tenants

import "time"

// threadCPU is not measured outside Linux (TxStat.CPU stays 0).
func threadCPU() time.Duration { return 0 }
