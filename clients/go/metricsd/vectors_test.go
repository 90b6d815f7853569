package metricsd

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

type vector struct {
	Name  string   `json:"name"`
	Hex   []string `json:"hex"`
	Calls [][]any  `json:"calls"`
}

type vectorFile struct {
	Limits struct {
		MaxMessageBytes int `json:"max_message_bytes"`
		MaxStringBytes  int `json:"max_string_bytes"`
	} `json:"limits"`
	Events []vector `json:"events"`
	Errors []vector `json:"errors"`
}

func loadVectors(t *testing.T) vectorFile {
	t.Helper()
	// A copy of the repository's tests/vectors/vectors.json, kept inside the module (the
	// repository's tests fail when the copy differs).
	data, err := os.ReadFile(filepath.Join("..", "testdata", "vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f vectorFile
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

func vectorBytes(t *testing.T, parts []string) []byte {
	var out []byte
	for _, p := range parts {
		if b, n, ok := strings.Cut(p, "*"); ok {
			by, _ := hex.DecodeString(b)
			count, _ := strconv.Atoi(n)
			out = append(out, bytes.Repeat(by, count)...)
			continue
		}
		by, err := hex.DecodeString(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, by...)
	}
	return out
}

// encodeCall maps a vector's helper call onto this package's encoders; ok is false for a
// call Go cannot express (an empty finish reason: Go's "" means no reason and is sent as
// nil, which the daemon counts the same).
func encodeCall(helper string, args []any) ([]byte, bool) {
	str := func(i int) (string, bool) {
		if i >= len(args) || args[i] == nil {
			return "", true
		}
		s, ok := args[i].(string)
		return s, ok
	}
	num := func(i int) int64 {
		if i >= len(args) || args[i] == nil {
			return 0
		}
		return int64(args[i].(float64))
	}
	switch helper {
	case "hello":
		v, _ := str(0)
		return appendHello(nil, v, ""), true
	case "turn":
		if len(args) > 0 && args[0] == "" {
			return nil, false
		}
		r, _ := str(0)
		empty, _ := args[1].(bool)
		return appendTurn(nil, r, empty), true
	case "usage":
		return appendUsage(nil, usageSplit, num(0), num(1)), true
	case "usage_total":
		return appendUsage(nil, usageTotal, num(0), num(1)), true
	case "usage_read_write":
		return appendUsage(nil, usageReadWrite, num(0), num(1), num(2)), true
	case "provider_error":
		m, _ := str(0)
		return appendProviderError(nil, m, int(num(1))), true
	case "tool_result":
		e, _ := str(0)
		return appendToolResult(nil, e), true
	case "compaction":
		return appendBare(nil, "compaction"), true
	}
	return nil, false
}

func TestLimitsAgreeWithTheVectors(t *testing.T) {
	f := loadVectors(t)
	if f.Limits.MaxMessageBytes != MaxMessageBytes || f.Limits.MaxStringBytes != MaxStringBytes {
		t.Fatalf("limits %+v", f.Limits)
	}
}

func TestEncodersMatchTheVectorsByteForByte(t *testing.T) {
	f := loadVectors(t)
	checked := 0
	seen := map[string]bool{}
	for _, v := range append(f.Events, f.Errors...) {
		if v.Calls == nil {
			continue
		}
		var got []byte
		ok := true
		for _, call := range v.Calls {
			args, _ := call[1].([]any)
			b, can := encodeCall(call[0].(string), args)
			if !can {
				ok = false
				break
			}
			got = append(got, b...)
		}
		if !ok {
			t.Logf("%s: not expressible in Go (\"\" finish reason is sent as nil)", v.Name)
			continue
		}
		want := vectorBytes(t, v.Hex)
		if !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %x\nwant %x", v.Name, got, want)
		}
		checked++
		seen[v.Name] = true
	}
	for _, name := range []string{"usage_total_none_cached", "usage_read_write_all_read",
		"usage_split_none"} {
		if !seen[name] {
			t.Errorf("vector %s not checked", name)
		}
	}
	if checked < 30 {
		t.Fatalf("only %d vectors checked", checked)
	}
}

func TestIntegerWidths(t *testing.T) {
	cases := map[int64]string{0: "00", 127: "7f", 128: "cc80", 255: "ccff", 256: "cd0100",
		65535: "cdffff", 65536: "ce00010000", 1 << 32: "cf0000000100000000", -1: "ff",
		-32: "e0", -33: "d0df", -128: "d080", -129: "d1ff7f", -32768: "d18000",
		-32769: "d2ffff7fff"}
	for v, want := range cases {
		if got := hex.EncodeToString(appendInt(nil, v)); got != want {
			t.Errorf("%d: got %s want %s", v, got, want)
		}
		d := decoder{r: bufio.NewReader(bytes.NewReader(appendInt(nil, v))), left: 16, items: 1}
		back, err := d.value(0)
		if err != nil || back != v {
			t.Errorf("%d decoded as %v (%v)", v, back, err)
		}
	}
}

func TestStringsAreClippedAndMadeValid(t *testing.T) {
	long := strings.Repeat("é", MaxStringBytes)
	c := clip(long)
	if len(c) > MaxStringBytes || len(c) < MaxStringBytes-1 || !strings.HasPrefix(long, c) {
		t.Fatalf("clip: %d bytes", len(c))
	}
	if clip("a\xffb") != "a\uFFFDb" {
		t.Fatalf("invalid UTF-8 not replaced: %q", clip("a\xffb"))
	}
	if len(appendToolResult(nil, strings.Repeat("x", 1<<20))) > MaxMessageBytes {
		t.Fatal("a long error makes a message over the limit")
	}
	for _, n := range []int{31, 32, 255, 256, 65535, 65536} {
		s := strings.Repeat("s", n)
		d := decoder{r: bufio.NewReader(bytes.NewReader(appendStr(nil, s))), left: 1 << 20, items: 1}
		v, err := d.value(0)
		if err != nil || v != s {
			t.Errorf("string of %d bytes: %v", n, err)
		}
	}
}

func TestDecodesReplies(t *testing.T) {
	// {"type":"snapshot","enabled":true,"dev":false,"counts":{"turns":2,"cache_hit":{"0":1}}}
	b := appendMapHeader(nil, 4)
	b = appendStr(b, "type")
	b = appendStr(b, "snapshot")
	b = appendStr(b, "enabled")
	b = appendBool(b, true)
	b = appendStr(b, "dev")
	b = appendBool(b, false)
	b = appendStr(b, "counts")
	b = appendMapHeader(b, 2)
	b = appendStr(b, "turns")
	b = appendInt(b, 2)
	b = appendStr(b, "cache_hit")
	b = appendMapHeader(b, 1)
	b = appendStr(b, "0")
	b = appendInt(b, 1)
	d := decoder{r: bufio.NewReader(bytes.NewReader(b))}
	m, err := d.next()
	if err != nil {
		t.Fatal(err)
	}
	counts := m["counts"].(map[string]any)
	if m["enabled"] != true || counts["turns"] != int64(2) ||
		counts["cache_hit"].(map[string]any)["0"] != int64(1) {
		t.Fatalf("decoded %#v", m)
	}
}
