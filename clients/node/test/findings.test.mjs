// The write path, replies, usage forms, transport and supervision, against real daemons,
// real sockets and real child processes.
import assert from "node:assert/strict";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import fs from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";
import util from "node:util";
import { spawn, spawnSync } from "node:child_process";
import process from "node:process";
import readline from "node:readline";
import { afterEach, beforeEach, test } from "node:test";

import crypto from "node:crypto";

import { decodeMulti, encode } from "@msgpack/msgpack";

import {
  Client, DEFAULTS, ENV, FATAL_CODES, MAX_MESSAGE_BYTES, MAX_REPLY_BYTES, MAX_STRING_BYTES, NoopClient, PATHS, PROTO,
  ReplyError, ReplyReader, SidecarError, USAGE_FORMS, WRITERS, spawnSidecar, spawnSidecarClient,
  defaultRuntimeDir, socketPath,
} from "../src/index.mjs";
import { Daemon, Home, PYTHON, REPO, VECTORS, cleanEnv, vectorBytes } from "./helpers.mjs";

const require = createRequire(import.meta.url);
const METRICSD = path.join(path.dirname(PYTHON), "metricsd");

async function until(fn, what, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
const tick = () => new Promise((r) => setImmediate(r));

let home;
const daemons = [];
const clients = [];
const cleanups = [];
async function start() {
  const d = await Daemon.start(home);
  daemons.push(d);
  return d;
}
function client(options = {}) {
  const c = new Client({ socketPath: home.socket, ...options });
  clients.push(c);
  return c;
}
beforeEach(() => { home = new Home(); });
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close(10);
  for (const f of cleanups.splice(0)) await f();
  for (const d of daemons.splice(0)) {
    d.proc.kill("SIGCONT");
    await d.kill();
  }
  home.cleanup();
});

// --- the shared table -------------------------------------------------------------------

test("constants equal clients/spec.json", () => {
  const spec = JSON.parse(readFileSync(path.join(REPO, "clients", "spec.json"), "utf8"));
  assert.equal(PROTO, spec.proto);
  assert.deepEqual({ max_message_bytes: MAX_MESSAGE_BYTES, max_string_bytes: MAX_STRING_BYTES, max_reply_bytes: MAX_REPLY_BYTES },
    spec.limits);
  const d = spec.defaults;
  assert.deepEqual(DEFAULTS, {
    maxQueue: d.max_queue_messages, maxQueueBytes: d.max_queue_bytes, connectTimeoutMs: d.connect_timeout_ms,
    writeTimeoutMs: d.write_timeout_ms, backoffMinMs: d.backoff_min_ms, backoffMaxMs: d.backoff_max_ms,
    closeTimeoutMs: d.close_timeout_ms, requestTimeoutMs: d.request_timeout_ms,
    sidecarStartTimeoutMs: d.sidecar_start_timeout_ms, keptErrors: d.kept_errors,
  });
  assert.deepEqual({ socket: ENV.socket, runtime_dir: ENV.runtimeDir }, spec.env);
  assert.deepEqual({ app: PATHS.app, socket_name: PATHS.socketName, endpoint_file: PATHS.endpointFile }, spec.paths);
  assert.deepEqual([...FATAL_CODES], spec.fatal_codes);
  assert.deepEqual(JSON.parse(JSON.stringify(USAGE_FORMS)), spec.usage_forms);
  const { STREAMS, AUTH, SUPERVISION, ADDRESS } = require("../src/constants.cjs");
  assert.deepEqual(STREAMS, { streamIdBytes: spec.streams.stream_id_bytes, replayMaxEvents: spec.streams.replay_max_events,
    replayMaxBytes: spec.streams.replay_max_bytes });
  assert.deepEqual(AUTH, { nonceBytes: spec.auth.nonce_bytes, proofTimeoutMs: spec.auth.proof_timeout_ms });
  assert.equal(spec.auth.proof, "HMAC-SHA256");
  const sv = spec.supervision;
  assert.deepEqual(SUPERVISION, { fastFailureMs: sv.fast_failure_ms, fastFailuresBeforeSlow: sv.fast_failures_before_slow,
    restartBackoffMinMs: sv.restart_backoff_min_ms, restartBackoffMaxMs: sv.restart_backoff_max_ms,
    slowRestartMs: sv.slow_restart_ms });
  assert.deepEqual(JSON.parse(JSON.stringify(ADDRESS)), spec.address);
});

