"use strict";
// Node.js client for the metricsd socket (CommonJS; src/index.mjs re-exports it for
// `import`). The behaviour is the one every metricsd client shares (docs/CLIENTS.md in the
// metricsd repository): event methods never throw and never wait for the daemon; a turn
// end is written at once (at the end of the current tick, with whatever else was queued
// in it); the queue is bounded and drops are counted; after a daemon restart the client
// reconnects with back-off and repeats its hello; it sends nothing to a socket that
// another user owns.
const fs = require("node:fs");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");
const process = require("node:process");
const { Encoder, decodeMultiStream } = require("@msgpack/msgpack");

const PROTO = 1;
const MAX_MESSAGE_BYTES = 64 * 1024;
const MAX_STRING_BYTES = 16 * 1024;
const DEFAULTS = Object.freeze({
  maxQueue: 10000,
  maxQueueBytes: 1024 * 1024,
  connectTimeoutMs: 1000,
  writeTimeoutMs: 5000,
  backoffMinMs: 50,
  backoffMaxMs: 5000,
  closeTimeoutMs: 1000,
});
const APP = "metricsd";
const SOCKET_NAME = "metricsd.sock";

// --- where the socket is ----------------------------------------------------------------

function privateDir(dir) {
  try {
    const st = fs.lstatSync(dir, { throwIfNoEntry: false });
    return Boolean(st && st.isDirectory() && st.uid === process.geteuid() && (st.mode & 0o777) === 0o700);
  } catch {
    return false;
  }
}

/**
 * The daemon's default runtime directory (its platformdirs.user_runtime_dir("metricsd")):
 * $XDG_RUNTIME_DIR when it is an absolute path to a directory of ours with mode 0700; else
 * on macOS ~/Library/Caches/TemporaryItems; else /run/user/<uid> (FreeBSD, NetBSD:
 * /var/run/user/<uid>; OpenBSD: /tmp/run/user/<uid>) when ours and 0700; else
 * <tmpdir>/runtime-<uid>.
 */
function defaultRuntimeDir(env = process.env, platform = process.platform) {
  const xdg = env.XDG_RUNTIME_DIR ?? "";
  if (path.isAbsolute(xdg) && privateDir(xdg)) return path.join(xdg, APP);
  if (platform === "darwin") return path.join(os.homedir(), "Library", "Caches", "TemporaryItems", APP);
  const uid = process.geteuid();
  let base = `/run/user/${uid}`;
  if (platform === "openbsd") base = `/tmp/run/user/${uid}`;
  else if (platform === "freebsd" || platform === "netbsd") base = `/var/run/user/${uid}`;
  if (privateDir(base)) return path.join(base, APP);
  return path.join(env.TMPDIR || "/tmp", `runtime-${uid}`, APP);
}

/** `explicit`, else $METRICSD_SOCKET, else the daemon's default. */
function socketPath(explicit, env = process.env) {
  if (explicit) return explicit;
  if (env.METRICSD_SOCKET) return env.METRICSD_SOCKET;
  return path.join(defaultRuntimeDir(env), SOCKET_NAME);
}

// --- sans-IO: messages ------------------------------------------------------------------

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: false });

