//go:build unix

package metricsd

// Tests of the findings of a trial by a desktop-app team (real daemons, SIGKILL,
// SIGSTOP, several app instances): each failed on the client before v1.3.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startPlain starts "metricsd run args..." (no sidecar, no --watch-stdin) and returns it
// once its READY line came.
func startPlain(t *testing.T, exe string, args []string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(exe, append([]string{"run"}, args...)...)
	cmd.Env = cleanEnv()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "READY ") {
		t.Fatalf("no READY line: %q %v", line, err)
	}
	go func() { _, _ = bufio.NewReader(out).WriteTo(&discard{}) }()
	return cmd
}

// TestHelperOtherInstance is another app instance when run as a child process of the
// test binary (GO_METRICSD_INSTANCE set to the daemon's args); otherwise it does nothing.
// It spawns its own sidecar (which stands by), sends a turn, says "served <pid>", and on
// each line of its stdin sends 100 events and a turn, syncs and prints the result and its
// stats; at EOF it closes.
func TestHelperOtherInstance(t *testing.T) {
	spec := os.Getenv("GO_METRICSD_INSTANCE")
	if spec == "" {
		return
	}
	parts := strings.Split(spec, "\x1f")
	side, err := SpawnWith(within(t, 60*time.Second), SpawnOptions{Exe: parts[0],
		Args: parts[1:], Env: cleanEnv()})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := side.Dial(within(t, 10*time.Second), "1.0.0")
	c.Turn("stop", false)
	if err := c.Sync(within(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	st, err := c.Status(within(t, 10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("served " + strconv.FormatInt(st["pid"].(int64), 10) + "\n")
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		for i := 0; i < 100; i++ {
			c.ToolResult("command timed out")
		}
		c.Turn("stop", false)
		err := c.Sync(within(t, 20*time.Second))
		os.Stdout.WriteString(fmt.Sprintf("synced %v %v\n", err, c.Stats()))
	}
	_ = c.Close(within(t, 5*time.Second))
	_ = side.Close(within(t, 5*time.Second))
}

// otherInstance starts TestHelperOtherInstance as a child process.
func otherInstance(t *testing.T, exe string, args []string) (io.WriteCloser, *bufio.Reader) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperOtherInstance$", "-test.count=1")
	cmd.Env = append(cleanEnv(), "GO_METRICSD_INSTANCE="+strings.Join(append([]string{exe},
		args...), "\x1f"))
	cmd.Stderr = os.Stderr
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = in.Close()
		_ = cmd.Wait()
	})
	return in, bufio.NewReader(out)
}

