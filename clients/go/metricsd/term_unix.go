//go:build unix

package metricsd

import (
	"os"
	"syscall"
)

// terminate asks a process to stop (SIGTERM: the daemon commits and exits).
func terminate(p *os.Process) error { return p.Signal(syscall.SIGTERM) }

// pidAlive: a process with this id exists (EPERM: it exists, another user's).
func pidAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || err == syscall.EPERM
}
