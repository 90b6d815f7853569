// Command metricsd-conformance runs one scenario of the metricsd client conformance suite
// (tests/conformance) with the Go client (clients/go, used through a replace directive so
// that this driver does not ship inside the client's module):
//
//	metricsd-conformance SCENARIO   (environment: MD_SOCKET, MD_EXE, MD_ARGS)
//
// JSON lines on stdout ({"step": ...}, then {"result": {...}}), commands on stdin.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"metricsd/clients/go/metricsd"
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

func everyEvent(c *metricsd.Client, t *timer) {
	t.do(func() { c.Usage(95, 5) })
	t.do(func() { c.ToolResult("command timed out") })
	t.do(func() { c.ToolResult("") })
	t.do(func() { c.ProviderError("slow down", 429) })
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
	err := c.Sync(ctx)
	if errors.Is(err, metricsd.ErrLost) {
		lostReports++
	}
	return err == nil
}

// syncRetrying: Syncs of 5 s each until one succeeds or total has passed (a daemon being
// restarted under the client answers a later one).
func syncRetrying(c *metricsd.Client, total time.Duration) bool {
	deadline := time.Now().Add(total)
	ok := syncWithin(c, 5*time.Second)
	for !ok && time.Now().Before(deadline) {
		ok = syncWithin(c, 5*time.Second)
	}
	return ok
}

// lostReports counts the Syncs that reported lost events.
var lostReports int

func closeClient(c *metricsd.Client) {
	ctx, cancel := within(5 * time.Second)
	defer cancel()
	if errors.Is(c.Close(ctx), metricsd.ErrLost) {
		lostReports++
	}
}

// rounds is the end-to-end exactness test's app: "round N" on stdin streams N turns (each a
// usage, a tool result, a compaction every fourth, the turn), stopping half-way for "go",
// then syncs and reports; "end" closes.
func rounds(socket string) {
	c := dial(socket)
	for {
		line, err := stdin.ReadString('\n')
		fields := strings.Fields(line)
		if err != nil || len(fields) == 0 || fields[0] == "end" {
			break
		}
		n, _ := strconv.Atoi(fields[1])
		for i := 0; i < n; i++ {
			if i == n/2 {
				say(map[string]any{"step": "half"})
				waitFor("go")
			}
			c.UsageTotal(1000, 900)
			if i%3 == 0 {
				c.ToolResult("exit status 1")
			} else {
				c.ToolResult("")
			}
			if i%4 == 0 {
				c.Compaction()
			}
			c.Turn("stop", false)
		}
		ok := syncWithin(c, 30*time.Second)
		st := c.Stats()
		say(map[string]any{"step": "done", "sync": ok, "dropped": st.Dropped,
			"unconfirmed": st.Unconfirmed})
	}
	closeClient(c)
	say(map[string]any{"result": map[string]any{}})
}

