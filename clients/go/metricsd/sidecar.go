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
	"sync"
	"time"
)

// Sidecar defaults.
const (
	// DefaultSidecarStartTimeout bounds a start (or a restart) whose context has no
	// deadline. An application's UI thread should pass a shorter context (see the package
	// example) or call Spawn from a goroutine.
	DefaultSidecarStartTimeout = 20 * time.Second
	// DefaultSidecarCloseTimeout bounds Sidecar.Close when its context has no deadline.
	DefaultSidecarCloseTimeout = 5 * time.Second
	// MaxFastFailures fast failures in a row (a start that fails, or a daemon that exits
	// within FastFailure of its READY) switch the sidecar to restarting at the slow pace,
	// SlowRestart apart, until a daemon lives longer than FastFailure.
	MaxFastFailures = 10
	FastFailure     = 10 * time.Second
	SlowRestart     = time.Minute
	// restartBackoffMin doubles after each fast failure, up to DefaultBackoffMax.
	restartBackoffMin = 100 * time.Millisecond
	maxReadyLine      = 4096
)

// The supervision's clock values, as variables so that the package's own tests can
// shorten them (they are not settable from outside the package).
var (
	fastFailure     = FastFailure
	slowRestart     = SlowRestart
	maxFastFailures = MaxFastFailures
)

// ErrSidecar is what every error of Spawn, SpawnWith and a Sidecar matches with
// errors.Is: the binary is missing, exited early, printed no READY line within the start
// deadline, or kept dying.
var ErrSidecar = errors.New("metricsd: sidecar")

// sidecarError matches ErrSidecar and unwraps to its cause (such as ctx's error).
type sidecarError struct {
	msg   string
	cause error
}

func (e *sidecarError) Error() string {
	if e.cause == nil {
		return "metricsd: sidecar: " + e.msg
	}
	return "metricsd: sidecar: " + e.msg + ": " + e.cause.Error()
}
func (e *sidecarError) Is(target error) bool { return target == ErrSidecar }
func (e *sidecarError) Unwrap() error        { return e.cause }

func sidecarErr(cause error, format string, args ...any) error {
	return &sidecarError{msg: fmt.Sprintf(format, args...), cause: cause}
}

// Sidecar is a daemon spawned and supervised by the application ("metricsd run
// --watch-stdin"): when it dies, the Sidecar restarts it with back-off and points the
// clients it dialed at the new daemon as soon as it is READY, and at a stand-by daemon as
// soon as it takes over (its second READY line). It never gives up for good: after
// MaxFastFailures fast failures in a row (a start that fails, or a daemon that exits
// within FastFailure of its READY) it keeps restarting at the slow pace (SlowRestart
// apart) and says so (Status, OnSlowRestarts, Err). All methods are safe for concurrent
// use and on a nil *Sidecar.
type Sidecar struct {
	opts SpawnOptions

	mu       sync.Mutex
	addr     string
	already  bool
	child    *child
	restarts int
	err      error
	closing  bool
	clients  []*Client
	stop     chan struct{} // closed by Close
	done     chan struct{} // closed when supervision ends
	exitErr  error         // the last child's exit
	detached bool          // Close left it serving other app instances
	fast     int           // fast failures in a row
	slow     bool          // restarting at the slow pace
}

// closeProbe: how long before Close's deadline a daemon still running is pinged.
const closeProbe = 300 * time.Millisecond

// responsive: the daemon at addr answers a ping before ctx is done.
func responsive(ctx context.Context, addr string) bool {
	c, err := Dial(ctx, Options{Socket: addr, ConnectTimeout: closeProbe / 2,
		WriteTimeout: closeProbe / 2, BackoffMin: time.Hour, BackoffMax: time.Hour})
	if err != nil {
		return false
	}
	defer c.Close(ctx)
	if c.Stats().Connects == 0 {
		return false
	}
	_, err = c.Ping(ctx)
	return err == nil
}

type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	exit  chan error // receives the exit once
	ready time.Time  // when its (latest) READY line came
}

