package metricsd

// The few MessagePack shapes this client writes, encoded by hand (no dependency) into a
// reused buffer (no allocation per event), and a bounded decoder for the daemon's replies.
// The bytes are checked against the shared test vectors (testdata/vectors.json, a copy of
// the repository's tests/vectors/vectors.json) by vectors_test.go.

import (
	"errors"
	"io"
	"math"
	"strings"
	"unicode/utf8"
)

const (
	// Proto is the protocol version this client speaks.
	Proto = 1
	// MaxMessageBytes is the largest message the daemon accepts, encoded.
	MaxMessageBytes = 64 * 1024
	// MaxStringBytes is the longest string the daemon accepts inside a message.
	MaxStringBytes = 16 * 1024
	// MaxReplyBytes bounds one reply from the daemon: a larger reply, or one that does not
	// decode, closes the connection before anything of that size is allocated.
	MaxReplyBytes = 1 << 20
)

// clip makes s valid UTF-8 and cuts it to MaxStringBytes on a character boundary, so a
// long or broken error text never breaks the connection. The daemon classifies strings
// by keywords; a 16 KiB prefix is plenty for that.
func clip(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if len(s) <= MaxStringBytes {
		return s
	}
	end := MaxStringBytes
	for end > 0 && !utf8.RuneStart(s[end]) {
		end--
	}
	return s[:end]
}

func appendMapHeader(b []byte, n int) []byte { return append(b, 0x80|byte(n)) }

func appendStr(b []byte, s string) []byte {
	n := len(s)
	switch {
	case n < 32:
		b = append(b, 0xa0|byte(n))
	case n < 1<<8:
		b = append(b, 0xd9, byte(n))
	case n < 1<<16:
		b = append(b, 0xda, byte(n>>8), byte(n))
	default:
		b = append(b, 0xdb, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(b, s...)
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 0xc3)
	}
	return append(b, 0xc2)
}

func appendNil(b []byte) []byte { return append(b, 0xc0) }

