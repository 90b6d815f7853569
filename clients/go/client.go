// Package metricsd is the Go client of the metricsd sidecar daemon: it sends an AI coding
// agent's events (tool results, token usage, provider errors, compactions, turn ends) to
// the daemon's Unix socket as MessagePack. Standard library only.
//
// The behaviour is the same in every metricsd client (docs/CLIENTS.md in the metricsd
// repository): event methods never fail and never block beyond appending to a bounded
// queue; a turn end is written at once; when the queue is full events are dropped and
// counted; after a daemon restart the client reconnects with back-off and repeats its
// hello; it sends nothing to a socket served by another user.
package metricsd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of Options (the same numbers in every metricsd client).
const (
	DefaultMaxQueue       = 10000
	DefaultMaxQueueBytes  = 1 << 20
	DefaultConnectTimeout = time.Second
	DefaultWriteTimeout   = 5 * time.Second
	DefaultBackoffMin     = 50 * time.Millisecond
	DefaultBackoffMax     = 5 * time.Second
	// DefaultCloseTimeout bounds how long Close waits for queued events to be written.
	DefaultCloseTimeout = time.Second
)

// Options configure a Client. Zero values take the defaults.
type Options struct {
	// Socket is the daemon's socket path; "" means $METRICSD_SOCKET, else
	// DefaultSocketPath().
	Socket string
	// ClientVersion is the application's version, MAJOR.MINOR.PATCH with an optional
	// -dev, -alpha.N, -beta.N or -rc.N (anything else is counted as "unknown"). It is sent
	// in the hello of every connection.
	ClientVersion string
	// MaxQueue and MaxQueueBytes bound the queue of events not yet written.
	MaxQueue      int
	MaxQueueBytes int
	// ConnectTimeout bounds one connection attempt; WriteTimeout one write.
	ConnectTimeout time.Duration
	WriteTimeout   time.Duration
	// BackoffMin and BackoffMax space failed connection attempts (doubling).
	BackoffMin time.Duration
	BackoffMax time.Duration
}

// ErrNotDelivered: Sync could not confirm that the daemon committed the events (no
// daemon, a connection lost on the way, or the client is closed).
var ErrNotDelivered = errors.New("metricsd: events not confirmed as committed")

// ErrForeignSocket: the socket is served by another user; nothing was sent to it.
var ErrForeignSocket = errors.New("metricsd: socket served by another user")

// Stats are a Client's counters: numbers only.
type Stats struct {
	// Dropped: events that will never be delivered (queue full, still queued at Close).
	Dropped uint64
	// Connects: successful connections; Reconnects: those after the first.
	Connects   uint64
	Reconnects uint64
	// Refused: sockets refused because another user serves them.
	Refused uint64
	// Queued: events waiting to be written.
	Queued int
}

type item struct {
	data   []byte
	waiter *waiter
}

type waiter struct {
	kind    string
	id      uint64
	seq     uint64
	tainted bool
	ch      chan map[string]any // receives the reply, or nil
	once    sync.Once
}

func (w *waiter) finish(reply map[string]any) {
	w.once.Do(func() { w.ch <- reply; close(w.ch) })
}

// Client sends events to one daemon socket. All methods are safe for concurrent use.
type Client struct {
	opts  Options
	path  string
	hello []byte

	mu             sync.Mutex
	queue          []item
	queuedBytes    int
	conn           *net.UnixConn
	sent           []*waiter
	lostUnreported bool
	closing        bool
	stopped        bool
	failing        bool
	wantConnect    bool
	nextID         uint64
	drained        *sync.Cond
	errors         []string

	wake                          chan struct{}
	done                          chan struct{}
	dropped                       atomic.Uint64
	connects, reconnects, refused atomic.Uint64
	lastErr                       atomic.Value // error
}

// Dial returns a client for the daemon's socket. It never fails because no daemon runs:
// it makes a first connection attempt (bounded by ctx and ConnectTimeout) and otherwise
// connects in the background, with back-off, when there is something to send. It
// returns an error only for an unusable ClientVersion or socket path.
func Dial(ctx context.Context, opts Options) (*Client, error) {
	if opts.MaxQueue <= 0 {
		opts.MaxQueue = DefaultMaxQueue
	}
	if opts.MaxQueueBytes <= 0 {
		opts.MaxQueueBytes = DefaultMaxQueueBytes
	}
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = DefaultConnectTimeout
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = DefaultWriteTimeout
	}
	if opts.BackoffMin <= 0 {
		opts.BackoffMin = DefaultBackoffMin
	}
	if opts.BackoffMax <= 0 {
		opts.BackoffMax = DefaultBackoffMax
	}
	hello := encodeHello(opts.ClientVersion)
	if len(hello) > MaxMessageBytes {
		return nil, errors.New("metricsd: client version too long")
	}
	path := resolveSocket(opts.Socket)
	if path == "" {
		return nil, errors.New("metricsd: no socket path")
	}
	c := &Client{opts: opts, path: path, hello: hello, wantConnect: true,
		wake: make(chan struct{}, 1), done: make(chan struct{})}
	c.drained = sync.NewCond(&c.mu)
	first := make(chan struct{})
	go c.run(first)
	select {
	case <-first:
	case <-ctx.Done():
	}
	return c, nil
}

