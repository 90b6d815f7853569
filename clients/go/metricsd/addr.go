package metricsd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Names shared with the daemon (testdata/spec.json).
const (
	// EnvSocket overrides the default address.
	EnvSocket = "METRICSD_SOCKET"
	// SocketName is the socket's file name in the runtime directory.
	SocketName = "metricsd.sock"
	// EndpointFile is the name of the file a daemon serving loopback TCP writes beside
	// where its socket would be: {"port": N, "token": "<hex>", "pid": P}, mode 0600.
	EndpointFile = "endpoint.json"
	appName      = "metricsd"
)

// DefaultSocketPath is where a daemon started without --socket or METRICSD_SOCKET serves:
// SocketName in the same directory as the daemon's platformdirs.user_runtime_dir("metricsd"):
//
//   - $XDG_RUNTIME_DIR/metricsd when $XDG_RUNTIME_DIR is an absolute path to a directory
//     (not a symlink) owned by this user with mode 0700;
//   - else on macOS ~/Library/Caches/TemporaryItems/metricsd;
//   - else /run/user/<uid>/metricsd when that directory passes the same check (FreeBSD,
//     NetBSD: /var/run/user/<uid>; OpenBSD: /tmp/run/user/<uid>);
//   - else <tmp>/runtime-<uid>/metricsd (<tmp>: $TMPDIR or /tmp);
//   - on Windows, %LOCALAPPDATA%\Temp\metricsd (no Unix socket there: the client uses
//     the endpoint file in that directory).
//
// An application that spawns the daemon should not rely on it: Spawn reports the address
// the daemon actually serves.
func DefaultSocketPath() string {
	return filepath.Join(defaultRuntimeDir(), SocketName)
}

func defaultRuntimeDir() string {
	home, _ := os.UserHomeDir()
	return runtimeDirFor(runtime.GOOS, os.Getenv, os.Geteuid(), home, os.TempDir(), privateDir)
}

