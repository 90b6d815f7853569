package metricsd

// The I/O goroutine: one per client, the only one that connects (so there is never more
// than one connection attempt at a time) and writes. It writes straight from the queue's
// ring, so the bytes of a write in progress stay counted against the queue bound. The
// client's events form a replayable stream: each keeps its place in the ring (the replay
// buffer, within MaxQueue and MaxQueueBytes) until an ack's "committed" covers it, and
// after any reconnect the connection's hello names the first one still held and they are
// all written again (the daemon skips what it already counted). Only with a daemon that
// does not know streams (no "resume" to the hello) are events written on a connection
// that is then lost counted in Unconfirmed instead (never re-sent).

import (
	"bufio"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"net"
	"time"
)

// Loopback TCP: the client's nonce length, and how long it waits for the daemon's proof.
const (
	nonceBytes   = 32
	proofTimeout = 2 * time.Second
)

// maxPending bounds the client's own syncs awaiting an ack on one connection (a daemon
// that never answers cannot grow it); a later ack confirms everything before it anyway.
const maxPending = 1024

type pend struct {
	id   uint64
	mark int64  // the number of the last event written before this sync
	ev   uint64 // events written on the connection before this sync
	w    *waiter
}

type conn struct {
	nc      net.Conn
	br      *bufio.Reader
	lastSeq int64 // the number of the last event written on this connection
	legacy  bool  // a daemon without streams: no resume came
	// With a daemon without streams: events written on this connection, and of those
	// confirmed by an ack (the rest become Unconfirmed if the connection is lost).
	evWritten uint64
	evAcked   uint64
	pending   []pend
	reqs      []*waiter // snapshot, ping, status: replies in order
	replied   bool
	lost      chan struct{}
}

func (c *Client) run(first chan struct{}) {
	defer close(c.done)
	var (
		cur       *conn
		delay     time.Duration
		next      time.Time
		firstDone bool
	)
	markFirst := func() {
		if !firstDone {
			firstDone = true
			close(first)
		}
	}
	defer markFirst()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	syncMsg := make([]byte, 0, 16)
	backoff := func() {
		delay *= 2
		if delay < c.opts.BackoffMin {
			delay = c.opts.BackoffMin
		}
		if delay > c.opts.BackoffMax {
			delay = c.opts.BackoffMax
		}
		next = time.Now().Add(delay)
	}
	for {
		c.mu.Lock()
		if c.stopped {
			c.mu.Unlock()
			break
		}
		if c.kicked {
			c.kicked, delay, next = false, 0, time.Time{}
		}
		if cur != nil && c.rcount > c.wrec {
			c.idle = false
			k, spans, turn := c.register(cur)
			c.mu.Unlock()
			n, err := write(cur.nc, spans, c.opts.WriteTimeout)
			c.mu.Lock()
			c.written(cur, k, n)
			if err == nil && (turn || c.wrec > c.opts.MaxQueue/2 && !ownSyncPending(cur) ||
				c.wpos > c.opts.MaxQueueBytes/2 && !ownSyncPending(cur)) {
				// A sync of the client's own after a write holding a turn (or when half
				// the replay buffer is written and unconfirmed): its ack's "committed"
				// confirms the turn and everything before it, and frees their room.
				c.nextID++
				if len(cur.pending) >= maxPending {
					cur.pending = evict(cur.pending)
				}
				cur.pending = append(cur.pending, pend{id: c.nextID, mark: cur.lastSeq,
					ev: cur.evWritten})
				syncMsg = appendSync(syncMsg[:0], c.nextID)
				c.mu.Unlock()
				_, err = write(cur.nc, [2][]byte{syncMsg}, c.opts.WriteTimeout)
				c.mu.Lock()
			}
			c.mu.Unlock()
			if err != nil {
				c.setErr(fmt.Errorf("write: %w", err))
				if c.drop(cur) {
					delay = 0
				}
				cur = nil
				backoff()
			}
			continue
		}
		want := c.rcount > 0 || c.wantDial
		c.idle = true // an event queued from now on wakes the writer
		c.mu.Unlock()

		if cur != nil {
			select {
			case <-c.wake:
			case <-cur.lost:
				if c.drop(cur) {
					delay, next = 0, time.Time{} // a daemon that answered: retry at once
				} else {
					backoff()
				}
				cur = nil
			}
			continue
		}
		if !want {
			<-c.wake
			continue
		}
		if wait := time.Until(next); wait > 0 {
			timer.Reset(wait)
			select {
			case <-c.wake:
				if !timer.Stop() {
					<-timer.C
				}
			case <-timer.C:
			}
			continue
		}
		nc, br, seq, resumed, err := c.connect()
		c.mu.Lock()
		c.wantDial = false // from now on, only for something to send
		c.failing = err != nil
		if err != nil || c.stopped {
			c.lastErr = err
			c.mu.Unlock()
			if nc != nil {
				_ = nc.Close()
			}
			backoff()
			markFirst() // after the error is recorded: Dial's caller may look at it
			continue
		}
		cur = &conn{nc: nc, br: br, lost: make(chan struct{}), lastSeq: seq - 1, legacy: !resumed}
		c.cur = cur
		c.mu.Unlock()
		if c.connects.Add(1) > 1 {
			c.reconnects.Add(1)
		}
		go c.read(cur)
		markFirst()
	}
	if cur != nil {
		c.drop(cur)
	}
}

