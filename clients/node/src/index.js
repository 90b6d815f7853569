// Node.js client for the metricsd socket. The protocol: docs/PROTOCOL.md in the metricsd
// repository. Sans-IO encoding (encodeMessage and the *Message builders) is separate from
// the socket code, and must produce exactly the bytes of tests/vectors/vectors.json.
import { statSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import process from "node:process";

import { decodeMultiStream, encode } from "@msgpack/msgpack";

/** The protocol version this client speaks. */
export const PROTO = 1;
/** SPEC section 4: one message at most this many bytes encoded, one string at most 16 KiB. */
export const MAX_MESSAGE_BYTES = 64 * 1024;
export const MAX_STRING_BYTES = 16 * 1024;
/** Error codes after which the daemon closes the connection. */
export const FATAL_CODES = Object.freeze(["malformed", "too_large", "not_a_map", "unsupported_proto"]);
/** Queued events are written once they reach this many bytes. */
export const FLUSH_BYTES = 64 * 1024;
/** SafeClient defaults. */
export const SAFE_MAX_BUFFER = 1024 * 1024;
export const SAFE_TIMEOUT_MS = 2000;
export const BACKOFF_MIN_MS = 500;
export const BACKOFF_MAX_MS = 30000;

const APP = "metricsd";
const SOCKET_NAME = "metricsd.sock";

// --- where the socket is ----------------------------------------------------------------

function privateDir(dir) {
  // The checks platformdirs makes before it uses a runtime directory.
  try {
    const st = statSync(dir, { throwIfNoEntry: false });
    return Boolean(st && st.isDirectory() && st.uid === process.getuid() && (st.mode & 0o777) === 0o700);
  } catch {
    return false;
  }
}

/**
 * The default runtime directory, as Python's platformdirs.user_runtime_dir("metricsd")
 * resolves it (the daemon uses that): $XDG_RUNTIME_DIR when it is absolute, ours and 0700;
 * else on macOS ~/Library/Caches/TemporaryItems; else /run/user/<uid> (FreeBSD, NetBSD:
 * /var/run/user/<uid>; OpenBSD: /tmp/run/user/<uid>) when ours and 0700; else
 * <tmpdir>/runtime-<uid>.
 */
export function defaultRuntimeDir(env = process.env, platform = process.platform) {
  const xdg = env.XDG_RUNTIME_DIR ?? "";
  if (path.isAbsolute(xdg) && privateDir(xdg)) return path.join(xdg, APP);
  if (platform === "darwin") return path.join(os.homedir(), "Library", "Caches", "TemporaryItems", APP);
  const uid = process.getuid();
  let base = `/run/user/${uid}`;
  if (platform === "openbsd") base = `/tmp/run/user/${uid}`;
  else if (platform === "freebsd" || platform === "netbsd") base = `/var/run/user/${uid}`;
  if (privateDir(base)) return path.join(base, APP);
  return path.join(os.tmpdir(), `runtime-${uid}`, APP);
}

/** `explicit`, else $METRICSD_SOCKET, else the platform default. */
export function socketPath(explicit, env = process.env) {
  if (explicit) return explicit;
  if (env.METRICSD_SOCKET) return env.METRICSD_SOCKET;
  return path.join(defaultRuntimeDir(env), SOCKET_NAME);
}

// --- errors -----------------------------------------------------------------------------

/** The daemon answered with an error reply that closes the connection. */
export class ProtocolError extends Error {
  constructor(reply) {
    super(`${reply.code}: ${reply.detail}`);
    this.name = "ProtocolError";
    this.code = reply.code;
    this.reply = reply;
  }
}

/** The daemon went away before it replied (events since the last sync may be lost). */
export class ConnectionLost extends Error {
  constructor(message = "the daemon closed the connection") {
    super(message);
    this.name = "ConnectionLost";
  }
}

// --- sans-IO: messages ------------------------------------------------------------------

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: false });

/** `text` cut to MAX_STRING_BYTES of UTF-8 on a character boundary. */
export function clip(text) {
  if (typeof text !== "string" || text.length * 3 <= MAX_STRING_BYTES) return text;
  const bytes = utf8.encode(text);
  if (bytes.length <= MAX_STRING_BYTES) return text;
  let end = MAX_STRING_BYTES;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end -= 1; // not inside a character
  return utf8Decoder.decode(bytes.subarray(0, end));
}