// SocketPath is the socket this client sends to.
func (c *Client) SocketPath() string { return c.path }

// Usage reports the token usage of one model call (prompt-cache hit and miss tokens).
// Negative counts are dropped.
func (c *Client) Usage(hit, miss int64) {
	if hit < 0 || miss < 0 {
		c.dropped.Add(1)
		return
	}
	c.put(encodeUsage(hit, miss))
}

// ToolResult reports a finished tool call; errText is its error ("" is success). The
// daemon only derives a class from the text and drops it.
func (c *Client) ToolResult(errText string) { c.put(encodeToolResult(errText)) }

// ProviderError reports a failed model-provider call: its HTTP status (0 if unknown) and
// error text.
func (c *Client) ProviderError(status int, message string) {
	c.put(encodeProviderError(status, message))
}

var compactionBytes = encodeBare("compaction")

// Compaction reports that the context was compacted.
func (c *Client) Compaction() { c.put(compactionBytes) }

// Turn reports the end of one agent turn ("" finish reason: none); written at once.
func (c *Client) Turn(finishReason string, emptyFinal bool) {
	c.put(encodeTurn(finishReason, emptyFinal))
}

func (c *Client) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *Client) put(data []byte) {
	c.mu.Lock()
	if c.closing || len(c.queue) >= c.opts.MaxQueue ||
		c.queuedBytes+len(data) > c.opts.MaxQueueBytes {
		c.mu.Unlock()
		c.dropped.Add(1)
		return
	}
	c.queue = append(c.queue, item{data: data})
	c.queuedBytes += len(data)
	c.mu.Unlock()
	c.signal()
}

// ask queues a request; the reply (or nil) arrives on the waiter's channel.
func (c *Client) ask(kind string) *waiter {
	w := &waiter{kind: kind, ch: make(chan map[string]any, 1)}
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		w.finish(nil)
		return w
	}
	var data []byte
	if kind == "ack" {
		c.nextID++
		w.id = c.nextID
		w.tainted = c.lostUnreported
		c.lostUnreported = false
		data = encodeSync(w.id)
	} else {
		data = encodeBare(map[string]string{"snapshot": "snapshot", "pong": "ping",
			"status": "status"}[kind])
	}
	c.queue = append(c.queue, item{data: data, waiter: w})
	c.queuedBytes += len(data)
	c.mu.Unlock()
	c.signal()
	return w
}

func (c *Client) request(ctx context.Context, kind string) (map[string]any, error) {
	w := c.ask(kind)
	select {
	case reply := <-w.ch:
		if reply == nil {
			return nil, ErrNotDelivered
		}
		return reply, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Sync returns nil once the daemon has committed everything this client sent before the
// call; ErrNotDelivered (or ctx's error) when that is not known. For tests and shutdown.
func (c *Client) Sync(ctx context.Context) error {
	reply, err := c.request(ctx, "ack")
	if err != nil {
		return err
	}
	if reply["tainted"] == true {
		return ErrNotDelivered
	}
	return nil
}

// Snapshot returns the daemon's snapshot reply: "enabled", "dev", "counts" (counter ->
// number, or label -> number) and, from newer daemons, "health".
func (c *Client) Snapshot(ctx context.Context) (map[string]any, error) {
	return c.request(ctx, "snapshot")
}

// Ping returns the daemon's pong reply ("proto", "version").
func (c *Client) Ping(ctx context.Context) (map[string]any, error) {
	return c.request(ctx, "pong")
}

// Stats returns the client's counters.
func (c *Client) Stats() Stats {
	c.mu.Lock()
	queued := 0
	for _, it := range c.queue {
		if it.waiter == nil {
			queued++
		}
	}
	c.mu.Unlock()
	return Stats{Dropped: c.dropped.Load(), Connects: c.connects.Load(),
		Reconnects: c.reconnects.Load(), Refused: c.refused.Load(), Queued: queued}
}

// keepErrors: how many error replies Errors keeps.
const keepErrors = 16

// Errors returns the codes of the last few error replies from the daemon (oldest first),
// such as "invalid_event".
func (c *Client) Errors() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.errors...)
}