// SpawnOptions for SpawnWith.
type SpawnOptions struct {
	// Exe is the daemon's command: "metricsd", or the path of the binary in the app bundle.
	Exe string
	// Args are options for "run" (--socket PATH, --state-dir DIR, --listen tcp, ...).
	Args []string
	// Stderr receives the daemon's log lines (nil: the application's stderr).
	Stderr io.Writer
	// Env is the daemon's environment (nil: the application's).
	Env []string
	// StartTimeout bounds each restart, and the first start when the context of
	// SpawnWith has no deadline (0: DefaultSidecarStartTimeout).
	StartTimeout time.Duration
	// OnExit, if set, is called (from the supervising goroutine) each time the daemon
	// exits, with its pid and exit error, and whether it will be restarted.
	OnExit func(pid int, err error, restarting bool)
	// OnReady, if set, is called with the address of each READY line of a supervised
	// daemon after the first start's: a restarted daemon, or a stand-by taking over.
	OnReady func(addr string)
	// OnSlowRestarts, if set, is called when the sidecar switches to the slow pace (after
	// MaxFastFailures fast failures in a row), with the reason.
	OnSlowRestarts func(reason error)
}

// Spawn starts "exe run --watch-stdin args..." and returns once the daemon is READY, or
// once ctx is done (without a deadline in ctx: DefaultSidecarStartTimeout), with its log
// going to the application's stderr. It never returns a nil *Sidecar: when the start
// fails, the error wraps ErrSidecar and the Sidecar's Dial returns a no-op client. Keep
// the Sidecar for the application's lifetime and Close it at the end.
func Spawn(ctx context.Context, exe string, args ...string) (*Sidecar, error) {
	return SpawnWith(ctx, SpawnOptions{Exe: exe, Args: args})
}

// SpawnWith is Spawn with options.
//
//   - "READY <address>" on the daemon's stdout: Socket() is that address (a socket path,
//     or an endpoint file with --listen tcp).
//   - the daemon exits 0 without a line (a daemon of an older version, when another one
//     already serves the socket): AlreadyRunning() is true and Socket() is --socket from
//     Args, else $METRICSD_SOCKET (of Env), else DefaultSocketPath(); nothing to supervise.
//   - anything else (exit, no READY before ctx is done, binary missing): an error
//     wrapping ErrSidecar; the daemon's reason is on its stderr.
func SpawnWith(ctx context.Context, o SpawnOptions) (*Sidecar, error) {
	if o.StartTimeout <= 0 {
		o.StartTimeout = DefaultSidecarStartTimeout
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.StartTimeout)
		defer cancel()
	}
	s := &Sidecar{opts: o, stop: make(chan struct{}), done: make(chan struct{})}
	ch, addr, err := s.start(ctx)
	if err != nil {
		s.err = err
		close(s.done)
		return s, err
	}
	if ch == nil {
		s.addr, s.already = addr, true
		close(s.done)
		return s, nil
	}
	s.addr, s.child = addr, ch
	go s.supervise()
	return s, nil
}

