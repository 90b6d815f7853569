"use strict";
// The sidecar helper: starts `metricsd run --watch-stdin`, supervises it (pid, exit
// events, restart with bounded back-off, a give-up after repeated fast failures) and wakes
// its clients when a new daemon is READY.
const { spawn } = require("node:child_process");
const { EventEmitter } = require("node:events");
const process = require("node:process");
const readline = require("node:readline");
const { DEFAULTS, SUPERVISION } = require("./constants.cjs");
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

/** The restart policy (clients/spec.json `supervision`): a start that fails, or a daemon
 * that exits within `fastMs` of its READY, is a fast failure; back-off from `minMs`
 * doubling to `maxMs`; after `maxFailures` fast failures in a row, one attempt every
 * `slowMs`, forever, until a daemon lives `fastMs`. */
const RESTART = Object.freeze({
  minMs: SUPERVISION.restartBackoffMinMs, maxMs: SUPERVISION.restartBackoffMaxMs,
  maxFailures: SUPERVISION.fastFailuresBeforeSlow, fastMs: SUPERVISION.fastFailureMs, slowMs: SUPERVISION.slowRestartMs,
});
/** How long before close()'s deadline a daemon still running is asked for its status. */
const CLOSE_PROBE_MS = 300;

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
    // Later READY lines (a stand-by taking over) go to `onReady`, set by the Sidecar.
    const later = { onReady: null, queued: [] };
    let first = true;
    lines.on("line", (line) => {
      if (first) {
        first = false;
        if (line.startsWith("READY ")) settle(resolve, { child, path: line.slice(6), later });
        else fail("metricsd printed an unexpected line");
      } else if (line.startsWith("READY ") && line.length > 6) {
        if (later.onReady) later.onReady(line.slice(6));
        else later.queued.push(line.slice(6));
      }
    });
    child.once("exit", (code, signal) => {
      if (code === 0) settle(resolve, { child: null, path: null });
      else fail(`metricsd could not start (exit status ${code ?? signal}; its stderr says why)`);
    });
  });
}

