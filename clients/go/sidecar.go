package metricsd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"
)

// Sidecar is a daemon spawned by the application (metricsd run --watch-stdin).
type Sidecar struct {
	// Socket is the path the daemon serves (or the one another daemon already served).
	Socket string
	// AlreadyRunning: another daemon already served the socket; the spawned one exited 0.
	AlreadyRunning bool

	cmd   *exec.Cmd
	stdin io.WriteCloser
}

// SpawnOptions for SpawnWith.
type SpawnOptions struct {
	// Exe is the daemon's command: "metricsd", or the path of the binary in the app bundle.
	Exe string
	// Args are options for "run" (--socket PATH, --state-dir DIR, ...).
	Args []string
	// Stderr receives the daemon's log lines (nil: the application's stderr). Never an
	// undrained pipe.
	Stderr io.Writer
	// Env is the daemon's environment (nil: the application's).
	Env []string
}

// Spawn starts "exe run --watch-stdin args..." and returns once its socket accepts
// connections, with the daemon's stderr going to the application's. Keep the Sidecar for
// the application's lifetime: Close (or the application's exit, which closes the pipe)
// makes the daemon commit and exit.
func Spawn(ctx context.Context, exe string, args ...string) (*Sidecar, error) {
	return SpawnWith(ctx, SpawnOptions{Exe: exe, Args: args})
}

// SpawnWith is Spawn with options.
//
//   - "READY <path>" on the daemon's stdout: Socket is that path.
//   - the daemon exits 0 without a line: another daemon already serves the socket; Socket
//     is --socket from Args, else $METRICSD_SOCKET (of Env), else DefaultSocketPath().
//   - anything else (exit 1, ctx done first): an error; the daemon's reason is on its
//     stderr.
func SpawnWith(ctx context.Context, o SpawnOptions) (*Sidecar, error) {
	cmd := exec.Command(o.Exe, append([]string{"run", "--watch-stdin"}, o.Args...)...)
	cmd.Stderr = o.Stderr
	if cmd.Stderr == nil {
		cmd.Stderr = os.Stderr
	}
	cmd.Env = o.Env
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("metricsd: cannot start %s: %w", o.Exe, err)
	}
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		lines <- line
		_, _ = io.Copy(io.Discard, stdout) // keep its stdout drained
	}()
	var line string
	select {
	case line = <-lines:
	case <-ctx.Done():
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("metricsd: no READY line: %w", ctx.Err())
	}
	line = strings.TrimRight(line, "\n")
	if strings.HasPrefix(line, "READY ") {
		return &Sidecar{Socket: strings.TrimPrefix(line, "READY "), cmd: cmd, stdin: stdin}, nil
	}
	_ = stdin.Close()
	err = cmd.Wait()
	if err == nil && line == "" {
		return &Sidecar{Socket: socketFromArgs(o.Args, o.Env), AlreadyRunning: true}, nil
	}
	if err == nil {
		err = errors.New("unexpected output")
	}
	return nil, fmt.Errorf("metricsd could not start (%v; its stderr says why)", err)
}

func socketFromArgs(args []string, env []string) string {
	path := ""
	for i, a := range args {
		if a == "--socket" && i+1 < len(args) {
			path = args[i+1]
		} else if strings.HasPrefix(a, "--socket=") {
			path = strings.TrimPrefix(a, "--socket=")
		}
	}
	if path != "" {
		return path
	}
	if env != nil {
		for _, kv := range env {
			if strings.HasPrefix(kv, "METRICSD_SOCKET=") && len(kv) > len("METRICSD_SOCKET=") {
				return strings.TrimPrefix(kv, "METRICSD_SOCKET=")
			}
		}
		return DefaultSocketPath()
	}
	return resolveSocket("")
}

// Dial connects a Client to the sidecar's socket.
func (s *Sidecar) Dial(ctx context.Context, clientVersion string) (*Client, error) {
	return Dial(ctx, Options{Socket: s.Socket, ClientVersion: clientVersion})
}

// Close closes the daemon's stdin and waits (at most 10 s, then kills it) for it to
// commit and exit. A nil error means it exited 0 (or nothing was running).
func (s *Sidecar) Close() error {
	if s.cmd == nil {
		return nil
	}
	_ = s.stdin.Close()
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		return <-done
	}
}
