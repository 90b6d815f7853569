"use strict";
// Conformance driver for the Node client (clients/node, loaded with require):
//   node driver.cjs SCENARIO     (environment: MD_SOCKET, MD_EXE, MD_ARGS)
// JSON lines on stdout ({"step": ...}, then {"result": {...}}), commands on stdin. An
// exception or a rejection ends the process with a non-zero status: the client must not
// throw.
const fs = require("node:fs");
const path = require("node:path");
const readline = require("node:readline");

const { Client, socketPath: resolveSocket, spawnSidecar } = require(path.resolve(__dirname, "..", "..", "..", "clients", "node"));

process.on("unhandledRejection", (err) => { console.error(err); process.exit(1); });

const say = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);
const lines = readline.createInterface({ input: process.stdin });
const commands = [];
const waiting = [];
lines.on("line", (line) => {
  const w = waiting.shift();
  if (w) w(line.trim());
  else commands.push(line.trim());
});
function waitFor(command) {
  return new Promise((resolve) => {
    const check = (line) => {
      if (line !== command) {
        console.error(`expected ${command} on stdin, got ${line}`);
        process.exit(1);
      }
      resolve();
    };
    if (commands.length) check(commands.shift());
    else waiting.push(check);
  });
}

function nextCommand() {
  return new Promise((resolve) => {
    if (commands.length) resolve(commands.shift());
    else waiting.push(resolve);
  });
}

// The end-to-end exactness test's app: "round N" streams N turns (each a usage, a tool
// result, a compaction every fourth, the turn), stopping half-way for "go", then syncs
// and reports; "end" closes.
async function rounds(socketPath) {
  const c = new Client({ socketPath, clientVersion: "1.0.0" });
  for (;;) {
    const line = await nextCommand();
    if (line === "end") break;
    const n = Number(line.split(" ")[1]);
    for (let i = 0; i < n; i += 1) {
      if (i === Math.floor(n / 2)) {
        say({ step: "half" });
        await waitFor("go");
      }
      c.usageTotal({ promptTokens: 1000, cachedTokens: 900 });
      c.toolResult(i % 3 ? null : "exit status 1");
      if (i % 4 === 0) c.compaction();
      c.turn("stop");
    }
    const ok = await c.sync(30000);
    say({ step: "done", sync: ok, dropped: c.stats.dropped, unconfirmed: c.stats.unconfirmed });
  }
  await c.close();
  say({ result: {} });
}

let maxMs = 0;
function t(fn) {
  const t0 = process.hrtime.bigint();
  fn();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (ms > maxMs) maxMs = ms;
}

function rssKb() {
  const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync("/proc/self/status", "utf8"));
  return m ? Number(m[1]) : -1;
}

function everyEvent(c) {
  t(() => c.usage({ cacheHitTokens: 95, cacheMissTokens: 5 }));
  t(() => c.toolResult("command timed out"));
  t(() => c.toolResult(null));
  t(() => c.providerError("slow down", 429));
  t(() => c.compaction());
  t(() => c.turn("stop"));
}

// The end-to-end exactness test's app (tests/receiver/test_streams_exactness.py): MD_TABS
// tabs, each its own client of one sidecar, stream events (a usage, a tool error, a
// compaction and a turn per round) until "stop"; then each syncs (retrying while daemons
// come and go) and closes, and the sidecar closes.
async function tabs() {
  const side = await spawnSidecar(process.env.MD_EXE, JSON.parse(process.env.MD_ARGS), { stderr: "inherit" });
  const n = Number(process.env.MD_TABS || "8");
  const pause = Number(process.env.MD_PAUSE_MS || "5");
  const clients = Array.from({ length: n }, () => side.client({ clientVersion: "1.0.0" }));
  const handed = clients.map(() => 0);
  let stop = false;
  const loops = clients.map(async (c, i) => {
    while (!stop) {
      t(() => c.usageTotal({ promptTokens: 1000, cachedTokens: 900 }));
      t(() => c.toolResult("exit status 1"));
      t(() => c.compaction());
      t(() => c.turn("stop"));
      handed[i] += 4;
      await new Promise((r) => setTimeout(r, pause)); // an app's pace
    }
  });
  say({ step: "ready" });
  await waitFor("stop");
  stop = true;
  await Promise.all(loops);
  const deadline = Date.now() + 60000;
  const synced = [];
  for (const c of clients) {
    let ok = await c.sync(5000);
    while (!ok && Date.now() < deadline) ok = await c.sync(5000);
    synced.push(ok);
  }
  for (const c of clients) await c.close(5000);
  const code = await side.close(10000);
  say({ result: { handed: handed.reduce((a, b) => a + b, 0), sync: synced.every(Boolean),
    dropped: clients.reduce((a, c) => a + c.stats.dropped, 0),
    unconfirmed: clients.reduce((a, c) => a + c.stats.unconfirmed, 0),
    restarts: side.restarts, exit: code, max_call_ms: maxMs } });
}

