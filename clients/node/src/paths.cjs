"use strict";
// Where the daemon is: the socket path rule (the daemon's own default), the endpoint file
// of the loopback TCP transport, and the ownership checks made before anything is sent.
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const process = require("node:process");
const { ENV, PATHS } = require("./constants.cjs");

const POSIX = process.platform !== "win32";
const uid = () => (POSIX ? process.geteuid() : -1);

function privateDir(dir) {
  try {
    const st = fs.lstatSync(dir, { throwIfNoEntry: false });
    return Boolean(st && st.isDirectory() && st.uid === uid() && (st.mode & 0o777) === 0o700);
  } catch {
    return false;
  }
}

/**
 * The daemon's default runtime directory (its platformdirs.user_runtime_dir("metricsd")):
 * $XDG_RUNTIME_DIR when it is an absolute path to a directory of ours with mode 0700; else
 * on macOS ~/Library/Caches/TemporaryItems; on Windows %LOCALAPPDATA%\Temp\metricsd\metricsd;
 * else /run/user/<uid> (FreeBSD, NetBSD: /var/run/user/<uid>; OpenBSD: /tmp/run/user/<uid>)
 * when ours and 0700; else <tmpdir>/runtime-<uid>.
 */
function defaultRuntimeDir(env = process.env, platform = process.platform) {
  const xdg = env[ENV.runtimeDir] ?? "";
  if (platform === "win32") {
    const local = env.LOCALAPPDATA || path.join(os.homedir(), "AppData", "Local");
    return path.join(local, "Temp", PATHS.app, PATHS.app);
  }
  if (path.isAbsolute(xdg) && privateDir(xdg)) return path.join(xdg, PATHS.app);
  if (platform === "darwin") return path.join(os.homedir(), "Library", "Caches", "TemporaryItems", PATHS.app);
  const id = uid();
  let base = `/run/user/${id}`;
  if (platform === "openbsd") base = `/tmp/run/user/${id}`;
  else if (platform === "freebsd" || platform === "netbsd") base = `/var/run/user/${id}`;
  if (privateDir(base)) return path.join(base, PATHS.app);
  return path.join(env.TMPDIR || "/tmp", `runtime-${id}`, PATHS.app);
}

/** `explicit`, else $METRICSD_SOCKET, else the daemon's default (an endpoint file on
 * Windows). An address whose file name ends in `.json` is an endpoint file. */
function socketPath(explicit, env = process.env, platform = process.platform) {
  if (explicit) return explicit;
  if (env[ENV.socket]) return env[ENV.socket];
  const dir = defaultRuntimeDir(env, platform);
  return path.join(dir, platform === "win32" ? PATHS.endpointFile : PATHS.socketName);
}

const isEndpointFile = (address) => address.endsWith(".json");

function refusal(message, code, extra = {}) {
  return Object.assign(new Error(message), { code, ...extra });
}

/**
 * Where to connect now (read on every attempt: a new daemon has a new port and token):
 * `{path}` for a Unix socket, `{host, port, token}` for an endpoint file. `isDefault`: the
 * address came from the default rule, so a missing socket with an endpoint file beside it
 * means the TCP transport. Rejects with the reason when nothing may be sent there.
 */
async function resolveAddress(address, isDefault) {
  if (!isEndpointFile(address)) {
    if (isDefault) {
      const exists = await fs.promises.lstat(address).then(() => true, () => false);
      const beside = path.join(path.dirname(address), PATHS.endpointFile);
      if (!exists && await fs.promises.lstat(beside).then(() => true, () => false)) return readEndpoint(beside);
    }
    await checkOwner(address);
    return { path: address };
  }
  return readEndpoint(address);
}

async function readEndpoint(file) {
  const handle = await fs.promises.open(file, "r");
  let text;
  try {
    const st = await handle.stat();
    if (POSIX && (st.uid !== uid() || (st.mode & 0o077) !== 0)) {
      throw refusal(`${file} is not a private file of this user (uid ${st.uid}, mode ${(st.mode & 0o777).toString(8)}): refusing to use it`,
        "EPERM", { foreign: true });
    }
    if (st.size > 4096) throw refusal(`${file} is not an endpoint file`, "EINVAL");
    text = await handle.readFile("utf8");
  } finally {
    await handle.close();
  }
  let data;
  try {
    data = JSON.parse(text);
  } catch {
    throw refusal(`${file} is not an endpoint file`, "EINVAL");
  }
  const { port, token } = data ?? {};
  if (!Number.isInteger(port) || port <= 0 || port > 65535 || typeof token !== "string" || !/^[0-9a-f]{64}$/.test(token)) {
    throw refusal(`${file} is not an endpoint file`, "EINVAL");
  }
  return { host: "127.0.0.1", port, token };
}

/**
 * Node has no SO_PEERCRED: before connecting, the socket file and its directory must be
 * owned by this user (a daemon creates its socket 0600 in a 0700 directory of its own).
 */
async function checkOwner(socketFile) {
  const st = await fs.promises.lstat(socketFile);
  if (!st.isSocket()) throw refusal(`${socketFile} is not a socket`, "ENOTSOCK");
  const dir = await fs.promises.stat(path.dirname(socketFile));
  if (POSIX && (st.uid !== uid() || dir.uid !== uid())) {
    throw refusal(`${socketFile} is owned by uid ${st.uid} (directory: uid ${dir.uid}), not by this user (uid ${uid()}): refusing to send to it`,
      "EPERM", { foreign: true });
  }
}

module.exports = { defaultRuntimeDir, socketPath, isEndpointFile, resolveAddress, readEndpoint, checkOwner };
