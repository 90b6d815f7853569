// Command metricsd-conformance runs one scenario of the metricsd client conformance suite
// (tests/conformance in the metricsd repository) with this Go client:
//
//	metricsd-conformance SCENARIO   (environment: MD_SOCKET, MD_EXE, MD_ARGS)
//
// JSON lines on stdout ({"step": ...}, then {"result": {...}}), commands on stdin.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	metricsd "metricsd/clients/go"
)

var stdin = bufio.NewReader(os.Stdin)

func say(v map[string]any) {
	b, _ := json.Marshal(v)
	fmt.Println(string(b))
}

func waitFor(command string) {
	line, _ := stdin.ReadString('\n')
	if strings.TrimSpace(line) != command {
		fail("expected %q on stdin, got %q", command, line)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}

type timer struct{ maxMS float64 }

func (t *timer) do(f func()) {
	t0 := time.Now()
	f()
	if ms := float64(time.Since(t0).Microseconds()) / 1000; ms > t.maxMS {
		t.maxMS = ms
	}
}

func rssKB() int {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			n, _ := strconv.Atoi(strings.Fields(line)[1])
			return n
		}
	}
	return -1
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime)
}

func everyEvent(c *metricsd.Client, t *timer) {
	t.do(func() { c.Usage(95, 5) })
	t.do(func() { c.ToolResult("command timed out") })
	t.do(func() { c.ToolResult("") })
	t.do(func() { c.ProviderError(429, "slow down") })
	t.do(func() { c.Compaction() })
	t.do(func() { c.Turn("stop", false) })
}

func within(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}

func dial(socket string) *metricsd.Client {
	ctx, cancel := within(5 * time.Second)
	defer cancel()
	c, err := metricsd.Dial(ctx, metricsd.Options{Socket: socket, ClientVersion: "1.2.3"})
	if err != nil {
		fail("dial: %v", err)
	}
	return c
}

func syncWithin(c *metricsd.Client, d time.Duration) bool {
	ctx, cancel := within(d)
	defer cancel()
	return c.Sync(ctx) == nil
}

