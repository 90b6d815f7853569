// Test harness: a real metricsd daemon (python -m metricsd run) on private paths.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(here, "..", "..", "..");
/** The Python that runs the daemon: $METRICSD_PYTHON, else the repository's .venv. */
export const PYTHON = process.env.METRICSD_PYTHON || path.join(REPO, ".venv", "bin", "python");
export const VECTORS = JSON.parse(readFileSync(path.join(REPO, "tests", "vectors", "vectors.json"), "utf8"));
const START_TIMEOUT_MS = 20000;

/** The environment without METRICSD_*, LISTEN_* and NOTIFY_SOCKET (as the Python tests do). */
export function cleanEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith("METRICSD_") && !k.startsWith("LISTEN_") && k !== "NOTIFY_SOCKET") env[k] = v;
  }
  return { ...env, ...extra };
}

/** Vector bytes: hex parts, where "7a*8000" stands for 8000 bytes 0x7a. */
export function vectorBytes(parts) {
  return Buffer.concat(parts.map((p) => {
    if (!p.includes("*")) return Buffer.from(p, "hex");
    const [byte, count] = p.split("*");
    return Buffer.alloc(Number(count), Buffer.from(byte, "hex")[0]);
  }));
}

/** libfaketime: a command runs on the next day, so what a daemon counted today is a
 * completed day it shows (the daemon holds today's counts until the day is over). */
const FAKETIME_LIB = readdirSync("/usr/lib").map((d) => path.join("/usr/lib", d, "faketime", "libfaketime.so.1"))
  .find((p) => existsSync(p));
export const TOMORROW = FAKETIME_LIB
  ? { LD_PRELOAD: FAKETIME_LIB, FAKETIME: "+1d", DONT_FAKE_MONOTONIC: "1", FAKETIME_DONT_FAKE_MONOTONIC: "1" }
  : null;

export class Home {
  constructor() {
    this.root = mkdtempSync("/tmp/mdn-");
    chmodSync(this.root, 0o700);
    this.socket = path.join(this.root, "run", "m.sock");
    this.stateDir = path.join(this.root, "state");
    this.config = path.join(this.root, "cfg", "config.toml");
    mkdirSync(path.dirname(this.config), { mode: 0o700 });
    writeFileSync(this.config, "[desktop]\nmetrics = true\n");
  }
  args() {
    return ["--socket", this.socket, "--state-dir", this.stateDir, "--config", this.config,
            "--dev-marker", path.join(this.root, "cfg", "DEV_BUILD")];
  }
  /** A command, run on the next day (see TOMORROW). */
  cli(...args) {
    if (!TOMORROW) throw new Error("needs libfaketime (Debian package faketime)");
    const r = spawnSync(PYTHON, ["-m", "metricsd", args[0], ...this.args(), ...args.slice(1)],
                        { env: cleanEnv(TOMORROW), encoding: "utf8", timeout: 60000 });
    if (r.status !== 0) throw new Error(`metricsd ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  }
  cleanup() { rmSync(this.root, { recursive: true, force: true }); }
}

export class Daemon {
  /** `extra`: more `run` options; ["--listen", "tcp"] makes READY name the endpoint file. */
  constructor(home, extra = []) {
    this.home = home;
    this.stderr = "";
    this.address = extra.includes("tcp") ? path.join(path.dirname(home.socket), "endpoint.json") : home.socket;
    this.proc = spawn(PYTHON, ["-m", "metricsd", "run", ...home.args(), ...extra],
                      { env: cleanEnv(), stdio: ["ignore", "pipe", "pipe"] });
    this.proc.stderr.on("data", (d) => { this.stderr += d; });
    this.exited = new Promise((resolve) => this.proc.once("exit", (code, signal) => resolve({ code, signal })));
  }

  /** Resolves on the READY line (no sleeps: a deadline on the line itself). */
  ready() {
    return new Promise((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`daemon not ready: ${this.stderr}`)), START_TIMEOUT_MS);
      this.proc.stdout.on("data", (d) => {
        out += d;
        const line = out.split("\n")[0];
        if (out.includes("\n")) {
          clearTimeout(timer);
          if (line === `READY ${this.address}`) resolve(this);
          else reject(new Error(`unexpected first line ${JSON.stringify(line)}: ${this.stderr}`));
        }
      });
      this.exited.then(({ code }) => reject(new Error(`daemon exited ${code}: ${this.stderr}`)));
    });
  }

  static start(home, extra = []) { return new Daemon(home, extra).ready(); }

  async stop(signal = "SIGTERM") {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(signal);
    return this.exited;
  }

  kill() { return this.stop("SIGKILL"); }
}

/** Python's default socket path in `env` (the Node resolution must agree). */
export function pythonDefaultSocket(env) {
  const r = spawnSync(PYTHON, ["-c", "from metricsd_client import socket_path; print(socket_path())"],
                      { env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}
