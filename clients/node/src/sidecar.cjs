"use strict";
// The sidecar helper: starts `metricsd run --watch-stdin`, supervises it (pid, exit
// events, restart with bounded back-off, a give-up after repeated fast failures) and wakes
// its clients when a new daemon is READY.
const { spawn } = require("node:child_process");
const { EventEmitter } = require("node:events");
const process = require("node:process");
const readline = require("node:readline");
const { DEFAULTS } = require("./constants.cjs");
const { Client } = require("./client.cjs");
const { NoopClient } = require("./noop.cjs");
const paths = require("./paths.cjs");

/** A start (or a restart) that failed: `reason` says why. The only error spawnSidecar
 * rejects with. */
class SidecarError extends Error {
  constructor(reason) {
    super(reason);
    this.name = "SidecarError";
    this.reason = reason;
  }
}

const RESTART = Object.freeze({ minMs: 100, maxMs: 5000, maxFailures: 5, windowMs: 60000 });

function optionValue(args, name) {
  let value = null;
  args.forEach((a, i) => {
    if (a === name && i + 1 < args.length) value = args[i + 1];
    else if (a.startsWith(`${name}=`)) value = a.slice(name.length + 1);
  });
  return value;
}

/**
 * Start one daemon child and resolve `{child, path}` on its READY line (`path` null: an
 * older daemon that exited 0 because another one serves). Rejects with SidecarError, always
 * within `timeoutMs` (a hung child is killed).
 */
function startChild(exe, args, { stderr, env, timeoutMs }) {
  return new Promise((resolve, reject) => {
    let child;
    try {
      child = spawn(exe, ["run", "--watch-stdin", ...args], { stdio: ["pipe", "pipe", stderr], env });
    } catch (err) {
      reject(new SidecarError(`metricsd could not be started: ${err.code || err.message}`));
      return;
    }
    let settled = false;
    const settle = (fn, value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn(value);
    };
    const fail = (reason) => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      settle(reject, new SidecarError(reason));
    };
    const timer = setTimeout(() => fail(`metricsd printed no READY line within ${timeoutMs} ms`), timeoutMs);
    child.once("error", (err) => fail(`metricsd could not be started (${err.code || "error"}: ${exe})`));
    child.stdin.on("error", () => {}); // a child that exits early: EPIPE on its stdin
    const lines = readline.createInterface({ input: child.stdout });
    lines.once("line", (line) => {
      if (line.startsWith("READY ")) settle(resolve, { child, path: line.slice(6) });
      else fail("metricsd printed an unexpected line");
    });
    child.once("exit", (code, signal) => {
      if (code === 0) settle(resolve, { child: null, path: null });
      else fail(`metricsd could not start (exit status ${code ?? signal}; its stderr says why)`);
    });
  });
}

/**
 * A supervised daemon child. Events: `exit` (code, signal) each time a child exits,
 * `ready` (socketPath) after each (re)start, `giveup` (reason) when it stops restarting.
 */
class Sidecar extends EventEmitter {
  constructor(exe, args, options, first) {
    super();
    this._exe = exe;
    this._args = args;
    this._options = options;
    this._restart = { ...RESTART, ...(options.restart || {}) };
    this.socketPath = first.path ?? paths.socketPath(optionValue(args, "--socket") || options.env.METRICSD_SOCKET || undefined, options.env);
    this.alreadyRunning = first.path === null;
    this.restarts = 0;
    this.reason = null; // why it gave up
    this._child = null;
    this._failures = [];
    this._clients = new Set();
    this._closing = false;
    this._timer = null;
    this._done = new Promise((resolve) => { this._finish = resolve; });
    if (first.child) this._watch(first.child);
  }

  /** The current daemon child's pid (null when none runs). */
  get pid() { return this._child ? this._child.pid : null; }
  /** The current child process, or null. */
  get process() { return this._child; }
  /** Resolves when the sidecar is finished (closed, or it gave up): `{reason}`. */
  wait() { return this._done; }

  /** A client of this daemon; it reconnects at once when a restarted daemon is READY. */
  client(options = {}) {
    const c = new Client({ ...options, socketPath: this.socketPath });
    this._clients.add(c);
    return c;
  }

