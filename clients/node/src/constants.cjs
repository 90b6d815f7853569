"use strict";
// The data every metricsd client shares (the repository's clients/spec.json; a test checks
// that these values equal it).
const PROTO = 1;
const MAX_MESSAGE_BYTES = 64 * 1024;
const MAX_STRING_BYTES = 16 * 1024;
/** A reply larger than this closes the connection (a hostile socket cannot grow memory). */
const MAX_REPLY_BYTES = 1024 * 1024;
const DEFAULTS = Object.freeze({
  maxQueue: 10000,
  maxQueueBytes: 1024 * 1024,
  connectTimeoutMs: 1000,
  writeTimeoutMs: 5000,
  backoffMinMs: 50,
  backoffMaxMs: 5000,
  closeTimeoutMs: 1000,
  requestTimeoutMs: 5000,
  sidecarStartTimeoutMs: 20000,
  keptErrors: 16,
});
const ENV = Object.freeze({ socket: "METRICSD_SOCKET", runtimeDir: "XDG_RUNTIME_DIR" });
const PATHS = Object.freeze({ app: "metricsd", socketName: "metricsd.sock", endpointFile: "endpoint.json" });
/** Error codes after which the daemon closes the connection. */
const FATAL_CODES = Object.freeze(["malformed", "not_a_map", "too_large", "unauthorized", "unsupported_proto"]);
const USAGE_FORMS = Object.freeze({
  usage: Object.freeze(["cache_hit_tokens", "cache_miss_tokens"]),
  usage_total: Object.freeze(["prompt_tokens", "cached_tokens"]),
  usage_read_write: Object.freeze(["input_tokens", "cache_read_input_tokens", "cache_creation_input_tokens"]),
});

/** Replayable streams: every event is kept until an ack's `committed` covers it, within
 * these bounds (an event that does not fit is dropped and counted). */
const STREAMS = Object.freeze({ streamIdBytes: 16, replayMaxEvents: 10000, replayMaxBytes: 1048576 });
/** Loopback TCP: the daemon proves itself first (HMAC-SHA256 of our nonce with the token). */
const AUTH = Object.freeze({ nonceBytes: 32, proofTimeoutMs: 2000 });
/** The sidecar's restart policy. */
const SUPERVISION = Object.freeze({
  fastFailureMs: 10000, fastFailuresBeforeSlow: 10, restartBackoffMinMs: 100, restartBackoffMaxMs: 5000,
  slowRestartMs: 60000,
});
/** The daemon's runtime directory per platform (its socket, or its endpoint file). */
const ADDRESS = Object.freeze({
  win32: { runtime_dir: ["%LOCALAPPDATA%", "Temp", "metricsd"], transport: "endpoint_file" },
  darwin: { candidates: ["$XDG_RUNTIME_DIR"], fallback: "~/Library/Caches/TemporaryItems", append: "metricsd", transport: "socket" },
  linux: { candidates: ["$XDG_RUNTIME_DIR", "/run/user/{uid}"], fallback: "{tmp}/runtime-{uid}", append: "metricsd", transport: "socket" },
  freebsd: { candidates: ["$XDG_RUNTIME_DIR", "/var/run/user/{uid}"], fallback: "{tmp}/runtime-{uid}", append: "metricsd", transport: "socket" },
  openbsd: { candidates: ["$XDG_RUNTIME_DIR", "/tmp/run/user/{uid}"], fallback: "{tmp}/runtime-{uid}", append: "metricsd", transport: "socket" },
});

module.exports = { STREAMS, AUTH, SUPERVISION, ADDRESS, PROTO, MAX_MESSAGE_BYTES, MAX_STRING_BYTES, MAX_REPLY_BYTES, DEFAULTS, ENV, PATHS, FATAL_CODES, USAGE_FORMS };
