"use strict";
// Sans-IO: the messages a client sends (as objects for the generic encoder, and as fast
// writers that put an event's bytes straight into a buffer with no per-call allocation),
// and a bounded, incremental reader of the daemon's replies.
const { Decoder, Encoder } = require("@msgpack/msgpack");
const { PROTO, MAX_MESSAGE_BYTES, MAX_STRING_BYTES, MAX_REPLY_BYTES } = require("./constants.cjs");

const utf8Decoder = new TextDecoder("utf-8", { fatal: false });
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `text` cut to MAX_STRING_BYTES of UTF-8 on a character boundary. */
function clip(text) {
  if (typeof text !== "string" || text.length * 3 <= MAX_STRING_BYTES) return text;
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= MAX_STRING_BYTES) return text;
  let end = MAX_STRING_BYTES;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end -= 1; // not inside a character
  return utf8Decoder.decode(bytes.subarray(0, end));
}

/** `text` as valid UTF-16 (a lone surrogate would be encoded as invalid UTF-8, which the
 * daemon answers with `malformed` and a close). */
function wellFormed(text) {
  if (typeof text.isWellFormed === "function") return text.isWellFormed() ? text : text.toWellFormed();
  return text.replace(LONE_SURROGATE, "\uFFFD");
}

/** null/undefined -> null; a string -> valid and clipped; anything else throws TypeError. */
function optText(value) {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw new TypeError("expected a string or null");
  return clip(wellFormed(value));
}

/** A token count: null/undefined is 0; else an integer >= 0 (RangeError otherwise). */
function count(value) {
  if (value === undefined || value === null) return 0;
  if ((value >>> 0) === value) return value; // the common case: an integer below 2^32
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError("token counts are integers >= 0 (or null)");
  return value;
}

// --- messages as objects ------------------------------------------------------------------

/** `hello`; `stream` ({id: 16 bytes, seq}: a replayable stream and the number of the first
 * event this connection carries) and, over loopback TCP, `nonce` (the daemon must prove it
 * holds the token before anything else is sent). `token` is the v1.2 form (tests only). */
function helloMessage(clientVersion, token, { stream, seq, nonce } = {}) {
  const msg = { type: "hello", proto: PROTO };
  if (clientVersion !== undefined && clientVersion !== null) msg.client_version = optText(clientVersion);
  if (stream !== undefined && stream !== null) {
    msg.stream = stream;
    msg.seq = seq ?? 0;
  }
  if (nonce !== undefined && nonce !== null) msg.nonce = nonce;
  if (token !== undefined && token !== null) msg.token = token; // last key, as the daemon expects
  return msg;
}
/** `auth`: the client's proof over loopback TCP, HMAC-SHA256(token, the daemon's nonce). */
function authMessage(proof) {
  return { type: "auth", proof };
}
function turnMessage(finishReason = null, emptyFinal = false) {
  return { type: "turn", finish_reason: optText(finishReason), empty_final: Boolean(emptyFinal) };
}
function usageMessage(cacheHitTokens, cacheMissTokens) {
  return { type: "usage", cache_hit_tokens: count(cacheHitTokens), cache_miss_tokens: count(cacheMissTokens) };
}
function usageTotalMessage(promptTokens, cachedTokens) {
  return { type: "usage", prompt_tokens: count(promptTokens), cached_tokens: count(cachedTokens) };
}
function usageReadWriteMessage(inputTokens, cacheReadInputTokens, cacheCreationInputTokens) {
  return { type: "usage", input_tokens: count(inputTokens), cache_read_input_tokens: count(cacheReadInputTokens),
    cache_creation_input_tokens: count(cacheCreationInputTokens) };
}
function checkStatus(status) {
  if (status === undefined || status === null) return null;
  if (!Number.isSafeInteger(status)) throw new TypeError("status is an integer or null");
  return status;
}
function providerErrorMessage(message, status) {
  const msg = { type: "provider_error", message: optText(message) ?? "" };
  const s = checkStatus(status);
  if (s !== null) msg.status = s;
  return msg;
}
function toolResultMessage(error = null) { return { type: "tool_result", error: optText(error) }; }
function compactionMessage() { return { type: "compaction" }; }
function syncMessage(id) { return { type: "sync", id }; }
function pingMessage() { return { type: "ping" }; }
function snapshotMessage() { return { type: "snapshot" }; }
function statusMessage() { return { type: "status" }; }

