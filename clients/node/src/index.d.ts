// Type declarations for metricsd-client (src/index.js).

export declare const PROTO: 1;
export declare const MAX_MESSAGE_BYTES: number;
export declare const MAX_STRING_BYTES: number;
export declare const FATAL_CODES: readonly string[];
export declare const FLUSH_BYTES: number;
export declare const SAFE_MAX_BUFFER: number;
export declare const SAFE_TIMEOUT_MS: number;
export declare const BACKOFF_MIN_MS: number;
export declare const BACKOFF_MAX_MS: number;

export type Message = { type: string; [field: string]: unknown };
export interface ErrorReply { type: "error"; code: string; detail: string }
export interface Pong { type: "pong"; proto: number; version: string }
export type Counts = Record<string, number | Record<string, number>>;
export interface Snapshot { type: "snapshot"; enabled: boolean; dev: boolean; counts: Counts }

export declare function defaultRuntimeDir(env?: NodeJS.ProcessEnv, platform?: NodeJS.Platform): string;
export declare function socketPath(explicit?: string, env?: NodeJS.ProcessEnv): string;

export declare class ProtocolError extends Error {
  readonly code: string;
  readonly reply: ErrorReply;
}
export declare class ConnectionLost extends Error {}

export declare function clip(text: string): string;
export declare function helloMessage(clientVersion?: string | null): Message;
export declare function turnMessage(finishReason: string | null, emptyFinal?: boolean): Message;
export declare function usageMessage(cacheHitTokens: number, cacheMissTokens: number): Message;
export declare function providerErrorMessage(message: string, status?: number | null): Message;
export declare function toolResultMessage(error?: string | null): Message;
export declare function compactionMessage(): Message;
export declare function syncMessage(id: number): Message;
export declare function pingMessage(): Message;
export declare function snapshotMessage(): Message;
export declare const MESSAGES: Readonly<Record<string, (...args: never[]) => Message>>;
export declare function encodeMessage(message: Message): Uint8Array;

declare abstract class Events {
  hello(clientVersion?: string | null): void;
  turn(finishReason: string | null, emptyFinal?: boolean): void;
  usage(cacheHitTokens: number, cacheMissTokens: number): void;
  providerError(message: string, status?: number | null): void;
  toolResult(error?: string | null): void;
  compaction(): void;
}

export interface ClientOptions { path?: string; timeoutMs?: number; reconnect?: boolean }

export declare class Client extends Events {
  constructor(options?: ClientOptions);
  static connect(options?: ClientOptions): Promise<Client>;
  readonly path: string;
  readonly errors: ErrorReply[];
  readonly reconnects: number;
  readonly connected: boolean;
  readonly buffered: number;
  connect(): Promise<void>;
  send(message: Message): void;
  sendRaw(data: Uint8Array): void;
  flush(): Promise<void>;
  sync(): Promise<void>;
  ping(): Promise<Pong>;
  snapshot(): Promise<Snapshot>;
  close(): Promise<void>;
}

export declare class Backoff {
  constructor(minMs?: number, maxMs?: number, clock?: () => number);
  ready(): boolean;
  failed(): void;
  succeeded(): void;
}

export interface SafeClientOptions { path?: string; timeoutMs?: number; maxBuffer?: number; backoff?: Backoff }

export declare class SafeClient extends Events {
  constructor(options?: SafeClientOptions);
  readonly dropped: number;
  readonly failures: number;
  readonly lastError: unknown;
  readonly connected: boolean;
  readonly errors: ErrorReply[];
  flush(): Promise<boolean>;
  sync(): Promise<boolean>;
  ping(): Promise<Pong | null>;
  snapshot(): Promise<Snapshot | null>;
  close(): Promise<void>;
}