func main() {
	scenario := os.Args[1]
	socket := os.Getenv("MD_SOCKET")
	t := &timer{}
	switch scenario {
	case "turn_prompt":
		c := dial(socket)
		everyEvent(c, t)
		say(map[string]any{"step": "sent"})
		waitFor("check")
		ok := syncWithin(c, 10*time.Second)
		ctx, cancel := within(10 * time.Second)
		snap, err := c.Snapshot(ctx)
		cancel()
		var counts any
		if err == nil {
			counts = snap["counts"]
		}
		c.Close()
		say(map[string]any{"result": map[string]any{"sync": ok, "counts": counts,
			"dropped": c.Stats().Dropped, "max_call_ms": t.maxMS}})
	case "restart":
		c := dial(socket)
		t.do(func() { c.Turn("stop", false) })
		if !syncWithin(c, 10*time.Second) {
			fail("first sync failed")
		}
		gone := make(chan struct{})
		go func() { waitFor("go"); close(gone) }()
		say(map[string]any{"step": "synced"})
		streamed := 0
	stream:
		for {
			select {
			case <-gone:
				break stream
			case <-time.After(time.Millisecond):
				t.do(func() { c.ToolResult("") })
				streamed++
			}
		}
		for i := 0; i < 50; i++ {
			t.do(func() { c.Compaction() })
		}
		t.do(func() { c.Turn("length", false) })
		deadline := time.Now().Add(20 * time.Second)
		ok := syncWithin(c, 5*time.Second)
		for !ok && time.Now().Before(deadline) {
			ok = syncWithin(c, 5*time.Second)
		}
		c.Close()
		st := c.Stats()
		say(map[string]any{"result": map[string]any{"sync": ok, "dropped": st.Dropped,
			"streamed": streamed, "reconnects": st.Reconnects, "max_call_ms": t.maxMS}})
	case "absent":
		c := dial(socket)
		for i := 0; i < 200; i++ {
			everyEvent(c, t)
			t.do(func() { c.Turn("", true) })
		}
		ok := syncWithin(c, 300*time.Millisecond)
		c.Close()
		say(map[string]any{"result": map[string]any{"sync": ok, "dropped": c.Stats().Dropped,
			"max_call_ms": t.maxMS}})
	case "default_path":
		say(map[string]any{"result": map[string]any{"path": metricsd.DefaultSocketPath()}})
	case "silent":
		c := dial(socket)
		for i := 0; i < 100000; i++ {
			t.do(func() { c.ToolResult("command timed out after 120 seconds") })
		}
		ok := syncWithin(c, 500*time.Millisecond)
		c.Close()
		say(map[string]any{"result": map[string]any{"sync": ok, "dropped": c.Stats().Dropped,
			"max_call_ms": t.maxMS}})
	case "foreign":
		c := dial(socket)
		everyEvent(c, t)
		ok := syncWithin(c, time.Second)
		c.Close()
		st := c.Stats()
		say(map[string]any{"result": map[string]any{"sync": ok, "dropped": st.Dropped,
			"refused": st.Refused}})
	case "memory":
		c := dial(socket)
		before := rssKB()
		t0 := time.Now()
		for i := 0; i < 250000; i++ {
			c.Usage(95, 5)
			c.ToolResult("command timed out")
			c.Compaction()
			c.Turn("stop", false)
		}
		seconds := time.Since(t0).Seconds()
		after := rssKB()
		c.Close()
		say(map[string]any{"result": map[string]any{"events": 1000000,
			"rss_growth_kb": after - before, "dropped": c.Stats().Dropped, "seconds": seconds}})
	case "bench":
		total, _ := strconv.Atoi(os.Getenv("MD_EVENTS"))
		if total == 0 {
			total = 120000
		}
		n := total / 6
		ctx, cancel := within(10 * time.Second)
		c, _ := metricsd.Dial(ctx, metricsd.Options{Socket: socket, ClientVersion: "1.2.3",
			MaxQueue: 1000000, MaxQueueBytes: 256 << 20})
		cancel()
		if !syncWithin(c, 10*time.Second) {
			fail("no daemon")
		}
		cpu0 := cpuSeconds()
		t0 := time.Now()
		for i := 0; i < n; i++ {
			c.Usage(95, 5)
			c.ToolResult("command timed out")
			c.ToolResult("")
			c.ProviderError(429, "slow down")
			c.Compaction()
			c.Turn("stop", false)
		}
		calls := time.Since(t0)
		ok := syncWithin(c, 60*time.Second)
		cpu := cpuSeconds() - cpu0
		c.Close()
		say(map[string]any{"result": map[string]any{"events": n * 6, "sync": ok,
			"dropped": c.Stats().Dropped, "call_ns": float64(calls.Nanoseconds()) / float64(n*6),
			"cpu_ns": cpu * 1e9 / float64(n*6)}})
	case "spawn", "spawn_existing":
		var args []string
		if err := json.Unmarshal([]byte(os.Getenv("MD_ARGS")), &args); err != nil {
			fail("MD_ARGS: %v", err)
		}
		ctx, cancel := within(60 * time.Second)
		defer cancel()
		side, err := metricsd.Spawn(ctx, os.Getenv("MD_EXE"), args...)
		if err != nil {
			fail("spawn: %v", err)
		}
		c, _ := side.Dial(ctx, "1.2.3")
		t.do(func() { c.Turn("stop", false) })
		ok := syncWithin(c, 10*time.Second)
		c.Close()
		code := 0
		if err := side.Close(); err != nil {
			code = 1
		}
		say(map[string]any{"result": map[string]any{"socket": side.Socket,
			"already_running": side.AlreadyRunning, "sync": ok, "exit": code}})
	default:
		fail("unknown scenario %s", scenario)
	}
}
