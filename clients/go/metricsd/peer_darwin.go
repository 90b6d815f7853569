package metricsd

import (
	"net"
	"syscall"
	"unsafe"
)

// xucred as in <sys/ucred.h>.
type xucred struct {
	Version uint32
	UID     uint32
	Ngroups int16
	_       int16
	Groups  [16]uint32
}

// peerUID is the uid of the process serving the other end (getsockopt LOCAL_PEERCRED,
// what getpeereid(3) uses on macOS).
func peerUID(conn *net.UnixConn) (int, error) {
	raw, err := conn.SyscallConn()
	if err != nil {
		return -1, err
	}
	const solLocal, localPeercred = 0, 1
	uid := -1
	var credErr error
	err = raw.Control(func(fd uintptr) {
		var cred xucred
		size := uint32(unsafe.Sizeof(cred))
		_, _, e := syscall.Syscall6(syscall.SYS_GETSOCKOPT, fd, solLocal, localPeercred,
			uintptr(unsafe.Pointer(&cred)), uintptr(unsafe.Pointer(&size)), 0)
		if e != 0 {
			credErr = e
			return
		}
		uid = int(cred.UID)
	})
	if err != nil {
		return -1, err
	}
	return uid, credErr
}
