// The shared vectors (tests/vectors/vectors.json): the encoder's bytes, and a real daemon.
import assert from "node:assert/strict";
import net from "node:net";
import { after, before, test } from "node:test";

import { decodeMulti, encode } from "@msgpack/msgpack";

import { Client, MAX_MESSAGE_BYTES, MAX_STRING_BYTES, MESSAGES, encodeMessage } from "../src/index.mjs";
import { Daemon, Home, VECTORS, vectorBytes } from "./helpers.mjs";

const ALL = [...VECTORS.events, ...VECTORS.errors];
const PROBE_ID = 4000000000;

test("limits agree with the vectors", () => {
  assert.equal(VECTORS.format, 1);
  assert.deepEqual(VECTORS.limits, { max_message_bytes: MAX_MESSAGE_BYTES, max_string_bytes: MAX_STRING_BYTES });
});

for (const v of ALL.filter((x) => x.calls)) {
  test(`encodes ${v.name}`, () => {
    const bytes = Buffer.concat(v.calls.map(([helper, args]) => encodeMessage(MESSAGES[helper](...args))));
    assert.equal(bytes.toString("hex"), vectorBytes(v.hex).toString("hex"));
  });
}

function flat(counts) {
  const out = new Map();
  for (const [counter, value] of Object.entries(counts)) {
    if (typeof value === "object") for (const [label, n] of Object.entries(value)) out.set(`${counter}/${label}`, n);
    else out.set(`${counter}/`, value);
  }
  return out;
}

function delta(before, after) {
  const out = {};
  for (const [k, n] of after) if (n !== (before.get(k) ?? 0)) out[k] = n - (before.get(k) ?? 0);
  return out;
}

/** Send one vector on a fresh raw connection; the replies, and whether the daemon closed. */
function exchange(socketFile, v) {
  return new Promise((resolve, reject) => {
    const sock = net.createConnection({ path: socketFile });
    const timer = setTimeout(() => { sock.destroy(); reject(new Error(`${v.name}: no answer`)); }, 20000);
    let received = Buffer.alloc(0);
    let done = false;
    const finish = (closed) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      const replies = [...decodeMulti(received)];
      if (!closed && v.complete) replies.pop(); // the probe's ack
      resolve({ replies, closed });
    };
    sock.on("error", () => {});
    sock.on("data", (d) => {
      received = Buffer.concat([received, d]);
      if (!v.closed && v.complete) {
        try {
          const replies = [...decodeMulti(received)];
          const last = replies[replies.length - 1];
          if (last && last.type === "ack" && last.id === PROBE_ID) finish(false);
        } catch { /* incomplete: wait for more */ }
      }
    });
    sock.on("close", () => finish(v.closed));
    sock.on("connect", () => {
      const data = vectorBytes(v.hex);
      if (v.closed) sock.write(data);
      else if (v.complete) sock.write(Buffer.concat([data, encode({ type: "sync", id: PROBE_ID })]));
      else sock.end(data); // ends inside a message: we close our side
    });
  });
}

let home;
let daemon;
before(async () => {
  home = new Home();
  daemon = await Daemon.start(home);
});
after(async () => {
  await daemon.stop();
  home.cleanup();
});

test("every vector through a real daemon", async () => {
  const observer = new Client({ socketPath: home.socket });
  let counts = flat((await observer.snapshot()).counts);
  for (const v of ALL) {
    const { replies, closed } = await exchange(home.socket, v);
    assert.equal(closed, v.closed, v.name);
    assert.equal(replies.length, v.replies.length, `${v.name}: ${JSON.stringify(replies)}`);
    v.replies.forEach((want, i) => {
      for (const [k, value] of Object.entries(want)) assert.deepEqual(replies[i][k], value, v.name);
    });
    const now = flat((await observer.snapshot()).counts);
    assert.deepEqual(delta(counts, now), Object.fromEntries(flat(v.counts)), v.name);
    counts = now;
  }
  await observer.close();
});