// LastError is the last internal failure (connect, write, peer check), for diagnostics.
func (c *Client) LastError() error {
	if err, ok := c.lastErr.Load().(errBox); ok {
		return err.err
	}
	return nil
}

type errBox struct{ err error }

func (c *Client) setErr(err error) { c.lastErr.Store(errBox{err}) }

// Close writes what is queued (waiting at most DefaultCloseTimeout), then disconnects.
// Events still queued then are counted as dropped. It always returns nil.
func (c *Client) Close() error {
	deadline := time.Now().Add(DefaultCloseTimeout)
	timer := time.AfterFunc(DefaultCloseTimeout, func() {
		c.mu.Lock()
		c.drained.Broadcast()
		c.mu.Unlock()
	})
	defer timer.Stop()
	c.mu.Lock()
	if c.stopped {
		c.mu.Unlock()
		return nil
	}
	c.closing = true
	for len(c.queue) > 0 && !c.failing && time.Now().Before(deadline) {
		c.drained.Wait()
	}
	c.stopped = true
	conn := c.conn
	c.mu.Unlock()
	c.signal()
	if conn != nil {
		// Unblocks a write in progress; the I/O goroutine then ends.
		_ = conn.SetDeadline(time.Now().Add(time.Until(deadline)))
	}
	select {
	case <-c.done:
	case <-time.After(time.Until(deadline) + 500*time.Millisecond):
	}
	c.mu.Lock()
	var waiters []*waiter
	for _, it := range c.queue {
		if it.waiter == nil {
			c.dropped.Add(1)
		} else {
			waiters = append(waiters, it.waiter)
		}
	}
	waiters = append(waiters, c.sent...)
	c.queue, c.queuedBytes, c.sent = nil, 0, nil
	c.mu.Unlock()
	for _, w := range waiters {
		w.finish(nil)
	}
	return nil
}

// --- the I/O goroutine ------------------------------------------------------------------

type conn struct {
	uc      *net.UnixConn
	written uint64 // messages written on this connection
	acked   uint64 // of those, covered by the last ack
	lost    chan struct{}
}

func (c *Client) run(first chan struct{}) {
	defer close(c.done)
	var (
		cur         *conn
		delay       time.Duration
		nextAttempt time.Time
		firstDone   bool
	)
	markFirst := func() {
		if !firstDone {
			firstDone = true
			close(first)
		}
	}
	defer markFirst()
	for {
		c.mu.Lock()
		if c.stopped {
			c.mu.Unlock()
			break
		}
		var batch []item
		if cur != nil && len(c.queue) > 0 {
			batch = c.queue
			c.queue, c.queuedBytes = nil, 0
		}
		want := len(c.queue) > 0 || c.wantConnect
		if batch == nil && (cur != nil || !want) {
			c.drained.Broadcast()
		}
		c.mu.Unlock()

		if cur == nil {
			if !want {
				<-c.wake
				continue
			}
			if wait := time.Until(nextAttempt); wait > 0 {
				t := time.NewTimer(wait)
				select {
				case <-c.wake:
				case <-t.C:
				}
				t.Stop()
				continue
			}
			uc, err := c.connect()
			markFirst()
			if err != nil {
				c.setErr(err)
				delay *= 2
				if delay < c.opts.BackoffMin {
					delay = c.opts.BackoffMin
				}
				if delay > c.opts.BackoffMax {
					delay = c.opts.BackoffMax
				}
				nextAttempt = time.Now().Add(delay)
				c.mu.Lock()
				c.failing = true
				c.wantConnect = false // from now on, only for something to send
				c.drained.Broadcast()
				c.mu.Unlock()
				continue
			}
			delay = 0
			cur = &conn{uc: uc, lost: make(chan struct{})}
			c.mu.Lock()
			c.conn = uc
			c.failing = false
			c.wantConnect = false
			c.mu.Unlock()
			if c.connects.Add(1) > 1 {
				c.reconnects.Add(1)
			}
			go c.read(cur)
			continue
		}
		if batch != nil {
			if !c.write(cur, batch) {
				c.dropConn(cur)
				cur = nil
				nextAttempt = time.Time{} // a lost connection is retried at once
			}
			continue
		}
		select {
		case <-c.wake:
		case <-cur.lost:
			c.dropConn(cur)
			cur = nil
			nextAttempt = time.Time{}
		}
	}
	if cur != nil {
		_ = cur.uc.Close()
	}
}