/** `text` cut to MAX_STRING_BYTES of UTF-8 on a character boundary. */
function clip(text) {
  if (typeof text !== "string" || text.length * 3 <= MAX_STRING_BYTES) return text;
  const bytes = utf8.encode(text);
  if (bytes.length <= MAX_STRING_BYTES) return text;
  let end = MAX_STRING_BYTES;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end -= 1; // not inside a character
  return utf8Decoder.decode(bytes.subarray(0, end));
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `text` as valid UTF-16 (a lone surrogate would be encoded as invalid UTF-8, which the
 * daemon answers with `malformed` and a close), then clipped. */
function wellFormed(text) {
  if (typeof text.isWellFormed === "function") return text.isWellFormed() ? text : text.toWellFormed();
  return text.replace(LONE_SURROGATE, "\uFFFD");
}

function optText(value) {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw new TypeError("expected a string or null");
  return clip(wellFormed(value));
}

function count(value) {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError("token counts are integers >= 0");
  return value;
}

function helloMessage(clientVersion) {
  const msg = { type: "hello", proto: PROTO };
  if (clientVersion !== undefined && clientVersion !== null) msg.client_version = optText(clientVersion);
  return msg;
}
function turnMessage(finishReason = null, emptyFinal = false) {
  return { type: "turn", finish_reason: optText(finishReason), empty_final: Boolean(emptyFinal) };
}
function usageMessage(cacheHitTokens = 0, cacheMissTokens = 0) {
  return { type: "usage", cache_hit_tokens: count(cacheHitTokens), cache_miss_tokens: count(cacheMissTokens) };
}
function providerErrorMessage(message, status) {
  const msg = { type: "provider_error", message: optText(message) ?? "" };
  if (status !== undefined && status !== null) {
    if (!Number.isSafeInteger(status)) throw new TypeError("status is an integer");
    msg.status = status;
  }
  return msg;
}
function toolResultMessage(error = null) {
  return { type: "tool_result", error: optText(error) };
}
function compactionMessage() { return { type: "compaction" }; }
function syncMessage(id) { return { type: "sync", id }; }
function pingMessage() { return { type: "ping" }; }
function snapshotMessage() { return { type: "snapshot" }; }
function statusMessage() { return { type: "status" }; }

/** Helper name (as in the shared vectors) -> message builder. */
const MESSAGES = Object.freeze({
  hello: helloMessage,
  turn: turnMessage,
  usage: usageMessage,
  provider_error: providerErrorMessage,
  tool_result: toolResultMessage,
  compaction: compactionMessage,
});

/** One message as MessagePack; throws RangeError when over MAX_MESSAGE_BYTES. */
const encoder = new Encoder({ ignoreUndefined: true }); // one encoder: no buffer per call

function encodeMessage(message) {
  const data = encoder.encode(message);
  if (data.length > MAX_MESSAGE_BYTES) {
    throw new RangeError(`message of ${data.length} bytes is over the limit of ${MAX_MESSAGE_BYTES} bytes`);
  }
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

const COMPACTION = encodeMessage(compactionMessage());

// --- who serves the socket --------------------------------------------------------------

/**
 * Node has no SO_PEERCRED: before connecting, the socket file and its directory must be
 * owned by this user (a daemon creates its socket 0600 in a 0700 directory of its own).
 * Resolves to null when fine, else the refusing Error.
 */
async function checkOwner(socketFile) {
  const uid = process.geteuid();
  const st = await fs.promises.lstat(socketFile);
  if (!st.isSocket()) return Object.assign(new Error(`${socketFile} is not a socket`), { code: "ENOTSOCK" });
  const dir = await fs.promises.stat(path.dirname(socketFile));
  if (st.uid !== uid || dir.uid !== uid) {
    return Object.assign(
      new Error(`${socketFile} is owned by uid ${st.uid} (directory: uid ${dir.uid}), not by this user (uid ${uid}): refusing to send to it`),
      { code: "EPERM", foreign: true });
  }
  return null;
}

// --- the client -------------------------------------------------------------------------

class Client {
  /**
   * @param {object} [options]
   * @param {string} [options.socketPath] default: $METRICSD_SOCKET, else the daemon's default
   * @param {string} [options.clientVersion] MAJOR.MINOR.PATCH[-dev|-alpha.N|-beta.N|-rc.N]
   */
  constructor(options = {}) {
    this._opts = { ...DEFAULTS, ...options };
    this._stats = { dropped: 0, connects: 0, reconnects: 0, refused: 0 };
    this.lastError = null;
    this._errors = [];
    this._queue = [];
    this._queuedBytes = 0;
    this._sent = [];
    this._nextId = 1;
    this._sock = null;
    this._connecting = false;
    this._writing = false;
    this._scheduled = false;
    this._closing = false;
    this._closed = false;
    this._delay = 0;
    this._retryTimer = null;
    this._failing = false;
    this._conn = null;
    this._lostUnreported = false;
    this._drainWaiters = [];
    try {
      this._hello = encodeMessage(helloMessage(options.clientVersion));
      this.socketPath = socketPath(options.socketPath);
    } catch (err) {
      this.socketPath = null;
      this.lastError = err;
    }
    if (this.socketPath) this._connect();
  }

  // --- event methods: never throw, never wait -----------------------------------------

  /** Token usage of one model call: `usage({cacheHitTokens, cacheMissTokens})`. */
  usage(tokens = {}) {
    this._event(() => {
      // Two bare numbers are easy to swap: only the named form is accepted.
      if (tokens === null || typeof tokens !== "object") throw new TypeError("usage({cacheHitTokens, cacheMissTokens})");
      const { cacheHitTokens = 0, cacheMissTokens = 0 } = tokens;
      return encodeMessage(usageMessage(cacheHitTokens, cacheMissTokens));
    });
  }
  /** A tool call finished; `error` is its error text (null/undefined: success). */
  toolResult(error = null) { this._event(() => encodeMessage(toolResultMessage(error))); }
  /** A model-provider call failed: its error text, and HTTP status if known. */
  providerError(message, status) { this._event(() => encodeMessage(providerErrorMessage(message, status))); }
  /** The context was compacted. */
  compaction() { this._event(() => COMPACTION); }
  /** One agent turn ended: `turn(finishReason, {emptyFinal})`. Written at once. */
  turn(finishReason = null, { emptyFinal = false } = {}) {
    this._event(() => encodeMessage(turnMessage(finishReason, emptyFinal === true)));
  }

  _event(make) {
    if (this._closing || this._queue.length >= this._opts.maxQueue) {
      this._stats.dropped += 1; // full: not even encoded
      return;
    }
    try {
      this._put(make(), null);
    } catch (err) {
      this._stats.dropped += 1;
      this.lastError = err;
    }
  }

  _put(data, waiter) {
    if (waiter === null && (this._closing || !this.socketPath || this._queue.length >= this._opts.maxQueue
        || this._queuedBytes + data.length > this._opts.maxQueueBytes)) {
      this._stats.dropped += 1;
      return;
    }
    this._queue.push({ data, waiter });
    this._queuedBytes += data.length;
    this._schedule();
  }

  _schedule() {
    if (this._scheduled) return;
    this._scheduled = true;
    setImmediate(() => {
      this._scheduled = false;
      this._pump();
    });
  }

  /** Counters: dropped, connects, reconnects, refused, queued. */
  get stats() {
    return { ...this._stats, queued: this._queue.filter((i) => i.waiter === null).length };
  }
  get dropped() { return this._stats.dropped; }
  /** The last few error replies ({type, code}), oldest first. */
  get errors() { return [...this._errors]; }
  get connected() { return this._sock !== null; }

  // --- requests (tests, shutdown) ------------------------------------------------------

  _ask(kind, message, timeoutMs) {
    return new Promise((resolve) => {
      if (this._closing || !this.socketPath) {
        resolve(null);
        return;
      }
      const waiter = { kind, id: undefined, seq: -1, tainted: false, done: false, timer: null,
        finish: (value) => {
          if (waiter.done) return;
          waiter.done = true;
          clearTimeout(waiter.timer);
          resolve(value);
        } };
      if (kind === "ack") {
        waiter.id = this._nextId++;
        waiter.tainted = this._lostUnreported;
        this._lostUnreported = false;
        message = { ...message, id: waiter.id };
      }
      waiter.timer = setTimeout(() => waiter.finish(null), timeoutMs);
      this._put(encodeMessage(message), waiter);
    });
  }

  /** Resolves true once the daemon has committed everything sent before; else false. */
  async sync(timeoutMs = 5000) { return (await this._ask("ack", syncMessage(0), timeoutMs)) === true; }
  /** The daemon's snapshot reply ({enabled, dev, counts, ...}), or null. */
  snapshot(timeoutMs = 5000) { return this._ask("snapshot", snapshotMessage(), timeoutMs); }
  ping(timeoutMs = 5000) { return this._ask("pong", pingMessage(), timeoutMs); }
  status(timeoutMs = 5000) { return this._ask("status", statusMessage(), timeoutMs); }

  /** Write what is queued (waiting at most `timeoutMs`), then disconnect. Never rejects. */
  async close(timeoutMs = this._opts.closeTimeoutMs) {
    if (this._closed) return;
    this._closing = true;
    if (this._queue.length > 0 && this.socketPath && !this._failing) {
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this._drainWaiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
    this._closed = true;
    clearTimeout(this._retryTimer);
    this._retryTimer = null;
    for (const item of this._queue) {
      if (item.waiter === null) this._stats.dropped += 1;
      else item.waiter.finish(null);
    }
    this._queue = [];
    this._queuedBytes = 0;
    const sent = this._sent;
    this._sent = [];
    for (const w of sent) w.finish(null);
    if (this._sock) {
      const sock = this._sock;
      this._sock = null;
      sock.end();
      sock.destroySoon?.();
      setTimeout(() => sock.destroy(), 1000).unref();
    }
  }

  _drained() {
    const waiters = this._drainWaiters;
    this._drainWaiters = [];
    for (const w of waiters) w();
  }

  // --- the connection -------------------------------------------------------------------

  _connect() {
    if (this._connecting || this._sock || this._closed) return;
    this._connecting = true;
    const socketFile = this.socketPath;
    checkOwner(socketFile).then((refusal) => {
      if (refusal) {
        if (refusal.foreign) this._stats.refused += 1;
        throw refusal;
      }
      return new Promise((resolve, reject) => {
        const sock = net.createConnection({ path: socketFile });
        const timer = setTimeout(() => {
          sock.destroy();
          reject(Object.assign(new Error(`connecting to ${socketFile} timed out`), { code: "ETIMEDOUT" }));
        }, this._opts.connectTimeoutMs);
        sock.once("connect", () => { clearTimeout(timer); sock.removeAllListeners("error"); resolve(sock); });
        sock.once("error", (err) => { clearTimeout(timer); reject(err); });
      });
    }).then((sock) => {
      this._connecting = false;
      if (this._closed) {
        sock.destroy();
        return;
      }
      this._attach(sock);
    }, (err) => {
      this._connecting = false;
      this.lastError = err;
      this._failing = true;
      this._drained(); // close() does not wait for a daemon that is not there
      this._retryLater();
    });
  }

  _retryLater() {
    const { backoffMinMs, backoffMaxMs } = this._opts;
    this._delay = Math.min(backoffMaxMs, Math.max(backoffMinMs, this._delay * 2));
    clearTimeout(this._retryTimer);
    this._retryTimer = setTimeout(() => {
      this._retryTimer = null;
      if (this._queue.length > 0) this._connect();
    }, this._delay);
    this._retryTimer.unref(); // a client waiting for a daemon never keeps the process alive
  }

  _attach(sock) {
    this._sock = sock;
    this._failing = false;
    this._delay = 0;
    this._stats.connects += 1;
    if (this._stats.connects > 1) this._stats.reconnects += 1;
    const conn = { sock, written: 0, acked: 0 };
    this._conn = conn;
    sock.unref(); // an idle client never keeps the application alive
    sock.on("error", (err) => { this.lastError = err; });
    sock.on("close", () => this._lost(conn));
    sock.write(this._hello);
    (async () => {
      try {
        for await (const reply of decodeMultiStream(sock)) this._reply(conn, reply);
      } catch {
        // a broken stream ends in 'close'
      }
      sock.destroy();
    })();
    this._pump();
  }

  _lost(conn) {
    if (this._conn !== conn) return;
    this._conn = null;
    this._sock = null;
    const sent = this._sent;
    this._sent = [];
    if (conn.written > conn.acked && !sent.some((w) => w.kind === "ack")) this._lostUnreported = true;
    for (const w of sent) w.finish(null);
    if (this._closed) return;
    this._delay = 0;
    if (this._queue.length > 0) this._connect(); // at once: the daemon restarted
  }

  _pump() {
    if (this._closed || this._writing || this._queue.length === 0) return;
    const conn = this._conn;
    if (!this._sock || !conn) {
      // Connect now, unless an attempt runs or a back-off timer will make the next one.
      if (!this._connecting && this._retryTimer === null) this._connect();
      return;
    }
    const batch = this._queue;
    this._queue = [];
    this._queuedBytes = 0;
    const buf = batch.length === 1 ? batch[0].data : Buffer.concat(batch.map((i) => i.data));
    // Waiters are registered before the write: a reply may be read before its callback.
    const waiters = [];
    batch.forEach((item, i) => {
      if (item.waiter !== null) {
        item.waiter.seq = conn.written + i + 1;
        if (!item.waiter.done) {
          this._sent.push(item.waiter);
          waiters.push(item.waiter);
        }
      }
    });
    this._writing = true;
    const timer = setTimeout(() => conn.sock.destroy(new Error("write timed out")), this._opts.writeTimeoutMs);
    timer.unref();
    conn.sock.write(buf, (err) => {
      clearTimeout(timer);
      this._writing = false;
      if (err) {
        // Nothing of a failed write is known to have arrived: send the batch again on the
        // next connection.
        this._sent = this._sent.filter((w) => !waiters.includes(w));
        this._queue = batch.concat(this._queue);
        this._queuedBytes += buf.length;
        this.lastError = err;
        return;
      }
      conn.written += batch.length;
      if (this._queue.length > 0) this._pump();
      else this._drained();
    });
  }

  _reply(conn, reply) {
    if (reply === null || typeof reply !== "object") return;
    if (reply.type === "error") {
      this._errors.push({ type: "error", code: reply.code });
      if (this._errors.length > 16) this._errors.shift();
      return;
    }
    const i = this._sent.findIndex((w) => w.kind === reply.type && (w.kind !== "ack" || w.id === reply.id));
    if (i < 0) return;
    const [w] = this._sent.splice(i, 1);
    if (w.kind === "ack") {
      conn.acked = Math.max(conn.acked, w.seq);
      // A daemon without `status` ignores it: once a later sync is answered, no reply can
      // come for it.
      const stale = this._sent.filter((x) => x.kind === "status" && x.seq < w.seq);
      this._sent = this._sent.filter((x) => !stale.includes(x));
      for (const x of stale) x.finish(null);
      w.finish(!w.tainted);
    } else {
      w.finish(reply);
    }
  }
}

// --- the sidecar ------------------------------------------------------------------------

function optionValue(args, name) {
  let value = null;
  args.forEach((a, i) => {
    if (a === name && i + 1 < args.length) value = args[i + 1];
    else if (a.startsWith(`${name}=`)) value = a.slice(name.length + 1);
  });
  return value;
}

/**
 * Start `exe run --watch-stdin ...args` and resolve once its socket accepts connections:
 * `{socketPath, alreadyRunning, client(options), close()}`. `READY <path>` gives the path;
 * an exit 0 without a line means another daemon already serves the socket (then the path
 * is --socket from args, else $METRICSD_SOCKET, else the default). Anything else rejects.
 * `options.stderr`: where the daemon logs ("inherit" by default, or a file descriptor).
 */
function spawnSidecar(exe = "metricsd", args = [], { stderr = "inherit", env = process.env, timeoutMs = 20000 } = {}) {
  const { spawn } = require("node:child_process");
  const readline = require("node:readline");
  return new Promise((resolve, reject) => {
    const child = spawn(exe, ["run", "--watch-stdin", ...args], { stdio: ["pipe", "pipe", stderr], env });
    let settled = false;
    const settle = (fn, value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn(value);
    };
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      settle(reject, new Error(`metricsd printed no READY line within ${timeoutMs} ms`));
    }, timeoutMs);
    const sidecar = (socketFile, alreadyRunning) => ({
      socketPath: socketFile,
      alreadyRunning,
      process: alreadyRunning ? null : child,
      client: (options = {}) => new Client({ ...options, socketPath: socketFile }),
      close: (closeTimeoutMs = 10000) => new Promise((done) => {
        if (alreadyRunning || child.exitCode !== null || child.signalCode !== null) {
          done(child.exitCode);
          return;
        }
        const kill = setTimeout(() => child.kill("SIGKILL"), closeTimeoutMs);
        child.once("exit", (code) => { clearTimeout(kill); done(code); });
        child.stdin.end();
      }),
    });
    child.once("error", (err) => settle(reject, err));
    const lines = readline.createInterface({ input: child.stdout });
    lines.once("line", (line) => {
      if (line.startsWith("READY ")) settle(resolve, sidecar(line.slice(6), false));
      else {
        child.kill("SIGKILL");
        settle(reject, new Error("metricsd printed an unexpected line"));
      }
    });
    child.once("exit", (code) => {
      if (code === 0) {
        const explicit = optionValue(args, "--socket") || env.METRICSD_SOCKET || undefined;
        settle(resolve, sidecar(socketPath(explicit, env), true));
      } else {
        settle(reject, new Error(`metricsd could not start (exit status ${code}; its stderr says why)`));
      }
    });
  });
}

module.exports = {
  PROTO, MAX_MESSAGE_BYTES, MAX_STRING_BYTES, DEFAULTS, MESSAGES,
  Client, spawnSidecar, socketPath, defaultRuntimeDir, clip, encodeMessage,
  helloMessage, turnMessage, usageMessage, providerErrorMessage, toolResultMessage,
  compactionMessage, syncMessage, pingMessage, snapshotMessage, statusMessage,
};