export function helloMessage(clientVersion) {
  const msg = { type: "hello", proto: PROTO };
  if (clientVersion !== undefined && clientVersion !== null) msg.client_version = clip(clientVersion);
  return msg;
}
export function turnMessage(finishReason, emptyFinal = false) {
  return { type: "turn", finish_reason: finishReason === undefined ? null : clip(finishReason),
           empty_final: emptyFinal };
}
export function usageMessage(cacheHitTokens, cacheMissTokens) {
  return { type: "usage", cache_hit_tokens: cacheHitTokens, cache_miss_tokens: cacheMissTokens };
}
export function providerErrorMessage(message, status) {
  const msg = { type: "provider_error", message: clip(message) };
  if (status !== undefined && status !== null) msg.status = status;
  return msg;
}
export function toolResultMessage(error) {
  return { type: "tool_result", error: error === undefined ? null : clip(error) };
}
export function compactionMessage() {
  return { type: "compaction" };
}
export function syncMessage(id) {
  return { type: "sync", id };
}
export function pingMessage() {
  return { type: "ping" };
}
export function snapshotMessage() {
  return { type: "snapshot" };
}

/** Helper name (as in the vectors) -> message builder. */
export const MESSAGES = Object.freeze({
  hello: helloMessage,
  turn: turnMessage,
  usage: usageMessage,
  provider_error: providerErrorMessage,
  tool_result: toolResultMessage,
  compaction: compactionMessage,
});

/** One message as MessagePack; throws RangeError when over MAX_MESSAGE_BYTES. */
export function encodeMessage(message) {
  const data = encode(message, { ignoreUndefined: true });
  if (data.length > MAX_MESSAGE_BYTES) {
    throw new RangeError(`message of ${data.length} bytes is over the limit of ${MAX_MESSAGE_BYTES} bytes`);
  }
  return data;
}

// --- the event helpers ------------------------------------------------------------------

class Events {
  /** Optional first message; repeated automatically after a reconnect. */
  hello(clientVersion) { this._queue(helloMessage(clientVersion)); }
  turn(finishReason, emptyFinal = false) { this._queue(turnMessage(finishReason, emptyFinal)); }
  usage(cacheHitTokens, cacheMissTokens) { this._queue(usageMessage(cacheHitTokens, cacheMissTokens)); }
  providerError(message, status) { this._queue(providerErrorMessage(message, status)); }
  toolResult(error) { this._queue(toolResultMessage(error)); }
  compaction() { this._queue(compactionMessage()); }
}

// --- one connection ---------------------------------------------------------------------

