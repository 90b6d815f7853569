// The Node client against real daemons (the cross-client scenarios live in the Python
// suite's tests/conformance; these are the Node-specific ones).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";
import process from "node:process";
import { afterEach, beforeEach, test } from "node:test";
import { fileURLToPath } from "node:url";

import {
  Client, DEFAULTS, MAX_STRING_BYTES, clip, encodeMessage, socketPath, spawnSidecar, toolResultMessage,
} from "../src/index.mjs";
import { Daemon, Home, PYTHON, cleanEnv, pythonDefaultSocket } from "./helpers.mjs";

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const METRICSD = path.join(path.dirname(PYTHON), "metricsd");

const EVERY = {
  turns: 2, finish_reason: { stop: 1, none: 1 }, empty_final: 1, cache_hit: { "95-98": 1 },
  provider_error: { rate_limit: 1 }, tool_error: { timeout: 1 }, compaction: 1,
};

function everyEvent(c) {
  c.usage({ cacheHitTokens: 95, cacheMissTokens: 5 });
  c.providerError("slow down", 429);
  c.toolResult(null);
  c.toolResult("timed out");
  c.compaction();
  c.turn("stop");
  c.turn(null, { emptyFinal: true });
}

async function until(fn, what, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function clientVersions(home) {
  return JSON.parse(home.cli("show", "--json")).map((b) => b.client.version);
}

let home;
const daemons = [];
const clients = [];
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
  for (const d of daemons.splice(0)) await d.kill();
  home.cleanup();
});

test("require and import load the same implementation", () => {
  const cjs = require("../src/index.cjs");
  assert.equal(cjs.Client, Client);
  assert.equal(require.resolve("metricsd-client"), path.resolve(here, "..", "src", "index.cjs"));
  assert.equal(require("metricsd-client").Client, Client);
});

test("socket path: argument, METRICSD_SOCKET, then the same default as the daemon", () => {
  assert.equal(socketPath("/x/a.sock", { METRICSD_SOCKET: "/y/b.sock" }), "/x/a.sock");
  assert.equal(socketPath(undefined, { METRICSD_SOCKET: "/y/b.sock" }), "/y/b.sock");
  const xdg = mkdtempSync("/tmp/mdn-xdg-");
  chmodSync(xdg, 0o700);
  try {
    for (const env of [cleanEnv({ XDG_RUNTIME_DIR: xdg }), cleanEnv({ XDG_RUNTIME_DIR: "" })]) {
      assert.equal(socketPath(undefined, env), pythonDefaultSocket(env));
    }
    assert.equal(socketPath(undefined, { XDG_RUNTIME_DIR: xdg }), path.join(xdg, "metricsd", "metricsd.sock"));
  } finally {
    rmSync(xdg, { recursive: true, force: true });
  }
});

test("a turn is on the wire at once; sync and snapshot", async () => {
  await start();
  const c = client({ clientVersion: "1.4.0" });
  const observer = client();
  everyEvent(c);
  await until(async () => (await observer.snapshot())?.counts?.turns === 2, "the turns");
  assert.equal(await c.sync(), true);
  assert.deepEqual((await c.snapshot()).counts, EVERY);
  assert.equal((await c.ping()).proto, 1);
  assert.deepEqual(c.errors, []);
  assert.equal(c.stats.dropped, 0);
  await c.close();
  assert.deepEqual(clientVersions(home), ["1.4.0"]);
});

test("usage takes named token counts; two bare numbers are refused, not swapped", async () => {
  await start();
  const c = client();
  c.usage(9500, 500);
  c.usage({ cacheMissTokens: 500, cacheHitTokens: 9500 });
  c.usage({ cacheHitTokens: -1 });
  assert.equal(await c.sync(), false); // the drops are reported, once
  assert.equal(await c.sync(), true);
  assert.deepEqual((await c.snapshot()).counts, { cache_hit: { "95-98": 1 } });
  assert.equal(c.stats.dropped, 2);
  assert.ok(c.lastError instanceof RangeError);
});

test("arguments that cannot be sent are dropped and counted, never thrown", async () => {
  await start();
  const c = client();
  c.toolResult(42);
  c.providerError({ message: "x" });
  c.turn(Symbol("x"));
  c.toolResult("deadline exceeded " + "é".repeat(MAX_STRING_BYTES)); // clipped, counted
  c.providerError("\uD800 status 429"); // a lone surrogate: made valid, not malformed
  assert.equal(await c.sync(), false); // the drops are reported, once
  assert.equal(await c.sync(), true);
  assert.equal(c.stats.dropped, 3);
  assert.deepEqual(c.errors, []);
  assert.deepEqual((await c.snapshot()).counts, { tool_error: { timeout: 1 }, provider_error: { rate_limit: 1 } });
  assert.ok(encodeMessage(toolResultMessage("e".repeat(1e6))).length < 64 * 1024);
  assert.equal(clip("short"), "short");
});

test("sync resolves true only after the commit (survives SIGKILL)", async () => {
  const d = await start();
  const c = client();
  c.usage({ cacheHitTokens: 1, cacheMissTokens: 1 });
  c.compaction();
  assert.equal(await c.sync(), true);
  await d.kill();
  await start();
  const c2 = client();
  assert.deepEqual((await c2.snapshot()).counts, { cache_hit: { "50-79": 1 }, compaction: 1 });
});

