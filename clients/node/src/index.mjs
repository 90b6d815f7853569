// ES module entry: the same implementation as src/index.cjs (one copy of the state).
import cjs from "./index.cjs";

export const {
  PROTO, MAX_MESSAGE_BYTES, MAX_STRING_BYTES, DEFAULTS, MESSAGES,
  Client, spawnSidecar, socketPath, defaultRuntimeDir, clip, encodeMessage,
  helloMessage, turnMessage, usageMessage, providerErrorMessage, toolResultMessage,
  compactionMessage, syncMessage, pingMessage, snapshotMessage, statusMessage,
} = cjs;
export default cjs;
