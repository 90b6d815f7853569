"use strict";
// The no-op client: what a failed start gives. It accepts every call of a Client, costs
// next to nothing, counts every event as dropped and says why it is inert (`reason`).
const util = require("node:util");

class NoopClient {
  /** @param {string} reason why this client sends nothing */
  constructor(reason = "no daemon") {
    this.reason = String(reason);
    this.socketPath = null;
    this.lastError = null;
    this.sidecar = null;
    this._dropped = 0;
  }
  usage() { this._dropped += 1; }
  usageTotal() { this._dropped += 1; }
  usageReadWrite() { this._dropped += 1; }
  toolResult() { this._dropped += 1; }
  providerError() { this._dropped += 1; }
  compaction() { this._dropped += 1; }
  turn() { this._dropped += 1; }
  sync() { return Promise.resolve(false); }
  snapshot() { return Promise.resolve(null); }
  ping() { return Promise.resolve(null); }
  status() { return Promise.resolve(null); }
  close() { return Promise.resolve(); }
  get stats() {
    return { dropped: this._dropped, unconfirmed: 0, connects: 0, reconnects: 0, refused: 0, writeTimeouts: 0,
      badReplies: 0, queued: 0 };
  }
  get dropped() { return this._dropped; }
  get unconfirmed() { return 0; }
  get errors() { return []; }
  get connected() { return false; }
  [util.inspect.custom]() { return `NoopClient(${JSON.stringify(this.reason)}, dropped: ${this._dropped})`; }
}

module.exports = { NoopClient };
