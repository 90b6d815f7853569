// ES module entry: the same implementation as src/index.cjs (one copy of the state).
import cjs from "./index.cjs";

export const {
  PROTO, MAX_MESSAGE_BYTES, MAX_STRING_BYTES, MAX_REPLY_BYTES, DEFAULTS, ENV, PATHS, FATAL_CODES, USAGE_FORMS,
  MESSAGES, WRITERS, Client, NoopClient, Sidecar, SidecarError, spawnSidecar, spawnSidecarClient,
  socketPath, defaultRuntimeDir, clip, encodeMessage, ReplyReader, ReplyError,
  helloMessage, turnMessage, usageMessage, usageTotalMessage, usageReadWriteMessage, providerErrorMessage,
  toolResultMessage, compactionMessage, syncMessage, pingMessage, snapshotMessage, statusMessage,
} = cjs;
export default cjs;
