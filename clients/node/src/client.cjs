"use strict";
// The client: event methods write an event's bytes straight into a bounded byte queue
// (never throw, never wait); one write path sends the queue in bounded chunks and knows
// how many bytes of each chunk reached the kernel, so a message is written whole or sent
// again whole. The events form a replayable stream: each stays in the queue (the replay
// buffer, within maxQueue and maxQueueBytes) until an ack's `committed` covers it, and
// after any reconnect the hello names the first one still held and they are written
// again (the daemon skips what it already counted). Only with a daemon that does not know
// streams is what was written after the last acknowledgement of a lost connection counted
// as `unconfirmed` instead (never sent twice).
const crypto = require("node:crypto");
const net = require("node:net");
const process = require("node:process");
const util = require("node:util");
const { AUTH, DEFAULTS, FATAL_CODES, MAX_REPLY_BYTES } = require("./constants.cjs");
const paths = require("./paths.cjs");
const wire = require("./wire.cjs");

const {
  writeToolResult, writeProviderError, writeTurn, writeUsage, writeUsageTotal, writeUsageReadWrite,
  writeCompaction, writeSync, MAX_EVENT_BYTES,
} = wire;

/** Pending requests (sync, snapshot, ping, status) a client holds at most. */
const MAX_REQUESTS = 1024;
/** Bytes handed to one socket write. */
const CHUNK_BYTES = 64 * 1024;
const PING = wire.encodeMessage(wire.pingMessage());
const SNAPSHOT = wire.encodeMessage(wire.snapshotMessage());
const STATUS = wire.encodeMessage(wire.statusMessage());
const FATAL = new Set(FATAL_CODES);
const KIND_EVENT = 0;
const KIND_REQUEST = 1;

function finish(waiter, value) {
  if (waiter.done) return;
  waiter.done = true;
  clearTimeout(waiter.timer);
  if (waiter.resolve) waiter.resolve(value);
}

/** HMAC-SHA256 of `nonce` under the token's ASCII bytes. */
function proofOf(token, nonce) {
  return crypto.createHmac("sha256", Buffer.from(token, "ascii")).update(nonce).digest();
}

/** Over loopback TCP: write the hello with a fresh nonce and no token, and resolve with
 * the auth message once the daemon proved it holds the token (constant-time check), or
 * reject (nothing else is ever written to a listener that did not). */
function challenge(sock, hello, nonce, token) {
  return new Promise((resolve, reject) => {
    const reader = new wire.ReplyReader(MAX_REPLY_BYTES);
    const done = (err, value) => {
      clearTimeout(timer);
      sock.removeListener("data", onData);
      sock.removeListener("close", onClose);
      if (err) reject(err);
      else resolve(value);
    };
    const refuse = (why) => {
      sock.destroy();
      done(Object.assign(new Error(`the listener did not prove it is the daemon (${why}): nothing was sent`),
        { code: "EPROOF", foreign: true }));
    };
    const timer = setTimeout(() => refuse(`no proof within ${AUTH.proofTimeoutMs} ms`), AUTH.proofTimeoutMs);
    const onClose = () => refuse("closed");
    const onData = (data) => {
      let replies;
      try {
        replies = reader.push(data);
      } catch {
        refuse("a reply that does not decode");
        return;
      }
      if (replies.length === 0) return;
      const r = replies[0];
      const expected = proofOf(token, nonce);
      const proof = r && r.proof instanceof Uint8Array ? Buffer.from(r.proof) : null;
      const theirs = r && r.nonce instanceof Uint8Array ? Buffer.from(r.nonce) : null;
      if (r?.type !== "challenge" || !proof || proof.length !== expected.length || !crypto.timingSafeEqual(proof, expected)
        || !theirs || theirs.length < 16 || theirs.length > 64) {
        refuse("a wrong or missing proof");
        return;
      }
      done(null, wire.encodeMessage(wire.authMessage(proofOf(token, theirs))));
    };
    sock.on("data", onData);
    sock.once("close", onClose);
    sock.write(hello);
  });
}