// --- usage forms (finding 19) -----------------------------------------------------------

for (const v of VECTORS.events.filter((x) => x.calls && x.calls.every(([h]) => WRITERS[h]))) {
  test(`the event path writes the vector's bytes: ${v.name}`, () => {
    const buf = Buffer.alloc(MAX_MESSAGE_BYTES * 2);
    let off = 0;
    for (const [helper, args] of v.calls) off = WRITERS[helper](buf, off, ...args);
    assert.equal(buf.subarray(0, off).toString("hex"), vectorBytes(v.hex).toString("hex"));
  });
}

test("the three usage forms; null and absent counts are 0, never a drop", async () => {
  await start();
  const c = client();
  c.usage({ cacheHitTokens: null, cacheMissTokens: 10 }); // 0 %
  c.usageTotal({ promptTokens: 100, cachedTokens: 30 }); // 30 %
  c.usageTotal({ promptTokens: 40, cachedTokens: undefined }); // 0 %
  c.usageReadWrite({ inputTokens: null, cacheReadInputTokens: 900 }); // 100 %
  c.usageReadWrite({ inputTokens: 10, cacheReadInputTokens: 0, cacheCreationInputTokens: 5 }); // 0 %
  c.usageTotal(100, 30); // bare numbers: refused, counted
  assert.equal(await c.sync(), false);
  assert.equal(c.stats.dropped, 1);
  assert.deepEqual((await c.snapshot()).counts, { cache_hit: { 0: 3, "1-49": 1, 100: 1 } });
});

// --- the write path (finding 18.2) --------------------------------------------------------

test("a daemon stopped past the write timeout loses nothing: counted + dropped = sent", async () => {
  const d = await start();
  const c = client({ writeTimeoutMs: 300, maxQueue: 1e6, maxQueueBytes: 64 << 20 });
  assert.equal(await c.sync(), true);
  d.proc.kill("SIGSTOP");
  let sent = 0;
  const stream = async (n) => {
    for (let i = 0; i < n; i += 1) {
      c.toolResult("command timed out");
      sent += 1;
      if (sent % 500 === 0) await tick();
    }
  };
  const deadline = Date.now() + 20000;
  while (c.stats.writeTimeouts < 2 && Date.now() < deadline) await stream(1000);
  assert.ok(c.stats.writeTimeouts >= 2, "the writes timed out");
  await stream(3000);
  d.proc.kill("SIGCONT");
  await until(() => c.sync(2000), "a sync after SIGCONT");
  const counted = (await c.snapshot()).counts.tool_error.timeout;
  const { dropped, unconfirmed } = c.stats;
  // A replayable stream: what was written on the timed-out connections is written again,
  // and the daemon counts each event once.
  assert.equal(counted + dropped, sent, JSON.stringify({ counted, dropped, unconfirmed, sent }));
  assert.equal(unconfirmed, 0);
});

test("events a SIGKILLed daemon read but never committed are written again to the next: none lost, none twice", async () => {
  const d = await start();
  const c = client();
  assert.equal(await c.sync(), true);
  for (let i = 0; i < 100; i += 1) c.compaction(); // no turn: no sync of the client's own
  await until(async () => {
    const o = new Client({ socketPath: home.socket });
    const snap = await o.snapshot(1000);
    await o.close(0);
    return snap?.counts?.compaction === 100;
  }, "the events read");
  await d.kill();
  await start();
  c.compaction();
  assert.equal(await until(() => c.sync(2000), "a sync with the new daemon"), true);
  assert.deepEqual([c.stats.unconfirmed, c.stats.dropped, c.stats.queued], [0, 0, 0]);
  assert.equal((await c.snapshot()).counts.compaction, 101);
});

// --- replies (finding 22.7) ---------------------------------------------------------------

test("the reply reader: byte by byte, split headers, several replies in one chunk", () => {
  const r = new ReplyReader(1024);
  const bytes = Buffer.from("82a474797065a361636ba26964cd0400" + "81a474797065a4706f6e67", "hex");
  const out = [];
  for (const b of bytes) out.push(...r.push(Buffer.from([b])));
  assert.deepEqual(out, [{ type: "ack", id: 1024 }, { type: "pong" }]);
  assert.deepEqual(new ReplyReader(1024).push(bytes), out);
  // Many small replies in one chunk, and one cut across chunks.
  const r2 = new ReplyReader(1024);
  assert.equal(r2.push(Buffer.alloc(1 << 20, 0x01)).length, 1 << 20);
  assert.deepEqual(r2.push(bytes.subarray(0, 5)), []);
  assert.deepEqual(r2.push(bytes.subarray(5)), out);
  assert.equal(r2.len, 0);
});

