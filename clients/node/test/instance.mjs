// Another app instance, as a child process of a test: it spawns its own sidecar (which
// stands by when a daemon already serves), makes a client, syncs a turn and prints
// `served <pid>` (the pid of the daemon that answers it); then for each line on stdin it
// sends 100 events and a turn, syncs, and prints `synced <ok> <stats as JSON>`; at EOF it
// closes. argv: the metricsd executable, then the daemon's arguments.
import process from "node:process";
import readline from "node:readline";

import { spawnSidecar } from "../src/index.mjs";

const [exe, ...args] = process.argv.slice(2);
if (exe === undefined) process.exit(0); // picked up by the test runner: nothing to do
const side = await spawnSidecar(exe, args, { stderr: "ignore" });
const c = side.client({ clientVersion: "1.0.0" });
c.turn("stop");
if (!(await c.sync(10000))) throw new Error("no first sync");
process.stdout.write(`served ${(await c.status()).pid}\n`);
for await (const _line of readline.createInterface({ input: process.stdin })) {
  for (let i = 0; i < 100; i += 1) c.toolResult("command timed out");
  c.turn("stop");
  const ok = await c.sync(20000);
  process.stdout.write(`synced ${ok} ${JSON.stringify(c.stats)}\n`);
}
await c.close(5000);
await side.close(5000);
