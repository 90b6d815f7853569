package metricsd

import (
	"errors"
	"os"
)

// terminate: Windows has no SIGTERM, and a close never kills: the daemon is left to its
// closed stdin.
func terminate(p *os.Process) error { return errors.New("no SIGTERM on Windows") }

// pidAlive: a process with this id exists (FindProcess opens it on Windows).
func pidAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	_ = p.Release()
	return true
}