/** Helper name (as in the shared vectors) -> message builder. */
const MESSAGES = Object.freeze({
  hello: helloMessage,
  turn: turnMessage,
  usage: usageMessage,
  usage_total: usageTotalMessage,
  usage_read_write: usageReadWriteMessage,
  provider_error: providerErrorMessage,
  tool_result: toolResultMessage,
  compaction: compactionMessage,
});

const encoder = new Encoder({ ignoreUndefined: true });

/** One message as MessagePack; throws RangeError when over MAX_MESSAGE_BYTES. */
function encodeMessage(message) {
  const data = encoder.encode(message);
  if (data.length > MAX_MESSAGE_BYTES) {
    throw new RangeError(`message of ${data.length} bytes is over the limit of ${MAX_MESSAGE_BYTES} bytes`);
  }
  return Buffer.from(data); // a copy: the encoder reuses its buffer
}

// --- fast writers: bytes straight into a buffer -------------------------------------------

const str = (s) => Buffer.from(encoder.encode(s));
const K_TYPE = str("type");
const T = Object.freeze({
  TOOL_RESULT: Buffer.concat([Buffer.from([0x82]), K_TYPE, str("tool_result"), str("error")]),
  PROVIDER_ERROR: Buffer.concat([K_TYPE, str("provider_error"), str("message")]),
  STATUS: str("status"),
  TURN: Buffer.concat([Buffer.from([0x83]), K_TYPE, str("turn"), str("finish_reason")]),
  EMPTY_FINAL: str("empty_final"),
  USAGE: Buffer.concat([Buffer.from([0x83]), K_TYPE, str("usage"), str("cache_hit_tokens")]),
  CACHE_MISS: str("cache_miss_tokens"),
  USAGE_TOTAL: Buffer.concat([Buffer.from([0x83]), K_TYPE, str("usage"), str("prompt_tokens")]),
  CACHED: str("cached_tokens"),
  USAGE_RW: Buffer.concat([Buffer.from([0x84]), K_TYPE, str("usage"), str("input_tokens")]),
  CACHE_READ: str("cache_read_input_tokens"),
  CACHE_CREATION: str("cache_creation_input_tokens"),
  SYNC: Buffer.concat([Buffer.from([0x82]), K_TYPE, str("sync"), str("id")]),
});
const COMPACTION = encodeMessage(compactionMessage());
const TOOL_OK = encodeMessage(toolResultMessage(null));
/** The most bytes one event written by the fast writers can take. */
const MAX_EVENT_BYTES = MAX_STRING_BYTES + 128;

function put(buf, off, bytes) {
  buf.set(bytes, off); // cheaper than Buffer#copy for a few bytes
  return off + bytes.length;
}

/**
 * Encoded messages of the strings an app repeats (finish reasons, common error texts),
 * per message kind: at most CACHE_ENTRIES strings of at most CACHE_CHARS characters each;
 * once full, new strings are encoded every time (no eviction, no growth).
 */
const CACHE_ENTRIES = 64;
const CACHE_CHARS = 256;
class StringCache {
  constructor(encode) {
    this.map = new Map();
    this.encode = encode; // (string) -> Buffer of the whole message (or its prefix)
  }
  get(s) {
    let bytes = this.map.get(s);
    if (bytes === undefined) {
      bytes = this.encode(s);
      if (this.map.size < CACHE_ENTRIES && s.length <= CACHE_CHARS) this.map.set(s, bytes);
    }
    return bytes;
  }
}
const scratch = Buffer.alloc(MAX_STRING_BYTES + 256);
const cached = (writer) => new StringCache((s) => Buffer.from(scratch.subarray(0, writer(scratch, 0, s))));

