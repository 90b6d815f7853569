"use strict";
// The client: event methods write an event's bytes straight into a bounded byte queue
// (never throw, never wait); one write path sends the queue in bounded chunks and knows
// how many bytes of each chunk reached the kernel, so a message is written whole or sent
// again whole, and what was written after the last acknowledgement of a connection that
// is then lost is counted as `unconfirmed` (never sent twice).
const net = require("node:net");
const process = require("node:process");
const util = require("node:util");
const { DEFAULTS, FATAL_CODES, MAX_REPLY_BYTES } = require("./constants.cjs");
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
    const used = this._tail - this._head;
    const from = this._head - this._base;
    if (used + n > this._buf.length / 2) {
      const grown = Buffer.allocUnsafe(Math.max(this._buf.length * 2, (used + n) * 2));
      this._buf.copy(grown, 0, from, from + used);
      this._buf = grown;
    } else {
      this._buf.copyWithin(0, from, from + used); // chunks being written are copies: safe
    }
    this._base = this._head;
    return used;
  }

  /** The `len` bytes written at the queue's end become one message. */
  _commit(len, kind = KIND_EVENT) {
    if (kind === KIND_EVENT && this._tail + len - this._head > this._maxQueueBytes) {
      this._stats.dropped += 1;
      return false;
    }
    if (this._mTail - this._mHead >= this._ends.length) this._growRecords();
    const i = this._mTail & (this._ends.length - 1);
    this._tail += len;
    this._ends[i] = this._tail;
    this._kinds[i] = kind;
    this._mTail += 1;
    if (kind === KIND_EVENT) this._events += 1;
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
    for (let m = this._mHead; m < this._mTail; m += 1) {
      ends[m & (ends.length - 1)] = this._ends[m & (n - 1)];
      kinds[m & (ends.length - 1)] = this._kinds[m & (n - 1)];
    }
    this._ends = ends;
    this._kinds = kinds;
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
    const waiter = { kind, id: 0, user, done: false, timer: null, eventsBefore: 0, resolve };
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
    this._stats.dropped += this._events;
    this._events = 0;
    for (const w of this._requests.splice(0)) finish(w, null);
    this._mHead = this._mTail;
    this._head = this._tail;
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
      this._connecting = false;
      if (this._closed) {
        sock.destroy();
        return;
      }
      this._attach(sock, token);
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

  _attach(sock, token) {
    this._failing = false;
    this._stats.connects += 1;
    if (this._stats.connects > 1) this._stats.reconnects += 1;
    let hello;
    try {
      hello = wire.encodeMessage(wire.helloMessage(this._opts.clientVersion, token));
    } catch (err) {
      hello = wire.encodeMessage(wire.helloMessage(null, token));
      this.lastError = err;
    }
    const conn = { sock, hello, dead: false, useful: false, unauthorized: false, eventsWritten: 0, eventsConfirmed: 0,
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
    while (m < this._mTail && (m === this._mHead || this._ends[m & (n - 1)] - this._head <= CHUNK_BYTES)) {
      if (this._kinds[m & (n - 1)] === KIND_REQUEST) {
        const w = this._requests[requests];
        requests += 1;
        w.eventsBefore = conn.eventsWritten + events;
        conn.sent.push(w); // before the write: a reply may be read before its callback
      } else {
        events += 1;
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

  /** Messages up to `end` (record `mEnd`) are in the kernel: they leave the queue. */
  _written(chunk, end, mEnd, events, requests) {
    chunk.conn.eventsWritten += events;
    this._events -= events;
    this._head = end;
    this._mHead = mEnd;
    this._requests.splice(0, requests);
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
    this._stats.unconfirmed += conn.eventsWritten - conn.eventsConfirmed;
    conn.eventsConfirmed = conn.eventsWritten;
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
    const i = conn.sent.findIndex((w) => w.kind === reply.type && (w.kind !== "ack" || w.id === reply.id));
    if (i < 0) return;
    const w = conn.sent[i];
    if (w.kind === "ack") {
      conn.eventsConfirmed = Math.max(conn.eventsConfirmed, w.eventsBefore);
      // A daemon without `status` ignores it: once a later sync is answered, no reply can
      // come for a status sent before it.
      const stale = conn.sent.slice(0, i).filter((x) => x.kind === "status");
      conn.sent.splice(i, 1);
      conn.sent = conn.sent.filter((x) => !stale.includes(x));
      for (const x of stale) finish(x, null);
      if (w.user) {
        const loss = this._stats.dropped + this._stats.unconfirmed;
        const ok = loss === this._lossMark;
        if (!w.done) this._lossMark = loss;
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