// register (under c.mu) takes everything queued and not yet written on this connection
// as the next write: it registers the syncs and requests in it as awaiting replies (before
// the write: a reply may come before Write returns) and returns how many messages, the
// (one or two) spans of the ring to write, and whether a turn is among them.
func (c *Client) register(cur *conn) (int, [2][]byte, bool) {
	last, ev := cur.lastSeq, cur.evWritten
	turn := false
	for i := c.wrec; i < c.rcount; i++ {
		r := c.recs[(c.rhead+i)%len(c.recs)]
		switch {
		case r.kind <= kTurn:
			last = r.seq
			ev++
			turn = turn || r.kind == kTurn
		case r.w == nil || r.w.kind == "ack":
			if len(cur.pending) >= maxPending {
				cur.pending = evict(cur.pending)
			}
			cur.pending = append(cur.pending, pend{id: r.id, mark: last, ev: ev, w: r.w})
		default:
			cur.reqs = append(cur.reqs, r.w)
		}
	}
	var spans [2][]byte
	start := c.head + c.wpos
	if start >= len(c.buf) {
		start -= len(c.buf)
	}
	end := start + c.size - c.wpos
	if end <= len(c.buf) {
		spans[0] = c.buf[start:end]
	} else {
		spans[0] = c.buf[start:]
		spans[1] = c.buf[:end-len(c.buf)]
	}
	return c.rcount - c.wrec, spans, turn
}

// ownSyncPending: a sync of the client's own awaits its ack on this connection.
func ownSyncPending(cur *conn) bool {
	for _, p := range cur.pending {
		if p.w == nil {
			return true
		}
	}
	return false
}

// evict forgets the older half of the client's own syncs awaiting an ack (keeping every
// user request): their acks, if they ever come, are ignored, and a later ack confirms
// what they would have.
func evict(pending []pend) []pend {
	out := pending[:0]
	for i, p := range pending {
		if p.w != nil || i >= len(pending)/2 {
			out = append(out, p)
		}
	}
	for i := len(out); i < len(pending); i++ {
		pending[i] = pend{}
	}
	return out
}