/** A non-negative safe integer, as the shortest MessagePack uint. */
function writeUint(buf, off, v) {
  if (v < 0x80) { buf[off] = v; return off + 1; }
  if (v < 0x100) { buf[off] = 0xcc; buf[off + 1] = v; return off + 2; }
  if (v < 0x10000) { buf[off] = 0xcd; buf[off + 1] = v >>> 8; buf[off + 2] = v & 0xff; return off + 3; }
  if (v < 0x100000000) {
    buf[off] = 0xce;
    buf[off + 1] = v >>> 24;
    buf[off + 2] = (v >>> 16) & 0xff;
    buf[off + 3] = (v >>> 8) & 0xff;
    buf[off + 4] = v & 0xff;
    return off + 5;
  }
  buf[off] = 0xcf;
  buf.writeUInt32BE(Math.floor(v / 0x100000000), off + 1);
  buf.writeUInt32BE(v >>> 0, off + 5);
  return off + 9;
}

/** A safe integer, as the shortest MessagePack int (as @msgpack/msgpack writes it). */
function writeInt(buf, off, v) {
  if (v >= 0) return writeUint(buf, off, v);
  if (v >= -0x20) { buf[off] = v & 0xff; return off + 1; }
  if (v >= -0x80) { buf[off] = 0xd0; buf.writeInt8(v, off + 1); return off + 2; }
  if (v >= -0x8000) { buf[off] = 0xd1; buf.writeInt16BE(v, off + 1); return off + 3; }
  if (v >= -0x80000000) { buf[off] = 0xd2; buf.writeInt32BE(v, off + 1); return off + 5; }
  buf[off] = 0xd3;
  buf.writeBigInt64BE(BigInt(v), off + 1);
  return off + 9;
}