// tabs is the end-to-end exactness test's app (tests/receiver/test_streams_exactness.py):
// MD_TABS tabs, each its own client of one sidecar, stream events (a usage, a tool error,
// a compaction and a turn per round) until "stop"; then each syncs (retrying while daemons
// come and go) and closes, and the sidecar closes.
func tabs(t *timer) {
	var args []string
	if err := json.Unmarshal([]byte(os.Getenv("MD_ARGS")), &args); err != nil {
		fail("MD_ARGS: %v", err)
	}
	n, _ := strconv.Atoi(os.Getenv("MD_TABS"))
	if n <= 0 {
		n = 8
	}
	pause := 5 * time.Millisecond
	if ms, err := strconv.Atoi(os.Getenv("MD_PAUSE_MS")); err == nil {
		pause = time.Duration(ms) * time.Millisecond
	}
	ctx, cancel := within(60 * time.Second)
	side, err := metricsd.Spawn(ctx, os.Getenv("MD_EXE"), args...)
	cancel()
	if err != nil {
		fail("spawn: %v", err)
	}
	clients := make([]*metricsd.Client, n)
	for i := range clients {
		ctx, cancel := within(5 * time.Second)
		clients[i], _ = side.Dial(ctx, "1.0.0")
		cancel()
	}
	handed := make([]int, n)
	timers := make([]timer, n)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c, tt := clients[i], &timers[i]
			for {
				select {
				case <-stop:
					return
				default:
				}
				tt.do(func() { c.UsageTotal(1000, 900) })
				tt.do(func() { c.ToolResult("exit status 1") })
				tt.do(func() { c.Compaction() })
				tt.do(func() { c.Turn("stop", false) })
				handed[i] += 4
				time.Sleep(pause) // an app's pace
			}
		}(i)
	}
	say(map[string]any{"step": "ready"})
	waitFor("stop")
	close(stop)
	wg.Wait()
	deadline := time.Now().Add(60 * time.Second)
	all := true
	for _, c := range clients {
		ok := syncWithin(c, 5*time.Second)
		for !ok && time.Now().Before(deadline) {
			ok = syncWithin(c, 5*time.Second)
		}
		all = all && ok
	}
	total, dropped, unconfirmed := 0, uint64(0), uint64(0)
	for i, c := range clients {
		closeClient(c)
		st := c.Stats()
		total += handed[i]
		dropped += st.Dropped
		unconfirmed += st.Unconfirmed
		if timers[i].maxMS > t.maxMS {
			t.maxMS = timers[i].maxMS
		}
	}
	ctx, cancel = within(10 * time.Second)
	var exit any
	if side.Close(ctx) == nil {
		exit = 0
	}
	cancel()
	say(map[string]any{"result": map[string]any{"handed": total, "sync": all,
		"dropped": dropped, "unconfirmed": unconfirmed, "restarts": side.Restarts(),
		"exit": exit, "max_call_ms": t.maxMS}})
}