/** Bytes of a chunk still in libuv's queue, not yet in the kernel (-1: unknown). */
function unsentBytes(sock) {
  const size = sock._handle?.writeQueueSize;
  return typeof size === "number" ? size : -1;
}

class Client {
  /**
   * Does no I/O: the address is resolved and the connection made on the next tick.
   * @param {object} [options]
   * @param {string} [options.socketPath] a Unix socket or an endpoint file (`*.json`);
   *   default: $METRICSD_SOCKET, else the daemon's default
   * @param {string} [options.clientVersion] MAJOR.MINOR.PATCH[-dev|-alpha.N|-beta.N|-rc.N]
   */
  constructor(options = {}) {
    this._opts = { ...DEFAULTS, ...options };
    this._maxQueue = this._opts.maxQueue;
    this._maxQueueBytes = this._opts.maxQueueBytes;
    this._explicit = options.socketPath || null;
    this._address = undefined; // resolved on first use
    this._isDefault = false;
    this._stats = { dropped: 0, unconfirmed: 0, connects: 0, reconnects: 0, refused: 0, writeTimeouts: 0, badReplies: 0 };
    this.lastError = null;
    this._errors = [];
    // The byte queue: stream positions (monotonic) of the first unwritten byte and the end;
    // _base is the position of _buf[0].
    this._buf = Buffer.allocUnsafe(4096);
    this._base = 0;
    this._head = 0;
    this._tail = 0;
    // One record per queued message: its end position and kind.
    this._ends = new Float64Array(1024); // a power of two: index = m & (length - 1)
    this._kinds = new Uint8Array(this._ends.length);
    this._seqs = new Float64Array(this._ends.length); // an event's number in the stream
    // The replayable stream: its id, the next event's number, the highest number written
    // on any connection and the highest the daemon committed; _hold and _mHold: the byte
    // position and record of the first message held (written, not yet committed).
    this._stream = crypto.randomBytes(16);
    this._nextSeq = 0;
    this._sentSeq = -1;
    this._committed = -1;
    this._hold = 0;
    this._mHold = 0;
    this._mHead = 0;
    this._mTail = 0;
    this._events = 0; // events queued (in-flight ones included)
    this._requests = []; // waiters of the queued request messages, in order
    this._nextId = 1;
    this._lossMark = 0; // dropped + unconfirmed at the last answered user sync
    this._conn = null;
    this._inflight = null;
    this._connecting = false;
    this._scheduled = false;
    this._closing = false;
    this._closed = false;
    this._delay = 0;
    this._retryTimer = null;
    this._failing = false;
    this._owned = null; // a sidecar this client closes with itself
    this._closePromise = null;
    this._failWaiters = []; // close() does not wait for a daemon that is not there
    this._needSync = false; // a turn was queued since the last sync of the client's own
    this._autoSync = null; // that sync, until answered
    this._pumpNow = () => { this._scheduled = false; this._pump(); };
    setImmediate(() => this._connect());
  }

  /** The address this client sends to (resolved on first use). */
  get socketPath() {
    this._resolve();
    return this._address;
  }

  _resolve() {
    if (this._address !== undefined) return this._address;
    try {
      this._isDefault = !this._explicit && !process.env.METRICSD_SOCKET;
      this._address = paths.socketPath(this._explicit || undefined);
    } catch (err) {
      this._address = null;
      this.lastError = err;
    }
    return this._address;
  }

  // --- event methods: never throw, never wait -----------------------------------------

