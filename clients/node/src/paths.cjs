"use strict";
// Where the daemon is: the socket path rule (the daemon's own default), the endpoint file
// of the loopback TCP transport, and the ownership checks made before anything is sent.
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const process = require("node:process");
const { ADDRESS, ENV, PATHS } = require("./constants.cjs");

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
 * The daemon's default runtime directory (its platformdirs.user_runtime_dir("metricsd")),
 * by the one address rule of clients/spec.json (`ADDRESS`): on Windows
 * %LOCALAPPDATA%\Temp\metricsd; elsewhere the first candidate that is an absolute path to
 * a directory of ours with mode 0700 ($XDG_RUNTIME_DIR; on Linux /run/user/<uid>, FreeBSD
 * and NetBSD /var/run/user/<uid>, OpenBSD /tmp/run/user/<uid>), else the fallback (macOS
 * ~/Library/Caches/TemporaryItems, others <tmpdir>/runtime-<uid>), plus "metricsd".
 * `platform`, `home`, `tmp`, `id` and `isPrivate` are seams for the tests, which run the
 * rule for every platform here.
 */
function defaultRuntimeDir(env = process.env, platform = process.platform,
  { home = os.homedir(), tmp = env.TMPDIR || "/tmp", id = uid(), isPrivate = privateDir } = {}) {
  const rule = ADDRESS[platform === "netbsd" ? "freebsd" : platform] ?? ADDRESS.linux;
  if (rule.runtime_dir) {
    const local = env.LOCALAPPDATA || path.win32.join(home, "AppData", "Local");
    return path.win32.join(...rule.runtime_dir.map((p) => (p === "%LOCALAPPDATA%" ? local : p === "~" ? home : p)));
  }
  for (const candidate of rule.candidates) {
    const dir = candidate.startsWith("$") ? (env[candidate.slice(1)] ?? "") : candidate.replace("{uid}", String(id));
    if (path.posix.isAbsolute(dir) && isPrivate(dir)) return path.posix.join(dir, rule.append);
  }
  let fallback = rule.fallback.replace("{uid}", String(id)).replace("{tmp}", tmp);
  if (fallback.startsWith("~")) fallback = home + fallback.slice(1);
  return path.posix.join(fallback, rule.append);
}

/** `explicit`, else $METRICSD_SOCKET, else the daemon's default (an endpoint file on
 * Windows). An address whose file name ends in `.json` is an endpoint file. */
function socketPath(explicit, env = process.env, platform = process.platform) {
  if (explicit) return explicit;
  if (env[ENV.socket]) return env[ENV.socket];
  const dir = defaultRuntimeDir(env, platform);
  return platform === "win32" ? path.win32.join(dir, PATHS.endpointFile) : path.posix.join(dir, PATHS.socketName);
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
  const { port, token, pid } = data ?? {};
  if (!Number.isInteger(port) || port <= 0 || port > 65535 || typeof token !== "string" || !/^[0-9a-f]{64}$/.test(token)) {
    throw refusal(`${file} is not an endpoint file`, "EINVAL");
  }
  if (pid !== undefined && pid !== null && !pidAlive(pid)) {
    // A daemon that died uncleanly left it: whatever listens on its port is not that daemon.
    throw refusal(`${file} is stale (its daemon, pid ${pid}, is gone)`, "ESTALE");
  }
  return { host: "127.0.0.1", port, token };
}

/** A process with this id exists (EPERM: it does, another user's). */
function pidAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === "EPERM";
  }
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
