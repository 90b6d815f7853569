package metricsd

import (
	"bufio"
	"bytes"
	"net"
	"sync"
	"testing"
	"time"
)

// A daemon stand-in that accepts the connection and reads everything as fast as it
// comes, answering only the syncs (found in the raw bytes, without decoding), each with an
// ack whose "committed" covers everything: it costs the app's process no allocation, so
// what is measured is the client's own cost (event call, replay buffer and I/O goroutine).
func discardingDaemon(tb testing.TB) string {
	f := newFakeUnixTB(tb, func(f *fake, nc net.Conn, fc *fakeConn) {
		d := decoder{r: bufio.NewReader(nc)}
		if !f.handshake(nc, fc, &d) {
			return
		}
		head := appendStr(appendType(nil, 3, "ack"), "id")
		tail := appendInt(appendStr(nil, "committed"), 1<<40)
		buf := make([]byte, 64<<10)
		ack := make([]byte, 0, 64)
		keep := 0
		for {
			n, err := d.r.Read(buf[keep:])
			if err != nil {
				return
			}
			data := buf[:keep+n]
			for {
				i := bytes.Index(data, tmplSync)
				if i < 0 {
					if i = len(data) - len(tmplSync) + 1; i < 0 {
						i = 0
					}
					keep = copy(buf, data[i:])
					break
				}
				p := data[i+len(tmplSync):]
				need := 5
				if len(p) > 0 && p[0] < 0x80 {
					need = 1
				} else if len(p) > 0 && p[0] == 0xcc {
					need = 2
				} else if len(p) > 0 && p[0] == 0xcd {
					need = 3
				}
				if len(p) < need {
					keep = copy(buf, data[i:])
					break
				}
				var id int64
				switch {
				case p[0] < 0x80:
					id = int64(p[0])
				case p[0] == 0xcc:
					id = int64(p[1])
				case p[0] == 0xcd:
					id = int64(p[1])<<8 | int64(p[2])
				case p[0] == 0xce:
					id = int64(p[1])<<24 | int64(p[2])<<16 | int64(p[3])<<8 | int64(p[4])
				}
				ack = append(appendInt(append(ack[:0], head...), id), tail...)
				if _, err := nc.Write(ack); err != nil {
					return
				}
				data = p[1:]
			}
		}
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
	// Events are held until committed: a sync's ack frees them all.
	if err := c.Sync(withinTB(tb, 10*time.Second)); err != nil {
		tb.Fatalf("sync: %v", err)
	}
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
