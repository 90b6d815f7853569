// Package metricsd is the Go client of the metricsd sidecar daemon: it sends an AI coding
// agent's events (tool results, token usage, provider errors, compactions, turn ends) to
// the daemon as MessagePack, over its Unix socket or, where there is none (Windows), over
// loopback TCP with a token. Standard library only.
//
// The behaviour is the same in every metricsd client (docs/CLIENTS.md in the metricsd
// repository): event methods never fail, never panic and never block beyond appending to
// a bounded queue; a turn end is written at once; when the queue is full events are
// dropped and counted; after a daemon restart the client reconnects with back-off and
// repeats its hello; it sends nothing to a socket served by another user, and over loopback
// TCP nothing but a hello with a nonce to a listener that has not proved it holds the
// daemon's token. Each client is a replayable stream: every event is held until the
// daemon commits it, and written again after any reconnect (the daemon skips what it
// already counted), so nothing is lost and nothing counted twice while the application
// lives. An event is either committed, or counted in Stats().Dropped (it did not fit, or
// was never written), or in Stats().Unconfirmed (written, not yet committed when Close gave
// up), and Sync and Close report any such loss.
//
// Methods on a nil *Client are safe no-ops, and so is a client returned by NoopClient or
// by a failed Spawn.
package metricsd

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of Options (the same numbers in every metricsd client; testdata/spec.json).
const (
	DefaultMaxQueue       = 10000
	DefaultMaxQueueBytes  = 1 << 20
	DefaultConnectTimeout = time.Second
	DefaultWriteTimeout   = 5 * time.Second
	DefaultBackoffMin     = 50 * time.Millisecond
	DefaultBackoffMax     = 5 * time.Second
	// DefaultCloseTimeout bounds Close when its context has no deadline.
	DefaultCloseTimeout = time.Second
	// DefaultRequestTimeout bounds Sync, Snapshot, Ping and Status when their context has
	// no deadline.
	DefaultRequestTimeout = 5 * time.Second
	// keptErrors: how many error replies Errors keeps.
	keptErrors = 16
)

// Options configure a Client. Zero values take the defaults.
type Options struct {
	// Socket is the daemon's address: a Unix socket path, or the path of an endpoint file
	// (a name ending in ".json", written by "metricsd run --listen tcp") for loopback TCP.
	// "" means $METRICSD_SOCKET, else DefaultSocketPath().
	Socket string
	// ClientVersion is the application's version, MAJOR.MINOR.PATCH with an optional
	// -dev, -alpha.N, -beta.N or -rc.N (anything else is counted as "unknown"). It is sent
	// in the hello of every connection.
	ClientVersion string
	// MaxQueue and MaxQueueBytes bound the replay buffer: the events held, not yet written
	// or written and not yet committed (including the bytes of a write in progress).
	MaxQueue      int
	MaxQueueBytes int
	// ConnectTimeout bounds one connection attempt; WriteTimeout one write (and the wait
	// for the daemon's answer to a new connection's hello).
	ConnectTimeout time.Duration
	WriteTimeout   time.Duration
	// BackoffMin and BackoffMax space failed connection attempts (doubling).
	BackoffMin time.Duration
	BackoffMax time.Duration
}

// ErrNotDelivered: the daemon did not answer (no daemon, or the client is closed).
var ErrNotDelivered = errors.New("metricsd: no answer from the daemon")

// ErrForeignSocket: the socket is served by another user; nothing was sent to it.
var ErrForeignSocket = errors.New("metricsd: socket served by another user")

// ErrNoClient: the client is a no-op (nil, NoopClient, or a failed Spawn); the error says
// why.
var ErrNoClient = errors.New("metricsd: no-op client")

// ErrLost is what a *LostError matches with errors.Is.
var ErrLost = errors.New("metricsd: events lost")

// LostError is what Sync and Close return when events were lost since the previous Sync
// that reported (or since the start): Dropped never reached a daemon (the replay buffer
// was full, the client closed); Unconfirmed were written but not yet committed when Close
// gave up (the daemon may or may not have counted them), or, with a daemon older than
// streams, written on a connection lost before the daemon confirmed them (never re-sent,
// which could count them twice).
type LostError struct {
	Dropped     uint64
	Unconfirmed uint64
}

func (e *LostError) Error() string {
	return fmt.Sprintf("metricsd: events lost since the last report: %d dropped, %d unconfirmed",
		e.Dropped, e.Unconfirmed)
}