// start starts one daemon and waits for its READY line (or its exit, or ctx). A nil child
// with no error: the daemon exited 0 without a line (another daemon serves).
func (s *Sidecar) start(ctx context.Context) (*child, string, error) {
	o := s.opts
	cmd := exec.Command(o.Exe, append([]string{"run", "--watch-stdin"}, o.Args...)...)
	cmd.Env = o.Env
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, "", sidecarErr(err, "cannot start")
	}
	// Our own pipes: Wait never waits for a copy (a grandchild holding them cannot block
	// it), and the READY line is read whatever Wait does.
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, "", sidecarErr(err, "cannot start")
	}
	cmd.Stdout = outW
	var errR, errW *os.File
	switch w := o.Stderr.(type) {
	case nil:
		cmd.Stderr = os.Stderr
	case *os.File:
		cmd.Stderr = w
	default:
		if errR, errW, err = os.Pipe(); err != nil {
			outR.Close()
			outW.Close()
			return nil, "", sidecarErr(err, "cannot start")
		}
		cmd.Stderr = errW
	}
	err = cmd.Start()
	outW.Close()
	if errW != nil {
		errW.Close()
	}
	if err != nil {
		outR.Close()
		if errR != nil {
			errR.Close()
		}
		return nil, "", sidecarErr(err, "cannot start %s", o.Exe)
	}
	if errR != nil {
		go func() {
			_, _ = io.Copy(o.Stderr, errR)
			errR.Close()
		}()
	}
	ch := &child{cmd: cmd, stdin: stdin, exit: make(chan error, 1)}
	lines := make(chan string, 1)
	go func() {
		r := bufio.NewReaderSize(outR, maxReadyLine)
		line, _ := r.ReadSlice('\n')
		lines <- strings.TrimRight(string(line), "\r\n")
		// Every later READY line (a stand-by that takes over serving) points the clients
		// at it; the rest of the output is drained.
		for {
			line, err := r.ReadSlice('\n')
			text := strings.TrimRight(string(line), "\r\n")
			if err == nil && strings.HasPrefix(text, "READY ") && len(text) > len("READY ") {
				s.ready(ch, text[len("READY "):])
			}
			if err != nil && err != bufio.ErrBufferFull {
				break
			}
		}
		outR.Close()
	}()
	go func() { ch.exit <- cmd.Wait() }()
	select {
	case line := <-lines:
		if addr := strings.TrimPrefix(line, "READY "); addr != line && addr != "" {
			s.mu.Lock()
			ch.ready = time.Now()
			s.mu.Unlock()
			return ch, addr, nil
		}
		// No READY line: the daemon is exiting (or printed something else).
		select {
		case err = <-ch.exit:
		case <-ctx.Done():
			_ = cmd.Process.Kill()
			err = <-ch.exit
			return nil, "", sidecarErr(ctx.Err(), "%s printed no READY line", o.Exe)
		}
		if err == nil && line == "" {
			return nil, socketFromArgs(o.Args, o.Env), nil
		}
		if err == nil {
			err = errors.New("unexpected output")
		}
		return nil, "", sidecarErr(err, "%s could not start (its stderr says why)", o.Exe)
	case <-ctx.Done():
		_ = cmd.Process.Kill()
		<-ch.exit
		return nil, "", sidecarErr(ctx.Err(), "%s printed no READY line in time", o.Exe)
	case <-s.stop:
		_ = cmd.Process.Kill()
		<-ch.exit
		return nil, "", sidecarErr(nil, "closed")
	}
}

// ready: a later READY line of a supervised child (a stand-by taking over): the clients
// reconnect to it at once.
func (s *Sidecar) ready(ch *child, addr string) {
	s.mu.Lock()
	if s.child != ch || s.closing {
		s.mu.Unlock()
		return
	}
	ch.ready = time.Now()
	s.addr = addr
	clients := append([]*Client(nil), s.clients...)
	s.mu.Unlock()
	for _, c := range clients {
		c.setAddr(addr)
	}
	if s.opts.OnReady != nil {
		s.opts.OnReady(addr)
	}
}

// failed counts one fast failure (under s.mu) and says whether the sidecar just switched
// to the slow pace.
func (s *Sidecar) failed(err error) bool {
	s.fast++
	if s.fast < maxFastFailures || s.slow {
		return false
	}
	s.slow = true
	s.err = sidecarErr(err, "%d fast failures in a row; restarting every %s", s.fast,
		slowRestart)
	return true
}

