package metricsd

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const testToken = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

// newFakeTCP serves loopback TCP and writes its endpoint file (mode 0600) in a private
// directory. Like the daemon, it proves itself first: a hello with a nonce gets a
// challenge (its proof with this token, and its own nonce); then an auth with the right
// proof is served, anything else gets "unauthorized" and a close.
func newFakeTCP(t *testing.T, token string) *fake {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(privateTemp(t), EndpointFile)
	writeEndpoint(t, path, ln.Addr().(*net.TCPAddr).Port, token, 0o600)
	return startFake(t, ln, path, func(f *fake, nc net.Conn, fc *fakeConn) {
		d := decoder{r: bufio.NewReader(nc)}
		unauthorized := func() {
			b := appendType(nil, 3, "error")
			b = appendStr(b, "code")
			b = appendStr(b, "unauthorized")
			b = appendStr(b, "detail")
			b = appendStr(b, "no")
			_, _ = nc.Write(b)
		}
		m, ok := f.next(&d, fc)
		nonce, _ := m["nonce"].(string)
		if !ok || m["type"] != "hello" || nonce == "" {
			unauthorized()
			return
		}
		mine := []byte("fake-daemon-nonce-of-32-bytes!!!")
		b := appendType(nil, 3, "challenge")
		b = appendStr(b, "proof")
		b = appendBin(b, proof(token, []byte(nonce)))
		b = appendStr(b, "nonce")
		b = appendBin(b, mine)
		if _, err := nc.Write(b); err != nil {
			return
		}
		m, ok = f.next(&d, fc)
		got, _ := m["proof"].(string)
		if !ok || m["type"] != "auth" || got != string(proof(token, mine)) {
			unauthorized()
			return
		}
		if !f.answer(nc, fc, fc.hello) {
			return
		}
		f.serveFrom(nc, fc, &d)
	})
}

