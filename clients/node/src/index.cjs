"use strict";
// Node.js client for the metricsd daemon (CommonJS; src/index.mjs re-exports it for
// `import`). Modules: constants (the shared table), paths (where the daemon is), wire
// (messages and the bounded reply reader), client (the engine), noop, sidecar.
const constants = require("./constants.cjs");
const paths = require("./paths.cjs");
const wire = require("./wire.cjs");
const { Client } = require("./client.cjs");
const { NoopClient } = require("./noop.cjs");
const { Sidecar, SidecarError, spawnSidecar, spawnSidecarClient } = require("./sidecar.cjs");

module.exports = {
  PROTO: constants.PROTO,
  MAX_MESSAGE_BYTES: constants.MAX_MESSAGE_BYTES,
  MAX_STRING_BYTES: constants.MAX_STRING_BYTES,
  MAX_REPLY_BYTES: constants.MAX_REPLY_BYTES,
  DEFAULTS: constants.DEFAULTS,
  ENV: constants.ENV,
  PATHS: constants.PATHS,
  FATAL_CODES: constants.FATAL_CODES,
  USAGE_FORMS: constants.USAGE_FORMS,
  MESSAGES: wire.MESSAGES,
  WRITERS: wire.WRITERS,
  Client,
  NoopClient,
  Sidecar,
  SidecarError,
  spawnSidecar,
  spawnSidecarClient,
  socketPath: paths.socketPath,
  defaultRuntimeDir: paths.defaultRuntimeDir,
  clip: wire.clip,
  encodeMessage: wire.encodeMessage,
  ReplyReader: wire.ReplyReader,
  ReplyError: wire.ReplyError,
  helloMessage: wire.helloMessage,
  turnMessage: wire.turnMessage,
  usageMessage: wire.usageMessage,
  usageTotalMessage: wire.usageTotalMessage,
  usageReadWriteMessage: wire.usageReadWriteMessage,
  providerErrorMessage: wire.providerErrorMessage,
  toolResultMessage: wire.toolResultMessage,
  compactionMessage: wire.compactionMessage,
  syncMessage: wire.syncMessage,
  pingMessage: wire.pingMessage,
  snapshotMessage: wire.snapshotMessage,
  statusMessage: wire.statusMessage,
};
