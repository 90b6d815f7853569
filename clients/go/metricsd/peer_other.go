//go:build unix && !linux && !darwin

package metricsd

import (
	"errors"
	"net"
	"os"
	"syscall"
)

// peerUID without kernel peer credentials in the standard library: the owner of the
// socket file (a daemon creates its socket 0600 in a 0700 directory of its own).
func peerUID(conn *net.UnixConn) (int, error) {
	addr, ok := conn.RemoteAddr().(*net.UnixAddr)
	if !ok || addr.Name == "" {
		return -1, errors.New("metricsd: cannot tell who serves the socket")
	}
	st, err := os.Stat(addr.Name)
	if err != nil {
		return -1, err
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return -1, errors.New("metricsd: cannot tell who serves the socket")
	}
	return int(sys.Uid), nil
}