/** A string already made valid and clipped (or null), as a MessagePack str (or nil). */
function writeStr(buf, off, s) {
  if (s === null) { buf[off] = 0xc0; return off + 1; }
  const n = s.length < 32 && isAscii(s) ? s.length : Buffer.byteLength(s, "utf8");
  if (n < 32) { buf[off] = 0xa0 | n; off += 1; }
  else if (n < 0x100) { buf[off] = 0xd9; buf[off + 1] = n; off += 2; }
  else { buf[off] = 0xda; buf.writeUInt16BE(n, off + 1); off += 3; }
  return off + buf.utf8Write(s, off, n);
}
function isAscii(s) {
  for (let i = 0; i < s.length; i += 1) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** null/undefined -> null; a short valid string as is; else optText's work. */
function text(value) {
  if (value === undefined || value === null) return null;
  if (typeof value === "string" && value.length * 3 <= MAX_STRING_BYTES && value.isWellFormed?.() !== false) return value;
  return optText(value);
}

const TOOL_RESULTS = cached((buf, off, s) => writeStr(buf, put(buf, off, T.TOOL_RESULT), text(s)));
const PROVIDER_MESSAGES = cached((buf, off, s) => writeStr(buf, put(buf, off, T.PROVIDER_ERROR), text(s)));
const FINISH_REASONS = cached((buf, off, s) => writeStr(buf, put(buf, off, T.TURN), text(s)));
const TURN_NIL = Buffer.concat([T.TURN, Buffer.from([0xc0])]);

function writeToolResult(buf, off, error) {
  if (error === undefined || error === null) return put(buf, off, TOOL_OK);
  if (typeof error !== "string") throw new TypeError("expected a string or null");
  return put(buf, off, TOOL_RESULTS.get(error));
}
function writeProviderError(buf, off, message, status) {
  const s = checkStatus(status);
  buf[off] = s === null ? 0x82 : 0x83;
  if (typeof message === "string") off = put(buf, off + 1, PROVIDER_MESSAGES.get(message));
  else off = writeStr(buf, put(buf, off + 1, T.PROVIDER_ERROR), text(message) ?? "");
  if (s !== null) off = writeInt(buf, put(buf, off, T.STATUS), s);
  return off;
}
function writeTurn(buf, off, finishReason, emptyFinal) {
  if (finishReason === undefined || finishReason === null) off = put(buf, off, TURN_NIL);
  else if (typeof finishReason === "string") off = put(buf, off, FINISH_REASONS.get(finishReason));
  else throw new TypeError("expected a string or null");
  off = put(buf, off, T.EMPTY_FINAL);
  buf[off] = emptyFinal ? 0xc3 : 0xc2;
  return off + 1;
}
function writeUsage(buf, off, hit, miss) {
  const h = count(hit);
  const m = count(miss);
  return writeUint(buf, put(buf, writeUint(buf, put(buf, off, T.USAGE), h), T.CACHE_MISS), m);
}
function writeUsageTotal(buf, off, prompt, cached) {
  const p = count(prompt);
  const c = count(cached);
  return writeUint(buf, put(buf, writeUint(buf, put(buf, off, T.USAGE_TOTAL), p), T.CACHED), c);
}
function writeUsageReadWrite(buf, off, input, read, creation) {
  const i = count(input);
  const r = count(read);
  const c = count(creation);
  off = writeUint(buf, put(buf, off, T.USAGE_RW), i);
  off = writeUint(buf, put(buf, off, T.CACHE_READ), r);
  return writeUint(buf, put(buf, off, T.CACHE_CREATION), c);
}
function writeCompaction(buf, off) { return put(buf, off, COMPACTION); }
function writeSync(buf, off, id) { return writeUint(buf, put(buf, off, T.SYNC), id); }

/** Helper name (as in the shared vectors) -> fast writer (buf, off, ...args) -> end. */
const WRITERS = Object.freeze({
  turn: writeTurn,
  usage: writeUsage,
  usage_total: writeUsageTotal,
  usage_read_write: writeUsageReadWrite,
  provider_error: writeProviderError,
  tool_result: writeToolResult,
  compaction: writeCompaction,
});

// --- replies: bounded and incremental -----------------------------------------------------

class ReplyError extends Error {}

const decoder = new Decoder(); // one decoder: `decode()` would build one per reply

// MessagePack headers from 0xc4: FIXED[b] = payload bytes of a fixed-size value, SIZES[b] =
// bytes of the length field of a sized one.
const FIXED = new Uint8Array(256);
const SIZES = new Uint8Array(256);
Object.entries({ 0xca: 4, 0xcb: 8, 0xcc: 1, 0xcd: 2, 0xce: 4, 0xcf: 8, 0xd0: 1, 0xd1: 2, 0xd2: 4, 0xd3: 8,
  0xd4: 2, 0xd5: 3, 0xd6: 5, 0xd7: 9, 0xd8: 17 }).forEach(([b, n]) => { FIXED[b] = n; });
Object.entries({ 0xc4: 1, 0xc5: 2, 0xc6: 4, 0xc7: 1, 0xc8: 2, 0xc9: 4, 0xd9: 1, 0xda: 2, 0xdb: 4,
  0xdc: 2, 0xdd: 4, 0xde: 2, 0xdf: 4 }).forEach(([b, n]) => { SIZES[b] = n; });

/**
 * Reads MessagePack replies from a byte stream without ever holding more than `maxBytes`
 * of one reply: each value's headers are checked as they arrive (a str/bin/ext, array or
 * map announcing more than the bound is refused before anything is buffered), the scan
 * resumes where it stopped (no rescanning), and nesting is bounded. `push(chunk)` returns
 * the complete replies decoded so far; it throws ReplyError on a hostile or broken stream
 * (the caller closes the connection).
 */
class ReplyReader {
  constructor(maxBytes = MAX_REPLY_BYTES, maxDepth = 32) {
    this.max = maxBytes;
    this.maxDepth = maxDepth;
    this.buf = Buffer.alloc(0);
    this.len = 0;
    this.pos = 0; // next byte to scan
    this.stack = []; // items still expected in each open array/map
  }

  push(chunk) {
    const out = [];
    this._append(chunk);
    let start = 0;
    for (;;) {
      const end = this._scan(start);
      if (end < 0) break;
      let value;
      try {
        value = decoder.decode(this.buf.subarray(start, end));
      } catch {
        throw new ReplyError("a reply that does not decode");
      }
      out.push(value);
      start = end;
    }
    if (start > 0) { // once per chunk: many small replies cost no quadratic copying
      this.buf.copy(this.buf, 0, start, this.len);
      this.len -= start;
      this.pos -= start;
    }
    return out;
  }

  _append(chunk) {
    if (this.len + chunk.length > this.buf.length) {
      // Whole replies leave the buffer as they complete: what stays is one reply's prefix,
      // and more than `max` of it is refused by _scan, so a bound of max + chunk suffices.
      const size = Math.max(this.len + chunk.length, Math.min(this.buf.length * 2 || 4096, this.max * 2));
      const grown = Buffer.allocUnsafe(size);
      this.buf.copy(grown, 0, 0, this.len);
      this.buf = grown;
    }
    chunk.copy(this.buf, this.len);
    this.len += chunk.length;
  }

  /** The end of the complete value that begins at `start`, or -1 when more bytes are
   * needed (the scan resumes at this.pos next time). */
  _scan(start) {
    const { buf, len, stack } = this;
    const max = start + this.max;
    let pos = this.pos;
    for (;;) {
      if (pos > max) throw new ReplyError(`a reply over ${this.max} bytes`);
      if (pos >= len) break;
      const b = buf[pos];
      let head = 1; // header bytes
      let payload = 0; // bytes after the header
      let items = 0; // items of an array/map that follow
      if (b <= 0x7f || b >= 0xe0 || b === 0xc0 || b === 0xc2 || b === 0xc3) { /* one byte */ }
      else if (b <= 0x8f) items = (b & 0x0f) * 2;
      else if (b <= 0x9f) items = b & 0x0f;
      else if (b <= 0xbf) payload = b & 0x1f;
      else if (b === 0xc1) throw new ReplyError("a reply that does not decode");
      else {
        const fixed = FIXED[b];
        if (fixed !== 0) payload = fixed;
        else {
          const n = SIZES[b];
          if (pos + 1 + n > len) break; // the length is not here yet
          const size = n === 1 ? buf[pos + 1] : n === 2 ? buf.readUInt16BE(pos + 1) : buf.readUInt32BE(pos + 1);
          head = 1 + n;
          if (b >= 0xc7 && b <= 0xc9) { head += 1; payload = size; } // ext: a type byte
          else if (b === 0xdc || b === 0xdd) items = size;
          else if (b === 0xde || b === 0xdf) items = size * 2;
          else payload = size;
        }
      }
      // Every item takes at least one byte: an announced size beyond the bound is refused now.
      if (pos + head + payload + items > max) throw new ReplyError(`a reply over ${this.max} bytes`);
      if (pos + head + payload > len) break;
      pos += head + payload;
      if (items > 0) {
        if (stack.length >= this.maxDepth) throw new ReplyError("a reply nested too deeply");
        stack.push(items);
        continue;
      }
      // One value complete: close every container it completes.
      while (stack.length > 0) {
        stack[stack.length - 1] -= 1;
        if (stack[stack.length - 1] > 0) break;
        stack.pop();
      }
      if (stack.length === 0) {
        this.pos = pos;
        return pos;
      }
    }
    this.pos = pos;
    return -1;
  }
}

module.exports = {
  clip, wellFormed, optText, count, encodeMessage, MESSAGES, WRITERS, MAX_EVENT_BYTES,
  helloMessage, authMessage, turnMessage, usageMessage, usageTotalMessage, usageReadWriteMessage, providerErrorMessage,
  toolResultMessage, compactionMessage, syncMessage, pingMessage, snapshotMessage, statusMessage,
  writeToolResult, writeProviderError, writeTurn, writeUsage, writeUsageTotal, writeUsageReadWrite,
  writeCompaction, writeSync, ReplyReader, ReplyError,
};