func write(nc net.Conn, spans [2][]byte, timeout time.Duration) (int, error) {
	total := 0
	for _, s := range spans {
		if len(s) == 0 {
			continue
		}
		_ = nc.SetWriteDeadline(time.Now().Add(timeout))
		n, err := nc.Write(s)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// written (under c.mu): n bytes of the first k unwritten messages went out. Whole
// messages are now written on this connection (events stay held until committed; a
// request leaves the queue once nothing before it is held); the registrations of the
// others (cut or not written) are undone, and they are written whole next time.
func (c *Client) written(cur *conn, k, n int) {
	done := 0
	for done < k {
		r := c.recs[(c.rhead+c.wrec)%len(c.recs)]
		if int(r.n) > n {
			break
		}
		n -= int(r.n)
		c.wrec++
		c.wpos += int(r.n)
		if r.kind <= kTurn {
			cur.lastSeq = r.seq
			cur.evWritten++
			if r.seq > c.sentSeq {
				c.sentSeq = r.seq
			}
		}
		done++
	}
	// Requests leave once nothing before them is held; with a daemon without streams,
	// events leave once written (never re-sent).
	for c.wrec > 0 && (cur.legacy || c.recs[c.rhead].kind == kRequest) {
		r := c.pop()
		c.wrec--
		c.wpos -= int(r.n)
	}
	if !cur.legacy {
		c.release(c.committed)
	}
	for i := k - 1; i >= done; i-- { // newest first: they are at the ends of the lists
		r := c.recs[(c.rhead+c.wrec+i-done)%len(c.recs)]
		switch {
		case r.kind <= kTurn:
		case r.w == nil || r.w.kind == "ack":
			if n := len(cur.pending); n > 0 && cur.pending[n-1].id == r.id {
				cur.pending[n-1] = pend{}
				cur.pending = cur.pending[:n-1]
			}
		default:
			if n := len(cur.reqs); n > 0 && cur.reqs[n-1] == r.w {
				cur.reqs[n-1] = nil
				cur.reqs = cur.reqs[:n-1]
			}
		}
	}
}

// release (under c.mu): the daemon committed every event numbered up to committed: the
// written ones leave the queue (and the requests written among them). An ack can come
// before the write that carried its events returns: written() releases them then.
func (c *Client) release(committed int64) {
	if committed > c.committed {
		c.committed = committed
	}
	for c.wrec > 0 {
		r := c.recs[c.rhead]
		if r.kind <= kTurn && r.seq > c.committed {
			return
		}
		c.pop()
		c.wrec--
		c.wpos -= int(r.n)
	}
}

// rewind (under c.mu) makes everything held unwritten again, for the next connection: the
// requests written on the lost one leave the queue (drop asks the user's again).
func (c *Client) rewind() {
	requests := false
	for i := 0; i < c.wrec; i++ {
		if c.recs[(c.rhead+i)%len(c.recs)].kind == kRequest {
			requests = true
			break
		}
	}
	if requests {
		nb := make([]byte, len(c.buf))
		nr := make([]rec, len(c.recs))
		pos, cnt, off := 0, 0, c.head
		for i := 0; i < c.rcount; i++ {
			r := c.recs[(c.rhead+i)%len(c.recs)]
			if i >= c.wrec || r.kind != kRequest {
				end := off + int(r.n)
				if end <= len(c.buf) {
					copy(nb[pos:], c.buf[off:end])
				} else {
					k := copy(nb[pos:], c.buf[off:])
					copy(nb[pos+k:], c.buf[:end-len(c.buf)])
				}
				nr[cnt] = r
				cnt++
				pos += int(r.n)
			}
			if off += int(r.n); off >= len(c.buf) {
				off -= len(c.buf)
			}
		}
		c.buf, c.head, c.size = nb, 0, pos
		c.recs, c.rhead, c.rcount = nr, 0, cnt
	}
	c.wrec, c.wpos = 0, 0
}

// drop ends a connection: what it wrote and the daemon did not commit is written again on
// the next one (with a daemon without streams: counted in Unconfirmed instead); requests
// awaiting replies are asked again on the next connection. It reports whether the daemon
// had answered on it.
func (c *Client) drop(cur *conn) bool {
	_ = cur.nc.Close()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cur == cur {
		c.cur = nil
	}
	if cur.legacy {
		c.unconf += cur.evWritten - cur.evAcked
		cur.evAcked = cur.evWritten
	}
	c.rewind()
	var again []*waiter
	for _, p := range cur.pending {
		if p.w != nil {
			again = append(again, p.w)
		}
	}
	again = append(again, cur.reqs...)
	cur.pending, cur.reqs = nil, nil
	for _, w := range again {
		if w.done {
			continue
		}
		if !c.queueRequest(w) {
			w.finish(result{err: ErrNotDelivered})
		}
	}
	return cur.replied
}

// firstHeld (under c.mu): the number of the first event held (or of the next one): the
// first a new connection carries.
func (c *Client) firstHeld() int64 {
	for i := 0; i < c.rcount; i++ {
		if r := c.recs[(c.rhead+i)%len(c.recs)]; r.kind <= kTurn {
			return r.seq
		}
	}
	return c.nextSeq
}

// errNoProof: a loopback TCP listener that did not prove it holds the daemon's token.
var errNoProof = errors.New("metricsd: the listener did not prove it is the daemon; nothing was sent")

// connect dials the daemon, checks who serves it (a Unix socket's uid; over loopback TCP
// the daemon's proof that it holds the token, before anything but a hello with a nonce is
// sent), sends the hello naming the stream and its first held event, and a sync, and
// waits for the ack: a connection is used only once the daemon has accepted it. It
// returns the number of the first event the connection carries and whether the daemon
// knows streams (it answered "resume").
func (c *Client) connect() (net.Conn, *bufio.Reader, int64, bool, error) {
	c.mu.Lock()
	addr := c.addr
	c.nextID++
	id := c.nextID
	seq := c.firstHeld()
	c.mu.Unlock()
	nc, token, err := dialAddr(c.ctx, addr, c.opts.ConnectTimeout)
	if err != nil {
		if errors.Is(err, ErrForeignSocket) {
			c.refused.Add(1)
		}
		return nil, nil, seq, false, err
	}
	c.mu.Lock()
	c.dialing = nc
	stopped := c.stopped
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.dialing = nil
		c.mu.Unlock()
	}()
	if stopped {
		return nc, nil, seq, false, ErrNotDelivered
	}
	br := bufio.NewReader(nc)
	d := decoder{r: br}
	var msg []byte
	if token != "" {
		nonce := make([]byte, nonceBytes)
		if _, err := rand.Read(nonce); err != nil {
			return nc, nil, seq, false, err
		}
		_ = nc.SetDeadline(time.Now().Add(proofTimeout))
		if _, err := nc.Write(appendStreamHello(nil, c.opts.ClientVersion, c.stream[:], seq,
			nonce)); err != nil {
			return nc, nil, seq, false, fmt.Errorf("hello: %w", err)
		}
		theirs, err := c.challenge(&d, token, nonce)
		if err != nil {
			c.refused.Add(1)
			return nc, nil, seq, false, fmt.Errorf("%s: %w", addr, err)
		}
		msg = appendAuth(msg, proof(token, theirs))
	} else {
		msg = appendStreamHello(msg, c.opts.ClientVersion, c.stream[:], seq, nil)
	}
	msg = appendSync(msg, id)
	_ = nc.SetDeadline(time.Now().Add(c.opts.WriteTimeout))
	if _, err := nc.Write(msg); err != nil {
		return nc, nil, seq, false, fmt.Errorf("hello: %w", err)
	}
	resumed := false
	for {
		reply, err := d.next()
		if err != nil {
			return nc, nil, seq, false, fmt.Errorf("no answer to the hello from %s: %w", addr, err)
		}
		switch reply["type"] {
		case "resume":
			resumed = true
		case "ack":
			if n, _ := reply["id"].(int64); uint64(n) == id {
				_ = nc.SetDeadline(time.Time{})
				return nc, br, seq, resumed, nil
			}
		case "error":
			code, _ := reply["code"].(string)
			c.noteError(code)
			return nc, nil, seq, false, fmt.Errorf("%s refused the connection: %s", addr, safeCode(code))
		}
	}
}

// proof is HMAC-SHA256 of nonce under the token's ASCII bytes.
func proof(token string, nonce []byte) []byte {
	m := hmac.New(sha256.New, []byte(token))
	m.Write(nonce)
	return m.Sum(nil)
}

// challenge reads the daemon's answer to a hello with a nonce and checks its proof (in
// constant time); it returns the daemon's own nonce to prove ourselves with.
func (c *Client) challenge(d *decoder, token string, nonce []byte) ([]byte, error) {
	reply, err := d.next()
	if err != nil {
		return nil, fmt.Errorf("%w (%v)", errNoProof, err)
	}
	if reply["type"] == "error" {
		code, _ := reply["code"].(string)
		c.noteError(code)
	}
	got, _ := reply["proof"].(string)
	theirs, _ := reply["nonce"].(string)
	if reply["type"] != "challenge" || !hmac.Equal([]byte(got), proof(token, nonce)) ||
		len(theirs) < 16 || len(theirs) > 64 {
		return nil, errNoProof
	}
	return []byte(theirs), nil
}

// fatalCodes: error codes after which the daemon closes the connection.
var fatalCodes = []string{"malformed", "not_a_map", "too_large", "unauthorized",
	"unsupported_proto"}

func fatalCode(code string) bool {
	for _, f := range fatalCodes {
		if code == f {
			return true
		}
	}
	return false
}

// safeCode keeps an error code printable and short (it comes from the other end).
func safeCode(code string) string {
	if len(code) > 32 {
		code = code[:32]
	}
	for i := 0; i < len(code); i++ {
		if ch := code[i]; !(ch == '_' || ch >= 'a' && ch <= 'z') {
			return "?"
		}
	}
	return code
}

func (c *Client) noteError(code string) {
	c.mu.Lock()
	c.errs = append(c.errs, safeCode(code))
	if len(c.errs) > keptErrors {
		c.errs = c.errs[len(c.errs)-keptErrors:]
	}
	c.mu.Unlock()
}

// read decodes replies until the connection ends, or a reply is over MaxReplyBytes or
// does not decode: then it closes the connection.
func (c *Client) read(cur *conn) {
	defer close(cur.lost)
	defer cur.nc.Close()
	d := decoder{r: cur.br}
	for {
		reply, err := d.next()
		if err != nil {
			if errors.Is(err, errBadReply) {
				c.setErr(err)
			}
			c.signal()
			return
		}
		c.reply(cur, reply)
	}
}

func (c *Client) reply(cur *conn, reply map[string]any) {
	kind, _ := reply["type"].(string)
	if kind == "error" {
		code, _ := reply["code"].(string)
		c.noteError(code)
		if fatalCode(code) {
			_ = cur.nc.Close() // the daemon closes it too
		}
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch kind {
	case "ack":
		id, _ := reply["id"].(int64)
		at := -1
		for i, p := range cur.pending {
			if p.id == uint64(id) {
				at = i
				break
			}
		}
		if at < 0 {
			return
		}
		cur.replied = true
		// Acks come in order: this one confirms every earlier sync too. "committed" is
		// the stream's highest number the daemon committed; a daemon without streams
		// confirms what was written before the sync.
		done := cur.pending[:at+1]
		committed, ok := reply["committed"].(int64)
		if !ok || cur.legacy {
			committed = done[at].mark
			cur.evAcked = done[at].ev
		} else {
			c.release(committed)
		}
		var report error
		reported := false
		for _, p := range done {
			if p.w == nil || p.w.done {
				continue
			}
			if committed < p.mark {
				p.w.finish(result{reply: reply, err: ErrNotDelivered})
				continue
			}
			if !reported {
				report, reported = c.lossReport(), true
			}
			p.w.finish(result{reply: reply, err: report})
		}
		rest := copy(cur.pending, cur.pending[at+1:])
		for i := rest; i < len(cur.pending); i++ {
			cur.pending[i] = pend{}
		}
		cur.pending = cur.pending[:rest]
	case "pong", "snapshot", "status":
		for i, w := range cur.reqs {
			if w.kind == kind {
				cur.replied = true
				cur.reqs = append(cur.reqs[:i], cur.reqs[i+1:]...)
				w.finish(result{reply: reply})
				return
			}
		}
	}
}
