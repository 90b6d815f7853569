package metricsd

// The I/O goroutine: one per client, the only one that connects (so there is never more
// than one connection attempt at a time) and writes. It writes straight from the queue's
// ring, so the bytes of a write in progress stay counted against the queue bound, and it
// removes a message from the queue only once all of its bytes are written. A message cut
// by a failed write is re-sent whole on the next connection; messages written on a
// connection that is then lost are never re-sent: those the daemon had not confirmed
// (acknowledged by a later sync) are counted in Unconfirmed.

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"time"
)

// maxPending bounds the client's own syncs awaiting an ack on one connection (a daemon
// that never answers cannot grow it); a later ack confirms everything before it anyway.
const maxPending = 1024

type pend struct {
	id     uint64
	evMark uint64 // events written on the connection before this sync
	w      *waiter
}

type conn struct {
	nc        net.Conn
	br        *bufio.Reader
	evWritten uint64 // events fully written on this connection
	evAcked   uint64 // of those, confirmed by an ack
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
		if cur != nil && c.rcount > 0 {
			c.idle = false
			k, spans, turn := c.register(cur)
			c.mu.Unlock()
			n, err := write(cur.nc, spans, c.opts.WriteTimeout)
			c.mu.Lock()
			c.written(cur, k, n)
			if err == nil && turn {
				// A sync of the client's own after a write holding a turn: its ack
				// confirms the turn and everything before it.
				c.nextID++
				if len(cur.pending) >= maxPending {
					cur.pending = evict(cur.pending)
				}
				cur.pending = append(cur.pending, pend{id: c.nextID, evMark: cur.evWritten})
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
		nc, br, err := c.connect()
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
		cur = &conn{nc: nc, br: br, lost: make(chan struct{})}
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

// register (under c.mu) takes the whole queue as the next write: it registers the syncs
// and requests in it as awaiting replies (before the write: a reply may come before Write
// returns) and returns how many messages, the (one or two) spans of the ring to write, and
// whether a turn is among them.
func (c *Client) register(cur *conn) (int, [2][]byte, bool) {
	ev := cur.evWritten
	turn := false
	for i := 0; i < c.rcount; i++ {
		r := c.recs[(c.rhead+i)%len(c.recs)]
		switch {
		case r.kind <= kTurn:
			ev++
			turn = turn || r.kind == kTurn
		case r.w == nil || r.w.kind == "ack":
			if len(cur.pending) >= maxPending {
				cur.pending = evict(cur.pending)
			}
			cur.pending = append(cur.pending, pend{id: r.id, evMark: ev, w: r.w})
		default:
			cur.reqs = append(cur.reqs, r.w)
		}
	}
	var spans [2][]byte
	end := c.head + c.size
	if end <= len(c.buf) {
		spans[0] = c.buf[c.head:end]
	} else {
		spans[0] = c.buf[c.head:]
		spans[1] = c.buf[:end-len(c.buf)]
	}
	return c.rcount, spans, turn
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

// written (under c.mu): n bytes of the first k queued messages went out. Whole messages
// leave the queue; the registrations of the others (cut or not written) are undone, and
// they stay queued to be re-sent whole.
func (c *Client) written(cur *conn, k, n int) {
	done := 0
	for done < k && int(c.recs[c.rhead].n) <= n {
		r := c.pop()
		n -= int(r.n)
		if r.kind <= kTurn {
			cur.evWritten++
		}
		done++
	}
	for i := k - 1; i >= done; i-- { // newest first: they are at the ends of the lists
		r := c.recs[(c.rhead+i-done)%len(c.recs)]
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

// drop ends a connection: events written on it and not confirmed become Unconfirmed;
// requests awaiting replies are asked again on the next connection. It reports whether
// the daemon had answered on it.
func (c *Client) drop(cur *conn) bool {
	_ = cur.nc.Close()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cur == cur {
		c.cur = nil
	}
	c.unconf += cur.evWritten - cur.evAcked
	cur.evAcked = cur.evWritten
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

// connect dials the daemon, checks who serves it, sends the hello and a sync, and waits
// for the ack: a connection is used only once the daemon has accepted it (over TCP, the
// token).
func (c *Client) connect() (net.Conn, *bufio.Reader, error) {
	c.mu.Lock()
	addr := c.addr
	c.nextID++
	id := c.nextID
	c.mu.Unlock()
	nc, token, err := dialAddr(c.ctx, addr, c.opts.ConnectTimeout)
	if err != nil {
		if errors.Is(err, ErrForeignSocket) {
			c.refused.Add(1)
		}
		return nil, nil, err
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
		return nc, nil, ErrNotDelivered
	}
	msg := appendHello(nil, c.opts.ClientVersion, token)
	msg = appendSync(msg, id)
	_ = nc.SetDeadline(time.Now().Add(c.opts.WriteTimeout))
	if _, err := nc.Write(msg); err != nil {
		return nc, nil, fmt.Errorf("hello: %w", err)
	}
	br := bufio.NewReader(nc)
	d := decoder{r: br}
	for {
		reply, err := d.next()
		if err != nil {
			return nc, nil, fmt.Errorf("no answer to the hello from %s: %w", addr, err)
		}
		switch reply["type"] {
		case "ack":
			if n, _ := reply["id"].(int64); uint64(n) == id {
				_ = nc.SetDeadline(time.Time{})
				return nc, br, nil
			}
		case "error":
			code, _ := reply["code"].(string)
			c.noteError(code)
			return nc, nil, fmt.Errorf("%s refused the connection: %s", addr, safeCode(code))
		}
	}
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
		// Acks come in order: this one confirms every earlier sync too.
		done := cur.pending[:at+1]
		cur.evAcked = done[at].evMark
		var report error
		reported := false
		for _, p := range done {
			if p.w == nil || p.w.done {
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