// Is makes errors.Is(err, ErrLost) true.
func (e *LostError) Is(target error) bool { return target == ErrLost }

// Stats are a Client's counters: numbers only.
type Stats struct {
	// Dropped: events that never reached a daemon (replay buffer full, client closed or
	// no-op, never written when Close gave up).
	Dropped uint64
	// Unconfirmed: events written and not yet committed when Close gave up (with a daemon
	// older than streams: written on a connection lost before it confirmed them).
	Unconfirmed uint64
	// Connects: successful connections; Reconnects: those after the first.
	Connects   uint64
	Reconnects uint64
	// Refused: sockets refused because another user serves them, and loopback TCP
	// listeners that did not prove they hold the daemon's token.
	Refused uint64
	// Queued: events held (waiting to be written, or written and not yet committed).
	Queued int
}

func (s Stats) String() string {
	return fmt.Sprintf("metricsd stats: %d queued, %d dropped, %d unconfirmed, %d connects "+
		"(%d reconnects), %d refused", s.Queued, s.Dropped, s.Unconfirmed, s.Connects,
		s.Reconnects, s.Refused)
}

// Record kinds in the queue.
const (
	kEvent   = iota // counted in MaxQueue, Dropped, Unconfirmed
	kTurn           // an event too; the writer follows a write holding one with a sync
	kRequest        // a request with a waiter (Sync, Snapshot, Ping, Status, Close)
)

type rec struct {
	n    int32
	kind uint8
	id   uint64 // sync id
	seq  int64  // an event's number in the client's stream
	w    *waiter
}

type result struct {
	reply map[string]any
	err   error
}

type waiter struct {
	kind string // the reply's type: "ack", "pong", "snapshot", "status"
	id   uint64
	ch   chan result
	done bool // under Client.mu
}

// Client sends events to one daemon. All methods are safe for concurrent use, and on a
// nil *Client.
type Client struct {
	opts  Options
	inert string // non-empty: a no-op client, and why

	mu      sync.Mutex
	addr    string
	buf     []byte // ring of queued message bytes (grows up to its bound)
	head    int    // first byte of the first queued message
	size    int    // bytes queued
	recs    []rec  // ring of queued messages
	rhead   int
	rcount  int
	events  int // event records queued
	scratch []byte
	inPlace bool // out() returned room in the ring
	nextID  uint64
	closing bool
	stopped bool
	kicked  bool
	failing bool // the last connection attempt failed
	idle    bool // the writer may be waiting for a wake-up
	// The last turn's message, for the next turn with the same finish reason.
	turnMsg    []byte
	turnReason string
	turnEmpty  bool
	wantDial   bool
	cur        *conn
	dialing    net.Conn
	ctx        context.Context
	cancel     context.CancelFunc
	unconf     uint64
	// The replayable stream: its id, the next event's number, the highest number ever
	// written on a connection, and how much of the queue (records, bytes from its head)
	// is written on the current connection. Events stay queued until an ack's
	// "committed" covers them; after a reconnect they are written again from the first.
	stream    [16]byte
	nextSeq   int64
	sentSeq   int64
	committed int64 // the highest number the daemon said it committed
	wrec      int
	wpos      int
	repDrop   uint64 // Dropped already reported by Sync/Close
	repUnc    uint64
	errs      []string
	lastErr   error

	wake                          chan struct{}
	done                          chan struct{}
	dropped                       atomic.Uint64
	connects, reconnects, refused atomic.Uint64
}

// NoopClient returns a client that accepts every call, sends nothing and costs next to
// nothing; reason says why (Reason returns it). Its events count as dropped.
func NoopClient(reason string) *Client {
	if reason == "" {
		reason = "no-op client"
	}
	return &Client{inert: reason}
}

// Reason is why the client is a no-op ("" for a working client).
func (c *Client) Reason() string {
	if c == nil {
		return "nil client"
	}
	return c.inert
}

func (c *Client) noop() error {
	return fmt.Errorf("%w: %s", ErrNoClient, c.Reason())
}