  /** Split form (DeepSeek): `usage({cacheHitTokens, cacheMissTokens})`; null/absent is 0. */
  usage(tokens) {
    if (tokens === null || typeof tokens !== "object") {
      this._invalid(new TypeError("usage({cacheHitTokens, cacheMissTokens})")); // two bare numbers are easy to swap
      return;
    }
    const off = this._reserve();
    if (off < 0) return;
    try {
      this._commit(writeUsage(this._buf, off, tokens.cacheHitTokens, tokens.cacheMissTokens) - off);
    } catch (err) { this._invalid(err); }
  }
  /** Total + cached form (OpenAI, Gemini): `usageTotal({promptTokens, cachedTokens})`. */
  usageTotal(tokens) {
    if (tokens === null || typeof tokens !== "object") {
      this._invalid(new TypeError("usageTotal({promptTokens, cachedTokens})"));
      return;
    }
    const off = this._reserve();
    if (off < 0) return;
    try {
      this._commit(writeUsageTotal(this._buf, off, tokens.promptTokens, tokens.cachedTokens) - off);
    } catch (err) { this._invalid(err); }
  }
  /** Uncached + read/write form (Anthropic, Bedrock):
   * `usageReadWrite({inputTokens, cacheReadInputTokens, cacheCreationInputTokens})`. */
  usageReadWrite(tokens) {
    if (tokens === null || typeof tokens !== "object") {
      this._invalid(new TypeError("usageReadWrite({inputTokens, cacheReadInputTokens, cacheCreationInputTokens})"));
      return;
    }
    const off = this._reserve();
    if (off < 0) return;
    try {
      this._commit(writeUsageReadWrite(this._buf, off, tokens.inputTokens, tokens.cacheReadInputTokens,
        tokens.cacheCreationInputTokens) - off);
    } catch (err) { this._invalid(err); }
  }
  /** A tool call finished; `error` is its error text (null/undefined: success). */
  toolResult(error) {
    const off = this._reserve();
    if (off < 0) return;
    try {
      this._commit(writeToolResult(this._buf, off, error) - off);
    } catch (err) { this._invalid(err); }
  }
  /** A model-provider call failed: its error text, and HTTP status if known. */
  providerError(message, status) {
    const off = this._reserve();
    if (off < 0) return;
    try {
      this._commit(writeProviderError(this._buf, off, message, status) - off);
    } catch (err) { this._invalid(err); }
  }
  /** The context was compacted. */
  compaction() {
    const off = this._reserve();
    if (off < 0) return;
    this._commit(writeCompaction(this._buf, off) - off);
  }
  /** One agent turn ended: `turn(finishReason, {emptyFinal})`. Written at once (at the end
   * of this tick), followed by a sync of the client's own that confirms everything before
   * it (one per write, and one unanswered at a time). */
  turn(finishReason, options) {
    const off = this._reserve();
    if (off < 0) return;
    const emptyFinal = options !== undefined && options !== null && options.emptyFinal === true;
    try {
      if (this._commit(writeTurn(this._buf, off, finishReason, emptyFinal) - off)) this._needSync = true;
    } catch (err) {
      this._invalid(err);
    }
  }

  _invalid(err) {
    this._stats.dropped += 1;
    this.lastError = err;
  }

  /** Room for one event at the queue's end: its offset in _buf, or -1 (dropped). */
  _reserve() {
    if (this._closing || this._events >= this._maxQueue || this._address === null) {
      this._stats.dropped += 1;
      return -1;
    }
    const idx = this._tail - this._base;
    if (idx + MAX_EVENT_BYTES <= this._buf.length) return idx;
    return this._room(MAX_EVENT_BYTES);
  }

  _room(n) {
    const used = this._tail - this._hold;
    const from = this._hold - this._base;
    if (used + n > this._buf.length / 2) {
      const grown = Buffer.allocUnsafe(Math.max(this._buf.length * 2, (used + n) * 2));
      this._buf.copy(grown, 0, from, from + used);
      this._buf = grown;
    } else {
      this._buf.copyWithin(0, from, from + used); // chunks being written are copies: safe
    }
    this._base = this._hold;
    return used;
  }

  /** The `len` bytes written at the queue's end become one message. */
  _commit(len, kind = KIND_EVENT) {
    if (kind === KIND_EVENT && this._tail + len - this._hold > this._maxQueueBytes) {
      this._stats.dropped += 1;
      return false;
    }
    if (this._mTail - this._mHold >= this._ends.length) this._growRecords();
    const i = this._mTail & (this._ends.length - 1);
    this._tail += len;
    this._ends[i] = this._tail;
    this._kinds[i] = kind;
    this._mTail += 1;
    if (kind === KIND_EVENT) {
      this._seqs[i] = this._nextSeq;
      this._nextSeq += 1;
      this._events += 1;
    }
    if (!this._scheduled) {
      this._scheduled = true;
      setImmediate(this._pumpNow);
    }
    return true;
  }