// runtimeDirFor is the address rule (the repository's clients/spec.json "address", the
// daemon's own), for a platform: the first candidate that is an absolute path to a
// private directory of the user's, else the fallback, plus "metricsd"; on Windows
// %LOCALAPPDATA%\Temp\metricsd. Its arguments are seams for the tests, which run it for
// every platform here.
func runtimeDirFor(goos string, getenv func(string) string, uid int, home, tmp string,
	private func(string) bool) string {
	if goos == "windows" {
		// platformdirs: get_win_folder("CSIDL_LOCAL_APPDATA") + "Temp" + appname.
		local := getenv("WIN_PD_OVERRIDE_CSIDL_LOCAL_APPDATA") // platformdirs' override
		if local == "" {
			local = getenv("LOCALAPPDATA")
		}
		if local == "" {
			local = home + `\AppData\Local`
		}
		return strings.TrimRight(local, `\`) + `\Temp\` + appName
	}
	id := strconv.Itoa(uid)
	candidates := []string{getenv("XDG_RUNTIME_DIR")}
	fallback := tmp + "/runtime-" + id
	switch goos {
	case "darwin", "ios":
		fallback = home + "/Library/Caches/TemporaryItems"
	case "openbsd":
		candidates = append(candidates, "/tmp/run/user/"+id)
	case "freebsd", "netbsd":
		candidates = append(candidates, "/var/run/user/"+id)
	default:
		candidates = append(candidates, "/run/user/"+id)
	}
	for _, dir := range candidates {
		if strings.HasPrefix(dir, "/") && private(dir) {
			return path.Join(dir, appName)
		}
	}
	return path.Join(fallback, appName)
}

// resolveSocket: the explicit address, else $METRICSD_SOCKET, else DefaultSocketPath.
func resolveSocket(explicit string) string {
	if explicit != "" {
		return explicit
	}
	if env := os.Getenv(EnvSocket); env != "" {
		return env
	}
	return DefaultSocketPath()
}

// endpointFor is the endpoint file to use for an address, or "" for its Unix socket: an
// address ending in ".json" is one; on Windows a socket path means the endpoint file in
// its directory; elsewhere, so does a socket path that does not exist while the endpoint
// file beside it does.
func endpointFor(addr string) string {
	if strings.HasSuffix(addr, ".json") {
		return addr
	}
	beside := filepath.Join(filepath.Dir(addr), EndpointFile)
	if runtime.GOOS == "windows" {
		return beside
	}
	if _, err := os.Lstat(addr); errors.Is(err, os.ErrNotExist) {
		if _, err := os.Lstat(beside); err == nil {
			return beside
		}
	}
	return ""
}

type endpoint struct {
	Port  int    `json:"port"`
	Token string `json:"token"`
	Pid   *int   `json:"pid"`
}

// maxEndpointBytes: an endpoint file is a few dozen bytes.
const maxEndpointBytes = 4096

// readEndpoint reads an endpoint file, which must belong to this user and be readable by
// nobody else (on Windows it lives in the user's private local app-data directory).
func readEndpoint(path string) (endpoint, error) {
	var ep endpoint
	f, err := os.Open(path)
	if err != nil {
		return ep, err
	}
	defer f.Close()
	if err := privateFile(f); err != nil {
		return ep, fmt.Errorf("%s: %w", path, err)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxEndpointBytes+1))
	if err != nil {
		return ep, err
	}
	if len(data) > maxEndpointBytes || json.Unmarshal(data, &ep) != nil ||
		ep.Port <= 0 || ep.Port > 65535 || !hexToken(ep.Token) {
		return endpoint{}, fmt.Errorf("%s is not a metricsd endpoint file", path)
	}
	return ep, nil
}

func hexToken(s string) bool {
	if len(s) == 0 || len(s) > 256 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if ch := s[i]; !(ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'f' || ch >= 'A' && ch <= 'F') {
			return false
		}
	}
	return true
}

// dialAddr connects to the daemon at addr (a Unix socket, or loopback TCP from an endpoint
// file read now: a new daemon writes a new port and token) and returns the token to send
// in the hello ("" for a Unix socket, whose server's uid is checked instead).
func dialAddr(ctx context.Context, addr string, timeout time.Duration) (net.Conn, string, error) {
	if addr == "" {
		return nil, "", errors.New("metricsd: no address")
	}
	d := net.Dialer{Timeout: timeout}
	if ep := endpointFor(addr); ep != "" {
		e, err := readEndpoint(ep)
		if err != nil {
			return nil, "", fmt.Errorf("no daemon: %w", err)
		}
		if e.Pid != nil && !pidAlive(*e.Pid) {
			// A daemon that died uncleanly left it: whatever listens on its port now is
			// not that daemon.
			return nil, "", fmt.Errorf("no daemon: %s is stale (its daemon, pid %d, is gone)",
				ep, *e.Pid)
		}
		nc, err := d.DialContext(ctx, "tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(e.Port)))
		if err != nil {
			return nil, "", fmt.Errorf("cannot connect to the daemon of %s: %w", ep, err)
		}
		return nc, e.Token, nil
	}
	nc, err := d.DialContext(ctx, "unix", addr)
	if err != nil {
		return nil, "", fmt.Errorf("cannot connect to %s: %w", addr, err)
	}
	uc, ok := nc.(*net.UnixConn)
	if !ok {
		_ = nc.Close()
		return nil, "", errors.New("metricsd: not a Unix socket")
	}
	uid, err := peerUID(uc)
	if err != nil || uid != os.Geteuid() {
		_ = uc.Close()
		if err != nil {
			return nil, "", fmt.Errorf("%s: cannot tell who serves it: %w", addr, err)
		}
		return nil, "", fmt.Errorf("%s is served by uid %d: %w", addr, uid, ErrForeignSocket)
	}
	return uc, "", nil
}
