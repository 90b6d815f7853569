package metricsd

// The few MessagePack shapes this client writes, encoded by hand (no dependency), and a
// small decoder for the daemon's replies. The bytes are checked against the shared test
// vectors (tests/vectors/vectors.json) by vectors_test.go.

import (
	"bufio"
	"errors"
	"fmt"
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

// Message encoders. Keys are written in the order of the shared vectors.

func encodeHello(clientVersion string) []byte {
	if clientVersion == "" {
		b := appendType(nil, 2, "hello")
		b = appendStr(b, "proto")
		return appendInt(b, Proto)
	}
	b := appendType(nil, 3, "hello")
	b = appendStr(b, "proto")
	b = appendInt(b, Proto)
	b = appendStr(b, "client_version")
	return appendStr(b, clip(clientVersion))
}

// encodeTurn: an empty finish reason is sent as nil (no finish reason); the daemon
// counts nil and "" alike.
func encodeTurn(finishReason string, emptyFinal bool) []byte {
	b := appendType(nil, 3, "turn")
	b = appendStr(b, "finish_reason")
	if finishReason == "" {
		b = appendNil(b)
	} else {
		b = appendStr(b, clip(finishReason))
	}
	b = appendStr(b, "empty_final")
	return appendBool(b, emptyFinal)
}

func encodeUsage(hit, miss int64) []byte {
	b := appendType(nil, 3, "usage")
	b = appendStr(b, "cache_hit_tokens")
	b = appendInt(b, hit)
	b = appendStr(b, "cache_miss_tokens")
	return appendInt(b, miss)
}

// encodeProviderError: status 0 means unknown (the field is left out).
func encodeProviderError(status int, message string) []byte {
	n := 2
	if status != 0 {
		n = 3
	}
	b := appendType(nil, n, "provider_error")
	b = appendStr(b, "message")
	b = appendStr(b, clip(message))
	if status != 0 {
		b = appendStr(b, "status")
		b = appendInt(b, int64(status))
	}
	return b
}

// encodeToolResult: "" is success (error nil).
func encodeToolResult(errText string) []byte {
	b := appendType(nil, 2, "tool_result")
	b = appendStr(b, "error")
	if errText == "" {
		return appendNil(b)
	}
	return appendStr(b, clip(errText))
}

func encodeBare(typ string) []byte { return appendType(nil, 1, typ) }

func encodeSync(id uint64) []byte {
	b := appendType(nil, 2, "sync")
	b = appendStr(b, "id")
	return appendInt(b, int64(id))
}

// --- decoding replies ------------------------------------------------------------------

var errUnsupported = errors.New("metricsd: unsupported MessagePack value in a reply")

const maxReplyItems = 1 << 16

// decodeValue reads one MessagePack value: nil, bool, int64 (every integer that fits),
// uint64 (larger ones), float64, string (str and bin), []any, map[string]any.
func decodeValue(r *bufio.Reader, depth int) (any, error) {
	if depth > 32 {
		return nil, errUnsupported
	}
	c, err := r.ReadByte()
	if err != nil {
		return nil, err
	}
	switch {
	case c <= 0x7f:
		return int64(c), nil
	case c >= 0xe0:
		return int64(int8(c)), nil
	case c&0xf0 == 0x80:
		return decodeMap(r, int(c&0x0f), depth)
	case c&0xf0 == 0x90:
		return decodeArray(r, int(c&0x0f), depth)
	case c&0xe0 == 0xa0:
		return readString(r, int(c&0x1f))
	}
	switch c {
	case 0xc0:
		return nil, nil
	case 0xc2:
		return false, nil
	case 0xc3:
		return true, nil
	case 0xc4, 0xd9:
		n, err := readUint(r, 1)
		if err != nil {
			return nil, err
		}
		return readString(r, int(n))
	case 0xc5, 0xda:
		n, err := readUint(r, 2)
		if err != nil {
			return nil, err
		}
		return readString(r, int(n))
	case 0xc6, 0xdb:
		n, err := readUint(r, 4)
		if err != nil {
			return nil, err
		}
		return readString(r, int(n))
	case 0xca:
		u, err := readUint(r, 4)
		return float64(math.Float32frombits(uint32(u))), err
	case 0xcb:
		u, err := readUint(r, 8)
		return math.Float64frombits(u), err
	case 0xcc, 0xcd, 0xce, 0xcf:
		u, err := readUint(r, 1<<(c-0xcc))
		if err != nil {
			return nil, err
		}
		if u <= math.MaxInt64 {
			return int64(u), nil
		}
		return u, nil
	case 0xd0, 0xd1, 0xd2, 0xd3:
		size := 1 << (c - 0xd0)
		u, err := readUint(r, size)
		if err != nil {
			return nil, err
		}
		shift := 64 - 8*uint(size)
		return int64(u<<shift) >> shift, nil
	case 0xdc, 0xdd:
		n, err := readUint(r, 2<<(c-0xdc))
		if err != nil {
			return nil, err
		}
		return decodeArray(r, int(n), depth)
	case 0xde, 0xdf:
		n, err := readUint(r, 2<<(c-0xde))
		if err != nil {
			return nil, err
		}
		return decodeMap(r, int(n), depth)
	}
	return nil, errUnsupported
}

func readUint(r *bufio.Reader, size int) (uint64, error) {
	var buf [8]byte
	if _, err := io.ReadFull(r, buf[:size]); err != nil {
		return 0, err
	}
	var u uint64
	for _, x := range buf[:size] {
		u = u<<8 | uint64(x)
	}
	return u, nil
}

func readString(r *bufio.Reader, n int) (string, error) {
	if n > MaxMessageBytes*16 {
		return "", errUnsupported
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(r, buf); err != nil {
		return "", err
	}
	return string(buf), nil
}

func decodeArray(r *bufio.Reader, n int, depth int) (any, error) {
	if n > maxReplyItems {
		return nil, errUnsupported
	}
	out := make([]any, 0, n)
	for i := 0; i < n; i++ {
		v, err := decodeValue(r, depth+1)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func decodeMap(r *bufio.Reader, n int, depth int) (any, error) {
	if n > maxReplyItems {
		return nil, errUnsupported
	}
	out := make(map[string]any, n)
	for i := 0; i < n; i++ {
		k, err := decodeValue(r, depth+1)
		if err != nil {
			return nil, err
		}
		v, err := decodeValue(r, depth+1)
		if err != nil {
			return nil, err
		}
		out[fmt.Sprint(k)] = v
	}
	return out, nil
}
