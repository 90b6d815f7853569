package metricsd

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// daemonExe is the metricsd command the tests spawn: $METRICSD_EXE, else the repository's
// .venv/bin/metricsd. Without it the tests skip, unless CI is set (then they fail).
func daemonExe(t *testing.T) string {
	t.Helper()
	exe := os.Getenv("METRICSD_EXE")
	if exe == "" {
		exe, _ = filepath.Abs(filepath.Join("..", "..", "..", ".venv", "bin", "metricsd"))
	}
	if _, err := os.Stat(exe); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("no metricsd at %s (CI is set: a failure, not a skip)", exe)
		}
		t.Skipf("no metricsd at %s (set METRICSD_EXE)", exe)
	}
	return exe
}

// home: private paths for one daemon, opted in.
func home(t *testing.T) []string {
	t.Helper()
	root, err := os.MkdirTemp("/tmp", "mdgo-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	if err := os.Chmod(root, 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(root, "config.toml")
	if err := os.WriteFile(cfg, []byte("[desktop]\nmetrics = true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{"--socket", filepath.Join(root, "run", "m.sock"), "--state-dir",
		filepath.Join(root, "state"), "--config", cfg, "--dev-marker",
		filepath.Join(root, "DEV_BUILD")}
}

func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if len(kv) >= 9 && kv[:9] == "METRICSD_" {
			continue
		}
		env = append(env, kv)
	}
	return env
}

func counts(t *testing.T, c *Client) map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	snap, err := c.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return snap["counts"].(map[string]any)
}

func within(t *testing.T, d time.Duration) context.Context { return withinTB(t, d) }

func withinTB(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestSpawnSendSyncAndTheTurnIsWrittenAtOnce(t *testing.T) {
	exe := daemonExe(t)
	args := home(t)
	ctx := within(t, 60*time.Second)
	side, err := SpawnWith(ctx, SpawnOptions{Exe: exe, Args: args, Env: cleanEnv()})
	if err != nil {
		t.Fatal(err)
	}
	if side.Socket() != args[1] || side.AlreadyRunning() || side.Pid() == 0 {
		t.Fatalf("sidecar at %s, pid %d", side.Socket(), side.Pid())
	}
	c, err := side.Dial(ctx, "1.4.0")
	if err != nil {
		t.Fatal(err)
	}
	observer, _ := Dial(ctx, Options{Socket: side.Socket()})
	c.Usage(95, 5)
	c.UsageTotal(100, 30)
	c.UsageReadWrite(0, 900, 0)
	c.ToolResult("")
	c.ToolResult("command timed out")
	c.ProviderError("slow down", 429)
	c.Compaction()
	c.Turn("stop", false)
	deadline := time.Now().Add(10 * time.Second)
	for counts(t, observer)["turns"] != int64(1) {
		if time.Now().After(deadline) {
			t.Fatalf("the turn never reached the daemon without a Sync: %v", counts(t, observer))
		}
	}
	if err := c.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	got := counts(t, observer)
	hit := got["cache_hit"].(map[string]any)
	if got["compaction"] != int64(1) || got["tool_error"].(map[string]any)["timeout"] != int64(1) ||
		got["provider_error"].(map[string]any)["rate_limit"] != int64(1) ||
		hit["95-98"] != int64(1) || hit["100"] != int64(1) || hit["1-49"] != int64(1) {
		t.Fatalf("counts %v", got)
	}
	status, err := c.Status(ctx)
	if err != nil || status["pid"] != int64(side.Pid()) {
		t.Fatalf("status %v, %v (daemon pid %d)", status, err, side.Pid())
	}
	c.mu.Lock()
	c.push(appendBare(c.out(16), "sync"), kRequest, 0, nil) // no id: the daemon answers invalid_event
	c.mu.Unlock()
	c.signal()
	if err := c.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if errs := c.Errors(); len(errs) != 1 || errs[0] != "invalid_event" {
		t.Fatalf("error replies %v", errs)
	}
	if st := c.Stats(); st.Dropped != 0 || st.Unconfirmed != 0 || st.Connects != 1 {
		t.Fatalf("stats %v", st)
	}
	if err := c.Close(ctx); err != nil {
		t.Fatal(err)
	}
	_ = observer.Close(ctx)
	if err := side.Close(ctx); err != nil {
		t.Fatalf("the daemon did not exit cleanly: %v", err)
	}
	select {
	case <-side.Done():
	default:
		t.Fatal("Done not closed after Close")
	}
}

func TestNoDaemonNothingFailsAndDropsAreCounted(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	c, err := Dial(ctx, Options{Socket: filepath.Join(dir, "absent.sock"), ClientVersion: "1.0.0"})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		c.Turn("stop", false)
	}
	c.Usage(-1, 3) // invalid: dropped at once
	if err := c.Sync(within(t, 200*time.Millisecond)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Sync without a daemon: %v", err)
	}
	if c.LastError() == nil {
		t.Fatal("no connection error recorded")
	}
	var lost *LostError
	if err := c.Close(ctx); !errors.As(err, &lost) || lost.Dropped != 101 || lost.Unconfirmed != 0 {
		t.Fatalf("Close: %v", err)
	}
	if st := c.Stats(); st.Dropped != 101 || st.Connects != 0 {
		t.Fatalf("stats %v", st)
	}
	c.Turn("stop", false) // after Close: dropped, no panic
	if st := c.Stats(); st.Dropped != 102 {
		t.Fatalf("stats %v", st)
	}
	if err := c.Sync(ctx); !errors.Is(err, ErrNotDelivered) {
		t.Fatalf("Sync after Close: %v", err)
	}
}

func TestQueueIsBounded(t *testing.T) {
	c, _ := Dial(context.Background(), Options{Socket: filepath.Join(t.TempDir(), "x.sock"),
		MaxQueue: 10})
	for i := 0; i < 25; i++ {
		c.Compaction()
	}
	if st := c.Stats(); st.Queued != 10 || st.Dropped != 15 {
		t.Fatalf("stats %v", st)
	}
	_ = c.Close(context.Background())
}

func TestNilAndNoopClientsAreSafe(t *testing.T) {
	ctx := within(t, time.Second)
	for _, c := range []*Client{nil, NoopClient("metrics off: test")} {
		c.Turn("stop", false)
		c.Usage(1, 2)
		c.UsageTotal(3, 1)
		c.UsageReadWrite(1, 2, 3)
		c.ToolResult("x")
		c.ProviderError("x", 500)
		c.Compaction()
		for _, err := range []error{c.Sync(ctx), func() error { _, err := c.Ping(ctx); return err }(),
			func() error { _, err := c.Status(ctx); return err }(),
			func() error { _, err := c.Snapshot(ctx); return err }()} {
			if !errors.Is(err, ErrNoClient) {
				t.Fatalf("%v", err)
			}
		}
		if c.Reason() == "" || c.SocketPath() != "" || c.Errors() != nil {
			t.Fatalf("reason %q", c.Reason())
		}
		if err := c.Close(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if st := NoopClient("x"); st.Stats().Dropped != 0 {
		t.Fatal("fresh no-op client with drops")
	}
	n := NoopClient("x")
	n.Turn("stop", false)
	if n.Stats().Dropped != 1 || n.Stats().String() == "" {
		t.Fatalf("%v", n.Stats())
	}
}