function openSocket(socketFile, timeoutMs) {
  return new Promise((resolve, reject) => {
    const sock = net.createConnection({ path: socketFile });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(Object.assign(new Error(`connecting to ${socketFile} timed out`), { code: "ETIMEDOUT" }));
    }, timeoutMs);
    sock.once("connect", () => {
      clearTimeout(timer);
      sock.removeListener("error", reject);
      resolve(sock);
    });
    sock.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

class Connection {
  constructor(sock, onReply, onClose) {
    this.sock = sock;
    this.alive = true;
    // An 'error' event without a listener would crash the host process.
    sock.on("error", () => {});
    sock.on("close", () => this._closed());
    this._onClose = onClose;
    (async () => {
      try {
        for await (const reply of decodeMultiStream(sock)) onReply(reply);
      } catch {
        // a broken stream is reported through 'close'
      }
      this._closed();
    })();
  }

  _closed() {
    if (!this.alive) return;
    this.alive = false;
    this.sock.destroy();
    this._onClose(this);
  }

  write(data) {
    return new Promise((resolve, reject) => {
      if (!this.alive) {
        reject(new ConnectionLost());
        return;
      }
      this.sock.write(data, (err) => (err ? reject(err) : resolve()));
    });
  }

  destroy() {
    this.alive = false;
    this.sock.destroy();
  }
}

// --- the client -------------------------------------------------------------------------

/**
 * Promise-based client. Event helpers only queue; `flush()` writes the batch in one write
 * (`sync`, `ping`, `snapshot` flush first, and so does reaching FLUSH_BYTES). After the
 * daemon restarts, the next write reconnects and repeats the hello.
 */
export class Client extends Events {
  constructor({ path: socketFile, timeoutMs = 10000, reconnect = true } = {}) {
    super();
    this.path = socketPath(socketFile);
    this.timeoutMs = timeoutMs;
    this.reconnect = reconnect;
    /** error replies received while waiting for something else */
    this.errors = [];
    this.reconnects = 0;
    this._conn = null;
    this._connects = 0;
    this._out = [];
    this._outBytes = 0;
    this._hello = null;
    this._nextId = 1;
    this._waiters = [];
    this._flushing = Promise.resolve();
    this._connecting = null;
  }

  /** Connect now (the constructor does not). */
  static async connect(options = {}) {
    const client = new Client(options);
    await client.connect();
    return client;
  }

  get connected() { return this._conn !== null && this._conn.alive; }
  get buffered() { return this._outBytes; }

  /** (Re)connect; concurrent calls share one attempt. */
  connect() {
    if (!this._connecting) {
      this._connecting = this._connectNow().finally(() => { this._connecting = null; });
    }
    return this._connecting;
  }

  async _connectNow() {
    if (this._conn) this._conn.destroy();
    this._conn = null;
    const sock = await openSocket(this.path, this.timeoutMs);
    const conn = new Connection(sock, (r) => this._reply(r), (c) => this._lost(c));
    if (this._hello) await conn.write(this._hello);
    this._conn = conn;
    this._connects += 1;
    if (this._connects > 1) this.reconnects += 1;
  }

  /** Queue any message (plain object). */
  send(message) { this._queue(message); }
  /** Queue bytes as they are (tests, vectors). */
  sendRaw(data) {
    this._out.push(data);
    this._outBytes += data.length;
  }

  _queue(message) {
    const data = encodeMessage(message);
    if (message.type === "hello") this._hello = data;
    this.sendRaw(data);
    if (this._outBytes >= FLUSH_BYTES) this.flush().catch(() => {});
  }

  /** Write every queued event at once. */
  flush() {
    // Flushes run one after another, so the stream keeps the order of the calls.
    const run = this._flushing.then(() => this._flushNow());
    this._flushing = run.catch(() => {});
    return run;
  }

  async _flushNow() {
    if (!this._outBytes) return;
    const data = Buffer.concat(this._out);
    if (!this.connected) {
      if (this._connects > 0 && !this.reconnect) throw new ConnectionLost();
      await this.connect();
    }
    try {
      await this._conn.write(data);
    } catch (err) {
      if (!this.reconnect) throw err;
      await this.connect();
      await this._conn.write(data);
    }
    this._out = [];
    this._outBytes = 0;
  }

  _reply(reply) {
    if (reply === null || typeof reply !== "object") return;
    if (reply.type === "error") {
      this.errors.push(reply);
      if (FATAL_CODES.includes(reply.code)) this._failAll(new ProtocolError(reply));
      return;
    }
    const i = this._waiters.findIndex((w) => w.type === reply.type && (w.id === undefined || w.id === reply.id));
    if (i >= 0) {
      const [w] = this._waiters.splice(i, 1);
      w.resolve(reply);
    }
  }

  _lost(conn) {
    if (this._conn === conn) this._conn = null;
    this._failAll(new ConnectionLost());
  }

  _failAll(err) {
    const waiters = this._waiters;
    this._waiters = [];
    for (const w of waiters) w.reject(err);
  }

  async _ask(message, type, id) {
    let waiter;
    const reply = new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this._waiters = this._waiters.filter((w) => w !== waiter);
        reject(Object.assign(new Error(`no ${type} reply within ${this.timeoutMs} ms`), { code: "ETIMEDOUT" }));
      }, this.timeoutMs);
      waiter = {
        type,
        id,
        resolve: (r) => { clearTimeout(timer); resolve(r); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      };
      this._waiters.push(waiter);
    });
    reply.catch(() => {}); // settled below or awaited by the caller
    try {
      this._queue(message);
      await this.flush();
    } catch (err) {
      this._waiters = this._waiters.filter((w) => w !== waiter);
      waiter.reject(err);
    }
    return reply;
  }

  async _request(message, type) {
    try {
      return await this._ask(message, type);
    } catch (err) {
      if (!(err instanceof ConnectionLost) || !this.reconnect) throw err;
    }
    return this._ask(message, type); // once more, on a fresh connection
  }

  /** Resolves once everything sent so far on this connection is committed. */
  async sync() {
    const id = this._nextId++;
    await this._ask(syncMessage(id), "ack", id);
  }

  ping() { return this._request(pingMessage(), "pong"); }
  snapshot() { return this._request(snapshotMessage(), "snapshot"); }

  async close() {
    try {
      await this.flush();
    } catch {
      // closing never fails
    }
    if (this._conn) this._conn.destroy();
    this._conn = null;
  }
}