func (c *Client) connect() (*net.UnixConn, error) {
	d := net.Dialer{Timeout: c.opts.ConnectTimeout}
	nc, err := d.Dial("unix", c.path)
	if err != nil {
		return nil, fmt.Errorf("cannot connect to %s: %w", c.path, err)
	}
	uc := nc.(*net.UnixConn)
	uid, err := peerUID(uc)
	if err != nil || uid != os.Geteuid() {
		_ = uc.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: cannot tell who serves it: %w", c.path, err)
		}
		c.refused.Add(1)
		return nil, fmt.Errorf("%s is served by uid %d: %w", c.path, uid, ErrForeignSocket)
	}
	_ = uc.SetWriteDeadline(time.Now().Add(c.opts.WriteTimeout))
	if _, err := uc.Write(c.hello); err != nil {
		_ = uc.Close()
		return nil, err
	}
	return uc, nil
}

// write writes the batch; on failure every message not completely written goes back to
// the front of the queue (to be sent on the next connection). The batch's waiters are
// registered before the write: the reader goroutine may see a reply before Write returns.
func (c *Client) write(cur *conn, batch []item) bool {
	size := 0
	for _, it := range batch {
		size += len(it.data)
	}
	buf := make([]byte, 0, size)
	c.mu.Lock()
	for i, it := range batch {
		buf = append(buf, it.data...)
		if it.waiter != nil {
			it.waiter.seq = cur.written + uint64(i) + 1
			c.sent = append(c.sent, it.waiter)
		}
	}
	c.mu.Unlock()
	_ = cur.uc.SetWriteDeadline(time.Now().Add(c.opts.WriteTimeout))
	n, err := cur.uc.Write(buf)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err == nil {
		cur.written += uint64(len(batch))
		return true
	}
	c.setErr(err)
	end, done := 0, 0
	for _, it := range batch {
		end += len(it.data)
		if end > n {
			break
		}
		done++
	}
	cur.written += uint64(done)
	rest := batch[done:]
	for _, it := range rest {
		if it.waiter == nil {
			continue
		}
		for i, w := range c.sent {
			if w == it.waiter {
				c.sent = append(c.sent[:i:i], c.sent[i+1:]...)
				break
			}
		}
	}
	q := make([]item, 0, len(rest)+len(c.queue))
	q = append(q, rest...)
	c.queue = append(q, c.queue...)
	for _, it := range rest {
		c.queuedBytes += len(it.data)
	}
	return false
}

func (c *Client) dropConn(cur *conn) {
	_ = cur.uc.Close()
	c.mu.Lock()
	c.conn = nil
	waiters := c.sent
	c.sent = nil
	hasSync := false
	for _, w := range waiters {
		if w.kind == "ack" {
			hasSync = true
		}
	}
	if cur.written > cur.acked && !hasSync {
		c.lostUnreported = true
	}
	c.drained.Broadcast()
	c.mu.Unlock()
	for _, w := range waiters {
		w.finish(nil)
	}
}

func (c *Client) read(cur *conn) {
	defer close(cur.lost)
	r := bufio.NewReader(cur.uc)
	for {
		v, err := decodeValue(r, 0)
		if err != nil {
			c.signal()
			return
		}
		reply, ok := v.(map[string]any)
		if !ok {
			continue
		}
		c.reply(cur, reply)
	}
}

func (c *Client) reply(cur *conn, reply map[string]any) {
	kind, _ := reply["type"].(string)
	if kind == "error" {
		code, _ := reply["code"].(string)
		c.mu.Lock()
		c.errors = append(c.errors, code)
		if len(c.errors) > keepErrors {
			c.errors = c.errors[len(c.errors)-keepErrors:]
		}
		c.mu.Unlock()
		return
	}
	c.mu.Lock()
	var match *waiter
	for i, w := range c.sent {
		if w.kind != kind {
			continue
		}
		if kind == "ack" {
			id, _ := reply["id"].(int64)
			if uint64(id) != w.id {
				continue
			}
		}
		match = w
		c.sent = append(c.sent[:i:i], c.sent[i+1:]...)
		break
	}
	if match != nil && kind == "ack" && match.seq > cur.acked {
		cur.acked = match.seq
	}
	c.mu.Unlock()
	if match == nil {
		return
	}
	if kind == "ack" && match.tainted {
		reply = map[string]any{"type": "ack", "tainted": true}
	}
	match.finish(reply)
}