// supervise waits for the daemon's exit and restarts it, until Close. A daemon that lived
// FastFailure after its READY resets the count of fast failures.
func (s *Sidecar) supervise() {
	defer close(s.done)
	for {
		s.mu.Lock()
		ch := s.child
		s.mu.Unlock()
		err := <-ch.exit
		pid := ch.cmd.Process.Pid
		s.mu.Lock()
		s.exitErr = err
		closing := s.closing
		slowNow := false
		if !closing {
			if time.Since(ch.ready) < fastFailure {
				slowNow = s.failed(err)
			} else {
				s.fast, s.slow, s.err = 0, false, nil
			}
		}
		s.mu.Unlock()
		if s.opts.OnExit != nil {
			s.opts.OnExit(pid, err, !closing)
		}
		if slowNow && s.opts.OnSlowRestarts != nil {
			s.opts.OnSlowRestarts(s.Err())
		}
		if closing {
			return
		}
		for {
			s.mu.Lock()
			delay := restartBackoffMin
			for i := 1; i < s.fast && delay < DefaultBackoffMax; i++ {
				delay *= 2
			}
			if delay > DefaultBackoffMax {
				delay = DefaultBackoffMax
			}
			if s.slow {
				delay = slowRestart
			}
			s.mu.Unlock()
			t := time.NewTimer(delay)
			select {
			case <-t.C:
			case <-s.stop:
				t.Stop()
				return
			}
			ctx, cancel := context.WithTimeout(context.Background(), s.opts.StartTimeout)
			next, addr, err := s.start(ctx)
			cancel()
			if err == nil && next != nil {
				s.mu.Lock()
				s.child, s.addr = next, addr
				s.restarts++
				clients := append([]*Client(nil), s.clients...)
				if s.closing {
					_ = next.stdin.Close()
				}
				s.mu.Unlock()
				for _, c := range clients {
					c.setAddr(addr) // reconnect now, not after a back-off
				}
				if s.opts.OnReady != nil {
					s.opts.OnReady(addr)
				}
				break
			}
			s.mu.Lock()
			if s.closing {
				s.mu.Unlock()
				return
			}
			if err == nil {
				err = errors.New("another daemon serves the socket")
			}
			s.exitErr = err
			slowNow := s.failed(err)
			s.mu.Unlock()
			if slowNow && s.opts.OnSlowRestarts != nil {
				s.opts.OnSlowRestarts(s.Err())
			}
		}
	}
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
			if strings.HasPrefix(kv, EnvSocket+"=") && len(kv) > len(EnvSocket)+1 {
				return strings.TrimPrefix(kv, EnvSocket+"=")
			}
		}
		return DefaultSocketPath()
	}
	return resolveSocket("")
}

