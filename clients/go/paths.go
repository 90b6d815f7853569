package metricsd

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
)

// DefaultSocketPath is where a daemon started without --socket or METRICSD_SOCKET
// listens: the same rule as the daemon's platformdirs.user_runtime_dir("metricsd"):
//
//   - $XDG_RUNTIME_DIR/metricsd/metricsd.sock when $XDG_RUNTIME_DIR is an absolute path to
//     a directory (not a symlink) owned by this user with mode 0700;
//   - else on macOS ~/Library/Caches/TemporaryItems/metricsd/metricsd.sock;
//   - else /run/user/<uid>/metricsd/metricsd.sock when that directory passes the same
//     check (FreeBSD, NetBSD: /var/run/user/<uid>; OpenBSD: /tmp/run/user/<uid>);
//   - else <tmp>/runtime-<uid>/metricsd/metricsd.sock (<tmp>: $TMPDIR or /tmp).
//
// An application that spawns the daemon should not rely on it: Spawn reports the path the
// daemon actually serves.
func DefaultSocketPath() string {
	return filepath.Join(defaultRuntimeDir(), "metricsd.sock")
}

func privateDir(dir string) bool {
	st, err := os.Lstat(dir)
	if err != nil || !st.IsDir() || st.Mode().Perm() != 0o700 {
		return false
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	return ok && int(sys.Uid) == os.Geteuid()
}

func defaultRuntimeDir() string {
	if xdg := os.Getenv("XDG_RUNTIME_DIR"); filepath.IsAbs(xdg) && privateDir(xdg) {
		return filepath.Join(xdg, "metricsd")
	}
	if runtime.GOOS == "darwin" {
		home, err := os.UserHomeDir()
		if err == nil {
			return filepath.Join(home, "Library", "Caches", "TemporaryItems", "metricsd")
		}
	}
	uid := strconv.Itoa(os.Geteuid())
	base := "/run/user/" + uid
	switch runtime.GOOS {
	case "openbsd":
		base = "/tmp/run/user/" + uid
	case "freebsd", "netbsd":
		base = "/var/run/user/" + uid
	}
	if privateDir(base) {
		return filepath.Join(base, "metricsd")
	}
	return filepath.Join(os.TempDir(), "runtime-"+uid, "metricsd")
}

// resolveSocket: the explicit path, else $METRICSD_SOCKET, else DefaultSocketPath.
func resolveSocket(explicit string) string {
	if explicit != "" {
		return explicit
	}
	if env := os.Getenv("METRICSD_SOCKET"); env != "" {
		return env
	}
	return DefaultSocketPath()
}
