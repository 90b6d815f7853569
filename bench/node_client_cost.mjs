// What the Node client's event calls cost the application, beside the baseline an app team
// compares with: a `Map` increment (counting the same events in-process).
//
//     node bench/node_client_cost.mjs [--events N] [--runs R] [--seconds S]
//
// A real daemon (the repository's .venv, `python -m metricsd run`) on private paths. Per
// event kind: N calls in batches of 1,000 (a batch is timed; between batches the client's
// queue is left to drain (a sync, its ack frees the replay buffer), untimed, so no event is dropped and nothing measures the drop
// path), each batch paired with a batch of `Map` increments timed just before it; medians
// over the batches of R runs, in ns per call, and the ratio. Then event-loop lag: S seconds
// of an app-like loop (a 1 ms timer doing some JSON work and emitting events at 10k and
// 100k events/s) counted in a Map or sent through the client, R times interleaved: `monitorEventLoopDelay` p50/p99,
// event-loop utilisation and the process's CPU (client and daemon share the machine's
// cores, so lag includes waiting for a CPU the daemon holds). Not a test.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
// METRICSD_NODE_CLIENT: another build of the client to measure (e.g. an earlier release).
const { Client } = require(process.env.METRICSD_NODE_CLIENT || path.join(ROOT, "clients", "node", "src", "index.cjs"));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const EVENTS = arg("--events", 200000);
const RUNS = arg("--runs", 7);
const SECONDS = arg("--seconds", 3);
const BATCH = 1000;

function startDaemon() {
  const root = mkdtempSync("/tmp/mdbench-");
  const sock = path.join(root, "run", "m.sock");
  mkdirSync(path.join(root, "cfg"), { mode: 0o700 });
  writeFileSync(path.join(root, "cfg", "config.toml"), "[desktop]\nmetrics = true\n");
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("METRICSD_")));
  const proc = spawn(path.join(ROOT, ".venv", "bin", "python"), ["-m", "metricsd", "run", "--socket", sock,
    "--state-dir", path.join(root, "state"), "--config", path.join(root, "cfg", "config.toml"),
    "--dev-marker", path.join(root, "cfg", "DEV")], { env, stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    proc.stdout.on("data", (d) => {
      out += d;
      if (out.includes("\n")) resolve({ sock, stop: () => { proc.kill("SIGKILL"); rmSync(root, { recursive: true, force: true }); } });
    });
    proc.once("exit", (code) => reject(new Error(`daemon exited ${code}`)));
  });
}

const KEYS = ["usage", "tool_result", "tool_error", "provider_error", "compaction", "turn"];
const counts = new Map();
const KINDS = {
  "Map increment (baseline)": (i) => { const k = KEYS[i % 6]; counts.set(k, (counts.get(k) ?? 0) + 1); },
  "compaction()": (i, c) => c.compaction(),
  "toolResult(null)": (i, c) => c.toolResult(null),
  'toolResult("timed out")': (i, c) => c.toolResult("command timed out"),
  "usage({...})": (i, c) => c.usage({ cacheHitTokens: 9500, cacheMissTokens: 500 }),
  "usageReadWrite({...})": (i, c) => c.usageReadWrite?.({ inputTokens: 12, cacheReadInputTokens: 9000, cacheCreationInputTokens: null }),
  'providerError("...", 429)': (i, c) => c.providerError("rate limited", 429),
  'turn("stop")': (i, c) => c.turn("stop"),
  "the six kinds, mixed": (i, c) => {
    switch (i % 6) {
      case 0: c.usage({ cacheHitTokens: 95, cacheMissTokens: 5 }); break;
      case 1: c.toolResult("command timed out"); break;
      case 2: c.toolResult(null); break;
      case 3: c.providerError("slow down", 429); break;
      case 4: c.compaction(); break;
      default: c.turn("stop");
    }
  },
};

// Events are held until the daemon commits them (a replayable stream): a sync's ack frees
// them all.
const drained = async (c) => {
  await c.sync(10000);
  while (c.stats.queued > 0) await new Promise((r) => setTimeout(r, 1));
};