// Dial returns a client for the daemon. It never fails because no daemon runs: it waits
// for a first connection attempt at most until ctx is done or ConnectTimeout has passed
// (a daemon that accepts and then hangs never holds it longer), and otherwise connects in
// the background, with back-off, when there is something to send. It returns an error
// only for an unusable ClientVersion, and then also a no-op client (never nil).
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
	if len(appendHello(nil, opts.ClientVersion, "")) > MaxMessageBytes/2 {
		return NoopClient("client version too long"), errors.New("metricsd: client version too long")
	}
	c := &Client{opts: opts, addr: resolveSocket(opts.Socket), wantDial: true,
		wake: make(chan struct{}, 1), done: make(chan struct{}), sentSeq: -1,
		committed: -1}
	if _, err := rand.Read(c.stream[:]); err != nil {
		return NoopClient("no randomness for a stream id"), fmt.Errorf("metricsd: %w", err)
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.buf = make([]byte, minInt(4096, c.ringBytes()))
	c.recs = make([]rec, 64)
	first := make(chan struct{})
	go c.run(first)
	// The first attempt goes on in the background after ConnectTimeout: a daemon that
	// accepts and then hangs never holds up the application's start.
	t := time.NewTimer(opts.ConnectTimeout)
	defer t.Stop()
	if ctx == nil {
		ctx = context.Background()
	}
	select {
	case <-first:
	case <-ctx.Done():
	case <-t.C:
	}
	return c, nil
}

func minInt(a, b int) int {
	if a < b {
		return a
	}
	return b
}

// reserveBytes and reserveRecs: room beyond the bounds for the client's own small
// messages (syncs, requests), so that a full queue of events never blocks a Sync.
const (
	reserveBytes = 4096
	reserveRecs  = 64
)

func (c *Client) ringBytes() int { return c.opts.MaxQueueBytes + reserveBytes }
func (c *Client) ringRecs() int  { return 2*c.opts.MaxQueue + reserveRecs }

