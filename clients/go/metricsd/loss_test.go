package metricsd

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"
)

// ids collects the "error" texts of tool_result events ("e<i>"), failing on a duplicate.
func ids(t *testing.T, events []map[string]any, into map[string]int, conn int) {
	t.Helper()
	for _, e := range events {
		if e["type"] != "tool_result" {
			continue
		}
		id := e["error"].(string)
		if prev, dup := into[id]; dup {
			t.Fatalf("event %s arrived twice (connections %d and %d)", id, prev, conn)
		}
		into[id] = conn
	}
}

// A daemon without streams: a connection lost with events written on it and not
// confirmed: they are counted as Unconfirmed (never re-sent), Sync reports the loss once, and everything else arrives
// exactly once on the next connection.
func TestSyncReportsEventsLostWithAConnection(t *testing.T) {
	f := newFakeUnix(t, func(f *fake, nc net.Conn, fc *fakeConn) {
		if fc.index > 0 {
			f.serveWell(nc, fc)
			return
		}
		// The first connection: accepted, then the "daemon" dies after 100 events,
		// acknowledging nothing.
		d := decoder{r: bufio.NewReader(nc)}
		if !f.handshake(nc, fc, &d) {
			return
		}
		for n := 0; n < 100; n++ {
			if _, ok := f.next(&d, fc); !ok {
				return
			}
		}
	})
	f.legacy = true // a daemon without streams
	c, _ := Dial(within(t, 5*time.Second), Options{Socket: f.addr, MaxQueue: 100000,
		MaxQueueBytes: 8 << 20})
	const total = 3000
	for i := 0; i < total; i++ {
		c.ToolResult(fmt.Sprintf("e%d", i))
	}
	err := c.Sync(within(t, 20*time.Second))
	var lost *LostError
	if !errors.As(err, &lost) || !errors.Is(err, ErrLost) {
		t.Fatalf("Sync after a lost connection: %v (stats %v)", err, c.Stats())
	}
	if err := c.Sync(within(t, 10*time.Second)); err != nil {
		t.Fatalf("the loss is reported once; the next Sync: %v", err)
	}
	st := c.Stats()
	got := f.received()
	seen := map[string]int{}
	for _, fc := range got {
		ids(t, fc.events, seen, fc.index)
	}
	later := 0
	for _, fc := range got[1:] {
		later += len(fc.events)
	}
	if len(got[0].events) < 100 || uint64(len(got[0].events)) > st.Unconfirmed ||
		uint64(later)+st.Unconfirmed+st.Dropped != total ||
		lost.Unconfirmed != st.Unconfirmed || lost.Dropped != st.Dropped {
		t.Fatalf("first connection %d events, later %d, %v, reported %v", len(got[0].events),
			later, st, lost)
	}
	_ = c.Close(within(t, 5*time.Second))
}

// A write that times out part-way (a daemon that stopped reading): the message cut in
// the middle is re-sent whole on the next connection, nothing written is re-sent, and
// every event arrives exactly once or is counted as dropped.
func TestAWriteCutInTheMiddleIsResentWholeAndNothingTwice(t *testing.T) {
	second := make(chan struct{})
	f := newFakeUnix(t, func(f *fake, nc net.Conn, fc *fakeConn) {
		if fc.index > 0 {
			if fc.index == 1 {
				close(second)
			}
			f.serveWell(nc, fc)
			return
		}
		d := decoder{r: bufio.NewReader(nc)}
		if !f.handshake(nc, fc, &d) {
			return
		}
		<-second // stalled until the client gave up on this connection
		for {
			if _, ok := f.next(&d, fc); !ok {
				return // the end: a cut message does not decode
			}
		}
	})
	f.legacy = true // a daemon without streams
	c, _ := Dial(within(t, 5*time.Second), Options{Socket: f.addr, MaxQueue: 100000,
		MaxQueueBytes: 4 << 20, WriteTimeout: 200 * time.Millisecond})
	const total = 40000 // ~1.3 MB: far more than a socket buffer holds
	for i := 0; i < total; i++ {
		c.ToolResult(fmt.Sprintf("e%d-padding-padding", i))
	}
	var err error
	for try := 0; try < 20; try++ {
		if err = c.Sync(within(t, 5*time.Second)); err == nil || errors.Is(err, ErrLost) {
			break
		}
	}
	if !errors.Is(err, ErrLost) {
		t.Fatalf("Sync: %v (%v)", err, c.Stats())
	}
	_ = c.Close(within(t, 5*time.Second))
	f.close()
	f.wg.Wait()
	st := c.Stats()
	got := f.received()
	seen := map[string]int{}
	later := 0
	for _, fc := range got {
		ids(t, fc.events, seen, fc.index)
		if fc.index > 0 {
			later += len(fc.events)
		}
	}
	// Every byte written reached the stand-in (it reads each connection to its end), so
	// each event arrived exactly once or was dropped; those of the stalled connection are
	// among the unconfirmed (a loaded machine may time out a later connection too).
	if uint64(len(got[0].events)) > st.Unconfirmed || len(got[0].events) == 0 ||
		uint64(len(got[0].events)+later)+st.Dropped != total || later == 0 {
		t.Fatalf("first connection %d events, later %d, %v", len(got[0].events), later, st)
	}
}

