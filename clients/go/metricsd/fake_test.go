package metricsd

// A fake daemon for tests that need to control the other end: it decodes the client's
// messages (with this package's bounded decoder) and answers syncs and requests, or
// misbehaves as a test tells it to.

import (
	"bufio"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

type fakeConn struct {
	index  int // 0 for the first connection accepted
	hello  map[string]any
	events []map[string]any // every message but hello and sync
	// A stream's hello: the number of the connection's first event.
	stream bool
	seq    int64
}

type fake struct {
	ln   net.Listener
	addr string // the address a client dials (socket path or endpoint file)
	// serve handles one accepted connection (default: fake.serveWell).
	serve func(f *fake, nc net.Conn, fc *fakeConn)
	// legacy: answer like a daemon without streams (no resume, acks without committed).
	legacy bool

	mu    sync.Mutex
	conns []*fakeConn
	wg    sync.WaitGroup
}

func privateTemp(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("/tmp", "mdgo-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	return dir
}

// newFakeUnix serves a Unix socket in a private directory.
func newFakeUnix(t *testing.T, serve func(*fake, net.Conn, *fakeConn)) *fake {
	return newFakeUnixTB(t, serve)
}

func newFakeUnixTB(t testing.TB, serve func(*fake, net.Conn, *fakeConn)) *fake {
	t.Helper()
	path := filepath.Join(privateTemp(t), "m.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	return startFake(t, ln, path, serve)
}

func startFake(t testing.TB, ln net.Listener, addr string, serve func(*fake, net.Conn, *fakeConn)) *fake {
	f := &fake{ln: ln, addr: addr, serve: serve}
	if f.serve == nil {
		f.serve = (*fake).serveWell
	}
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			f.mu.Lock()
			fc := &fakeConn{index: len(f.conns)}
			f.conns = append(f.conns, fc)
			f.mu.Unlock()
			f.wg.Add(1)
			go func() {
				defer f.wg.Done()
				defer nc.Close()
				f.serve(f, nc, fc)
			}()
		}
	}()
	t.Cleanup(f.close)
	return f
}

func (f *fake) close() {
	_ = f.ln.Close()
}

// snapshot of what the fake received, per connection.
func (f *fake) received() []fakeConn {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]fakeConn, len(f.conns))
	for i, fc := range f.conns {
		out[i] = fakeConn{index: fc.index, hello: fc.hello, events: append([]map[string]any(nil), fc.events...)}
	}
	return out
}

func ackBytes(id int64) []byte {
	b := appendType(nil, 2, "ack")
	b = appendStr(b, "id")
	return appendInt(b, id)
}

// next decodes one client message and records it; ok is false at the end.
func (f *fake) next(d *decoder, fc *fakeConn) (map[string]any, bool) {
	m, err := d.next()
	if err != nil {
		return nil, false
	}
	f.mu.Lock()
	switch m["type"] {
	case "hello":
		fc.hello = m
		if _, ok := m["stream"]; ok && !f.legacy {
			fc.stream = true
			fc.seq, _ = m["seq"].(int64)
		}
	case "sync", "auth", "ping", "status", "snapshot":
	default:
		fc.events = append(fc.events, m)
	}
	f.mu.Unlock()
	return m, true
}

// serveWell answers like a daemon: an ack per sync, a reply per request.
func (f *fake) serveWell(nc net.Conn, fc *fakeConn) {
	f.serveFrom(nc, fc, &decoder{r: bufio.NewReader(nc)})
}

func (f *fake) serveFrom(nc net.Conn, fc *fakeConn, d *decoder) {
	for {
		m, ok := f.next(d, fc)
		if !ok {
			return
		}
		if !f.answer(nc, fc, m) {
			return
		}
	}
}

// answer replies to one message like a daemon that commits at once: a resume to a
// stream's hello, an ack (with committed: every event read) per sync, a reply per request.
func (f *fake) answer(nc net.Conn, fc *fakeConn, m map[string]any) bool {
	var b []byte
	switch m["type"] {
	case "hello":
		if fc.stream {
			b = appendType(nil, 2, "resume")
			b = appendStr(b, "counted")
			b = appendInt(b, fc.seq-1)
		}
	case "sync":
		id, _ := m["id"].(int64)
		if !fc.stream {
			b = ackBytes(id)
			break
		}
		f.mu.Lock()
		committed := fc.seq + int64(len(fc.events)) - 1
		f.mu.Unlock()
		b = appendType(nil, 3, "ack")
		b = appendStr(b, "id")
		b = appendInt(b, id)
		b = appendStr(b, "committed")
		b = appendInt(b, committed)
	case "ping":
		b = appendType(nil, 3, "pong")
		b = appendStr(b, "proto")
		b = appendInt(b, 1)
		b = appendStr(b, "version")
		b = appendStr(b, "fake")
	case "status", "snapshot":
		b = appendType(nil, 2, m["type"].(string))
		b = appendStr(b, "pid")
		b = appendInt(b, int64(os.Getpid()))
	}
	if b == nil {
		return true
	}
	_, err := nc.Write(b)
	return err == nil
}

// handshake reads the hello and the connect sync and answers them.
func (f *fake) handshake(nc net.Conn, fc *fakeConn, d *decoder) bool {
	for {
		m, ok := f.next(d, fc)
		if !ok {
			return false
		}
		if !f.answer(nc, fc, m) {
			return false
		}
		if m["type"] == "sync" {
			return true
		}
	}
}