// SocketPath is the address this client sends to (a socket path or an endpoint file).
func (c *Client) SocketPath() string {
	if c == nil || c.inert != "" {
		return ""
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.addr
}

// setAddr points the client at a new address and wakes its connection loop (the sidecar
// helper uses it when a restarted daemon is READY).
func (c *Client) setAddr(addr string) {
	if c == nil || c.inert != "" {
		return
	}
	c.mu.Lock()
	if addr != "" {
		c.addr = addr
	}
	c.kicked = true
	c.mu.Unlock()
	c.signal()
}

// --- events (the hot path: no allocation, no I/O) -------------------------------------

// Usage reports the token usage of one model call in the split form: prompt-cache hit and
// miss tokens (DeepSeek's prompt_cache_hit_tokens, prompt_cache_miss_tokens). A count the
// provider did not report is 0; a negative count drops the event (counted).
func (c *Client) Usage(cacheHitTokens, cacheMissTokens int64) {
	if c == nil {
		return
	}
	if c.inert != "" || cacheHitTokens < 0 || cacheMissTokens < 0 {
		c.dropped.Add(1)
		return
	}
	c.mu.Lock()
	c.pushEvent(appendUsage2(c.out(160), usageSplit, cacheHitTokens, cacheMissTokens), kEvent)
}

// UsageTotal reports the token usage of one model call in the total + cached form:
// prompt tokens including the cached ones, and the cached ones (OpenAI chat
// usage.prompt_tokens and usage.prompt_tokens_details.cached_tokens, Responses input
// tokens, Gemini, most OpenAI-compatible servers). A count the provider did not report
// is 0 (see Count for pointer fields); a negative count drops the event (counted).
func (c *Client) UsageTotal(promptTokens, cachedTokens int64) {
	if c == nil {
		return
	}
	if c.inert != "" || promptTokens < 0 || cachedTokens < 0 {
		c.dropped.Add(1)
		return
	}
	c.mu.Lock()
	c.pushEvent(appendUsage2(c.out(160), usageTotal, promptTokens, cachedTokens), kEvent)
}

// UsageReadWrite reports the token usage of one model call in the uncached + read/write
// form (Anthropic usage.input_tokens, usage.cache_read_input_tokens,
// usage.cache_creation_input_tokens; Bedrock). A count the provider did not report is 0;
// a negative count drops the event (counted).
func (c *Client) UsageReadWrite(inputTokens, cacheReadInputTokens, cacheCreationInputTokens int64) {
	if c == nil {
		return
	}
	if c.inert != "" || inputTokens < 0 || cacheReadInputTokens < 0 || cacheCreationInputTokens < 0 {
		c.dropped.Add(1)
		return
	}
	c.mu.Lock()
	c.pushEvent(appendUsage3(c.out(160), usageReadWrite, inputTokens, cacheReadInputTokens,
		cacheCreationInputTokens), kEvent)
}

// Count is a provider's optional count as the usage methods take it: 0 for nil.
func Count[T ~int | ~int32 | ~int64 | ~uint32 | ~uint64](p *T) int64 {
	if p == nil {
		return 0
	}
	return int64(*p)
}

// ToolResult reports a finished tool call; errText is its error ("" is success). The
// daemon only derives a class from the text and drops it.
func (c *Client) ToolResult(errText string) {
	if c == nil {
		return
	}
	if c.inert != "" {
		c.dropped.Add(1)
		return
	}
	c.mu.Lock()
	c.pushEvent(appendToolResult(c.out(32+3*len(errText)), errText), kEvent)
}

// ProviderError reports a failed model-provider call: its error text and its HTTP status
// (0 if unknown; a 2xx status counts as unknown).
func (c *Client) ProviderError(message string, status int) {
	if c == nil {
		return
	}
	if c.inert != "" {
		c.dropped.Add(1)
		return
	}
	c.mu.Lock()
	c.pushEvent(appendProviderError(c.out(48+3*len(message)), message, status), kEvent)
}

// Compaction reports that the context was compacted.
func (c *Client) Compaction() {
	if c == nil {
		return
	}
	if c.inert != "" {
		c.dropped.Add(1)
		return
	}
	c.mu.Lock()
	c.pushEvent(appendBare(c.out(32), "compaction"), kEvent)
}

// Turn reports the end of one agent turn ("" finish reason: none); written at once, and
// followed on the wire by a sync of the client's own, so that the daemon confirms it.
func (c *Client) Turn(finishReason string, emptyFinal bool) {
	if c == nil {
		return
	}
	if c.inert != "" {
		c.dropped.Add(1)
		return
	}
	c.mu.Lock()
	if finishReason != c.turnReason || emptyFinal != c.turnEmpty || c.turnMsg == nil {
		// An application ends its turns with a handful of reasons: keep the last one's
		// message, encoded once.
		c.turnMsg = appendTurn(c.turnMsg[:0], finishReason, emptyFinal)
		c.turnReason, c.turnEmpty = finishReason, emptyFinal
	}
	c.pushEvent(append(c.out(len(c.turnMsg)), c.turnMsg...), kTurn)
}

// pushEvent queues b as an event and unlocks c.mu. The writer is woken only when it may
// be waiting: while it writes, it takes what was queued meanwhile on its next round.
func (c *Client) pushEvent(b []byte, kind uint8) {
	ok := c.push(b, kind, 0, nil)
	wake := ok && c.idle
	if wake {
		c.idle = false
	}
	c.mu.Unlock()
	if !ok {
		c.dropped.Add(1)
		return
	}
	if wake {
		c.signal()
	}
}

func (c *Client) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// out returns where to encode the next message (under c.mu): in place at the ring's tail
// when need bytes are free there, else in a reused scratch buffer.
func (c *Client) out(need int) []byte {
	tail, room := c.head+c.size, 0
	if tail >= len(c.buf) {
		tail -= len(c.buf)
		room = c.head - tail
	} else {
		room = len(c.buf) - tail
	}
	if room >= need {
		c.inPlace = true
		return c.buf[tail : tail : tail+room]
	}
	c.inPlace = false
	return c.scratch[:0]
}

// push appends b, just encoded at out(), to the queue as one message (under c.mu).
func (c *Client) push(b []byte, kind uint8, id uint64, w *waiter) bool {
	if !c.admit(kind, len(b)) {
		if !c.inPlace {
			c.scratch = b
		}
		return false
	}
	c.place(b)
	c.record(len(b), kind, id, w)
	return true
}

// admit (under c.mu): whether n more bytes of this kind may be queued. Events obey
// MaxQueue and MaxQueueBytes; the client's own messages may use a small reserve beyond.
func (c *Client) admit(kind uint8, n int) bool {
	if c.closing && kind != kRequest {
		return false
	}
	if kind <= kTurn {
		return c.events < c.opts.MaxQueue && c.size+n <= c.opts.MaxQueueBytes
	}
	return c.size+n <= c.ringBytes() && c.rcount < c.ringRecs()
}

// place puts b's bytes at the ring's tail (where out() encoded them, or copied from the
// scratch buffer), without counting them yet.
func (c *Client) place(b []byte) {
	if c.inPlace {
		return
	}
	c.scratch = b
	n := len(b)
	if c.size+n > len(c.buf) {
		c.growBytes(c.size + n)
	}
	tail := c.head + c.size
	if tail >= len(c.buf) {
		tail -= len(c.buf)
	}
	if k := copy(c.buf[tail:], b); k < n {
		copy(c.buf, b[k:])
	}
}

// record counts the next n placed bytes as one queued message.
func (c *Client) record(n int, kind uint8, id uint64, w *waiter) {
	if c.rcount == len(c.recs) {
		c.growRecs()
	}
	c.size += n
	at := c.rhead + c.rcount
	if at >= len(c.recs) {
		at -= len(c.recs)
	}
	c.recs[at] = rec{n: int32(n), kind: kind, id: id, w: w}
	c.rcount++
	if kind <= kTurn {
		c.recs[at].seq = c.nextSeq
		c.nextSeq++
		c.events++
	}
}

// growBytes replaces the ring with a larger one (the old one stays intact: a write in
// progress may be reading it).
func (c *Client) growBytes(need int) {
	size := len(c.buf) * 2
	for size < need {
		size *= 2
	}
	if size > c.ringBytes() {
		size = c.ringBytes()
	}
	nb := make([]byte, size)
	k := copy(nb, c.buf[c.head:minInt(c.head+c.size, len(c.buf))])
	copy(nb[k:], c.buf[:c.size-k])
	c.buf, c.head = nb, 0
}

func (c *Client) growRecs() {
	nr := make([]rec, len(c.recs)*2)
	for i := 0; i < c.rcount; i++ {
		nr[i] = c.recs[(c.rhead+i)%len(c.recs)]
	}
	c.recs, c.rhead = nr, 0
}

// pop removes the first queued message (under c.mu).
func (c *Client) pop() rec {
	r := c.recs[c.rhead]
	c.recs[c.rhead] = rec{}
	if c.rhead++; c.rhead == len(c.recs) {
		c.rhead = 0
	}
	c.rcount--
	if c.head += int(r.n); c.head >= len(c.buf) {
		c.head -= len(c.buf)
	}
	c.size -= int(r.n)
	if c.size == 0 {
		c.head = 0
	}
	if r.kind <= kTurn {
		c.events--
	}
	return r
}

// --- requests ---------------------------------------------------------------------------

// ask queues a request; the result arrives on the waiter's channel.
func (c *Client) ask(kind string) *waiter {
	w := &waiter{kind: kind, ch: make(chan result, 1)}
	c.mu.Lock()
	ok := c.queueRequest(w)
	c.mu.Unlock()
	if !ok {
		w.ch <- result{err: ErrNotDelivered}
		return w
	}
	c.signal()
	return w
}

// queueRequest queues w's message (under c.mu).
func (c *Client) queueRequest(w *waiter) bool {
	if c.stopped {
		return false
	}
	switch w.kind {
	case "ack":
		c.nextID++
		w.id = c.nextID
		return c.push(appendSync(c.out(32), w.id), kRequest, w.id, w)
	case "pong":
		return c.push(appendBare(c.out(32), "ping"), kRequest, 0, w)
	default:
		return c.push(appendBare(c.out(32), w.kind), kRequest, 0, w)
	}
}

// finish delivers a waiter's result once (under c.mu).
func (w *waiter) finish(r result) {
	if w.done {
		return
	}
	w.done = true
	w.ch <- r
}

func withDefault(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if ctx == nil {
		ctx = context.Background()
	}
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, d)
}

