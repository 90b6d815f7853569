// Type declarations for metricsd-client (src/index.cjs, src/index.mjs); checked by
// `npm run typecheck` against test/types.ts.
import type { ChildProcess } from "node:child_process";
import type { EventEmitter } from "node:events";

export declare const PROTO: 1;
export declare const MAX_MESSAGE_BYTES: number;
export declare const MAX_STRING_BYTES: number;
export declare const MAX_REPLY_BYTES: number;
export declare const DEFAULTS: Readonly<Required<Omit<ClientOptions, "socketPath" | "clientVersion">>>;
export declare const ENV: Readonly<{ socket: string; runtimeDir: string }>;
export declare const PATHS: Readonly<{ app: string; socketName: string; endpointFile: string }>;
export declare const FATAL_CODES: readonly string[];
export declare const USAGE_FORMS: Readonly<Record<"usage" | "usage_total" | "usage_read_write", readonly string[]>>;

export type Message = { type: string; [field: string]: unknown };
export type Counts = Record<string, number | Record<string, number>>;
export interface Snapshot { type: "snapshot"; enabled: boolean; dev: boolean; counts: Counts; [key: string]: unknown }
export interface Pong { type: "pong"; proto: number; version: string; [key: string]: unknown }
export interface Status { type: "status"; pid: number; version: string; enabled: boolean; dev: boolean; [key: string]: unknown }

/** A token count; null and undefined are sent as 0. */
export type TokenCount = number | null | undefined;

export interface ClientOptions {
  /** A Unix socket path, or an endpoint file (a name ending in `.json`) of the loopback TCP
   * transport. Default: $METRICSD_SOCKET, else the daemon's default. */
  socketPath?: string;
  /** MAJOR.MINOR.PATCH[-dev|-alpha.N|-beta.N|-rc.N]; sent in every connection's hello. */
  clientVersion?: string;
  maxQueue?: number;
  maxQueueBytes?: number;
  connectTimeoutMs?: number;
  writeTimeoutMs?: number;
  backoffMinMs?: number;
  backoffMaxMs?: number;
  closeTimeoutMs?: number;
  requestTimeoutMs?: number;
  sidecarStartTimeoutMs?: number;
  keptErrors?: number;
}

export interface ClientStats {
  /** Events that never reached a daemon: replay buffer full, bad arguments, never written by close, no-op client. */
  dropped: number;
  /** Events written but never committed when close() gave up (maybe counted); with a daemon without
   * streams, also those written on a connection lost before the daemon confirmed them. */
  unconfirmed: number;
  connects: number;
  reconnects: number;
  /** Sockets or endpoint files refused because another user owns them (or others may read them), and
   * loopback TCP listeners that did not prove they hold the daemon's token. */
  refused: number;
  writeTimeouts: number;
  /** Connections closed for a reply over MAX_REPLY_BYTES or one that does not decode. */
  badReplies: number;
  /** Events held: not yet written, or written and not yet committed (the replay buffer). */
  queued: number;
}

/** What every client offers: Client and NoopClient. */
export interface MetricsClient {
  readonly socketPath: string | null;
  readonly stats: ClientStats;
  readonly dropped: number;
  readonly unconfirmed: number;
  readonly errors: Array<{ type: "error"; code: string }>;
  readonly connected: boolean;
  /** Why the client is inert (NoopClient), else null. */
  readonly reason: string | null;
  lastError: Error | null;
  usage(tokens: { cacheHitTokens?: TokenCount; cacheMissTokens?: TokenCount }): void;
  usageTotal(tokens: { promptTokens?: TokenCount; cachedTokens?: TokenCount }): void;
  usageReadWrite(tokens: { inputTokens?: TokenCount; cacheReadInputTokens?: TokenCount; cacheCreationInputTokens?: TokenCount }): void;
  toolResult(error?: string | null): void;
  providerError(message: string, status?: number | null): void;
  compaction(): void;
  turn(finishReason?: string | null, options?: { emptyFinal?: boolean }): void;
  sync(timeoutMs?: number): Promise<boolean>;
  snapshot(timeoutMs?: number): Promise<Snapshot | null>;
  ping(timeoutMs?: number): Promise<Pong | null>;
  status(timeoutMs?: number): Promise<Status | null>;
  close(deadlineMs?: number): Promise<void>;
}

export declare class Client implements MetricsClient {
  constructor(options?: ClientOptions);
  readonly socketPath: string | null;
  readonly stats: ClientStats;
  readonly dropped: number;
  readonly unconfirmed: number;
  readonly errors: Array<{ type: "error"; code: string }>;
  readonly connected: boolean;
  readonly reason: null;
  lastError: Error | null;
  /** The supervised sidecar, for a client from spawnSidecarClient. */
  sidecar?: Sidecar;
  usage(tokens: { cacheHitTokens?: TokenCount; cacheMissTokens?: TokenCount }): void;
  usageTotal(tokens: { promptTokens?: TokenCount; cachedTokens?: TokenCount }): void;
  usageReadWrite(tokens: { inputTokens?: TokenCount; cacheReadInputTokens?: TokenCount; cacheCreationInputTokens?: TokenCount }): void;
  toolResult(error?: string | null): void;
  providerError(message: string, status?: number | null): void;
  compaction(): void;
  turn(finishReason?: string | null, options?: { emptyFinal?: boolean }): void;
  sync(timeoutMs?: number): Promise<boolean>;
  snapshot(timeoutMs?: number): Promise<Snapshot | null>;
  ping(timeoutMs?: number): Promise<Pong | null>;
  status(timeoutMs?: number): Promise<Status | null>;
  close(deadlineMs?: number): Promise<void>;
}

