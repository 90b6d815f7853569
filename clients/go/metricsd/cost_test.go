package metricsd

import (
	"bufio"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// A daemon stand-in that accepts the connection and reads everything as fast as it
// comes, answering nothing after the hello: it costs the app's process no allocation, so
// what is measured is the client's own cost (event call and I/O goroutine).
func discardingDaemon(tb testing.TB) string {
	f := newFakeUnixTB(tb, func(f *fake, nc net.Conn, fc *fakeConn) {
		d := decoder{r: bufio.NewReader(nc)}
		if !f.handshake(nc, fc, &d) {
			return
		}
		_, _ = io.Copy(io.Discard, d.r)
	})
	return f.addr
}

func connected(tb testing.TB) *Client {
	c, _ := Dial(withinTB(tb, 10*time.Second), Options{Socket: discardingDaemon(tb)})
	if c.Stats().Connects != 1 {
		tb.Fatalf("not connected: %v", c.LastError())
	}
	tb.Cleanup(func() { _ = c.Close(withinTB(tb, 100*time.Millisecond)) })
	return c
}

func eventCalls(c *Client) map[string]func() {
	return map[string]func(){
		"Turn":           func() { c.Turn("stop", false) },
		"Usage":          func() { c.Usage(95000, 5000) },
		"UsageTotal":     func() { c.UsageTotal(1200, 1024) },
		"UsageReadWrite": func() { c.UsageReadWrite(12, 90000, 2048) },
		"ToolResult(ok)": func() { c.ToolResult("") },
		"ToolResult":     func() { c.ToolResult("command timed out after 120 seconds") },
		"ProviderError":  func() { c.ProviderError("rate limit exceeded", 429) },
		"Compaction":     func() { c.Compaction() },
	}
}

func drain(tb testing.TB, c *Client) {
	for deadline := time.Now().Add(10 * time.Second); c.Stats().Queued > 0; {
		if time.Now().After(deadline) {
			tb.Fatalf("the queue never drained: %v", c.Stats())
		}
		time.Sleep(100 * time.Microsecond)
	}
}

func TestEventCallsDoNotAllocate(t *testing.T) {
	c := connected(t)
	for name, call := range eventCalls(c) {
		for i := 0; i < 4000; i++ { // the queue and the I/O goroutine's lists at size
			call()
		}
		drain(t, c)
		if n := testing.AllocsPerRun(3000, call); n != 0 {
			t.Errorf("%s: %.2f allocations per call", name, n)
		}
		drain(t, c)
	}
	if st := c.Stats(); st.Dropped != 0 {
		t.Fatalf("calls dropped: not measuring the enqueue: %v", st)
	}
}

// BenchmarkBaseline is what an app team compares the client with: an in-process counter,
// a mutex-protected map[string]int increment.
func BenchmarkBaseline(b *testing.B) {
	var mu sync.Mutex
	counts := map[string]int{}
	keys := []string{"turns", "cache_hit", "tool_error", "compaction"}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		mu.Lock()
		counts[keys[i&3]]++
		mu.Unlock()
	}
}

func BenchmarkEvent(b *testing.B) {
	c := connected(b)
	for _, name := range []string{"Turn", "Usage", "ToolResult(ok)", "ToolResult", "Compaction"} {
		call := eventCalls(c)[name]
		b.Run(name, func(b *testing.B) {
			// Calls in chunks the queue holds, waiting (untimed) for the queue to drain
			// between them: every call measured is an enqueue, none a cheaper drop.
			dropped := c.Stats().Dropped
			b.ReportAllocs()
			b.ResetTimer()
			for done := 0; done < b.N; {
				n := minInt(b.N-done, 4000)
				for i := 0; i < n; i++ {
					call()
				}
				done += n
				b.StopTimer()
				drain(b, c)
				b.StartTimer()
			}
			b.StopTimer()
			if d := c.Stats().Dropped - dropped; d != 0 {
				b.Fatalf("%d calls dropped: not measuring the enqueue", d)
			}
		})
	}
}