async function main() {
  const scenario = process.argv[2];
  const socketPath = process.env.MD_SOCKET;
  if (scenario === "rounds") {
    await rounds(socketPath);
  } else if (scenario === "turn_prompt") {
    const c = new Client({ socketPath, clientVersion: "1.2.3" });
    everyEvent(c);
    say({ step: "sent" });
    await waitFor("check");
    const ok = await c.sync(10000);
    const snap = await c.snapshot(10000);
    await c.close();
    say({ result: { sync: ok, counts: snap && snap.counts, dropped: c.stats.dropped, max_call_ms: maxMs } });
  } else if (scenario === "restart") {
    const c = new Client({ socketPath, clientVersion: "1.2.3" });
    t(() => c.turn("stop"));
    if (!(await c.sync(10000))) throw new Error("first sync failed");
    let go = false;
    waitFor("go").then(() => { go = true; });
    say({ step: "synced" });
    let streamed = 0;
    while (!go) {
      t(() => c.toolResult(null));
      streamed += 1;
      await new Promise((r) => setTimeout(r, 1));
    }
    for (let i = 0; i < 50; i += 1) t(() => c.compaction());
    t(() => c.turn("length"));
    const deadline = Date.now() + 20000;
    let ok = await c.sync(5000);
    while (!ok && Date.now() < deadline) ok = await c.sync(5000);
    await c.close();
    say({ result: { sync: ok, dropped: c.stats.dropped, streamed, reconnects: c.stats.reconnects, max_call_ms: maxMs } });
  } else if (scenario === "absent") {
    const c = new Client({ socketPath, clientVersion: "1.2.3" });
    for (let i = 0; i < 200; i += 1) {
      everyEvent(c);
      t(() => c.turn(null, { emptyFinal: true }));
    }
    const ok = await c.sync(300);
    await c.close();
    say({ result: { sync: ok, dropped: c.stats.dropped, max_call_ms: maxMs } });
  } else if (scenario === "usage_forms") {
    // The three usage forms with null/absent counts: each one is an event, none dropped.
    const c = new Client({ socketPath, clientVersion: "1.2.3" });
    t(() => c.usage({ cacheHitTokens: null, cacheMissTokens: 10 }));
    t(() => c.usageTotal({ promptTokens: 100, cachedTokens: 30 }));
    t(() => c.usageTotal({ promptTokens: 40, cachedTokens: null }));
    t(() => c.usageReadWrite({ inputTokens: null, cacheReadInputTokens: 900, cacheCreationInputTokens: undefined }));
    t(() => c.usageReadWrite({ inputTokens: 10, cacheReadInputTokens: 0, cacheCreationInputTokens: 5 }));
    t(() => c.turn("stop"));
    const ok = await c.sync(10000);
    const snap = await c.snapshot(10000);
    await c.close();
    say({ result: { sync: ok, counts: snap && snap.counts, dropped: c.stats.dropped, max_call_ms: maxMs } });
  } else if (scenario === "default_path") {
    say({ result: { path: resolveSocket(undefined, { ...process.env, METRICSD_SOCKET: "" }) } });
  } else if (scenario === "silent") {
    const c = new Client({ socketPath, clientVersion: "1.2.3" });
    for (let i = 0; i < 100000; i += 1) t(() => c.toolResult("command timed out after 120 seconds"));
    const ok = await c.sync(500);
    await c.close();
    say({ result: { sync: ok, dropped: c.stats.dropped, max_call_ms: maxMs } });
  } else if (scenario === "foreign") {
    const c = new Client({ socketPath, clientVersion: "1.2.3" });
    everyEvent(c);
    const ok = await c.sync(1000);
    await c.close();
    say({ result: { sync: ok, dropped: c.stats.dropped, refused: c.stats.refused } });
  } else if (scenario === "memory") {
    const c = new Client({ socketPath, clientVersion: "1.2.3" });
    const before = rssKb();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 250000; i += 1) {
      c.usage({ cacheHitTokens: 95, cacheMissTokens: 5 });
      c.toolResult("command timed out");
      c.compaction();
      c.turn("stop");
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const after = rssKb();
    await c.close(100);
    say({ result: { events: 1000000, rss_growth_kb: after - before, dropped: c.stats.dropped, seconds } });
  } else if (scenario === "bench") {
    const n = Math.floor(Number(process.env.MD_EVENTS || 120000) / 6);
    const c = new Client({ socketPath, clientVersion: "1.2.3", maxQueue: 1e6, maxQueueBytes: 256 << 20 });
    if (!(await c.sync(10000))) throw new Error("no daemon");
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i += 1) {
      c.usage({ cacheHitTokens: 95, cacheMissTokens: 5 });
      c.toolResult("command timed out");
      c.toolResult(null);
      c.providerError("slow down", 429);
      c.compaction();
      c.turn("stop");
    }
    const calls = Number(process.hrtime.bigint() - t0);
    const ok = await c.sync(60000);
    const cpu = process.cpuUsage(cpu0);
    await c.close();
    say({ result: { events: n * 6, sync: ok, dropped: c.stats.dropped, call_ns: calls / (n * 6),
      cpu_ns: ((cpu.user + cpu.system) * 1000) / (n * 6) } });
  } else if (scenario === "spawn" || scenario === "spawn_existing") {
    const side = await spawnSidecar(process.env.MD_EXE, JSON.parse(process.env.MD_ARGS));
    const c = side.client({ clientVersion: "1.2.3" });
    t(() => c.turn("stop"));
    const ok = await c.sync(10000);
    await c.close();
    const code = await side.close();
    say({ result: { socket: side.socketPath, already_running: side.alreadyRunning, sync: ok, exit: code } });
  } else if (scenario === "stream_kill") {
    // v1.3 replayable streams: events the daemon read but had not committed when it was
    // SIGKILLed are written again to the next daemon; nothing lost or doubled.
    const c = new Client({ socketPath, clientVersion: "1.2.3" });
    if (!(await c.sync(10000))) throw new Error("first sync failed");
    for (let i = 0; i < 300; i += 1) t(() => c.compaction());
    say({ step: "sent" });
    await waitFor("go");
    t(() => c.turn("stop"));
    const deadline = Date.now() + 20000;
    let ok = await c.sync(5000);
    while (!ok && Date.now() < deadline) ok = await c.sync(5000);
    await c.close(5000);
    say({ result: { sync: ok, dropped: c.stats.dropped, unconfirmed: c.stats.unconfirmed, reconnects: c.stats.reconnects,
      max_call_ms: maxMs } });
  } else if (scenario === "impostor") {
    // MD_SOCKET is an endpoint.json naming a listener that is not the daemon: it must
    // receive no token and no byte of any event.
    const c = new Client({ socketPath, clientVersion: "1.2.3" });
    everyEvent(c);
    t(() => c.providerError(process.env.MD_CANARY, 500));
    t(() => c.toolResult(process.env.MD_CANARY));
    const ok = await c.sync(1000);
    await c.close(200);
    say({ result: { sync: ok, dropped: c.stats.dropped, unconfirmed: c.stats.unconfirmed, max_call_ms: maxMs } });
  } else if (scenario === "tabs") {
    await tabs();
  } else if (scenario === "lost") {
    // A compaction written and never acknowledged, the daemon SIGKILLed after reading it:
    // with a replayable stream it is written again to the next daemon.
    const c = new Client({ socketPath, clientVersion: "1.2.3" });
    if (!(await c.sync(10000))) throw new Error("first sync failed");
    t(() => c.compaction());
    say({ step: "sent" });
    await waitFor("go");
    t(() => c.compaction());
    const first = await c.sync(10000);
    const second = await c.sync(10000);
    await c.close();
    say({ result: { first_sync: first, second_sync: second, unconfirmed: c.stats.unconfirmed, dropped: c.stats.dropped,
      reconnects: c.stats.reconnects } });
  } else {
    throw new Error(`unknown scenario ${scenario}`);
  }
  lines.close();
}

main().catch((err) => { console.error(err); process.exit(1); });