func writeEndpoint(t *testing.T, path string, port int, token string, mode os.FileMode) {
	t.Helper()
	data, _ := json.Marshal(map[string]any{"port": port, "token": token, "pid": os.Getpid()})
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(tmp, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func TestTheHelloCarriesTheTokenLast(t *testing.T) {
	b := appendHello(nil, "1.4.0", testToken)
	want := appendStr(appendStr(nil, "token"), testToken)
	plain := appendHello(nil, "1.4.0", "")
	if b[0] != 0x84 || !bytes.HasSuffix(b, want) || !bytes.Equal(b[1:len(plain)], plain[1:]) {
		t.Fatalf("hello %x", b)
	}
	// Without a token, the hello is the vectors' bytes (checked there).
	if bytes.Contains(appendHello(nil, "1.4.0", ""), []byte("token")) {
		t.Fatal("a token in a Unix socket hello")
	}
}

func TestTCPWithTheEndpointFilesToken(t *testing.T) {
	f := newFakeTCP(t, testToken)
	c, _ := Dial(within(t, 5*time.Second), Options{Socket: f.addr, ClientVersion: "1.4.0"})
	c.ToolResult("e1")
	c.Turn("stop", false)
	if err := c.Sync(within(t, 10*time.Second)); err != nil {
		t.Fatalf("Sync over TCP: %v (%v)", err, c.LastError())
	}
	got := f.received()
	if len(got) != 1 || got[0].hello["token"] != nil || got[0].hello["client_version"] != "1.4.0" ||
		len(got[0].events) != 2 {
		t.Fatalf("received %+v", got)
	}
	_ = c.Close(within(t, time.Second))
}

// The endpoint file is read again on every connection attempt: a daemon restarted with a
// new port and token is found; a listener that cannot prove it holds the token gets
// nothing but a hello with a nonce (no token, no event).
func TestAListenerWithoutTheTokenGetsNothingAndTheNewEndpointFileIsUsed(t *testing.T) {
	stale := newFakeTCP(t, testToken)
	writeEndpoint(t, stale.addr, stale.ln.Addr().(*net.TCPAddr).Port, strings.Repeat("ab", 32), 0o600)
	c, _ := Dial(within(t, 5*time.Second), Options{Socket: stale.addr, BackoffMin: time.Millisecond,
		BackoffMax: 10 * time.Millisecond})
	if c.Stats().Connects != 0 || !errors.Is(c.LastError(), errNoProof) {
		t.Fatalf("connected to a listener without the token: %v, %v", c.Stats(), c.LastError())
	}
	c.ProviderError("canary-secret-text", 500)
	c.Turn("stop", false)
	fresh := newFakeTCP(t, testToken)
	writeEndpoint(t, stale.addr, fresh.ln.Addr().(*net.TCPAddr).Port, testToken, 0o600)
	if err := c.Sync(within(t, 10*time.Second)); err != nil {
		t.Fatalf("Sync: %v (%v)", err, c.LastError())
	}
	for _, fc := range stale.received() {
		if len(fc.events) != 0 || fc.hello["token"] != nil || fc.hello["nonce"] == nil {
			t.Fatalf("sent to a listener that did not prove itself: %+v", fc)
		}
	}
	if got := fresh.received(); len(got) != 1 || len(got[0].events) != 2 {
		t.Fatalf("fresh daemon received %+v", got)
	}
	if c.Stats().Refused == 0 {
		t.Fatalf("stats %v", c.Stats())
	}
	_ = c.Close(within(t, time.Second))
}

// An endpoint file whose daemon (pid) is gone is stale: nothing connects to its port.
func TestAStaleEndpointFileIsIgnored(t *testing.T) {
	f := newFakeTCP(t, testToken)
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(map[string]any{"port": f.ln.Addr().(*net.TCPAddr).Port,
		"token": testToken, "pid": dead.Process.Pid})
	if err := os.WriteFile(f.addr, data, 0o600); err != nil {
		t.Fatal(err)
	}
	c, _ := Dial(within(t, 5*time.Second), Options{Socket: f.addr})
	c.Turn("stop", false)
	_ = c.Close(within(t, 100*time.Millisecond))
	if len(f.received()) != 0 || !strings.Contains(fmt.Sprint(c.LastError()), "stale") {
		t.Fatalf("connected through a stale endpoint file: %v, %v", f.received(), c.LastError())
	}
}

func TestAnEndpointFileOthersCanReadMeansNoDaemon(t *testing.T) {
	f := newFakeTCP(t, testToken)
	writeEndpoint(t, f.addr, f.ln.Addr().(*net.TCPAddr).Port, testToken, 0o644)
	c, _ := Dial(within(t, 5*time.Second), Options{Socket: f.addr})
	if c.Stats().Connects != 0 || len(f.received()) != 0 ||
		!strings.Contains(c.LastError().Error(), "readable by other users") {
		t.Fatalf("used an endpoint file others can read: %v, %v", c.Stats(), c.LastError())
	}
	_ = c.Close(within(t, 100*time.Millisecond))
}

// Default discovery: a socket path that does not exist, with an endpoint file beside it,
// means loopback TCP.
func TestAMissingSocketWithAnEndpointFileBesideItUsesTCP(t *testing.T) {
	f := newFakeTCP(t, testToken)
	sock := filepath.Join(filepath.Dir(f.addr), SocketName)
	if got := endpointFor(sock); got != f.addr {
		t.Fatalf("endpointFor(%s) = %q", sock, got)
	}
	c, _ := Dial(within(t, 5*time.Second), Options{Socket: sock})
	if err := c.Sync(within(t, 10*time.Second)); err != nil {
		t.Fatalf("Sync: %v (%v)", err, c.LastError())
	}
	_ = c.Close(within(t, time.Second))
	if endpointFor(filepath.Join(t.TempDir(), "x.sock")) != "" {
		t.Fatal("an endpoint file where there is none")
	}
}

// The real daemon's loopback TCP transport (run --listen tcp): READY names the endpoint
// file, and the client counts over it.
func TestARealDaemonOverTCP(t *testing.T) {
	exe := daemonExe(t)
	args := append(home(t), "--listen", "tcp")
	side, err := SpawnWith(within(t, 60*time.Second), SpawnOptions{Exe: exe, Args: args,
		Env: cleanEnv()})
	if err != nil {
		t.Fatal(err)
	}
	defer side.Close(within(t, 10*time.Second))
	if filepath.Base(side.Socket()) != EndpointFile {
		t.Fatalf("READY %s", side.Socket())
	}
	c, _ := side.Dial(within(t, 10*time.Second), "1.4.0")
	c.UsageTotal(100, 30)
	c.Turn("stop", false)
	if err := c.Sync(within(t, 10*time.Second)); err != nil {
		t.Fatalf("Sync: %v (%v)", err, c.LastError())
	}
	got := counts(t, c)
	if got["turns"] != int64(1) || got["cache_hit"].(map[string]any)["1-49"] != int64(1) {
		t.Fatalf("counts %v", got)
	}
	if err := c.Close(within(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	var lost *LostError
	if errors.As(err, &lost) {
		t.Fatal(lost)
	}
}