func main() {
	scenario := os.Args[1]
	socket := os.Getenv("MD_SOCKET")
	t := &timer{}
	switch scenario {
	case "rounds":
		rounds(socket)
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
		closeClient(c)
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
		ok := syncRetrying(c, 20*time.Second)
		closeClient(c)
		st := c.Stats()
		say(map[string]any{"result": map[string]any{"sync": ok, "dropped": st.Dropped,
			"streamed": streamed, "reconnects": st.Reconnects, "max_call_ms": t.maxMS,
			"unconfirmed": st.Unconfirmed, "lost_reports": lostReports}})
	case "absent":
		c := dial(socket)
		for i := 0; i < 200; i++ {
			everyEvent(c, t)
			t.do(func() { c.Turn("", true) })
		}
		ok := syncWithin(c, 300*time.Millisecond)
		closeClient(c)
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
		closeClient(c)
		say(map[string]any{"result": map[string]any{"sync": ok, "dropped": c.Stats().Dropped,
			"max_call_ms": t.maxMS}})
	case "foreign":
		c := dial(socket)
		everyEvent(c, t)
		ok := syncWithin(c, time.Second)
		closeClient(c)
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
		closeClient(c)
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
			c.ProviderError("slow down", 429)
			c.Compaction()
			c.Turn("stop", false)
		}
		calls := time.Since(t0)
		ok := syncWithin(c, 60*time.Second)
		cpu := cpuSeconds() - cpu0
		closeClient(c)
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
		closeClient(c)
		code := 0
		if err := side.Close(ctx); err != nil {
			code = 1
		}
		say(map[string]any{"result": map[string]any{"socket": side.Socket(),
			"already_running": side.AlreadyRunning(), "sync": ok, "exit": code}})
	case "usage_forms":
		// The three usage forms, with counts a provider left out (nil) sent as 0.
		c := dial(socket)
		var none *int64
		t.do(func() { c.UsageTotal(100, 30) })
		t.do(func() { c.UsageTotal(40, metricsd.Count(none)) })
		t.do(func() { c.UsageReadWrite(10, 0, 5) })
		t.do(func() { c.UsageReadWrite(metricsd.Count(none), 900, metricsd.Count(none)) })
		t.do(func() { c.Usage(metricsd.Count(none), 10) })
		t.do(func() { c.Turn("stop", false) })
		ok := syncWithin(c, 10*time.Second)
		ctx, cancel := within(10 * time.Second)
		snap, err := c.Snapshot(ctx)
		cancel()
		var counts any
		if err == nil {
			counts = snap["counts"]
		}
		closeClient(c)
		say(map[string]any{"result": map[string]any{"sync": ok, "counts": counts,
			"dropped": c.Stats().Dropped}})
	case "instance":
		// One app instance: spawns its sidecar, streams events until "quit" on stdin,
		// then syncs and closes (client, then sidecar).
		var args []string
		if err := json.Unmarshal([]byte(os.Getenv("MD_ARGS")), &args); err != nil {
			fail("MD_ARGS: %v", err)
		}
		ctx, cancel := within(60 * time.Second)
		side, err := metricsd.Spawn(ctx, os.Getenv("MD_EXE"), args...)
		cancel()
		if err != nil {
			fail("spawn: %v", err)
		}
		c, _ := side.Dial(context.Background(), "1.2.3")
		if !syncWithin(c, 10*time.Second) {
			fail("first sync failed")
		}
		say(map[string]any{"step": "ready"})
		quit := make(chan struct{})
		go func() { waitFor("quit"); close(quit) }()
		sent := 0
	loop:
		for {
			select {
			case <-quit:
				break loop
			case <-time.After(time.Millisecond):
				t.do(func() { c.Compaction() })
				sent++
			}
		}
		t.do(func() { c.Turn("stop", false) })
		sent++
		deadline := time.Now().Add(30 * time.Second)
		ok := syncWithin(c, 5*time.Second)
		for !ok && time.Now().Before(deadline) {
			ok = syncWithin(c, 5*time.Second)
		}
		closeClient(c)
		ctx, cancel = within(5 * time.Second)
		code := 0
		if side.Close(ctx) != nil {
			code = 1
		}
		cancel()
		st := c.Stats()
		say(map[string]any{"result": map[string]any{"sync": ok, "sent": sent,
			"dropped": st.Dropped, "unconfirmed": st.Unconfirmed, "lost_reports": lostReports,
			"restarts": side.Restarts(), "exit": code, "max_call_ms": t.maxMS}})
	case "stream_kill":
		// v1.3 replayable streams: events the daemon read but had not committed when it
		// was SIGKILLed are written again to the next daemon; nothing lost or doubled.
		c := dial(socket)
		if !syncWithin(c, 10*time.Second) {
			fail("first sync failed")
		}
		for i := 0; i < 300; i++ {
			t.do(func() { c.Compaction() })
		}
		say(map[string]any{"step": "sent"})
		waitFor("go")
		t.do(func() { c.Turn("stop", false) })
		ok := syncRetrying(c, 20*time.Second)
		closeClient(c)
		st := c.Stats()
		say(map[string]any{"result": map[string]any{"sync": ok, "dropped": st.Dropped,
			"unconfirmed": st.Unconfirmed, "reconnects": st.Reconnects, "max_call_ms": t.maxMS}})
	case "impostor":
		// MD_SOCKET is an endpoint.json naming a listener that is not the daemon: it must
		// receive no token and no byte of any event.
		c := dial(socket)
		everyEvent(c, t)
		canary := os.Getenv("MD_CANARY")
		t.do(func() { c.ProviderError(canary, 500) })
		t.do(func() { c.ToolResult(canary) })
		ok := syncWithin(c, time.Second)
		ctx, cancel := within(200 * time.Millisecond)
		_ = c.Close(ctx)
		cancel()
		st := c.Stats()
		say(map[string]any{"result": map[string]any{"sync": ok, "dropped": st.Dropped,
			"unconfirmed": st.Unconfirmed, "max_call_ms": t.maxMS}})
	case "tabs":
		tabs(t)
	case "lost":
		// A compaction written and never acknowledged, the daemon SIGKILLed after reading
		// it: with a replayable stream it is written again to the next daemon.
		c := dial(socket)
		if !syncWithin(c, 10*time.Second) {
			fail("first sync failed")
		}
		t.do(func() { c.Compaction() })
		say(map[string]any{"step": "sent"})
		waitFor("go")
		t.do(func() { c.Compaction() })
		first := syncWithin(c, 10*time.Second)
		second := syncWithin(c, 10*time.Second)
		closeClient(c)
		st := c.Stats()
		say(map[string]any{"result": map[string]any{"first_sync": first, "second_sync": second,
			"unconfirmed": st.Unconfirmed, "dropped": st.Dropped, "reconnects": st.Reconnects}})
	default:
		fail("unknown scenario %s", scenario)
	}
}
