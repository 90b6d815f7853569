//go:build unix

package metricsd

import (
	"errors"
	"os"
	"syscall"
)

// privateDir: a directory (not a symlink) of this user with mode 0700.
func privateDir(dir string) bool {
	st, err := os.Lstat(dir)
	if err != nil || !st.IsDir() || st.Mode().Perm() != 0o700 {
		return false
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	return ok && int(sys.Uid) == os.Geteuid()
}

// privateFile: an open regular file of this user that group and others cannot read.
func privateFile(f *os.File) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !st.Mode().IsRegular() || !ok || int(sys.Uid) != os.Geteuid() {
		return errors.New("not a file of this user")
	}
	if st.Mode().Perm()&0o077 != 0 {
		return errors.New("readable by other users")
	}
	return nil
}
