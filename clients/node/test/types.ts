// Compiled by `npm run typecheck` (tsc --noEmit), never run: the declarations in
// src/index.d.ts must accept what an app writes and refuse what it must not.
import {
  Client, DEFAULTS, NoopClient, SidecarError, spawnSidecar, spawnSidecarClient,
  type ClientStats, type MetricsClient, type Sidecar, type Snapshot,
} from "metricsd-client";

async function app(): Promise<void> {
  const c: MetricsClient = new Client({ clientVersion: "1.4.0", socketPath: "/run/user/1000/metricsd/endpoint.json" });
  c.usage({ cacheHitTokens: 95, cacheMissTokens: null });
  c.usageTotal({ promptTokens: 100, cachedTokens: undefined });
  c.usageReadWrite({ inputTokens: 10, cacheReadInputTokens: 900, cacheCreationInputTokens: null });
  c.toolResult(null);
  c.toolResult("timed out");
  c.providerError("rate limited", 429);
  c.compaction();
  c.turn("stop", { emptyFinal: false });
  const ok: boolean = await c.sync(1000);
  const snap: Snapshot | null = await c.snapshot();
  const status = await c.status();
  const pid: number | undefined = status?.pid;
  const stats: ClientStats = c.stats;
  const lost: number = stats.dropped + stats.unconfirmed;
  await c.close(500);
  // @ts-expect-error message first, then status
  c.providerError(429, "rate limited");
  // @ts-expect-error named counts only
  c.usage(95, 5);

  const side: Sidecar = await spawnSidecar("metricsd", [], { timeoutMs: 5000, restart: { maxFailures: 3 } });
  side.on("exit", (code, signal) => void [code, signal]);
  side.on("ready", (path: string) => void path);
  const sidePid: number | null = side.pid;
  const client: Client = side.client({ clientVersion: "1.0.0" });
  await side.close(1000);

  const maybe = await spawnSidecarClient("metricsd", [], {}, { clientVersion: "1.0.0" });
  if (maybe instanceof NoopClient) console.log(maybe.reason);
  try { await spawnSidecar("missing"); } catch (err) { if (err instanceof SidecarError) console.log(err.reason); }
  void [ok, snap, pid, lost, sidePid, client, DEFAULTS.maxQueue];
}
void app;