  _growRecords() {
    const n = this._ends.length;
    const ends = new Float64Array(n * 2);
    const kinds = new Uint8Array(ends.length);
    const seqs = new Float64Array(ends.length);
    for (let m = this._mHold; m < this._mTail; m += 1) {
      ends[m & (ends.length - 1)] = this._ends[m & (n - 1)];
      kinds[m & (ends.length - 1)] = this._kinds[m & (n - 1)];
      seqs[m & (ends.length - 1)] = this._seqs[m & (n - 1)];
    }
    this._ends = ends;
    this._kinds = kinds;
    this._seqs = seqs;
  }

  // --- what the client knows --------------------------------------------------------------

  /** Counters, as a plain object: dropped (never reached a daemon), unconfirmed (written
   * on a connection lost before the daemon confirmed them: maybe counted), queued,
   * connects, reconnects, refused, writeTimeouts, badReplies. */
  get stats() { return { ...this._stats, queued: this._events }; }
  get dropped() { return this._stats.dropped; }
  get unconfirmed() { return this._stats.unconfirmed; }
  /** The last few error replies ({type, code}), oldest first. */
  get errors() { return [...this._errors]; }
  get connected() { return this._conn !== null; }
  /** Why this client is inert (a NoopClient says; a Client is not inert). */
  get reason() { return null; }

  [util.inspect.custom]() {
    return `Client(${this._address ?? "unresolved"}, ${this._conn ? "connected" : "not connected"}, ${util.inspect(this.stats)})`;
  }

  // --- requests ------------------------------------------------------------------------------

  _ask(kind, resolve, timeoutMs, user) {
    const waiter = { kind, id: 0, user, done: false, timer: null, eventsBefore: 0, seqMark: -1, resolve };
    if (this._closed || this._address === null || this._requests.length >= MAX_REQUESTS) {
      finish(waiter, null);
      return waiter;
    }
    const off = this._tail - this._base + 32 <= this._buf.length ? this._tail - this._base : this._room(32);
    let end;
    if (kind === "ack") {
      waiter.id = this._nextId;
      this._nextId = this._nextId >= 0xffffffff ? 1 : this._nextId + 1;
      end = writeSync(this._buf, off, waiter.id);
    } else {
      end = off + (kind === "pong" ? PING : kind === "snapshot" ? SNAPSHOT : STATUS).copy(this._buf, off);
    }
    if (timeoutMs > 0) waiter.timer = setTimeout(finish, timeoutMs, waiter, null);
    this._requests.push(waiter);
    this._commit(end - off, KIND_REQUEST);
    return waiter;
  }

  _request(kind, timeoutMs) {
    return new Promise((resolve) => {
      if (this._closing) resolve(null);
      else this._ask(kind, resolve, timeoutMs, true);
    });
  }

  /**
   * Resolves true once the daemon has committed every event since the last successful
   * sync, all written on the connection that answered, and nothing was dropped or left
   * unconfirmed since; false otherwise (no daemon, timeout, or a loss: see `stats`).
   */
  async sync(timeoutMs = this._opts.requestTimeoutMs) { return (await this._request("ack", timeoutMs)) === true; }
  /** The daemon's snapshot reply ({enabled, dev, counts, ...}), or null. */
  snapshot(timeoutMs = this._opts.requestTimeoutMs) { return this._request("snapshot", timeoutMs); }
  ping(timeoutMs = this._opts.requestTimeoutMs) { return this._request("pong", timeoutMs); }
  /** The running daemon's own view ({pid, version, enabled, ..., health}), or null. */
  status(timeoutMs = this._opts.requestTimeoutMs) { return this._request("status", timeoutMs); }

  /**
   * Write what is queued and wait for the daemon to confirm it, for at most `deadlineMs`;
   * then disconnect. What is still queued is counted as dropped, what was written but not
   * confirmed as unconfirmed. Never rejects.
   */
  close(deadlineMs = this._opts.closeTimeoutMs) {
    if (!this._closePromise) this._closePromise = this._close(deadlineMs);
    return this._closePromise;
  }