// Finding 3: an app instance that quits never stops the daemon another instance's
// client uses (no SIGKILL in a normal close); that client loses nothing.
func TestClosingOneInstanceLeavesTheSharedDaemonServing(t *testing.T) {
	exe := daemonExe(t)
	args := home(t)
	first, err := SpawnWith(within(t, 60*time.Second), SpawnOptions{Exe: exe, Args: args,
		Env: cleanEnv()})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close(within(t, 5*time.Second))
	pid := first.Pid()
	tell, hear := otherInstance(t, exe, args)
	line, _ := hear.ReadString('\n')
	if line != fmt.Sprintf("served %d\n", pid) {
		t.Fatalf("the other instance: %q (the first's daemon is %d)", line, pid)
	}
	mine, _ := first.Dial(within(t, 10*time.Second), "1.0.0")
	mine.Turn("stop", false)
	if err := mine.Close(within(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := first.Close(within(t, 2*time.Second)); err != nil {
		t.Fatalf("Close of a daemon that serves another instance: %v", err)
	}
	if gone(pid) || !first.Status().LeftServing {
		t.Fatalf("the first instance's close stopped the shared daemon (%+v)", first.Status())
	}
	_, _ = tell.Write([]byte("send\n"))
	line, _ = hear.ReadString('\n')
	if !strings.HasPrefix(line, "synced <nil> ") || !strings.Contains(line, " 0 dropped, 0 unconfirmed") ||
		!strings.Contains(line, "(0 reconnects)") {
		t.Fatalf("the other instance after the first quit: %q", line)
	}
}

// Finding 4: a Sync abandoned by its caller (its context expired) never consumes the
// loss report: the next Sync, or Close, still returns it.
func TestAnAbandonedSyncLeavesTheLossReportToTheNext(t *testing.T) {
	for _, next := range []string{"Sync", "Close"} {
		next := next
		t.Run(next, func(t *testing.T) {
			release := make(chan struct{})
			f := newFakeUnix(t, func(f *fake, nc net.Conn, fc *fakeConn) {
				d := decoder{r: bufio.NewReader(nc)}
				if !f.handshake(nc, fc, &d) {
					return
				}
				<-release // the daemon is slow to answer
				f.serveFrom(nc, fc, &d)
			})
			defer func() {
				select {
				case <-release:
				default:
					close(release)
				}
			}()
			c, _ := Dial(within(t, 5*time.Second), Options{Socket: f.addr})
			c.Usage(-1, 0) // refused by the client: dropped, counted
			c.Turn("stop", false)
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			if err := c.Sync(ctx); !errors.Is(err, context.Canceled) {
				t.Fatalf("a Sync whose context is done: %v", err)
			}
			close(release) // its ack comes now, to nobody
			var err error
			if next == "Sync" {
				err = c.Sync(within(t, 10*time.Second))
				defer c.Close(within(t, time.Second))
			} else {
				err = c.Close(within(t, 10*time.Second))
			}
			var lost *LostError
			if !errors.As(err, &lost) || lost.Dropped != 1 {
				t.Fatalf("%s after an abandoned Sync: %v (%v)", next, err, c.Stats())
			}
		})
	}
}

// Finding 5: only a failed start, or an exit within FastFailure of READY, is a fast
// failure; daemons that lived longer are restarted however often they exit.
func TestDaemonsThatLivedAreAlwaysRestarted(t *testing.T) {
	defer func(f time.Duration) { fastFailure = f }(fastFailure)
	fastFailure = 20 * time.Millisecond
	exe := script(t, "echo READY /nonexistent/m.sock; sleep 0.2; exit 3")
	side, err := SpawnWith(within(t, 10*time.Second), SpawnOptions{Exe: exe,
		Stderr: &discard{}})
	if err != nil {
		t.Fatal(err)
	}
	defer side.Close(within(t, 5*time.Second))
	waitUntil(t, "restarts", func() bool { return side.Restarts() >= 12 })
	st := side.Status()
	if st.Slow || st.FastFailures != 0 || side.Err() != nil {
		t.Fatalf("status after exits that were not fast: %+v, %v", st, side.Err())
	}
	select {
	case <-side.Done():
		t.Fatal("the sidecar stopped supervising")
	default:
	}
}

// Finding 5: after MaxFastFailures fast failures in a row the sidecar keeps trying at the
// slow pace, says so, and a daemon that comes up then is followed by the clients.
func TestRepeatedFastFailuresSlowTheRestartsButNeverStopThem(t *testing.T) {
	defer func(d time.Duration, n int) { slowRestart, maxFastFailures = d, n }(slowRestart,
		maxFastFailures)
	slowRestart, maxFastFailures = 50*time.Millisecond, 3
	dir := privateTemp(t)
	socket := filepath.Join(dir, "m.sock")
	ln, err := net.Listen("unix", socket)
	if err != nil {
		t.Fatal(err)
	}
	f := startFake(t, ln, socket, nil)
	// Starts 1..5 die at once; the 6th serves (this fake's socket).
	exe := script(t, `n=$(cat `+dir+`/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > `+dir+`/n
if [ $n -le 5 ]; then echo READY `+socket+`; exit 3; fi
echo READY `+socket+`; exec sleep 600`)
	slowSaid := make(chan error, 1)
	side, err := SpawnWith(within(t, 10*time.Second), SpawnOptions{Exe: exe,
		Stderr: &discard{}, OnSlowRestarts: func(reason error) { slowSaid <- reason }})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		f.close() // not a daemon: nothing answers the close's probe
		_ = side.Close(within(t, time.Second))
	}()
	c, _ := side.DialWith(within(t, time.Second), Options{BackoffMin: time.Hour,
		BackoffMax: time.Hour})
	defer c.Close(within(t, time.Second))
	select {
	case reason := <-slowSaid:
		if !errors.Is(reason, ErrSidecar) {
			t.Fatalf("the slow-pace event: %v", reason)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("no slow-pace event: %+v", side.Status())
	}
	waitUntil(t, "the 6th start", func() bool { return side.Restarts() == 5 })
	if st := side.Status(); st.Pid == 0 || !st.Supervising {
		t.Fatalf("status once a daemon runs again: %+v", st)
	}
	c.Turn("stop", false)
	if err := c.Sync(within(t, 10*time.Second)); err != nil {
		t.Fatalf("the client did not follow the daemon started at the slow pace: %v", err)
	}
}

// Finding 6: Dial(context.Background()) never waits longer than ConnectTimeout for a
// daemon that accepts and never answers.
func TestDialDoesNotWaitForAHungDaemon(t *testing.T) {
	hung := make(chan struct{})
	defer close(hung)
	f := newFakeUnix(t, func(f *fake, nc net.Conn, fc *fakeConn) { <-hung })
	done := make(chan *Client, 1)
	go func() {
		c, _ := Dial(context.Background(), Options{Socket: f.addr,
			ConnectTimeout: 50 * time.Millisecond, WriteTimeout: time.Hour})
		done <- c
	}()
	select {
	case c := <-done:
		c.ToolResult("x") // still usable, no panic
		go c.Close(within(t, time.Second))
	case <-time.After(20 * time.Second):
		t.Fatal("Dial waited for the hung daemon's answer")
	}
}

// Finding 6: a stand-by daemon's take-over (its second READY line) wakes the clients of
// its sidecar at once, not after their back-off.
func TestAStandbysTakeOverWakesItsClients(t *testing.T) {
	exe := daemonExe(t)
	args := home(t)
	serving := startPlain(t, exe, args)
	side, err := SpawnWith(within(t, 60*time.Second), SpawnOptions{Exe: exe, Args: args,
		Env: cleanEnv()})
	if err != nil {
		t.Fatal(err)
	}
	defer side.Close(within(t, 10*time.Second))
	c, _ := side.DialWith(within(t, 10*time.Second), Options{BackoffMin: time.Hour,
		BackoffMax: time.Hour})
	defer c.Close(within(t, time.Second))
	c.Turn("stop", false)
	if err := c.Sync(within(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	standby := side.Pid()
	// The stand-by is held still while the serving daemon dies, so that the client's
	// reconnection fails first and it backs off (an hour).
	if err := syscall.Kill(standby, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	defer syscall.Kill(standby, syscall.SIGCONT)
	if err := serving.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = serving.Wait()
	c.Turn("stop", false)
	waitUntil(t, "a failed reconnection", func() bool {
		err := c.LastError()
		return err != nil && !errors.Is(err, os.ErrDeadlineExceeded)
	})
	if err := syscall.Kill(standby, syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	if err := c.Sync(within(t, 20*time.Second)); err == nil || errors.Is(err, ErrLost) {
		// nil: the turn was counted by the stand-by; ErrLost: the turn went to the dead
		// daemon unconfirmed (no stream). Either way the client reached the new daemon.
	} else {
		t.Fatalf("the client did not follow the stand-by's take-over: %v (%v)", err,
			c.Stats())
	}
	if c.Stats().Reconnects == 0 {
		t.Fatal("no reconnection")
	}
}
