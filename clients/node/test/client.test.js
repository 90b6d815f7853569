// The Node client against real daemons.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import process from "node:process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterEach, beforeEach, test } from "node:test";

import {
  Backoff, Client, ConnectionLost, ProtocolError, SafeClient, clip, encodeMessage, socketPath,
  toolResultMessage, MAX_STRING_BYTES,
} from "../src/index.js";
import { Daemon, Home, cleanEnv, pythonDefaultSocket } from "./helpers.js";

const EVERY_HELPER = {
  turns: 2, finish_reason: { stop: 1, none: 1 }, empty_final: 1, cache_hit: { "90-99": 1 },
  provider_error: { rate_limit: 1 }, tool_error: { timeout: 1 }, compaction: 1,
};

function everyHelper(c) {
  c.hello("1.4.0");
  c.usage(95, 5);
  c.providerError("slow down", 429);
  c.toolResult(null);
  c.toolResult("timed out");
  c.compaction();
  c.turn("stop");
  c.turn(null, true);
}

function clientVersions(home) {
  return JSON.parse(home.cli("show", "--json")).map((b) => b.client.version);
}

let home;
const daemons = [];
async function start() {
  const d = await Daemon.start(home);
  daemons.push(d);
  return d;
}
beforeEach(() => { home = new Home(); });
afterEach(async () => {
  for (const d of daemons.splice(0)) await d.kill();
  home.cleanup();
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

test("helpers batch into one write; sync, snapshot, ping", async () => {
  await start();
  const c = await Client.connect({ path: home.socket });
  const observer = await Client.connect({ path: home.socket });
  everyHelper(c);
  assert.ok(c.buffered > 0);
  assert.deepEqual((await observer.snapshot()).counts, {}); // nothing written yet
  await c.sync();
  assert.equal(c.buffered, 0);
  const snap = await observer.snapshot();
  assert.equal(snap.enabled, true);
  assert.deepEqual(snap.counts, EVERY_HELPER);
  const pong = await c.ping();
  assert.equal(pong.proto, 1);
  assert.deepEqual(c.errors, []);
  await c.close();
  await observer.close();
  assert.deepEqual(clientVersions(home), ["1.4.0"]);
});

test("sync resolves only after the commit (survives SIGKILL)", async () => {
  const d = await start();
  const c = await Client.connect({ path: home.socket });
  c.usage(1, 1);
  c.compaction();
  await c.sync();
  await d.kill();
  await start();
  const c2 = await Client.connect({ path: home.socket });
  assert.deepEqual((await c2.snapshot()).counts, { cache_hit: { "50-89": 1 }, compaction: 1 });
  await c2.close();
  await c.close();
});

test("reconnects after the daemon is killed and started again", async () => {
  const d = await start();
  const c = await Client.connect({ path: home.socket });
  c.hello("2.1.0-beta.3");
  c.turn("stop");
  await c.sync();
  await d.kill();
  await start();
  c.turn("length");
  await c.sync();
  assert.equal(c.reconnects, 1);
  assert.deepEqual((await c.snapshot()).counts, { turns: 2, finish_reason: { stop: 1, length: 1 } });
  await daemons[daemons.length - 1].kill();
  await start();
  assert.equal((await c.ping()).type, "pong");
  assert.equal(c.reconnects, 2);
  await c.close();
  assert.deepEqual(clientVersions(home), ["2.1.0-beta.3"]); // hello repeated on reconnect
});

test("a strict client reports a lost daemon", async () => {
  const d = await start();
  const c = await Client.connect({ path: home.socket, reconnect: false });
  await c.ping();
  await d.kill();
  c.turn("stop");
  await assert.rejects(c.sync());
  await c.close();
  await assert.rejects(Client.connect({ path: home.socket }), (err) => ["ENOENT", "ECONNREFUSED"].includes(err.code));
});

test("invalid events are reported and skipped; fatal errors reject", async () => {
  await start();
  const c = await Client.connect({ path: home.socket });
  c.send({ type: "usage", cache_hit_tokens: -1 });
  c.compaction();
  await c.sync();
  assert.deepEqual(c.errors.map((e) => e.code), ["invalid_event"]);
  assert.deepEqual((await c.snapshot()).counts, { compaction: 1 });
  c.sendRaw(Buffer.from([0xc1]));
  await assert.rejects(c.sync(), (err) => err instanceof ProtocolError && err.code === "malformed");
  await c.close();
});

test("long strings are clipped, not fatal; oversized messages refused", async () => {
  await start();
  const long = "deadline exceeded " + "é".repeat(MAX_STRING_BYTES);
  assert.ok(Buffer.byteLength(clip(long)) <= MAX_STRING_BYTES);
  assert.ok(encodeMessage(toolResultMessage("e".repeat(1e6))).length < 64 * 1024);
  assert.throws(() => encodeMessage({ type: "x", a: "v".repeat(70000) }), RangeError);
  const c = await Client.connect({ path: home.socket });
  c.toolResult(long);
  await c.sync();
  assert.deepEqual(c.errors, []);
  assert.deepEqual((await c.snapshot()).counts, { tool_error: { timeout: 1 } });
  await c.close();
});

test("SafeClient never throws without a daemon, bounds its buffer", async () => {
  const s = new SafeClient({ path: home.socket, maxBuffer: 200 });
  everyHelper(s);
  s.toolResult(10n ** 30n); // cannot be encoded: dropped
  assert.equal(await s.flush(), false);
  assert.equal(await s.sync(), false);
  assert.equal(await s.ping(), null);
  assert.equal(await s.snapshot(), null);
  for (let i = 0; i < 10; i++) s.compaction();
  assert.ok(s.dropped >= 6, String(s.dropped));
  assert.ok(s.failures >= 1 && s.lastError);
  await s.close();
  const bad = new SafeClient({ path: home.root }); // a directory, not a socket
  bad.turn("stop");
  assert.equal(await bad.sync(), false);
  await bad.close();
});

test("SafeClient backs off instead of retrying on every call", async () => {
  let now = 0;
  const s = new SafeClient({ path: home.socket, backoff: new Backoff(10, 10, () => now) });
  assert.equal(await s.sync(), false);
  const failures = s.failures;
  for (let i = 0; i < 50; i++) s.turn("stop");
  assert.equal(await s.flush(), false);
  assert.equal(s.failures, failures);
  now = 11;
  await s.flush();
  assert.equal(s.failures, failures + 1);
});

test("SafeClient survives a killed daemon and delivers what it queued", async () => {
  const d = await start();
  const s = new SafeClient({ path: home.socket, backoff: new Backoff(0, 0) });
  s.hello("3.0.0");
  s.turn("stop");
  assert.equal(await s.sync(), true);
  await d.kill();
  s.usage(0, 5);
  s.turn("stop");
  assert.equal(await s.sync(), false);
  await start();
  s.compaction();
  assert.equal(await s.sync(), true);
  const snap = await s.snapshot();
  assert.deepEqual(snap.counts, { turns: 2, finish_reason: { stop: 2 }, cache_hit: { 0: 1 }, compaction: 1 });
  assert.equal(s.dropped, 0);
  await s.close();
  assert.deepEqual(clientVersions(home), ["3.0.0"]);
});

test("ConnectionLost is exported for callers", () => {
  assert.ok(new ConnectionLost() instanceof Error);
});

test("no handle is left open: a script using the clients exits after close()", async () => {
  await start();
  const script = `
    import { Client, SafeClient } from ${JSON.stringify(new URL("../src/index.js", import.meta.url).href)};
    const s = new SafeClient({ path: ${JSON.stringify(home.socket)} });
    s.hello("1.4.0");
    s.turn("stop"); // starts a flush that races the sync below
    if (!(await s.sync())) process.exit(3);
    await s.close();
    const c = await Client.connect({ path: ${JSON.stringify(home.socket)} });
    c.turn("stop");
    await c.sync();
    await c.snapshot();
    await c.close();`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: "inherit" });
  const code = await new Promise((resolve) => {
    const timer = setTimeout(() => { child.kill("SIGKILL"); resolve("did not exit"); }, 15000);
    child.once("exit", (c) => { clearTimeout(timer); resolve(c); });
  });
  assert.equal(code, 0);
});

test("SafeClient gives up on a daemon that does not answer, within its timeout", async () => {
  mkdirSync(path.dirname(home.socket), { mode: 0o700 });
  const server = net.createServer(() => {}); // accepts, never replies
  await new Promise((resolve) => server.listen(home.socket, resolve));
  try {
    const s = new SafeClient({ path: home.socket, timeoutMs: 200 });
    s.turn("stop");
    assert.equal(await s.ping(), null);
    assert.equal(await s.sync(), false);
    assert.equal(s.lastError.code, "ETIMEDOUT");
    await s.close();
  } finally {
    server.close();
  }
});