  async _close(deadlineMs) {
    const started = Date.now();
    this._closing = true; // later events are dropped and counted
    if (this._address !== null && (this._conn || !this._failing) && (this._events > 0 || this._conn)) {
      await new Promise((resolve) => {
        this._failWaiters.push(resolve);
        this._ask("ack", resolve, Math.max(1, deadlineMs), false);
      });
    }
    this._closed = true;
    clearTimeout(this._retryTimer);
    this._retryTimer = null;
    if (this._conn) {
      const { sock } = this._conn;
      this._lost(this._conn);
      sock.destroy();
    }
    // What is still held: written on a connection and never confirmed (the daemon may have
    // counted it), or never written.
    const n = this._ends.length;
    for (let m = this._mHold; m < this._mTail; m += 1) {
      if (this._kinds[m & (n - 1)] !== KIND_EVENT) continue;
      if (this._seqs[m & (n - 1)] <= this._sentSeq) this._stats.unconfirmed += 1;
      else this._stats.dropped += 1;
    }
    this._events = 0;
    for (const w of this._requests.splice(0)) finish(w, null);
    this._mHead = this._mHold = this._mTail;
    this._head = this._hold = this._tail;
    if (this._owned) await this._owned.close(Math.max(0, deadlineMs - (Date.now() - started)));
  }

  // --- the connection -------------------------------------------------------------------

  /** Connect now (a new daemon is READY, at `address` if given): no back-off wait. */
  _wake(address) {
    if (this._closed) return;
    if (address && address !== this._address) {
      this._explicit = address;
      this._address = address;
      this._isDefault = false;
    }
    clearTimeout(this._retryTimer);
    this._retryTimer = null;
    this._delay = 0;
    this._connect();
  }

  _connect() {
    if (this._connecting || this._conn || this._closed) return;
    const address = this._resolve();
    if (address === null) return;
    this._connecting = true;
    const seq = this._firstHeld();
    paths.resolveAddress(address, this._isDefault).then((target) => new Promise((resolve, reject) => {
      const sock = target.path ? net.createConnection({ path: target.path })
        : net.createConnection({ host: target.host, port: target.port });
      const timer = setTimeout(() => {
        sock.destroy();
        reject(Object.assign(new Error(`connecting to ${address} timed out`), { code: "ETIMEDOUT" }));
      }, this._opts.connectTimeoutMs);
      sock.once("connect", () => { clearTimeout(timer); sock.removeAllListeners("error"); resolve([sock, target.token]); });
      sock.once("error", (err) => { clearTimeout(timer); reject(err); });
    })).then(([sock, token]) => {
      if (!token) return [sock, this._hello(seq, null)];
      sock.on("error", () => {});
      const nonce = crypto.randomBytes(AUTH.nonceBytes);
      return challenge(sock, this._hello(seq, nonce), nonce, token).then((auth) => [sock, auth]);
    }).then(([sock, first]) => {
      this._connecting = false;
      if (this._closed) {
        sock.destroy();
        return;
      }
      this._attach(sock, first);
    }, (err) => {
      this._connecting = false;
      if (err.foreign) this._stats.refused += 1;
      this.lastError = err;
      this._failing = true;
      for (const w of this._failWaiters.splice(0)) w();
      this._retryLater();
    });
  }

  _retryLater() {
    if (this._closed) return;
    const { backoffMinMs, backoffMaxMs } = this._opts;
    this._delay = Math.min(backoffMaxMs, Math.max(backoffMinMs, this._delay * 2));
    clearTimeout(this._retryTimer);
    this._retryTimer = setTimeout(() => {
      this._retryTimer = null;
      if (this._mTail > this._mHead) this._connect();
    }, this._delay);
    this._retryTimer.unref(); // a client waiting for a daemon never keeps the process alive
  }

  /** The number of the first event held (or of the next one): the first a new connection
   * carries. */
  _firstHeld() {
    const n = this._ends.length;
    for (let m = this._mHold; m < this._mTail; m += 1) {
      if (this._kinds[m & (n - 1)] === KIND_EVENT) return this._seqs[m & (n - 1)];
    }
    return this._nextSeq;
  }