// Socket is the address the daemon serves (after a restart, the new daemon's).
func (s *Sidecar) Socket() string {
	if s == nil {
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// AlreadyRunning: the daemon exited 0 at once because another daemon already served the
// socket (older daemons; newer ones stand by instead).
func (s *Sidecar) AlreadyRunning() bool {
	if s == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.already
}

// Pid is the running daemon child's process id (0 when there is none).
func (s *Sidecar) Pid() int {
	if s == nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.child == nil || s.closing {
		return 0
	}
	return s.child.cmd.Process.Pid
}

// Restarts counts the daemons started after the first one.
func (s *Sidecar) Restarts() int {
	if s == nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.restarts
}

// SidecarStatus is what a Sidecar knows of its daemon.
type SidecarStatus struct {
	// Pid is the running daemon child's process id (0 when there is none).
	Pid int
	// Addr is the address clients use (after a restart or a take-over, the new one's).
	Addr string
	// Restarts counts the daemons started after the first one.
	Restarts int
	// FastFailures counts the fast failures in a row (a start that failed, or a daemon
	// that exited within FastFailure of its READY).
	FastFailures int
	// Slow: after MaxFastFailures fast failures in a row, the sidecar restarts the daemon
	// only every SlowRestart, until one lives longer than FastFailure.
	Slow bool
	// Supervising: the sidecar watches a daemon of its own (false after Close, after a
	// failed first start, or when an older daemon already served the socket).
	Supervising bool
	// LeftServing: Close left the daemon running because it answered: it serves other
	// app instances and exits once they are gone.
	LeftServing bool
	// LastExit is the last daemon's exit error (nil: none, or it exited 0).
	LastExit error
}

// Status returns what the Sidecar knows of its daemon.
func (s *Sidecar) Status() SidecarStatus {
	if s == nil {
		return SidecarStatus{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := SidecarStatus{Addr: s.addr, Restarts: s.restarts, FastFailures: s.fast,
		Slow: s.slow, LeftServing: s.detached, LastExit: s.exitErr}
	select {
	case <-s.done:
	default:
		st.Supervising = !s.closing
	}
	if s.child != nil && !s.closing {
		st.Pid = s.child.cmd.Process.Pid
	}
	return st
}

// Done is closed when the Sidecar stops supervising: after Close, or at once when the
// start failed or another daemon served the socket. (It never gives up on its own.)
func (s *Sidecar) Done() <-chan struct{} {
	if s == nil {
		done := make(chan struct{})
		close(done)
		return done
	}
	return s.done
}

// Err is why the Sidecar has no daemon serving (a failed first start), or why it
// restarts at the slow pace, wrapping ErrSidecar; nil while a daemon runs normally and
// after a clean Close.
func (s *Sidecar) Err() error {
	if s == nil {
		return sidecarErr(nil, "nil sidecar")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Wait blocks until Done or ctx is done, and returns Err (or ctx's error).
func (s *Sidecar) Wait(ctx context.Context) error {
	select {
	case <-s.Done():
		return s.Err()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Dial returns a client of the sidecar's daemon, which follows the daemon across restarts.
// When the start failed, it returns a no-op client and the start's error.
func (s *Sidecar) Dial(ctx context.Context, clientVersion string) (*Client, error) {
	return s.DialWith(ctx, Options{ClientVersion: clientVersion})
}

// DialWith is Dial with options (their Socket is the sidecar's).
func (s *Sidecar) DialWith(ctx context.Context, opts Options) (*Client, error) {
	if s == nil {
		return NoopClient("no sidecar"), sidecarErr(nil, "nil sidecar")
	}
	s.mu.Lock()
	addr, err := s.addr, s.err
	s.mu.Unlock()
	if addr == "" {
		if err == nil {
			err = sidecarErr(nil, "no daemon")
		}
		return NoopClient(err.Error()), err
	}
	opts.Socket = addr
	c, err := Dial(ctx, opts)
	if err != nil {
		return c, err
	}
	s.mu.Lock()
	s.clients = append(s.clients, c)
	s.mu.Unlock()
	return c, nil
}

// Close stops supervising, closes the daemon's stdin (it commits and exits, unless clients
// of other app instances still use it) and waits for it until ctx is done (without a
// deadline: DefaultSidecarCloseTimeout). It never kills a daemon: shortly before the
// deadline, a daemon still running is pinged; one that answers is serving other app
// instances and is left running (it exits when their last client leaves; Status says
// LeftServing); one that does not answer serves nobody and is asked to stop (SIGTERM: it
// commits and exits; on Windows it is left to its closed stdin). It returns nil when the
// daemon exited 0, was left serving, or there was none. Close the clients first.
func (s *Sidecar) Close(ctx context.Context) error {
	if s == nil {
		return nil
	}
	ctx, cancel := withDefault(ctx, DefaultSidecarCloseTimeout)
	defer cancel()
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		select {
		case <-s.done:
		case <-ctx.Done():
		}
		return nil
	}
	s.closing = true
	close(s.stop)
	ch := s.child
	if ch != nil {
		_ = ch.stdin.Close()
	}
	addr := s.addr
	s.mu.Unlock()
	deadline, _ := ctx.Deadline()
	probe := time.NewTimer(time.Until(deadline) - closeProbe)
	defer probe.Stop()
	select {
	case <-s.done:
	case <-probe.C:
	case <-ctx.Done():
	}
	select {
	case <-s.done:
	default:
		// Still running: the probe has its own short deadline (ctx may be over already).
		pctx, pcancel := context.WithTimeout(context.Background(), closeProbe)
		serving := ch != nil && responsive(pctx, addr)
		pcancel()
		if serving {
			s.mu.Lock()
			s.detached = true
			s.mu.Unlock()
			return nil
		}
		if ch != nil {
			_ = terminate(ch.cmd.Process)
		}
		select {
		case <-s.done:
		case <-ctx.Done():
		}
	}
	select {
	case <-s.done:
	default:
		return sidecarErr(ctx.Err(), "the daemon did not exit in time (left running)")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.child == nil {
		return nil
	}
	if s.exitErr != nil {
		return sidecarErr(s.exitErr, "the daemon did not exit cleanly")
	}
	return nil
}