// --- the never-failing client -----------------------------------------------------------

export class Backoff {
  constructor(minMs = BACKOFF_MIN_MS, maxMs = BACKOFF_MAX_MS, clock = () => performance.now()) {
    this.minMs = minMs;
    this.maxMs = maxMs;
    this.clock = clock;
    this._delay = 0;
    this._next = 0;
  }
  ready() { return this.clock() >= this._next; }
  failed() {
    this._delay = Math.min(this.maxMs, Math.max(this.minMs, this._delay * 2));
    this._next = this.clock() + this._delay;
  }
  succeeded() {
    this._delay = 0;
    this._next = 0;
  }
}

/**
 * For telemetry inside an application: nothing throws or rejects; each call waits at most
 * `timeoutMs`; events beyond `maxBuffer` bytes (or not encodable) are dropped and counted
 * in `dropped`; connection attempts back off. Events are written at each `turn()`, at
 * FLUSH_BYTES, and on `flush()`, `sync()` and `close()`.
 */
export class SafeClient extends Events {
  constructor({ path: socketFile, timeoutMs = SAFE_TIMEOUT_MS, maxBuffer = SAFE_MAX_BUFFER,
                backoff = new Backoff() } = {}) {
    super();
    this.maxBuffer = maxBuffer;
    this.backoff = backoff;
    this.dropped = 0;
    this.failures = 0;
    this.lastError = null;
    this._client = null;
    try {
      this._client = new Client({ path: socketFile, timeoutMs, reconnect: true });
    } catch (err) {
      this._failed(err);
    }
  }

  get connected() { return this._client !== null && this._client.connected; }
  get errors() { return this._client ? this._client.errors : []; }

  _failed(err) {
    this.failures += 1;
    this.lastError = err;
  }

  _queue(message) {
    let data;
    try {
      data = encodeMessage(message);
    } catch (err) {
      this.dropped += 1;
      this._failed(err);
      return;
    }
    const c = this._client;
    if (!c || c.buffered + data.length > this.maxBuffer) {
      this.dropped += 1;
      return;
    }
    c.sendRaw(data);
    if (message.type === "hello") c._hello = data;
    if (message.type === "turn" || c.buffered >= FLUSH_BYTES) void this.flush();
  }

  async _call(fn) {
    const c = this._client;
    if (!c) return null;
    if (!c.connected && !this.backoff.ready()) return null;
    try {
      if (!c.connected) await c.connect();
      this.backoff.succeeded();
      const result = await fn(c);
      return result === undefined ? true : result;
    } catch (err) {
      this._failed(err);
      if (c._conn) c._conn.destroy();
      c._conn = null;
      this.backoff.failed();
      return null;
    }
  }

  /** Write the queued events; false when they stay queued. */
  async flush() {
    if (!this._client || !this._client.buffered) return true;
    return (await this._call((c) => c.flush())) === true;
  }
  /** True once everything sent so far is committed; false if that is not known. */
  async sync() { return (await this._call((c) => c.sync())) === true; }
  async ping() { return this._call((c) => c.ping()); }
  async snapshot() { return this._call((c) => c.snapshot()); }

  async close() {
    try {
      if (this.connected) await this.flush();
      if (this._client) await this._client.close();
    } catch (err) {
      this._failed(err);
    }
  }
}