func (c *Client) request(ctx context.Context, kind string) (map[string]any, error) {
	if c == nil || c.inert != "" {
		return nil, c.noop()
	}
	ctx, cancel := withDefault(ctx, DefaultRequestTimeout)
	defer cancel()
	w := c.ask(kind)
	select {
	case r := <-w.ch:
		return r.reply, r.err
	case <-ctx.Done():
		c.mu.Lock()
		if w.done { // the reply came meanwhile: its loss report must be heard
			c.mu.Unlock()
			r := <-w.ch
			return r.reply, r.err
		}
		// Abandoned: a later reply finishes nothing and consumes no loss report, which the
		// next Sync or Close still returns.
		w.done = true
		c.mu.Unlock()
		return nil, ctx.Err()
	}
}

// Sync returns nil once the daemon has committed every event this client was handed
// before the call (an ack's "committed" covers it) and no event was lost since the
// previous Sync that reported a loss (or since the start). A loss is reported once, as a
// *LostError (errors.Is(err, ErrLost)) with the counts; ErrNotDelivered or ctx's error
// when the daemon did not answer: then nothing is reported, and a Sync abandoned that way
// leaves the report to the next Sync or Close. Without a deadline in ctx it waits at most
// DefaultRequestTimeout.
func (c *Client) Sync(ctx context.Context) error {
	_, err := c.request(ctx, "ack")
	return err
}