// appendInt writes v in the smallest MessagePack integer form (as the reference encoders
// do): non-negative values as positive fixint or uint 8/16/32/64, negative ones as
// negative fixint or int 8/16/32/64.
func appendInt(b []byte, v int64) []byte {
	if v >= 0 {
		u := uint64(v)
		switch {
		case u < 128:
			return append(b, byte(u))
		case u < 1<<8:
			return append(b, 0xcc, byte(u))
		case u < 1<<16:
			return append(b, 0xcd, byte(u>>8), byte(u))
		case u < 1<<32:
			return append(b, 0xce, byte(u>>24), byte(u>>16), byte(u>>8), byte(u))
		default:
			return append(b, 0xcf, byte(u>>56), byte(u>>48), byte(u>>40), byte(u>>32),
				byte(u>>24), byte(u>>16), byte(u>>8), byte(u))
		}
	}
	switch {
	case v >= -32:
		return append(b, byte(int8(v)))
	case v >= math.MinInt8:
		return append(b, 0xd0, byte(v))
	case v >= math.MinInt16:
		return append(b, 0xd1, byte(v>>8), byte(v))
	case v >= math.MinInt32:
		return append(b, 0xd2, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
	default:
		return append(b, 0xd3, byte(v>>56), byte(v>>48), byte(v>>40), byte(v>>32),
			byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
	}
}

func appendType(b []byte, n int, typ string) []byte {
	b = appendMapHeader(b, n)
	b = appendStr(b, "type")
	return appendStr(b, typ)
}

// Message encoders: each appends one message to b. Keys are written in the order of the
// shared vectors.

func appendHello(b []byte, clientVersion, token string) []byte {
	n := 2
	if clientVersion != "" {
		n++
	}
	if token != "" {
		n++
	}
	b = appendType(b, n, "hello")
	b = appendStr(b, "proto")
	b = appendInt(b, Proto)
	if clientVersion != "" {
		b = appendStr(b, "client_version")
		b = appendStr(b, clip(clientVersion))
	}
	if token != "" {
		b = appendStr(b, "token")
		b = appendStr(b, token)
	}
	return b
}

func appendBin(b []byte, v []byte) []byte {
	n := len(v)
	switch {
	case n < 1<<8:
		b = append(b, 0xc4, byte(n))
	case n < 1<<16:
		b = append(b, 0xc5, byte(n>>8), byte(n))
	default:
		b = append(b, 0xc6, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(b, v...)
}

// appendStreamHello: the v1.3 hello of a replayable stream (its id, and the number of
// the first event this connection carries), with a nonce over loopback TCP (the daemon
// must prove it holds the token before anything else is sent; no token is sent).
func appendStreamHello(b []byte, clientVersion string, stream []byte, seq int64,
	nonce []byte) []byte {
	n := 4
	if clientVersion != "" {
		n++
	}
	if nonce != nil {
		n++
	}
	b = appendType(b, n, "hello")
	b = appendStr(b, "proto")
	b = appendInt(b, Proto)
	if clientVersion != "" {
		b = appendStr(b, "client_version")
		b = appendStr(b, clip(clientVersion))
	}
	b = appendStr(b, "stream")
	b = appendBin(b, stream)
	b = appendStr(b, "seq")
	b = appendInt(b, seq)
	if nonce != nil {
		b = appendStr(b, "nonce")
		b = appendBin(b, nonce)
	}
	return b
}

// appendAuth: the client's proof over loopback TCP, HMAC-SHA256(token, the daemon's nonce).
func appendAuth(b []byte, proof []byte) []byte {
	b = appendType(b, 2, "auth")
	b = appendStr(b, "proof")
	return appendBin(b, proof)
}

// Pre-encoded parts of the messages (built once by the general encoders above), so that an
// event costs a few copies and no map or key encoding.
var (
	tmplTurn       = appendStr(appendType(nil, 3, "turn"), "finish_reason")
	tmplEmptyFinal = appendStr(nil, "empty_final")
	tmplSync       = appendStr(appendType(nil, 2, "sync"), "id")
	tmplTool       = appendStr(appendType(nil, 2, "tool_result"), "error")
	tmplToolOK     = appendNil(append([]byte(nil), tmplTool...))
	tmplCompaction = appendType(nil, 1, "compaction")
	tmplPE2        = appendStr(appendType(nil, 2, "provider_error"), "message")
	tmplPE3        = appendStr(appendType(nil, 3, "provider_error"), "message")
	tmplStatus     = appendStr(nil, "status")
)

// usageForm is one usage form: its field names in wire order and their pre-encoded keys
// (the first with the map header and type).
type usageForm struct {
	keys []string
	tmpl [][]byte
}

func newUsageForm(keys ...string) *usageForm {
	f := &usageForm{keys: keys}
	for i, k := range keys {
		var b []byte
		if i == 0 {
			b = appendType(nil, 1+len(keys), "usage")
		}
		f.tmpl = append(f.tmpl, appendStr(b, k))
	}
	return f
}

// The three usage forms (the daemon does the arithmetic).
var (
	usageSplit     = newUsageForm("cache_hit_tokens", "cache_miss_tokens")
	usageTotal     = newUsageForm("prompt_tokens", "cached_tokens")
	usageReadWrite = newUsageForm("input_tokens", "cache_read_input_tokens",
		"cache_creation_input_tokens")
)

// appendTurn: an empty finish reason is sent as nil (no finish reason); the daemon counts
// nil and "" alike.
func appendTurn(b []byte, finishReason string, emptyFinal bool) []byte {
	b = append(b, tmplTurn...)
	if finishReason == "" {
		b = appendNil(b)
	} else {
		b = appendStr(b, clip(finishReason))
	}
	b = append(b, tmplEmptyFinal...)
	return appendBool(b, emptyFinal)
}

// appendUsage writes one usage form with its counts (as many as the form has fields).
func appendUsage(b []byte, f *usageForm, counts ...int64) []byte {
	for i, t := range f.tmpl {
		b = append(b, t...)
		b = appendInt(b, counts[i])
	}
	return b
}

func appendUsage2(b []byte, f *usageForm, x, y int64) []byte {
	b = append(b, f.tmpl[0]...)
	b = appendInt(b, x)
	b = append(b, f.tmpl[1]...)
	return appendInt(b, y)
}

func appendUsage3(b []byte, f *usageForm, x, y, z int64) []byte {
	b = appendUsage2(b, f, x, y)
	b = append(b, f.tmpl[2]...)
	return appendInt(b, z)
}

// appendProviderError: status 0 means unknown (the field is left out).
func appendProviderError(b []byte, message string, status int) []byte {
	if status == 0 {
		return appendStr(append(b, tmplPE2...), clip(message))
	}
	b = appendStr(append(b, tmplPE3...), clip(message))
	b = append(b, tmplStatus...)
	return appendInt(b, int64(status))
}

// appendToolResult: "" is success (error nil).
func appendToolResult(b []byte, errText string) []byte {
	if errText == "" {
		return append(b, tmplToolOK...)
	}
	return appendStr(append(b, tmplTool...), clip(errText))
}

func appendBare(b []byte, typ string) []byte {
	if typ == "compaction" {
		return append(b, tmplCompaction...)
	}
	return appendType(b, 1, typ)
}

func appendSync(b []byte, id uint64) []byte {
	return appendInt(append(b, tmplSync...), int64(id))
}

// --- decoding replies ------------------------------------------------------------------

var errBadReply = errors.New("metricsd: a reply that does not decode or is too large")

// maxReplyItems bounds the values of one reply (each costs some memory beyond its bytes):
// a daemon's largest reply, a snapshot, has a few hundred.
const maxReplyItems = 1 << 16

// byteReader is what the decoder reads from (a *bufio.Reader).
type byteReader interface {
	io.Reader
	io.ByteReader
}

// decoder reads one reply at a time within a budget of MaxReplyBytes bytes and
// maxReplyItems values: a header announcing more than is left fails before anything of
// that size is allocated, so memory stays bounded whatever the other end sends.
type decoder struct {
	r     byteReader
	left  int // bytes left for this reply
	items int // values left for this reply
}

// next decodes one reply: a map with string keys (anything else is errBadReply).
func (d *decoder) next() (map[string]any, error) {
	d.left, d.items = MaxReplyBytes, maxReplyItems
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errBadReply
	}
	return m, nil
}

func (d *decoder) take(n int) error {
	if n < 0 || n > d.left {
		return errBadReply
	}
	d.left -= n
	return nil
}

func (d *decoder) byte() (byte, error) {
	if err := d.take(1); err != nil {
		return 0, err
	}
	return d.r.ReadByte()
}

func (d *decoder) uint(size int) (uint64, error) {
	if err := d.take(size); err != nil {
		return 0, err
	}
	var buf [8]byte
	if _, err := io.ReadFull(d.r, buf[:size]); err != nil {
		return 0, err
	}
	var u uint64
	for _, x := range buf[:size] {
		u = u<<8 | uint64(x)
	}
	return u, nil
}

func (d *decoder) str(n uint64) (string, error) {
	if n > uint64(d.left) {
		return "", errBadReply
	}
	_ = d.take(int(n))
	buf := make([]byte, n)
	if _, err := io.ReadFull(d.r, buf); err != nil {
		return "", err
	}
	return string(buf), nil
}

// value reads one MessagePack value: nil, bool, int64 (every integer that fits), uint64
// (larger ones), float64, string (str and bin), []any, map[string]any.
func (d *decoder) value(depth int) (any, error) {
	d.items--
	if depth > 32 || d.items < 0 {
		return nil, errBadReply
	}
	c, err := d.byte()
	if err != nil {
		return nil, err
	}
	switch {
	case c <= 0x7f:
		return int64(c), nil
	case c >= 0xe0:
		return int64(int8(c)), nil
	case c&0xf0 == 0x80:
		return d.mapOf(uint64(c&0x0f), depth)
	case c&0xf0 == 0x90:
		return d.array(uint64(c&0x0f), depth)
	case c&0xe0 == 0xa0:
		return d.str(uint64(c & 0x1f))
	}
	switch c {
	case 0xc0:
		return nil, nil
	case 0xc2:
		return false, nil
	case 0xc3:
		return true, nil
	case 0xc4, 0xc5, 0xc6, 0xd9, 0xda, 0xdb:
		base := byte(0xc4)
		if c >= 0xd9 {
			base = 0xd9
		}
		n, err := d.uint(1 << (c - base))
		if err != nil {
			return nil, err
		}
		return d.str(n)
	case 0xca:
		u, err := d.uint(4)
		return float64(math.Float32frombits(uint32(u))), err
	case 0xcb:
		u, err := d.uint(8)
		return math.Float64frombits(u), err
	case 0xcc, 0xcd, 0xce, 0xcf:
		u, err := d.uint(1 << (c - 0xcc))
		if err != nil {
			return nil, err
		}
		if u <= math.MaxInt64 {
			return int64(u), nil
		}
		return u, nil
	case 0xd0, 0xd1, 0xd2, 0xd3:
		size := 1 << (c - 0xd0)
		u, err := d.uint(size)
		if err != nil {
			return nil, err
		}
		shift := 64 - 8*uint(size)
		return int64(u<<shift) >> shift, nil
	case 0xdc, 0xdd:
		n, err := d.uint(2 << (c - 0xdc))
		if err != nil {
			return nil, err
		}
		return d.array(n, depth)
	case 0xde, 0xdf:
		n, err := d.uint(2 << (c - 0xde))
		if err != nil {
			return nil, err
		}
		return d.mapOf(n, depth)
	}
	return nil, errBadReply
}

// count checks an announced number of values against what is left (each takes at least
// one byte), before anything is allocated for them.
func (d *decoder) count(n, per uint64) (int, error) {
	if n*per > uint64(d.left) || n*per > uint64(d.items) {
		return 0, errBadReply
	}
	return int(n), nil
}

func (d *decoder) array(n uint64, depth int) (any, error) {
	k, err := d.count(n, 1)
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, k)
	for i := 0; i < k; i++ {
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (d *decoder) mapOf(n uint64, depth int) (any, error) {
	k, err := d.count(n, 2)
	if err != nil {
		return nil, err
	}
	out := make(map[string]any, k)
	for i := 0; i < k; i++ {
		key, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		ks, ok := key.(string)
		if !ok {
			return nil, errBadReply
		}
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		out[ks] = v
	}
	return out, nil
}
