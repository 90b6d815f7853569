//go:build !windows

package metricsd

import (
	"os"
	"syscall"
)

// terminate asks a process to stop (SIGTERM: the daemon commits and exits).
func terminate(p *os.Process) error { return p.Signal(syscall.SIGTERM) }