// Snapshot returns the daemon's snapshot reply: "enabled", "dev", "counts" (counter ->
// number, or label -> number) and "health".
func (c *Client) Snapshot(ctx context.Context) (map[string]any, error) {
	return c.request(ctx, "snapshot")
}

// Ping returns the daemon's pong reply ("proto", "version").
func (c *Client) Ping(ctx context.Context) (map[string]any, error) {
	return c.request(ctx, "pong")
}

// Status returns the running daemon's own view: "pid", "version", "enabled", "dev",
// where it uploads, connections open, the last upload result and "health".
func (c *Client) Status(ctx context.Context) (map[string]any, error) {
	return c.request(ctx, "status")
}

// lossReport (under c.mu): what was lost since the last report, now reported.
func (c *Client) lossReport() error {
	d := c.dropped.Load() - c.repDrop
	u := c.unconf - c.repUnc
	c.repDrop += d
	c.repUnc += u
	if d+u > 0 {
		return &LostError{Dropped: d, Unconfirmed: u}
	}
	return nil
}

// Stats returns the client's counters.
func (c *Client) Stats() Stats {
	if c == nil {
		return Stats{}
	}
	c.mu.Lock()
	queued, unconf := c.events, c.unconf
	c.mu.Unlock()
	return Stats{Dropped: c.dropped.Load(), Unconfirmed: unconf, Connects: c.connects.Load(),
		Reconnects: c.reconnects.Load(), Refused: c.refused.Load(), Queued: queued}
}

// Errors returns the codes of the last few error replies from the daemon (oldest first),
// such as "invalid_event".
func (c *Client) Errors() []string {
	if c == nil || c.inert != "" {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.errs...)
}

// LastError is the last internal failure (connect, write, peer check, bad reply), for
// diagnostics.
func (c *Client) LastError() error {
	if c == nil || c.inert != "" {
		return c.noop()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lastErr
}

func (c *Client) setErr(err error) {
	c.mu.Lock()
	c.lastErr = err
	c.mu.Unlock()
}

// Close writes what is held and waits for the daemon to commit it, until ctx is done
// (without a deadline: DefaultCloseTimeout), then closes its own connection (it never
// signals the daemon). Events still held then are counted as Unconfirmed if they were
// written, else as Dropped. It returns a *LostError when events were lost since the last
// report, else nil. Events sent after Close are dropped (counted).
func (c *Client) Close(ctx context.Context) error {
	if c == nil || c.inert != "" {
		return nil
	}
	ctx, cancel := withDefault(ctx, DefaultCloseTimeout)
	defer cancel()
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		<-c.done
		return nil
	}
	c.closing = true
	w := &waiter{kind: "ack", ch: make(chan result, 1)}
	// Without a connection, after a failed attempt, there is nobody to wait for.
	final := !(c.cur == nil && c.failing) && c.queueRequest(w)
	c.mu.Unlock()
	c.signal()
	var got result
	if final {
		select {
		case got = <-w.ch:
		case <-ctx.Done():
		}
	}
	c.mu.Lock()
	if final && got.err == nil && got.reply == nil {
		if w.done { // answered meanwhile: keep its loss report
			got = <-w.ch
		}
		w.done = true
	}
	c.stopped = true
	c.cancel()
	if c.cur != nil {
		_ = c.cur.nc.Close() // unblocks a write in progress
	}
	if c.dialing != nil {
		_ = c.dialing.Close() // unblocks a hello in progress
	}
	c.mu.Unlock()
	c.signal()
	<-c.done // the loop ends at once: stopped, and every wait it does is woken
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.rcount > 0 {
		r := c.pop()
		if r.kind <= kTurn {
			if r.seq <= c.sentSeq {
				c.unconf++ // written, never confirmed: the daemon may have counted it
			} else {
				c.dropped.Add(1)
			}
		}
		if r.w != nil {
			r.w.finish(result{err: ErrNotDelivered})
		}
	}
	c.wrec, c.wpos = 0, 0
	w.finish(result{err: ErrNotDelivered})
	err := c.lossReport()
	var early *LostError
	if errors.As(got.err, &early) {
		if late, ok := err.(*LostError); ok {
			early.Dropped += late.Dropped
			early.Unconfirmed += late.Unconfirmed
		}
		return early
	}
	return err
}