test("the reply reader refuses an announced size over the bound before buffering it", () => {
  for (const header of ["db7fffffff", "c67fffffff", "dd7fffffff", "df7fffffff", "c9ffffffff01"]) {
    const r = new ReplyReader(MAX_REPLY_BYTES);
    assert.throws(() => r.push(Buffer.from(`81a474797065${header}`, "hex")), ReplyError, header);
    assert.ok(r.len < 64);
  }
  assert.throws(() => new ReplyReader(MAX_REPLY_BYTES).push(Buffer.alloc(100, 0x91)), ReplyError); // nesting
  assert.throws(() => new ReplyReader(MAX_REPLY_BYTES).push(Buffer.from([0xc1])), ReplyError);
  // A reply just under the bound is read.
  const big = Buffer.concat([Buffer.from("c6", "hex"), Buffer.alloc(4), Buffer.alloc(MAX_REPLY_BYTES - 5)]);
  big.writeUInt32BE(MAX_REPLY_BYTES - 5, 1);
  assert.equal(new ReplyReader(MAX_REPLY_BYTES).push(big).length, 1);
});

test("a hostile same-user socket: a huge reply closes the connection, memory stays bounded", async () => {
  home.socket = path.join(home.root, "hostile.sock");
  let closed = 0;
  let offered = 0;
  const server = net.createServer((s) => {
    s.on("error", () => {});
    s.on("close", () => { closed += 1; });
    s.write(Buffer.from("81a474797065db7fffffff", "hex")); // a 2 GiB string announced
    const chunk = Buffer.alloc(1 << 20, 0x61);
    const more = () => { if (!s.destroyed && offered < 64) { offered += 1; s.write(chunk, more); } };
    more();
  });
  await new Promise((r) => server.listen(home.socket, r));
  cleanups.push(() => new Promise((r) => server.close(r)));
  const c = client();
  const rss = process.memoryUsage().rss;
  c.turn("stop");
  assert.equal(await c.sync(1000), false);
  await until(() => closed >= 1, "the client to close the connection");
  assert.ok(c.stats.badReplies >= 1);
  assert.ok(c.lastError instanceof ReplyError);
  assert.ok(process.memoryUsage().rss - rss < 256 << 20);
});

// --- the API (finding 22.5, 23.5) ---------------------------------------------------------

test("the constructor does no I/O: the address is resolved and connected on the next tick", async () => {
  const calls = [];
  const saved = { lstatSync: fs.lstatSync, lstat: fs.promises.lstat, createConnection: net.createConnection };
  fs.lstatSync = (...a) => { calls.push("lstatSync"); return saved.lstatSync(...a); };
  fs.promises.lstat = (...a) => { calls.push("lstat"); return saved.lstat(...a); };
  net.createConnection = (...a) => { calls.push("connect"); return saved.createConnection(...a); };
  try {
    const c = new Client(); // the default path: resolving it reads the file system
    clients.push(c);
    assert.deepEqual(calls, []);
    await until(() => calls.length > 0, "the first connect attempt");
  } finally {
    Object.assign(fs, { lstatSync: saved.lstatSync });
    fs.promises.lstat = saved.lstat;
    net.createConnection = saved.createConnection;
  }
});

