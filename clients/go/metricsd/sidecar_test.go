//go:build unix

package metricsd

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// script writes an executable shell script standing in for a daemon binary.
func script(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(privateTemp(t), "fake-metricsd")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	return path
}

func gone(pid int) bool {
	return syscall.Kill(pid, 0) == syscall.ESRCH
}

// waitUntil polls a condition (bounded): for state another process changes.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestAStartThatFailsReturnsANoopClientWithinTheDeadline(t *testing.T) {
	cases := map[string]string{
		"hung binary":    script(t, "exec sleep 600"),
		"exits early":    script(t, "echo 'cannot start' >&2; exit 1"),
		"missing binary": filepath.Join(t.TempDir(), "no-such-metricsd"),
		"wrong output":   script(t, "echo hello; exit 0"),
	}
	for name, exe := range cases {
		name, exe := name, exe
		t.Run(name, func(t *testing.T) {
			ctx := within(t, 300*time.Millisecond)
			side, err := SpawnWith(ctx, SpawnOptions{Exe: exe, Stderr: &discard{}})
			if !errors.Is(err, ErrSidecar) || side == nil {
				t.Fatalf("Spawn: %v", err)
			}
			if name == "hung binary" && !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Spawn of a hung binary: %v", err)
			}
			if ctx.Err() != nil && name != "hung binary" {
				t.Fatalf("Spawn waited for the whole deadline: %v", err)
			}
			c, derr := side.Dial(context.Background(), "1.0.0")
			if c == nil || c.Reason() == "" || !errors.Is(derr, ErrSidecar) {
				t.Fatalf("Dial after a failed start: %v, %v", c, derr)
			}
			c.Turn("stop", false) // accepted, counted as dropped, no panic
			if c.Stats().Dropped != 1 || side.Pid() != 0 {
				t.Fatalf("no-op client %v, pid %d", c.Stats(), side.Pid())
			}
			select {
			case <-side.Done():
			default:
				t.Fatal("Done open after a failed start")
			}
			if err := side.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
		})
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// A daemon that answers nobody by Close's deadline is asked to stop (SIGTERM, never
// SIGKILL).
func TestCloseTerminatesADaemonThatDoesNotExitInTime(t *testing.T) {
	exe := script(t, "echo READY /nonexistent/m.sock; exec sleep 600")
	side, err := SpawnWith(within(t, 10*time.Second), SpawnOptions{Exe: exe})
	if err != nil {
		t.Fatal(err)
	}
	pid := side.Pid()
	if err := side.Close(within(t, 200*time.Millisecond)); !errors.Is(err, ErrSidecar) {
		t.Fatalf("Close of a hung daemon: %v", err)
	}
	if !gone(pid) {
		t.Fatal("the hung daemon is still running (or a zombie)")
	}
}

// The daemon is SIGKILLed: the sidecar restarts it and the client is back within the
// new daemon's READY, not after its own back-off (an hour here).
func TestAKilledDaemonIsRestartedAndTheClientReconnectsAtOnce(t *testing.T) {
	exe := daemonExe(t)
	args := home(t)
	side, err := SpawnWith(within(t, 60*time.Second), SpawnOptions{Exe: exe, Args: args,
		Env: cleanEnv()})
	if err != nil {
		t.Fatal(err)
	}
	defer side.Close(within(t, 10*time.Second))
	c, err := side.DialWith(within(t, 10*time.Second), Options{ClientVersion: "1.0.0",
		BackoffMin: time.Hour, BackoffMax: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(within(t, time.Second))
	c.Turn("stop", false)
	if err := c.Sync(within(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	first := side.Pid()
	if err := syscall.Kill(first, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the restart", func() bool { return side.Restarts() == 1 })
	if side.Pid() == first || side.Pid() == 0 || !gone(first) {
		t.Fatalf("pid %d after %d", side.Pid(), first)
	}
	c.Turn("length", false)
	if err := c.Sync(within(t, 10*time.Second)); err != nil {
		t.Fatalf("Sync after the restart: %v (%v)", err, c.Stats())
	}
	got := counts(t, c)
	if got["turns"] != int64(2) {
		t.Fatalf("counts after the restart: %v", got)
	}
}

// The daemon is stopped (SIGSTOP) while the app streams events: the client's memory,
// goroutines and connections stay bounded (one connection attempt at a time), and once
// the daemon resumes, every event is counted exactly once or dropped.
func TestAStoppedDaemonKeepsTheClientBounded(t *testing.T) {
	exe := daemonExe(t)
	args := home(t)
	side, err := SpawnWith(within(t, 60*time.Second), SpawnOptions{Exe: exe, Args: args,
		Env: cleanEnv()})
	if err != nil {
		t.Fatal(err)
	}
	defer side.Close(within(t, 10*time.Second))
	c, _ := side.DialWith(within(t, 10*time.Second), Options{
		WriteTimeout: 100 * time.Millisecond, BackoffMin: 10 * time.Millisecond,
		BackoffMax: 20 * time.Millisecond})
	observer, _ := side.Dial(within(t, 10*time.Second), "")
	if err := c.Sync(within(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	goroutines, fds := runtime.NumGoroutine(), openFDs(t)
	pid := side.Pid()
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	resumed := false
	defer func() {
		if !resumed {
			_ = syscall.Kill(pid, syscall.SIGCONT)
		}
	}()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	sent := 0
	maxG, maxFD := 0, 0
	for start := time.Now(); time.Since(start) < 1500*time.Millisecond; {
		for i := 0; i < 2000; i++ {
			c.ToolResult("command timed out")
			sent++
		}
		c.Turn("stop", false)
		sent++
		if g := runtime.NumGoroutine(); g > maxG {
			maxG = g
		}
		if n := openFDs(t); n > maxFD {
			maxFD = n
		}
		time.Sleep(time.Millisecond) // an app's pace, not synchronisation
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	st := c.Stats()
	if st.Dropped == 0 || c.LastError() == nil {
		t.Fatalf("the stall was not exercised: %v", st)
	}
	if maxG > goroutines+2 || maxFD > fds+2 {
		t.Fatalf("goroutines %d -> %d, open files %d -> %d", goroutines, maxG, fds, maxFD)
	}
	if grown := int64(after.HeapInuse) - int64(before.HeapInuse); grown > 6<<20 {
		t.Fatalf("heap grew by %d MiB with the daemon stopped", grown>>20)
	}
	_ = syscall.Kill(pid, syscall.SIGCONT)
	resumed = true
	var lost *LostError
	if err := c.Sync(within(t, 30*time.Second)); err != nil && !errors.As(err, &lost) {
		t.Fatalf("Sync after the daemon resumed: %v", err)
	}
	st = c.Stats()
	counted := counts(t, observer)
	turns, _ := counted["turns"].(int64)
	tools, _ := counted["tool_error"].(map[string]any)["timeout"].(int64)
	got := uint64(turns + tools)
	// A replayable stream: every event counted exactly once, or dropped (counted).
	if got+st.Dropped != uint64(sent) || st.Unconfirmed != 0 {
		t.Fatalf("sent %d, counted %d, %v", sent, got, st)
	}
}

func openFDs(t *testing.T) int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd")
	}
	return len(entries)
}