  _hello(seq, nonce) {
    const stream = { stream: this._stream, seq, nonce };
    try {
      return wire.encodeMessage(wire.helloMessage(this._opts.clientVersion, null, stream));
    } catch (err) {
      this.lastError = err;
      return wire.encodeMessage(wire.helloMessage(null, null, stream));
    }
  }

  /** A connection the daemon may be sent to: `first` (the hello, or over TCP the auth) is
   * written first. */
  _attach(sock, first) {
    this._failing = false;
    this._stats.connects += 1;
    if (this._stats.connects > 1) this._stats.reconnects += 1;
    const conn = { sock, hello: first, dead: false, useful: false, unauthorized: false, eventsWritten: 0,
      eventsConfirmed: 0, streams: false, legacy: false, lastSeq: this._firstHeld() - 1,
      sent: [], reader: new wire.ReplyReader(MAX_REPLY_BYTES) };
    this._conn = conn;
    sock.unref(); // an idle client never keeps the application alive
    sock.on("data", (data) => this._onData(conn, data));
    sock.on("end", () => { this._lost(conn); sock.destroy(); });
    sock.on("error", (err) => { this.lastError = err; });
    sock.on("close", () => this._lost(conn));
    this._pump();
  }

  /** Write the next chunk: whole messages from the queue's head (the hello first). */
  _pump() {
    if (this._closed || this._inflight || (this._mTail === this._mHead && !this._needSync && !this._conn?.hello)) return;
    const conn = this._conn;
    if (!conn) {
      // Connect now, unless an attempt runs or a back-off timer will make the next one.
      if (!this._connecting && this._retryTimer === null) this._connect();
      return;
    }
    if (this._needSync && (this._autoSync === null || this._autoSync.done) && this._requests.length < MAX_REQUESTS) {
      this._needSync = false;
      this._autoSync = this._ask("ack", null, 0, false);
    }
    const n = this._ends.length;
    let m = this._mHead;
    let end = this._head;
    let events = 0;
    let requests = 0;
    let last = conn.lastSeq;
    while (m < this._mTail && (m === this._mHead || this._ends[m & (n - 1)] - this._head <= CHUNK_BYTES)) {
      if (this._kinds[m & (n - 1)] === KIND_REQUEST) {
        const w = this._requests[requests];
        requests += 1;
        w.eventsBefore = conn.eventsWritten + events;
        w.seqMark = last;
        conn.sent.push(w); // before the write: a reply may be read before its callback
      } else {
        events += 1;
        last = this._seqs[m & (n - 1)];
      }
      end = this._ends[m & (n - 1)];
      m += 1;
    }
    if (m === this._mHead && !conn.hello) return; // nothing to write
    const helloLen = conn.hello ? conn.hello.length : 0;
    const data = Buffer.allocUnsafe(helloLen + end - this._head);
    if (conn.hello) conn.hello.copy(data, 0);
    this._buf.copy(data, helloLen, this._head - this._base, end - this._base);
    conn.hello = null;
    const chunk = { conn, data, helloLen, end, mEnd: m, events, requests, timer: null, queuedAfterWrite: -1 };
    this._inflight = chunk;
    chunk.timer = setTimeout(() => {
      this._stats.writeTimeouts += 1;
      this.lastError = Object.assign(new Error(`a write to the daemon timed out after ${this._opts.writeTimeoutMs} ms`),
        { code: "ETIMEDOUT" });
      this._lost(conn);
      conn.sock.destroy();
    }, this._opts.writeTimeoutMs);
    chunk.timer.unref();
    conn.sock.write(data, (err) => {
      // A destroyed socket calls back without an error whatever happened: only a chunk
      // still current on a live connection is known to be written.
      if (this._inflight !== chunk || conn.dead) return;
      clearTimeout(chunk.timer);
      if (err) {
        // A write that failed: the bytes the first attempt left queued are the most that
        // can be unsent (none queued: that attempt failed whole, nothing of it arrived).
        this.lastError = err;
        const q = chunk.queuedAfterWrite;
        this._lost(conn, q === 0 ? chunk.data.length : q);
        conn.sock.destroy();
        return;
      }
      this._written(chunk, chunk.end, chunk.mEnd, chunk.events, chunk.requests);
      this._inflight = null;
      conn.useful = true;
      this._pump();
    });
    chunk.queuedAfterWrite = unsentBytes(conn.sock); // what the first attempt could not write
  }