/** Per batch of BATCH calls: ns/call of the kind and of the Map increment right before it
 * (paired, so that a slow moment of a shared machine hits both). */
async function perCall(fn, c, base) {
  const kind = [];
  const paired = [];
  for (let done = 0; done < EVENTS; done += BATCH) {
    let t0 = process.hrtime.bigint();
    for (let i = done; i < done + BATCH; i += 1) base(i);
    paired.push(Number(process.hrtime.bigint() - t0) / BATCH);
    t0 = process.hrtime.bigint();
    for (let i = done; i < done + BATCH; i += 1) fn(i, c);
    kind.push(Number(process.hrtime.bigint() - t0) / BATCH);
    if (c) await drained(c);
  }
  return { kind, paired };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function lag(rate, sink) {
  const h = monitorEventLoopDelay({ resolution: 1 });
  const perMs = rate / 1000;
  let n = 0;
  const end = Date.now() + SECONDS * 1000;
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  h.enable();
  await new Promise((resolve) => {
    const t = setInterval(() => {
      for (let j = 0; j < 20; j += 1) JSON.stringify({ role: "assistant", content: "x".repeat(64), n: j });
      for (let j = 0; j < perMs; j += 1) sink(n++);
      if (Date.now() >= end) { clearInterval(t); resolve(); }
    }, 1);
  });
  h.disable();
  const cpu = process.cpuUsage(cpu0);
  return { p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6,
    elu: performance.eventLoopUtilization(elu0).utilization, cpu: (cpu.user + cpu.system) / 1e3 / (SECONDS * 1000) };
}

const daemon = await startDaemon();
const c = new Client({ socketPath: daemon.sock, clientVersion: "1.0.0" });
if (!(await c.sync(10000))) throw new Error("no daemon");
console.log(`node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}, ` +
  `${EVENTS} calls per kind, median of ${RUNS} runs`);
// Every batch of a kind is paired with a batch of Map increments just before it; the
// figures are medians over all batches of all runs (a batch that lost the CPU is an
// outlier, not an average). The first run warms the JIT up and is not counted.
const BASE = KINDS["Map increment (baseline)"];
const rows = [];
for (const [name, fn] of Object.entries(KINDS)) {
  if (fn === BASE) continue;
  const kind = [];
  const paired = [];
  for (let r = 0; r < RUNS + 1; r += 1) {
    const got = await perCall(fn, c, BASE);
    if (r > 0) { kind.push(...got.kind); paired.push(...got.paired); }
  }
  rows.push([name, median(kind), median(paired)]);
}
console.log("\n| call | ns/call | Map increment, paired (ns) | × Map increment |\n|---|---|---|---|");
for (const [name, k, b] of rows) console.log(`| ${name} | ${k.toFixed(1)} | ${b.toFixed(1)} | ${(k / b).toFixed(2)} |`);

console.log(`\n| ${SECONDS} s of an app loop (1 ms timer), median of ${RUNS} interleaved runs | lag p50 ms | lag p99 ms | event-loop utilisation | process CPU |\n|---|---|---|---|---|`);
for (const rate of [10000, 100000]) {
  const rows = { map: [], client: [] };
  for (let r = 0; r < RUNS; r += 1) {
    rows.map.push(await lag(rate, KINDS["Map increment (baseline)"]));
    rows.client.push(await lag(rate, (i) => KINDS["the six kinds, mixed"](i, c)));
  }
  for (const [what, xs] of [["into a Map (baseline)", rows.map], ["through the client", rows.client]]) {
    const med = (k) => median(xs.map((x) => x[k]));
    console.log(`| ${rate / 1000}k events/s ${what} | ${med("p50").toFixed(2)} | ${med("p99").toFixed(2)} | ` +
      `${(100 * med("elu")).toFixed(1)} % | ${(100 * med("cpu")).toFixed(1)} % |`);
  }
}
const ok = await c.sync(30000);
console.log(`\nsync after the run: ${ok}; dropped ${c.stats.dropped}, unconfirmed ${c.stats.unconfirmed}`);
await c.close();
daemon.stop();