export declare class NoopClient implements MetricsClient {
  constructor(reason?: string);
  readonly socketPath: null;
  readonly stats: ClientStats;
  readonly dropped: number;
  readonly unconfirmed: number;
  readonly errors: Array<{ type: "error"; code: string }>;
  readonly connected: false;
  readonly reason: string;
  lastError: Error | null;
  sidecar: null;
  usage(tokens?: unknown): void;
  usageTotal(tokens?: unknown): void;
  usageReadWrite(tokens?: unknown): void;
  toolResult(error?: string | null): void;
  providerError(message?: string, status?: number | null): void;
  compaction(): void;
  turn(finishReason?: string | null, options?: { emptyFinal?: boolean }): void;
  sync(timeoutMs?: number): Promise<false>;
  snapshot(timeoutMs?: number): Promise<null>;
  ping(timeoutMs?: number): Promise<null>;
  status(timeoutMs?: number): Promise<null>;
  close(deadlineMs?: number): Promise<void>;
}

export declare class SidecarError extends Error {
  constructor(reason: string);
  readonly reason: string;
}

export interface SpawnOptions {
  /** Where the daemon logs: "inherit" (default), "ignore", or a file descriptor. */
  stderr?: "inherit" | "ignore" | number;
  env?: NodeJS.ProcessEnv;
  /** The start deadline (no READY line by then: SidecarError). */
  timeoutMs?: number;
  /** The restart policy (defaults from clients/spec.json: {minMs: 100, maxMs: 5000, maxFailures: 10,
   * fastMs: 10000, slowMs: 60000}): a start that fails or a daemon that exits within `fastMs` of its
   * READY is a fast failure; after `maxFailures` in a row, one restart every `slowMs`, never giving up. */
  restart?: { minMs?: number; maxMs?: number; maxFailures?: number; fastMs?: number; slowMs?: number };
}

export interface SidecarStatus {
  pid: number | null;
  socketPath: string;
  restarts: number;
  /** Fast failures in a row. */
  fastFailures: number;
  /** Restarting at the slow pace (after repeated fast failures). */
  slow: boolean;
  reason: string | null;
  supervising: boolean;
  /** close() left the daemon running: it serves other app instances. */
  servingOthers: boolean;
}

export declare class Sidecar extends EventEmitter {
  readonly socketPath: string;
  readonly alreadyRunning: boolean;
  /** The current child's pid, or null. */
  readonly pid: number | null;
  readonly process: ChildProcess | null;
  readonly restarts: number;
  /** Why it restarts at the slow pace, or null. */
  readonly reason: string | null;
  readonly fastFailures: number;
  readonly slow: boolean;
  /** close() left the daemon running: it serves other app instances. */
  readonly servingOthers: boolean;
  status(): SidecarStatus;
  /** Resolves when the sidecar is finished (closed; it never gives up on its own). */
  wait(): Promise<{ reason: string }>;
  client(options?: Omit<ClientOptions, "socketPath">): Client;
  /** Closes the daemon's stdin and waits up to `deadlineMs`; never kills (a daemon that answers is left
   * serving other instances, one that answers nobody gets SIGTERM). Resolves with its exit status or null. */
  close(deadlineMs?: number): Promise<number | null>;
  on(event: "exit", listener: (code: number | null, signal: NodeJS.Signals | null) => void): this;
  on(event: "ready", listener: (socketPath: string) => void): this;
  on(event: "slow" | "startfailed", listener: (reason: string) => void): this;
  once(event: "exit", listener: (code: number | null, signal: NodeJS.Signals | null) => void): this;
  once(event: "ready", listener: (socketPath: string) => void): this;
  once(event: "slow" | "startfailed", listener: (reason: string) => void): this;
}

export declare function spawnSidecar(exe?: string, args?: string[], options?: SpawnOptions): Promise<Sidecar>;
export declare function spawnSidecarClient(exe?: string, args?: string[], options?: SpawnOptions,
  clientOptions?: Omit<ClientOptions, "socketPath">): Promise<Client | NoopClient>;

export declare class ReplyError extends Error {}
export declare class ReplyReader {
  constructor(maxBytes?: number, maxDepth?: number);
  readonly len: number;
  push(chunk: Buffer): unknown[];
}

export declare function defaultRuntimeDir(env?: NodeJS.ProcessEnv, platform?: NodeJS.Platform): string;
export declare function socketPath(explicit?: string, env?: NodeJS.ProcessEnv, platform?: NodeJS.Platform): string;
export declare function clip(text: string): string;
export declare function encodeMessage(message: Message): Buffer;
export declare function helloMessage(clientVersion?: string | null, token?: string | null,
  stream?: { stream?: Uint8Array; seq?: number; nonce?: Uint8Array }): Message;
export declare function turnMessage(finishReason?: string | null, emptyFinal?: boolean): Message;
export declare function usageMessage(cacheHitTokens?: TokenCount, cacheMissTokens?: TokenCount): Message;
export declare function usageTotalMessage(promptTokens?: TokenCount, cachedTokens?: TokenCount): Message;
export declare function usageReadWriteMessage(inputTokens?: TokenCount, cacheReadInputTokens?: TokenCount,
  cacheCreationInputTokens?: TokenCount): Message;
export declare function providerErrorMessage(message: string, status?: number | null): Message;
export declare function toolResultMessage(error?: string | null): Message;
export declare function compactionMessage(): Message;
export declare function syncMessage(id: number): Message;
export declare function pingMessage(): Message;
export declare function snapshotMessage(): Message;
export declare function statusMessage(): Message;
export declare const MESSAGES: Readonly<Record<string, (...args: any[]) => Message>>;
export declare const WRITERS: Readonly<Record<string, (buf: Buffer, off: number, ...args: any[]) => number>>;
