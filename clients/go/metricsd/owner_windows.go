//go:build windows

package metricsd

import (
	"errors"
	"os"
)

// privateDir is not used on Windows (the runtime directory is the user's local app-data).
func privateDir(string) bool { return false }

// privateFile: on Windows the endpoint file lives in the user's local app-data directory,
// which only the user can read; its ACL is not checked here.
func privateFile(f *os.File) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return errors.New("not a file")
	}
	return nil
}