  /** Messages up to `end` (record `mEnd`) are in the kernel: events stay held until
   * committed (a request leaves once nothing before it is held). */
  _written(chunk, end, mEnd, events, requests) {
    const conn = chunk.conn;
    conn.eventsWritten += events;
    const n = this._ends.length;
    for (let m = mEnd - 1; m >= this._mHead; m -= 1) {
      if (this._kinds[m & (n - 1)] === KIND_EVENT) {
        conn.lastSeq = this._seqs[m & (n - 1)];
        if (conn.lastSeq > this._sentSeq) this._sentSeq = conn.lastSeq;
        break;
      }
    }
    this._head = end;
    this._mHead = mEnd;
    this._requests.splice(0, requests);
    this._release();
    // Half the replay buffer written and unconfirmed: ask for an ack (it frees the room).
    if ((this._events > this._maxQueue / 2 || this._head - this._hold > this._maxQueueBytes / 2)
      && (this._autoSync === null || this._autoSync.done)) this._needSync = true;
  }

  /** Held messages the daemon committed (and the requests among them) leave the queue. */
  _release() {
    const n = this._ends.length;
    while (this._mHold < this._mHead) {
      const i = this._mHold & (n - 1);
      if (this._kinds[i] === KIND_EVENT) {
        if (this._seqs[i] > this._committed) break;
        this._events -= 1;
      }
      this._hold = this._ends[i];
      this._mHold += 1;
    }
  }

  /** A connection is lost: everything held is written again on the next one, the requests
   * written on the lost one leave the queue (their waiters were answered). */
  _rewind() {
    const n = this._ends.length;
    let requests = false;
    for (let m = this._mHold; m < this._mHead; m += 1) {
      if (this._kinds[m & (n - 1)] === KIND_REQUEST) { requests = true; break; }
    }
    if (requests) {
      const buf = Buffer.allocUnsafe(this._buf.length);
      const ends = new Float64Array(n);
      const kinds = new Uint8Array(n);
      const seqs = new Float64Array(n);
      let pos = 0;
      let out = this._mHold;
      let start = this._hold;
      for (let m = this._mHold; m < this._mTail; m += 1) {
        const i = m & (n - 1);
        const end = this._ends[i];
        if (m >= this._mHead || this._kinds[i] !== KIND_REQUEST) {
          this._buf.copy(buf, pos, start - this._base, end - this._base);
          pos += end - start;
          ends[out & (n - 1)] = this._hold + pos;
          kinds[out & (n - 1)] = this._kinds[i];
          seqs[out & (n - 1)] = this._seqs[i];
          out += 1;
        }
        start = end;
      }
      this._buf = buf;
      this._base = this._hold;
      this._tail = this._hold + pos;
      this._mTail = out;
      this._ends = ends;
      this._kinds = kinds;
      this._seqs = seqs;
    }
    this._head = this._hold;
    this._mHead = this._mHold;
  }

