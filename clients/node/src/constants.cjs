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

module.exports = { PROTO, MAX_MESSAGE_BYTES, MAX_STRING_BYTES, MAX_REPLY_BYTES, DEFAULTS, ENV, PATHS, FATAL_CODES, USAGE_FORMS };
