package metricsd

import (
	"errors"
	"os"
)

// terminate: Windows has no SIGTERM, and a close never kills: the daemon is left to its
// closed stdin.
func terminate(p *os.Process) error { return errors.New("no SIGTERM on Windows") }