test("providerError(message, status), status(), and readable stats", async () => {
  const d = await start();
  const c = client();
  c.providerError("rate limited", 429);
  assert.equal(await c.sync(), true);
  assert.deepEqual((await c.snapshot()).counts, { provider_error: { rate_limit: 1 } });
  const st = await c.status();
  assert.equal(st.type, "status");
  assert.equal(st.pid, d.proc.pid);
  assert.equal(Object.getPrototypeOf(c.stats), Object.prototype);
  assert.match(util.inspect(c.stats), /dropped: 0,\s+unconfirmed: 0/);
  assert.match(util.inspect(c), /^Client\(.*connected/);
});

// --- TCP + token ----------------------------------------------------------------------------

/** A loopback TCP stand-in for a daemon holding `token`: it proves itself (a challenge to
 * a hello with a nonce), checks the client's auth, then answers like a v1.3 daemon that
 * commits at once (resume; acks with committed). `onHello(hello, socket)` sees each hello;
 * `token` null: a listener that cannot prove anything (it answers with a made-up proof). */
async function tcpServer(onHello, token = null) {
  const server = net.createServer((s) => {
    let buf = Buffer.alloc(0);
    let seq = 0;
    let events = 0;
    const mine = crypto.randomBytes(32);
    const hmac = (nonce) => crypto.createHmac("sha256", Buffer.from(token ?? "", "ascii")).update(nonce).digest();
    s.on("error", () => {});
    s.on("data", (d) => {
      buf = Buffer.concat([buf, d]);
      let msgs;
      try { msgs = [...decodeMulti(buf)]; } catch { return; } // incomplete: wait
      buf = Buffer.alloc(0);
      for (const m of msgs) {
        if (m.type === "hello") {
          onHello(m, s);
          seq = m.seq ?? 0;
          s.write(encode({ type: "challenge", proof: token ? hmac(m.nonce) : crypto.randomBytes(32), nonce: mine }));
        } else if (m.type === "auth") {
          if (!token || !Buffer.from(m.proof).equals(hmac(mine))) {
            s.end(encode({ type: "error", code: "unauthorized", detail: "no" }));
            return;
          }
          s.write(encode({ type: "resume", counted: seq - 1 }));
        } else if (m.type === "sync") {
          s.write(encode({ type: "ack", id: m.id, committed: seq + events - 1 }));
        } else {
          events += 1;
        }
      }
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  cleanups.push(() => new Promise((r) => server.close(r)));
  return server.address().port;
}

test("an endpoint file: 127.0.0.1, a hello with a nonce and no token, re-read on every connect", async () => {
  const hellos = [];
  const token = "ab".repeat(32);
  const port = await tcpServer((m) => hellos.push(m), token);
  const file = path.join(home.root, "endpoint.json");
  writeFileSync(file, JSON.stringify({ port, token, pid: process.pid }), { mode: 0o600 });
  const c = client({ socketPath: file, clientVersion: "1.0.0" });
  c.compaction();
  assert.equal(await c.sync(), true);
  assert.deepEqual(hellos.map((h) => Object.keys(h)), [["type", "proto", "client_version", "stream", "seq", "nonce"]]);
  assert.equal(hellos[0].nonce.length, 32);
  // Readable by others: treated as no daemon, nothing sent.
  chmodSync(file, 0o644);
  const other = client({ socketPath: file });
  other.compaction();
  assert.equal(await other.sync(300), false);
  assert.equal(hellos.length, 1);
  assert.match(other.lastError.message, /not a private file/);
});

test("an endpoint file whose daemon (pid) is gone is stale: nothing connects to its port", async () => {
  const hellos = [];
  const token = "ab".repeat(32);
  const port = await tcpServer((m) => hellos.push(m), token);
  const dead = spawnSync("true");
  const file = path.join(home.root, "endpoint.json");
  writeFileSync(file, JSON.stringify({ port, token, pid: dead.pid }), { mode: 0o600 });
  const c = client({ socketPath: file });
  c.turn("stop");
  assert.equal(await c.sync(300), false);
  assert.deepEqual(hellos, []);
  assert.match(c.lastError.message, /stale/);
});

function script(name, body) {
  const file = path.join(home.root, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o700 });
  return file;
}

test("a failed start rejects with SidecarError within its deadline, or gives a NoopClient", async () => {
  const missing = path.join(home.root, "no-such-metricsd");
  await assert.rejects(spawnSidecar(missing, [], { stderr: "ignore" }), (e) => e instanceof SidecarError && /ENOENT/.test(e.reason));
  await assert.rejects(spawnSidecar(script("early", "exit 3"), [], { stderr: "ignore" }),
    (e) => e instanceof SidecarError && /exit status 3/.test(e.reason));
  await assert.rejects(spawnSidecar(script("hung", "exec sleep 60"), [], { stderr: "ignore", timeoutMs: 300 }),
    (e) => e instanceof SidecarError && /no READY line within 300 ms/.test(e.reason));
  const c = await spawnSidecarClient(missing, [], { stderr: "ignore" });
  assert.ok(c instanceof NoopClient);
  assert.match(c.reason, /ENOENT/);
  c.turn("stop");
  c.usage({ cacheHitTokens: 1 });
  assert.equal(await c.sync(), false);
  assert.equal(c.stats.dropped, 2);
  await c.close();
});

test("a killed daemon is restarted and the client reconnects at its READY, not after a back-off", async () => {
  const side = await spawnSidecar(METRICSD, home.args(), { env: cleanEnv(), stderr: "ignore" });
  cleanups.push(() => side.close(2000));
  const firstPid = side.pid;
  assert.ok(firstPid > 0);
  // A back-off far longer than the test: only the sidecar's wake-up can reconnect it.
  const c = side.client({ backoffMinMs: 600000, backoffMaxMs: 600000 });
  clients.push(c);
  c.turn("stop");
  assert.equal(await c.sync(), true);
  const exited = new Promise((r) => side.once("exit", (code, signal) => r(signal)));
  const ready = new Promise((r) => side.once("ready", r));
  process.kill(firstPid, "SIGKILL");
  assert.equal(await exited, "SIGKILL");
  await ready;
  assert.ok(side.pid > 0 && side.pid !== firstPid);
  assert.equal(side.restarts, 1);
  c.turn("length");
  assert.equal(await until(() => c.sync(1000), "a sync with the new daemon"), true);
  assert.deepEqual((await c.snapshot()).counts, { turns: 2, finish_reason: { stop: 1, length: 1 } });
});

test("close(deadline) never kills: a daemon that answers nobody by then gets SIGTERM", async () => {
  const hung = script("stubborn", `echo "READY ${home.socket}"; exec sleep 60`);
  const side2 = await spawnSidecar(hung, [], { stderr: "ignore" });
  const exited = new Promise((r) => side2.once("exit", (code, signal) => r(signal)));
  assert.equal(await side2.close(400), null);
  // close() unrefs a child that had not exited by the deadline (it never keeps the app
  // alive), so this test holds the event loop itself until the exit it waits for.
  const hold = setTimeout(() => {}, 20000);
  try {
    assert.equal(await exited, "SIGTERM");
  } finally {
    clearTimeout(hold);
  }
});

test("a listener that cannot prove it holds the token gets only a hello; the client re-reads the endpoint file", async () => {
  const stale = [];
  const token = "cd".repeat(32);
  const wrongPort = await tcpServer((m) => stale.push(m), null);
  const file = path.join(home.root, "endpoint.json");
  writeFileSync(file, JSON.stringify({ port: wrongPort, token, pid: process.pid }), { mode: 0o600 });
  const c = client({ socketPath: file, backoffMinMs: 20, backoffMaxMs: 50 });
  c.providerError("canary-secret-text", 500);
  await until(() => c.stats.refused > 0, "the refused proof");
  const hellos = [];
  const goodPort = await tcpServer((m) => hellos.push(m), token);
  writeFileSync(file, JSON.stringify({ port: goodPort, token, pid: process.pid }), { mode: 0o600 });
  await until(() => c.sync(500), "a sync with the new daemon");
  assert.ok(stale.length >= 1 && stale.every((h) => h.token === undefined && h.nonce.length === 32));
  assert.equal(hellos.length, 1);
});

test("default discovery: no socket, an endpoint file beside it: the TCP transport", async () => {
  const xdg = path.join(home.root, "xdg");
  fs.mkdirSync(path.join(xdg, "metricsd"), { recursive: true, mode: 0o700 });
  chmodSync(xdg, 0o700);
  const token = "ef".repeat(32);
  const tokens = [];
  const port = await tcpServer((m) => tokens.push(m.token), token);
  writeFileSync(path.join(xdg, "metricsd", "endpoint.json"), JSON.stringify({ port, token, pid: process.pid }), { mode: 0o600 });
  const saved = { xdg: process.env.XDG_RUNTIME_DIR, sock: process.env.METRICSD_SOCKET };
  process.env.XDG_RUNTIME_DIR = xdg;
  delete process.env.METRICSD_SOCKET;
  try {
    const c = new Client();
    clients.push(c);
    assert.equal(c.socketPath, path.join(xdg, "metricsd", "metricsd.sock"));
    c.compaction();
    assert.equal(await c.sync(), true);
    assert.deepEqual(tokens, [undefined]); // the daemon proved itself; no token is ever sent
  } finally {
    if (saved.xdg === undefined) delete process.env.XDG_RUNTIME_DIR; else process.env.XDG_RUNTIME_DIR = saved.xdg;
    if (saved.sock !== undefined) process.env.METRICSD_SOCKET = saved.sock;
  }
});

test("spawnSidecarClient: a client of a supervised daemon; its close closes the daemon", async () => {
  const c = await spawnSidecarClient(METRICSD, home.args(), { env: cleanEnv(), stderr: "ignore" }, { clientVersion: "1.0.0" });
  assert.ok(c instanceof Client);
  assert.equal(c.reason, null);
  const pid = c.sidecar.pid;
  const exited = new Promise((r) => c.sidecar.once("exit", (code) => r(code)));
  c.turn("stop");
  assert.equal(await c.sync(), true);
  await c.close(10000);
  assert.equal(await exited, 0);
  assert.equal(c.sidecar.pid, null);
  assert.throws(() => process.kill(pid, 0), { code: "ESRCH" });
});

test("close: concurrent calls share one close; events after it are dropped and counted", async () => {
  await start();
  const c = client();
  c.compaction();
  const [a, b] = [c.close(), c.close()];
  c.compaction();
  await Promise.all([a, b]);
  assert.equal(a, b);
  assert.deepEqual([c.stats.dropped, c.stats.unconfirmed, c.stats.queued], [1, 0, 0]);
  const observer = client();
  assert.equal((await observer.snapshot()).counts.compaction, 1);
});

test("index.d.ts declares every export, and nothing more", () => {
  const dts = readFileSync(new URL("../src/index.d.ts", import.meta.url), "utf8");
  const declared = [...dts.matchAll(/^export declare (?:const|function|class) (\w+)/gm)].map((m) => m[1]);
  const exported = Object.keys(require("../src/index.cjs"));
  assert.deepEqual([...new Set(declared)].sort(), exported.sort());
});

test("the loopback TCP transport with a real daemon; a restarted daemon's new port and token", async () => {
  const d = await Daemon.start(home, ["--listen", "tcp"]);
  daemons.push(d);
  const c = client({ socketPath: d.address, clientVersion: "1.4.0", backoffMaxMs: 200 });
  c.usageTotal({ promptTokens: 100, cachedTokens: 95 });
  c.turn("stop");
  assert.equal(await c.sync(), true);
  const first = JSON.parse(readFileSync(d.address, "utf8"));
  await d.kill();
  const d2 = await Daemon.start(home, ["--listen", "tcp"]);
  daemons.push(d2);
  assert.notEqual(JSON.parse(readFileSync(d2.address, "utf8")).token, first.token);
  c.turn("length");
  await until(() => c.sync(1000), "a sync with the new daemon");
  assert.deepEqual((await c.snapshot()).counts,
    { turns: 2, finish_reason: { stop: 1, length: 1 }, cache_hit: { "95-98": 1 } });
  assert.equal(c.stats.reconnects, 1);
  assert.deepEqual(c.errors, []);
});

test("spawnSidecar with --listen tcp: READY names the endpoint file and the client uses it", async () => {
  const side = await spawnSidecar(METRICSD, [...home.args(), "--listen", "tcp"], { env: cleanEnv(), stderr: "ignore" });
  cleanups.push(() => side.close(5000));
  assert.equal(side.socketPath, path.join(path.dirname(home.socket), "endpoint.json"));
  const c = side.client();
  clients.push(c);
  c.turn("stop");
  assert.equal(await c.sync(), true);
  assert.equal((await c.status()).pid, side.pid);
});

test("two app instances: the first quits, the second's daemon takes over; nothing lost unreported", async () => {
  const a = await spawnSidecar(METRICSD, home.args(), { env: cleanEnv(), stderr: "ignore" });
  const b = await spawnSidecar(METRICSD, home.args(), { env: cleanEnv(), stderr: "ignore" });
  cleanups.push(() => a.close(5000), () => b.close(5000));
  assert.ok(a.pid > 0 && b.pid > 0 && a.pid !== b.pid);
  const c = b.client({ backoffMinMs: 20, backoffMaxMs: 100 });
  clients.push(c);
  let sent = 0;
  let turns = 0;
  const burst = () => {
    for (let i = 0; i < 200; i += 1) { c.toolResult("command timed out"); sent += 1; }
    c.turn("stop");
    turns += 1;
  };
  burst();
  assert.equal(await c.sync(), true);
  const closing = a.close(10000);
  for (let i = 0; i < 20; i += 1) {
    burst();
    await tick();
  }
  assert.equal(await closing, 0);
  burst();
  await until(() => c.sync(1000), "a sync with the daemon that took over");
  const { counts } = await c.snapshot();
  // Nothing is counted twice, and whatever the quitting daemon did not count is reported
  // as unconfirmed (written to it before it went away, never sent again); nothing dropped.
  const counted = counts.tool_error.timeout + counts.turns;
  const info = JSON.stringify({ counted, sent: sent + turns, ...c.stats });
  assert.ok(counted <= sent + turns, info);
  assert.ok(counted >= sent + turns - c.stats.unconfirmed, info);
  assert.equal(c.stats.dropped, 0);
  assert.equal((await c.status()).pid, b.pid);
});

test("the documented JavaScript examples compile", async () => {
  const vm = await import("node:vm");
  for (const doc of [path.join(REPO, "docs", "CLIENTS.md"), path.join(REPO, "clients", "node", "README.md")]) {
    const blocks = [...readFileSync(doc, "utf8").matchAll(/```js\n(.*?)```/gs)].map((m) => m[1]);
    assert.ok(blocks.length > 0, doc);
    for (const block of blocks) {
      const body = block.replace(/^(const|import) .*from "metricsd-client".*$/m, "").replace(/^const .*require\("metricsd-client"\).*$/m, "");
      assert.doesNotThrow(() => new vm.Script(`(async () => {\n${body}\n})`), doc);
    }
  }
});

// --- v1.3 findings: many app instances, supervision, the address rule -------------------

/** Another app instance (test/instance.mjs) in a child process of its own. */
function otherInstance() {
  const child = spawn(process.execPath, [path.join(path.dirname(new URL(import.meta.url).pathname), "instance.mjs"),
    METRICSD, ...home.args()], { env: cleanEnv(), stdio: ["pipe", "pipe", "inherit"] });
  const lines = readline.createInterface({ input: child.stdout });
  const queue = [];
  const waiting = [];
  lines.on("line", (l) => (waiting.length ? waiting.shift()(l) : queue.push(l)));
  const exited = new Promise((r) => child.once("exit", r));
  cleanups.push(async () => { child.stdin.end(); await exited; });
  return {
    line: () => (queue.length ? Promise.resolve(queue.shift()) : new Promise((r) => waiting.push(r))),
    send: () => child.stdin.write("send\n"),
  };
}

test("finding 3: the first instance to quit leaves the daemon another instance uses serving", async () => {
  const first = await spawnSidecar(METRICSD, home.args(), { env: cleanEnv(), stderr: "ignore" });
  cleanups.push(() => first.close(5000));
  const pid = first.pid;
  const other = otherInstance();
  assert.equal(await other.line(), `served ${pid}`);
  const mine = first.client();
  mine.turn("stop");
  await mine.close(5000);
  assert.equal(await first.close(2000), null);
  assert.doesNotThrow(() => process.kill(pid, 0), "the shared daemon was stopped");
  assert.ok(first.servingOthers);
  other.send();
  const [, ok, stats] = (await other.line()).match(/^synced (\w+) (.*)$/);
  const st = JSON.parse(stats);
  assert.equal(ok, "true", stats);
  assert.deepEqual([st.dropped, st.unconfirmed, st.reconnects], [0, 0, 0], stats);
});

test("finding 5: only fast failures count; after many in a row the restarts slow down, never stop", async () => {
  const lived = script("lived", `echo "READY ${home.socket}"; sleep 0.2; exit 3`);
  const a = await spawnSidecar(lived, [], { stderr: "ignore", restart: { minMs: 1, maxMs: 5, fastMs: 20, maxFailures: 3 } });
  cleanups.push(() => a.close(1000));
  await until(() => a.restarts >= 8, "eight restarts of daemons that lived");
  assert.deepEqual([a.status().slow, a.status().fastFailures, a.reason], [false, 0, null]);

  const count = path.join(home.root, "n");
  const flaky = script("flaky", `n=$(cat ${count} 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${count}
if [ $n -le 5 ]; then echo "READY ${home.socket}"; exit 3; fi
echo "READY ${home.socket}"; exec sleep 60`);
  const b = await spawnSidecar(flaky, [], { stderr: "ignore", restart: { minMs: 1, maxMs: 5, maxFailures: 3, slowMs: 50 } });
  cleanups.push(() => b.close(1000));
  const slow = await new Promise((r) => b.once("slow", r));
  assert.match(slow, /failed 3 times in a row/);
  assert.equal(b.status().slow, true);
  await until(() => b.restarts === 5 && b.pid !== null, "the daemon started at the slow pace");
  let settled = false;
  b.wait().then(() => { settled = true; });
  await tick();
  assert.equal(settled, false, "the sidecar stopped supervising");
});

test("finding 6: a stand-by's take-over READY wakes the clients of its sidecar", async () => {
  const serving = await start();
  const side = await spawnSidecar(METRICSD, home.args(), { env: cleanEnv(), stderr: "ignore" });
  cleanups.push(() => side.close(5000));
  const c = side.client({ backoffMinMs: 600000, backoffMaxMs: 600000 });
  clients.push(c);
  c.turn("stop");
  assert.equal(await c.sync(), true);
  const standby = side.pid;
  // Held still while the serving daemon dies: the client's reconnection fails first and
  // it backs off (10 minutes).
  process.kill(standby, "SIGSTOP");
  cleanups.push(() => { try { process.kill(standby, "SIGCONT"); } catch { /* gone */ } });
  await serving.kill();
  c.turn("stop");
  await until(() => c.lastError !== null && !c.connected && c._retryTimer !== null, "a failed reconnection");
  let ready = null;
  side.once("ready", (p) => { ready = p; });
  process.kill(standby, "SIGCONT");
  await until(() => c.connected, "the client at the stand-by's take-over", 10000);
  assert.equal(ready, home.socket);
  assert.ok(c.stats.reconnects >= 1);
});

test("finding 7: the address rule of clients/spec.json, for linux, darwin and win32, is the daemon's", () => {
  const cases = [
    ["win32", { LOCALAPPDATA: "C:\\Users\\u\\AppData\\Local" }, ["/x"]],
    ["darwin", {}, []],
    ["darwin", { XDG_RUNTIME_DIR: "/run/user/501" }, ["/run/user/501"]],
    ["darwin", { XDG_RUNTIME_DIR: "/run/user/501" }, []],
    ["linux", { XDG_RUNTIME_DIR: "/run/user/1000" }, ["/run/user/1000"]],
    ["linux", { XDG_RUNTIME_DIR: "relative" }, ["relative", "/run/user/1000"]],
    ["linux", {}, []],
    ["freebsd", {}, ["/var/run/user/1000"]],
    ["openbsd", {}, ["/tmp/run/user/1000"]],
  ];
  const code = `import json, sys\nfrom tests.clientspec import runtime_dir\nfor platform, env, private in json.load(sys.stdin):\n    print(runtime_dir(platform, env, uid=1000, home="/home/u", tmp="/tmp", private=lambda p: p in private))`;
  const r = spawnSync(PYTHON, ["-c", code], { cwd: REPO, input: JSON.stringify(cases), encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const expected = r.stdout.trim().split("\n");
  const got = cases.map(([platform, env, priv]) => defaultRuntimeDir(env, platform,
    { home: "/home/u", tmp: "/tmp", id: 1000, isPrivate: (p) => priv.includes(p) }));
  assert.deepEqual(got, expected);
  assert.equal(socketPath(undefined, cases[0][1], "win32"), "C:\\Users\\u\\AppData\\Local\\Temp\\metricsd\\endpoint.json");
});

test("finding 4: a sync that timed out never consumes the loss report: the next sync still says false", async () => {
  const sock = path.join(home.root, "slow.sock");
  let release;
  const held = new Promise((r) => { release = r; });
  const server = net.createServer((s) => {
    let buf = Buffer.alloc(0);
    let first = true;
    s.on("error", () => {});
    s.on("data", async (d) => {
      buf = Buffer.concat([buf, d]);
      let msgs;
      try { msgs = [...decodeMulti(buf)]; } catch { return; }
      buf = Buffer.alloc(0);
      for (const m of msgs) {
        if (m.type !== "sync") continue;
        if (!first) await held; // the daemon is slow to answer
        first = false;
        s.write(encode({ type: "ack", id: m.id }));
      }
    });
  });
  await new Promise((r) => server.listen(sock, r));
  cleanups.push(() => new Promise((r) => server.close(r)));
  const c = client({ socketPath: sock });
  assert.equal(await c.sync(), true);
  c.usage(9500, 500); // refused by the client: dropped, counted
  c.turn("stop");
  assert.equal(await c.sync(50), false); // abandoned: no answer in time
  release();
  assert.equal(await c.sync(), false, JSON.stringify(c.stats)); // the loss is still reported
  assert.equal(await c.sync(), true);
});