/**
 * A supervised daemon child. Events: `exit` (code, signal) each time a child exits,
 * `ready` (socketPath) after each (re)start and each take-over by a stand-by, `slow`
 * (reason) when repeated fast failures switch it to the slow restart pace, `startfailed`
 * (reason). It never gives up for good.
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
    this.reason = null; // why it restarts at the slow pace (null otherwise)
    this.fastFailures = 0; // in a row
    this.slow = false;
    this.servingOthers = false; // close() left the daemon serving other app instances
    this._child = null;
    this._clients = new Set();
    this._closing = false;
    this._timer = null;
    this._done = new Promise((resolve) => { this._finish = resolve; });
    if (first.child) this._watch(first.child, first.later);
    else this._finish({ reason: "another daemon serves the socket" });
  }

  /** The current daemon child's pid (null when none runs). */
  get pid() { return this._child ? this._child.pid : null; }
  /** The current child process, or null. */
  get process() { return this._child; }
  /** Resolves when the sidecar is finished (closed; it never gives up on its own): `{reason}`. */
  wait() { return this._done; }

  /** A client of this daemon; it reconnects at once when a restarted daemon is READY. */
  client(options = {}) {
    const c = new Client({ ...options, socketPath: this.socketPath });
    this._clients.add(c);
    return c;
  }

  /** What the sidecar knows: `{pid, socketPath, restarts, fastFailures, slow, reason,
   * supervising, servingOthers}`. */
  status() {
    return { pid: this.pid, socketPath: this.socketPath, restarts: this.restarts, fastFailures: this.fastFailures,
      slow: this.slow, reason: this.reason, supervising: this._child !== null && !this._closing,
      servingOthers: this.servingOthers };
  }

  _wakeClients() {
    for (const c of this._clients) {
      if (c._closed) this._clients.delete(c);
      else c._wake(this.socketPath); // within 1 s of READY: no back-off wait
    }
  }

  _watch(child, later) {
    this._child = child;
    let readyAt = Date.now();
    if (later) {
      const onReady = (path) => {
        if (this._child !== child || this._closing) return;
        readyAt = Date.now();
        this.socketPath = path;
        this.emit("ready", path);
        this._wakeClients();
      };
      later.onReady = onReady;
      for (const path of later.queued.splice(0)) onReady(path);
    }
    child.once("exit", (code, signal) => {
      if (this._child === child) this._child = null;
      this.emit("exit", code, signal);
      if (this._closing) return;
      if (Date.now() - readyAt < this._restart.fastMs) this._failed(`exit status ${code ?? signal}`);
      else {
        this.fastFailures = 0;
        this.slow = false;
        this.reason = null;
      }
      this._scheduleRestart();
    });
  }

  _failed(why) {
    this.fastFailures += 1;
    if (this.fastFailures >= this._restart.maxFailures && !this.slow) {
      this.slow = true;
      this.reason = `metricsd failed ${this.fastFailures} times in a row (last: ${why}): restarting it every ${this._restart.slowMs} ms`;
      this.emit("slow", this.reason);
    }
  }

  _scheduleRestart() {
    const n = Math.max(0, this.fastFailures - 1);
    const delay = this.slow ? this._restart.slowMs : Math.min(this._restart.maxMs, this._restart.minMs * 2 ** Math.min(n, 30));
    // Not unref'd: like the child itself, a pending restart keeps the process alive until
    // close().
    this._timer = setTimeout(() => this._restartNow(), delay);
  }

  async _restartNow() {
    this._timer = null;
    if (this._closing) return;
    try {
      const { child, path, later } = await startChild(this._exe, this._args, this._options);
      if (this._closing) {
        child?.stdin.end();
        return;
      }
      this.restarts += 1;
      if (path) this.socketPath = path;
      if (child) this._watch(child, later);
      this.emit("ready", this.socketPath);
      this._wakeClients();
      if (!child) {
        // A daemon of an older release exits 0 when another one serves: try again later.
        this._failed("another daemon serves the socket");
        this._scheduleRestart();
      }
    } catch (err) {
      if (this._closing) return;
      const reason = err.reason ?? String(err);
      this.emit("startfailed", reason);
      this._failed(reason);
      this._scheduleRestart();
    }
  }

  /** Close the daemon's stdin and wait for it to exit, at most `deadlineMs`. It never
   * kills it: shortly before the deadline a daemon still running is asked for its status;
   * one that answers serves other app instances and is left running (`servingOthers`; it
   * exits once their last client leaves), one that does not answer serves nobody and gets
   * SIGTERM (it commits and exits). Resolves with its exit status (null when none ran,
   * it was left serving others, or it had not exited by the deadline). */
  close(deadlineMs = 10000) {
    if (this._closeP) return this._closeP;
    this._closing = true;
    clearTimeout(this._timer);
    const child = this._child;
    const done = () => this._finish({ reason: this.reason ?? "closed" });
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      done();
      this._closeP = Promise.resolve(child ? child.exitCode : null);
      return this._closeP;
    }
    const started = Date.now();
    const exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
    // The deadline's timer is cleared when the child exits first: a pending one would keep
    // the application alive until the deadline after its daemon had gone.
    const within = (ms) => {
      let timer;
      const deadline = new Promise((r) => { timer = setTimeout(r, Math.max(0, ms), undefined); });
      return Promise.race([exited, deadline]).finally(() => clearTimeout(timer));
    };
    child.stdin.end();
    this._closeP = (async () => {
      let code = await within(deadlineMs - CLOSE_PROBE_MS);
      if (code === undefined) {
        if (await this._answers(child)) {
          this.servingOthers = true;
          child.stdout?.destroy();
          child.unref();
          done();
          return null;
        }
        try { child.kill("SIGTERM"); } catch { /* gone meanwhile */ }
        code = await within(deadlineMs - (Date.now() - started));
      }
      done();
      if (code === undefined) {
        child.unref();
        return null;
      }
      return code;
    })();
    return this._closeP;
  }

  /** Whether the daemon child answers a status request (bounded). */
  async _answers(child) {
    const probe = new Client({ socketPath: this.socketPath, connectTimeoutMs: CLOSE_PROBE_MS });
    try {
      const reply = await probe.status(CLOSE_PROBE_MS);
      return reply !== null && reply.pid === child.pid;
    } finally {
      await probe.close(0);
    }
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
