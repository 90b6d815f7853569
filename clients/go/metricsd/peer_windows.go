//go:build windows

package metricsd

import (
	"errors"
	"net"
)

// peerUID: on Windows the client never uses a Unix socket (it uses the endpoint file and
// loopback TCP), so there is no peer to check.
func peerUID(*net.UnixConn) (int, error) {
	return -1, errors.New("metricsd: no Unix socket peer check on Windows")
}