// A reply over MaxReplyBytes, or announcing more than that, or not decoding, closes the
// connection before anything of that size is allocated (a hostile or broken same-user
// server grew the client to 3.3 GB).
func TestHostileRepliesCloseTheConnectionAndMemoryStaysBounded(t *testing.T) {
	ack := func(id int64) []byte { return ackBytes(id) }
	big := func(header ...byte) []byte { return header }
	cases := map[string][]byte{
		"str 4 GiB":            big(0xdb, 0xff, 0xff, 0xff, 0xff),
		"bin 4 GiB":            big(0xc6, 0xff, 0xff, 0xff, 0xff),
		"array 4G items":       big(0xdd, 0xff, 0xff, 0xff, 0xff),
		"map 4G entries":       big(0xdf, 0xff, 0xff, 0xff, 0xff),
		"str of 1 MiB + 1":     big(0x81, 0xa1, 'x', 0xdb, 0x00, 0x10, 0x00, 0x01),
		"array of 1M nils":     big(0x81, 0xa1, 'x', 0xdd, 0x00, 0x0f, 0xff, 0xff),
		"deep nesting":         append([]byte{0x81, 0xa1, 'x'}, make([]byte, 0)...),
		"not a map":            big(0x01),
		"not MessagePack":      big(0xc1),
		"a map with int keys":  big(0x81, 0x01, 0x02),
		"ack then str 4 GiB":   append(ack(0), 0xdb, 0xff, 0xff, 0xff, 0xff),
		"ack then array of 1M": append(ack(0), 0x81, 0xa1, 'x', 0xdd, 0x00, 0x0f, 0xff, 0xff),
	}
	for i := 0; i < 100; i++ {
		cases["deep nesting"] = append(cases["deep nesting"], 0x91)
	}
	filler := make([]byte, 64<<10)
	for name, payload := range cases {
		name, payload := name, payload
		t.Run(name, func(t *testing.T) {
			closed := make(chan struct{})
			f := newFakeUnix(t, func(f *fake, nc net.Conn, fc *fakeConn) {
				if fc.index > 0 {
					return
				}
				defer close(closed)
				d := decoder{r: bufio.NewReader(nc)}
				m, _ := f.next(&d, fc) // hello
				if m == nil {
					return
				}
				m, _ = f.next(&d, fc) // the connect sync
				id, _ := m["id"].(int64)
				out := payload
				if len(out) > len(ackBytes(0)) && string(out[:len(ackBytes(0))]) == string(ackBytes(0)) {
					out = append(ack(id), out[len(ackBytes(0)):]...)
				}
				if _, err := nc.Write(out); err != nil {
					return
				}
				// Then up to 64 MiB more, until the client closes.
				go func() {
					for i := 0; i < 1024; i++ {
						if _, err := nc.Write(filler); err != nil {
							return
						}
					}
				}()
				for {
					if _, err := d.r.ReadByte(); err != nil {
						return // the client closed the connection
					}
				}
			})
			var before, after runtimeMem
			before.read()
			c, _ := Dial(within(t, 10*time.Second), Options{Socket: f.addr,
				BackoffMin: time.Hour, BackoffMax: time.Hour})
			c.Turn("stop", false)
			select {
			case <-closed:
			case <-time.After(20 * time.Second):
				t.Fatal("the client kept the connection open")
			}
			after.read()
			if grown := after.total - before.total; grown > 16<<20 {
				t.Fatalf("the client allocated %d MiB for a hostile reply", grown>>20)
			}
			_ = c.Close(within(t, time.Second))
		})
	}
}