test("reconnects after a restart and repeats the hello", async () => {
  const d = await start();
  const c = client({ clientVersion: "2.1.0-beta.3" });
  c.turn("stop");
  assert.equal(await c.sync(), true);
  await d.kill();
  await start();
  c.turn("length");
  await until(() => c.sync(2000), "a sync on the new connection", 20000);
  assert.equal(c.stats.reconnects, 1);
  assert.deepEqual((await c.snapshot()).counts, { turns: 2, finish_reason: { stop: 1, length: 1 } });
  await daemons[daemons.length - 1].stop();
  assert.deepEqual(clientVersions(home), ["2.1.0-beta.3"]);
});

test("no daemon: nothing throws, sync is false, undelivered events are counted", async () => {
  const c = client();
  everyEvent(c);
  assert.equal(await c.sync(200), false);
  assert.equal(await c.snapshot(200), null);
  assert.ok(c.lastError && c.lastError.code === "ENOENT");
  await c.close();
  assert.equal(c.stats.dropped, 7);
  c.turn("stop"); // after close: dropped
  assert.equal(c.stats.dropped, 8);
  assert.equal(await c.sync(), false);
});

test("the queue is bounded", async () => {
  const c = client({ maxQueue: 10 });
  for (let i = 0; i < 25; i += 1) c.compaction();
  assert.deepEqual([c.stats.queued, c.stats.dropped], [10, 15]);
  assert.equal(DEFAULTS.maxQueue, 10000);
});

test("a socket owned by another user gets nothing", { skip: process.geteuid() !== 0 && "needs root" }, async () => {
  const dir = mkdtempSync("/tmp/mdn-foreign-");
  const sock = path.join(dir, "m.sock");
  let connections = 0;
  const server = net.createServer(() => { connections += 1; });
  await new Promise((r) => server.listen(sock, r));
  try {
    chownSync(sock, 65534, 65534);
    chownSync(dir, 65534, 65534);
    const c = client({ socketPath: sock });
    c.turn("stop");
    assert.equal(await c.sync(500), false);
    assert.equal(c.stats.refused >= 1, true);
    assert.match(c.lastError.message, /not by this user/);
    assert.equal(connections, 0);
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("an idle client does not keep the application alive", async () => {
  await start();
  const script = `const { Client } = require(${JSON.stringify(path.resolve(here, "..", "src", "index.cjs"))});
    const c = new Client({ socketPath: ${JSON.stringify(home.socket)} }); c.turn("stop");`;
  const child = spawn(process.execPath, ["-e", script], { stdio: "inherit" });
  const code = await new Promise((resolve) => child.once("exit", resolve));
  assert.equal(code, 0);
  const observer = client();
  await until(async () => (await observer.snapshot())?.counts?.turns === 1, "the child's turn");
});

test("a closed sidecar leaves nothing that keeps the application alive", async () => {
  // In a child, so that only the sidecar's own timers are there: after close() resolves
  // (its daemon exited on stdin EOF), none is left pending (a pending close deadline kept
  // an app alive for up to ten seconds after its daemon had left).
  const script = `const { spawnSidecar } = require(${JSON.stringify(path.resolve(here, "..", "src", "index.cjs"))});
    (async () => {
      const side = await spawnSidecar(${JSON.stringify(METRICSD)}, ${JSON.stringify(home.args())}, { stderr: "ignore" });
      const c = side.client({ clientVersion: "1.0.0" });
      c.turn("stop");
      const synced = await c.sync(10000);
      await c.close();
      const code = await side.close();
      process.stdout.write(JSON.stringify({ synced, code, left: process.getActiveResourcesInfo() }));
    })();`;
  const child = spawn(process.execPath, ["-e", script], { env: cleanEnv(), stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (d) => { out += d; });
  const code = await new Promise((resolve) => child.once("exit", resolve));
  assert.equal(code, 0);
  const report = JSON.parse(out);
  assert.equal(report.synced, true);
  assert.equal(report.code, 0);
  assert.deepEqual(report.left.filter((r) => r === "Timeout"), []);
});

test("spawnSidecar: READY path; a second one for the same socket stands by", async () => {
  const side = await spawnSidecar(METRICSD, home.args(), { env: cleanEnv() });
  assert.equal(side.socketPath, home.socket);
  assert.equal(side.alreadyRunning, false);
  const again = await spawnSidecar(METRICSD, home.args(), { env: cleanEnv(), stderr: "ignore" });
  assert.equal(again.socketPath, home.socket);
  assert.ok(again.pid > 0 && again.pid !== side.pid);
  assert.equal(await again.close(), 0); // stdin EOF: a standby just exits
  const c = side.client({ clientVersion: "1.0.0" });
  c.turn("stop");
  assert.equal(await c.sync(), true);
  await c.close();
  assert.equal(await side.close(), 0);
  // A socket path over the platform's limit: the daemon exits 1 and the spawn rejects.
  const tooLong = path.join(home.root, "x".repeat(120), "m.sock");
  await assert.rejects(spawnSidecar(METRICSD, [...home.args(), "--socket", tooLong], { env: cleanEnv(), stderr: "ignore" }),
    /could not start/);
});