  /** The connection is gone (or going): settle the chunk being written from what reached
   * the kernel, count what was written but not confirmed, fail the unanswered requests. */
  _lost(conn, unsentOverride) {
    if (conn.dead) return;
    conn.dead = true;
    if (this._conn === conn) this._conn = null;
    const chunk = this._inflight;
    if (chunk && chunk.conn === conn) {
      clearTimeout(chunk.timer);
      this._inflight = null;
      const unsent = unsentOverride === undefined ? unsentBytes(conn.sock) : unsentOverride;
      // Unknown (the socket is already closed): count the whole chunk as written; never
      // sent twice, reported as unconfirmed below.
      const inKernel = unsent < 0 ? chunk.data.length : chunk.data.length - unsent;
      const done = this._head + Math.max(0, inKernel - chunk.helloLen);
      const n = this._ends.length;
      let m = this._mHead;
      let end = this._head;
      let events = 0;
      let requests = 0;
      while (m < chunk.mEnd && this._ends[m & (n - 1)] <= done) {
        if (this._kinds[m & (n - 1)] === KIND_REQUEST) requests += 1;
        else events += 1;
        end = this._ends[m & (n - 1)];
        m += 1;
      }
      // The rest (the message cut in the middle included) is sent again, whole.
      const again = new Set(this._requests.slice(requests, chunk.requests));
      conn.sent = conn.sent.filter((w) => !again.has(w));
      this._written(chunk, end, m, events, requests);
    }
    if (!conn.legacy) {
      this._rewind();
    } else {
      // A daemon without streams: what it did not confirm may or may not be counted;
      // never sent again.
      this._stats.unconfirmed += conn.eventsWritten - conn.eventsConfirmed;
      conn.eventsConfirmed = conn.eventsWritten;
      const n = this._ends.length;
      while (this._mHold < this._mHead) {
        const i = this._mHold & (n - 1);
        if (this._kinds[i] === KIND_EVENT) this._events -= 1;
        this._hold = this._ends[i];
        this._mHold += 1;
      }
    }
    const sent = conn.sent;
    conn.sent = [];
    for (const w of sent) finish(w, w.kind === "ack" && w.user ? false : null);
    if (this._closed) return;
    if (conn.useful && !conn.unauthorized) {
      this._delay = 0;
      if (this._mTail > this._mHead) this._connect(); // at once: the daemon restarted
    } else {
      this._retryLater();
    }
  }

  _onData(conn, data) {
    if (conn.dead) return;
    let replies;
    try {
      replies = conn.reader.push(data);
    } catch (err) {
      this._stats.badReplies += 1;
      this.lastError = err;
      this._lost(conn);
      conn.sock.destroy();
      return;
    }
    for (const reply of replies) {
      if (conn.dead) return;
      this._reply(conn, reply);
    }
  }

  _reply(conn, reply) {
    if (reply === null || typeof reply !== "object" || Array.isArray(reply)) return;
    conn.useful = true;
    if (reply.type === "error") {
      const code = typeof reply.code === "string" ? reply.code : "unknown";
      this._errors.push({ type: "error", code });
      if (this._errors.length > this._opts.keptErrors) this._errors.shift();
      if (FATAL.has(code)) {
        conn.unauthorized = code === "unauthorized"; // back off, re-read the endpoint file
        conn.useful = false;
        this._lost(conn);
        conn.sock.destroy();
      }
      return;
    }
    if (reply.type === "resume") {
      conn.streams = true; // informative otherwise: acks' `committed` free the buffer
      return;
    }
    const i = conn.sent.findIndex((w) => w.kind === reply.type && (w.kind !== "ack" || w.id === reply.id));
    if (i < 0) return;
    const w = conn.sent[i];
    if (w.kind === "ack") {
      conn.eventsConfirmed = Math.max(conn.eventsConfirmed, w.eventsBefore);
      // `committed`: the stream's highest number the daemon committed; a daemon without
      // streams confirms what was written before the sync.
      // An ack before any resume: a daemon without streams.
      if (!conn.streams) conn.legacy = true;
      const committed = conn.streams && Number.isSafeInteger(reply.committed) ? reply.committed : w.seqMark;
      if (committed > this._committed) this._committed = committed;
      this._release();
      const covered = committed >= w.seqMark;
      // A daemon without `status` ignores it: once a later sync is answered, no reply can
      // come for a status sent before it.
      const stale = conn.sent.slice(0, i).filter((x) => x.kind === "status");
      conn.sent.splice(i, 1);
      conn.sent = conn.sent.filter((x) => !stale.includes(x));
      for (const x of stale) finish(x, null);
      if (w.user) {
        const loss = this._stats.dropped + this._stats.unconfirmed;
        const ok = covered && loss === this._lossMark;
        if (!w.done && covered) this._lossMark = loss;
        finish(w, ok);
      } else {
        finish(w, true);
        if (this._needSync && !this._scheduled) {
          this._scheduled = true;
          setImmediate(this._pumpNow);
        }
      }
    } else {
      conn.sent.splice(i, 1);
      finish(w, reply);
    }
  }
}

module.exports = { Client, MAX_REQUESTS };
