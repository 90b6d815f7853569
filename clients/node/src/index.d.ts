// Type declarations for metricsd-client (src/index.cjs, src/index.mjs).

export declare const PROTO: 1;
export declare const MAX_MESSAGE_BYTES: number;
export declare const MAX_STRING_BYTES: number;
export declare const DEFAULTS: Readonly<Required<Omit<ClientOptions, "socketPath" | "clientVersion">>>;

export type Message = { type: string; [field: string]: unknown };
export type Counts = Record<string, number | Record<string, number>>;
export interface Snapshot { type: "snapshot"; enabled: boolean; dev: boolean; counts: Counts; [key: string]: unknown }
export interface Pong { type: "pong"; proto: number; version: string; [key: string]: unknown }

export interface ClientOptions {
  /** Default: $METRICSD_SOCKET, else the daemon's default path. */
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
}

export interface ClientStats {
  /** Events that will never be delivered: queue full, bad arguments, queued at close. */
  dropped: number;
  connects: number;
  reconnects: number;
  /** Sockets refused because another user owns them. */
  refused: number;
  queued: number;
}

export declare class Client {
  constructor(options?: ClientOptions);
  readonly socketPath: string | null;
  readonly stats: ClientStats;
  readonly dropped: number;
  readonly errors: Array<{ type: "error"; code: string }>;
  readonly connected: boolean;
  lastError: Error | null;
  usage(tokens: { cacheHitTokens?: number; cacheMissTokens?: number }): void;
  toolResult(error?: string | null): void;
  providerError(message: string, status?: number | null): void;
  compaction(): void;
  turn(finishReason?: string | null, options?: { emptyFinal?: boolean }): void;
  sync(timeoutMs?: number): Promise<boolean>;
  snapshot(timeoutMs?: number): Promise<Snapshot | null>;
  ping(timeoutMs?: number): Promise<Pong | null>;
  status(timeoutMs?: number): Promise<Record<string, unknown> | null>;
  close(timeoutMs?: number): Promise<void>;
}

export interface Sidecar {
  socketPath: string;
  alreadyRunning: boolean;
  process: import("node:child_process").ChildProcess | null;
  client(options?: Omit<ClientOptions, "socketPath">): Client;
  /** Closes the daemon's stdin and resolves with its exit status. */
  close(timeoutMs?: number): Promise<number | null>;
}

export declare function spawnSidecar(
  exe?: string,
  args?: string[],
  options?: { stderr?: "inherit" | "ignore" | number; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<Sidecar>;

export declare function defaultRuntimeDir(env?: NodeJS.ProcessEnv, platform?: NodeJS.Platform): string;
export declare function socketPath(explicit?: string, env?: NodeJS.ProcessEnv): string;
export declare function clip(text: string): string;
export declare function encodeMessage(message: Message): Buffer;
export declare function helloMessage(clientVersion?: string | null): Message;
export declare function turnMessage(finishReason?: string | null, emptyFinal?: boolean): Message;
export declare function usageMessage(cacheHitTokens?: number, cacheMissTokens?: number): Message;
export declare function providerErrorMessage(message: string, status?: number | null): Message;
export declare function toolResultMessage(error?: string | null): Message;
export declare function compactionMessage(): Message;
export declare function syncMessage(id: number): Message;
export declare function pingMessage(): Message;
export declare function snapshotMessage(): Message;
export declare function statusMessage(): Message;
export declare const MESSAGES: Readonly<Record<string, (...args: any[]) => Message>>;