  _watch(child) {
    this._child = child;
    const started = Date.now();
    child.once("exit", (code, signal) => {
      if (this._child === child) this._child = null;
      this.emit("exit", code, signal);
      if (this._closing) return;
      if (Date.now() - started < this._restart.windowMs) this._failures.push(Date.now());
      this._scheduleRestart();
    });
  }

  _scheduleRestart() {
    const now = Date.now();
    this._failures = this._failures.filter((t) => now - t < this._restart.windowMs);
    if (this._failures.length >= this._restart.maxFailures) {
      this.reason = `metricsd failed ${this._failures.length} times within ${this._restart.windowMs} ms: not restarted again`;
      this.emit("giveup", this.reason);
      this._finish({ reason: this.reason });
      return;
    }
    const n = Math.max(0, this._failures.length - 1);
    const delay = Math.min(this._restart.maxMs, this._restart.minMs * 2 ** n);
    // Not unref'd: like the child itself, a pending restart keeps the process alive until
    // close().
    this._timer = setTimeout(() => this._restartNow(), delay);
  }

  async _restartNow() {
    this._timer = null;
    if (this._closing) return;
    try {
      const { child, path } = await startChild(this._exe, this._args, this._options);
      if (this._closing) {
        child?.stdin.end();
        return;
      }
      this.restarts += 1;
      if (child) this._watch(child);
      if (path) this.socketPath = path;
      this.emit("ready", this.socketPath);
      for (const c of this._clients) {
        if (c._closed) this._clients.delete(c);
        else c._wake(); // within 1 s of READY: no back-off wait
      }
      // No child (a daemon of an older release exits 0 when another one serves): nothing
      // of ours to supervise until close().
    } catch (err) {
      this.emit("startfailed", err.reason ?? String(err));
      this._failures.push(Date.now());
      this._scheduleRestart();
    }
  }

  /** Close the daemon's stdin, wait up to `deadlineMs`, then kill it. Resolves with its
   * exit status (null when killed or none ran). */
  close(deadlineMs = 10000) {
    this._closing = true;
    clearTimeout(this._timer);
    const child = this._child;
    const done = () => this._finish({ reason: this.reason ?? "closed" });
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      done();
      return Promise.resolve(child ? child.exitCode : null);
    }
    return new Promise((resolve) => {
      const kill = setTimeout(() => child.kill("SIGKILL"), deadlineMs);
      child.once("exit", (code) => {
        clearTimeout(kill);
        done();
        resolve(code);
      });
      child.stdin.end();
    });
  }
}

/**
 * Start `exe run --watch-stdin ...args` and resolve once it is READY, with a supervised
 * Sidecar. Rejects only with SidecarError (missing binary, early exit, no READY within
 * `timeoutMs`), always within `timeoutMs`.
 * `options.stderr`: where the daemon logs ("inherit" by default, "ignore", or a descriptor).
 */
async function spawnSidecar(exe = "metricsd", args = [], options = {}) {
  const opts = { stderr: "inherit", env: process.env, timeoutMs: DEFAULTS.sidecarStartTimeoutMs, ...options };
  const first = await startChild(exe, args, opts);
  try {
    return new Sidecar(exe, args, opts, first);
  } catch (err) {
    first.child?.kill("SIGKILL");
    throw new SidecarError(`metricsd could not be supervised: ${err.message}`);
  }
}

/**
 * The one-call start for an app: a Client of a supervised sidecar, or, when the start
 * fails, a NoopClient whose `reason` says why. Never rejects. The client's `close(deadline)`
 * closes the sidecar too; `client.sidecar` is the Sidecar (null for a NoopClient).
 */
async function spawnSidecarClient(exe = "metricsd", args = [], options = {}, clientOptions = {}) {
  try {
    const side = await spawnSidecar(exe, args, options);
    const c = side.client(clientOptions);
    c.sidecar = side;
    c._owned = side;
    return c;
  } catch (err) {
    return new NoopClient(err instanceof SidecarError ? err.reason : String(err));
  }
}

module.exports = { Sidecar, SidecarError, spawnSidecar, spawnSidecarClient, RESTART };
