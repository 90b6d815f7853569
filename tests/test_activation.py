"""Service managers (docs/RUNNING.md): systemd socket activation and notify, launchd's
launch_activate_socket, and the unit files / LaunchAgent plist themselves."""

from __future__ import annotations

import ctypes
import errno
import json
import os
import plistlib
import re
import shutil
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import platformdirs.macos
import pytest

from metricsd import activation, directories, install
from metricsd.settings import SOCKET_NAME
from tests.conftest import (
    FAKETIME_VARS,
    START_TIMEOUT,
    Daemon,
    DaemonFactory,
    Home,
    clean_env,
    cli,
    daemon_env,
    read_line,
    wait_for,
)
from tests.service_launcher import launchd_stub

ROOT = Path(__file__).resolve().parent.parent
LAUNCHER = Path(__file__).resolve().parent / "service_launcher.py"
SYSTEMD = ROOT / "systemd"
LAUNCHD = ROOT / "launchd"
PLIST = LAUNCHD / "org.metricsd.agent.plist"


class NotifySocket:
    """A test-owned SOCK_DGRAM socket standing in for systemd's NOTIFY_SOCKET."""

    def __init__(self, address: str) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(address)
        self.env = "@" + address[1:] if address.startswith("\0") else address
        self.received: list[str] = []

    def wait_for(self, state: str, timeout: float = START_TIMEOUT) -> list[str]:
        """Collect datagrams until ``state`` arrives (fails after ``timeout``)."""
        self.sock.settimeout(timeout)
        while state not in self.received:
            try:
                self.received.append(self.sock.recv(4096).decode())
            except TimeoutError:
                raise AssertionError(f"no {state} (got {self.received})") from None
        return self.received

    def close(self) -> None:
        self.sock.close()


@pytest.fixture(params=["path", "abstract"])
def notify(request: pytest.FixtureRequest, home: Home) -> Iterator[NotifySocket]:
    address = (str(home.root / "notify") if request.param == "path"
               else f"\0metricsd-test-{uuid.uuid4().hex}")
    n = NotifySocket(address)
    yield n
    n.close()


def start_activated(daemons: DaemonFactory, home: Home, mode: str, *opts: str,
                    env: dict[str, str] | None = None, wait_ready: bool = True) -> Daemon:
    """Start the daemon through tests/service_launcher.py; --socket points at a decoy, so
    only an adopted socket can make it serve home.socket."""
    args = home.args()
    args[args.index("--socket") + 1] = str(decoy(home))
    stderr_path = home.root / f"activated-{len(daemons.started)}.stderr"
    err = open(stderr_path, "w")  # noqa: SIM115 - closed by Daemon.stop
    proc = subprocess.Popen(
        [sys.executable, str(LAUNCHER), mode, str(home.socket), *opts, "--", *args],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, text=True,
        env=daemon_env(home, clean_env(**(env or {}))))
    d = Daemon(home, proc, stderr_path, "", err)
    daemons.started.append(d)
    if wait_ready:
        d.ready_line = read_line(proc, START_TIMEOUT)
        assert d.ready_line == f"READY {home.socket}", (d.ready_line, d.stderr)
    return d


def decoy(home: Home) -> Path:
    return home.root / "decoy" / "d.sock"


def count_and_check(d: Daemon, home: Home) -> None:
    with d.client() as c:
        c.turn("stop")
        c.usage(0, 10)
        c.sync()
    status = cli(home, "status")
    assert f"running (pid {d.proc.pid}," in status.stdout, status.stdout


# --- systemd ---------------------------------------------------------------------------

def test_systemd_socket_activation(home: Home, daemons: DaemonFactory,
                                   notify: NotifySocket) -> None:
    d = start_activated(daemons, home, "systemd", env={"NOTIFY_SOCKET": notify.env})
    assert notify.wait_for("READY=1") == ["READY=1"]
    count_and_check(d, home)
    inode = os.stat(home.socket).st_ino
    d.proc.send_signal(signal.SIGTERM)
    assert notify.wait_for("STOPPING=1")[-1] == "STOPPING=1"
    assert d.wait() == 0
    # The daemon did not bind it, so it did not unlink it: systemd still listens there.
    assert home.socket.is_socket() and os.stat(home.socket).st_ino == inode
    assert not decoy(home).parent.exists()
    assert "passed by systemd" in d.stderr
    out = cli(home, "show", "--json")
    assert json.loads(out.stdout)[0]["counts"] == {
        "turns": 1, "finish_reason": {"stop": 1}, "cache_hit": {"0": 1}}


def test_systemd_watchdog_pings(home: Home, daemons: DaemonFactory) -> None:
    n = NotifySocket(f"\0metricsd-test-{uuid.uuid4().hex}")
    try:
        d = start_activated(daemons, home, "systemd",
                            env={"NOTIFY_SOCKET": n.env, "WATCHDOG_USEC": "100000"})
        n.wait_for("READY=1")
        n.wait_for("WATCHDOG=1")
        before = len(n.received)
        n.received.remove("WATCHDOG=1")
        n.wait_for("WATCHDOG=1")  # and again: it keeps pinging from the event loop
        assert len(n.received) == before
        assert d.stop() == 0
    finally:
        n.close()


def test_systemd_passing_a_datagram_socket_fails_in_one_line(home: Home,
                                                             daemons: DaemonFactory) -> None:
    d = start_activated(daemons, home, "systemd", "--dgram", wait_ready=False)
    assert d.proc.wait(START_TIMEOUT) == 1
    assert d.proc.stdout is not None and d.proc.stdout.read() == ""
    d.stop()
    last = d.stderr.strip().splitlines()[-1]
    assert last == ("metricsd: descriptor 3 passed by systemd is not a listening Unix stream "
                    "socket (use ListenStream= with Accept=no)")


def test_listen_fds_for_another_pid_are_not_taken() -> None:
    env = {"LISTEN_PID": str(os.getpid() + 1), "LISTEN_FDS": "1", "LISTEN_FDNAMES": "x"}
    assert activation.inherited_sockets(env) == []


def test_watchdog_interval_is_half_the_timeout_for_this_pid_only() -> None:
    assert activation.watchdog_interval({"WATCHDOG_USEC": "30000000"}) == 15.0
    pid = str(os.getpid())
    assert activation.watchdog_interval({"WATCHDOG_USEC": "2000000", "WATCHDOG_PID": pid}) == 1.0
    assert activation.watchdog_interval({"WATCHDOG_USEC": "2000000",
                                      "WATCHDOG_PID": str(os.getpid() + 1)}) is None
    assert activation.watchdog_interval({}) is None
    assert activation.watchdog_interval({"WATCHDOG_USEC": "0"}) is None


def unit(name: str) -> dict[str, dict[str, list[str]]]:
    """A systemd unit file as {section: {key: [values]}} (keys may repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for line in (SYSTEMD / name).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if m := re.fullmatch(r"\[(\w+)\]", line):
            current = sections.setdefault(m.group(1), {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def test_systemd_units_have_the_required_settings() -> None:
    sock = unit("metricsd.socket")["Socket"]
    # The daemon's default socket on Linux: user_runtime_dir("metricsd") = $XDG_RUNTIME_DIR
    # /metricsd, which is what %t/metricsd is in a user manager.
    assert sock["ListenStream"] == [f"%t/metricsd/{SOCKET_NAME}"]
    assert sock["SocketMode"] == ["0600"] and sock["DirectoryMode"] == ["0700"]
    assert sock["Accept"] == ["no"]
    assert sock["FileDescriptorName"] == ["metricsd"]
    assert unit("metricsd.socket")["Install"]["WantedBy"] == ["sockets.target"]
    svc = unit("metricsd.service")
    s = svc["Service"]
    assert s["Type"] == ["notify"] and s["NotifyAccess"] == ["main"]
    assert s["ExecStart"][0].split()[1:] == ["run"]
    assert int(s["WatchdogSec"][0]) > 0
    assert s["NoNewPrivileges"] == ["yes"]
    for limit in ("MemoryMax", "TasksMax", "LimitNOFILE"):
        assert s[limit], limit
    assert svc["Unit"]["Requires"] == ["metricsd.socket"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_units_verify(tmp_path: Path) -> None:
    for name in ("metricsd.socket", "metricsd.service"):
        text = (SYSTEMD / name).read_text()
        # verify wants an existing ExecStart binary
        text = text.replace("%h/.local/bin/metricsd", str(Path(sys.executable)))
        (tmp_path / name).write_text(text)
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    out = subprocess.run(
        ["systemd-analyze", "verify", "--user", str(tmp_path / "metricsd.socket"),
         str(tmp_path / "metricsd.service")],
        capture_output=True, text=True, timeout=60,
        env=clean_env(XDG_RUNTIME_DIR=str(runtime)))
    # It exits 0 even for unknown keys or bad values, so any line about our files fails.
    complaints = [line for line in (out.stdout + out.stderr).splitlines() if "metricsd" in line]
    assert out.returncode == 0 and complaints == [], out.stdout + out.stderr


# --- launchd ---------------------------------------------------------------------------

def test_launchd_activation(home: Home, daemons: DaemonFactory) -> None:
    d = start_activated(daemons, home, "launchd")
    count_and_check(d, home)
    assert d.stop() == 0
    assert home.socket.is_socket()  # launchd's socket, not unlinked by the daemon
    assert not decoy(home).parent.exists()
    assert "passed by launchd" in d.stderr


def test_launchd_sockets_reads_and_frees_the_fd_array(monkeypatch: pytest.MonkeyPatch) -> None:
    a = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    b = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    a.bind("\0metricsd-test-" + uuid.uuid4().hex)
    b.bind("\0metricsd-test-" + uuid.uuid4().hex)
    a.listen(1)
    b.listen(1)
    stub = launchd_stub([a.fileno(), b.fileno()])
    monkeypatch.setattr(activation, "_launch_activate_socket_fn", lambda: stub)
    got = activation.launchd_sockets()
    assert [s.fileno() for s in got] == [a.fileno(), b.fileno()]
    assert all(s.type == socket.SOCK_STREAM for s in got)
    for s in got:
        s.detach()
    a.close()
    b.close()


def test_launchd_not_a_job_or_other_name_means_bind_ourselves(
        monkeypatch: pytest.MonkeyPatch) -> None:
    stub = launchd_stub([], name=b"SomethingElse")  # asked for Listeners -> ENOENT
    monkeypatch.setattr(activation, "_launch_activate_socket_fn", lambda: stub)
    assert activation.launchd_sockets() == []
    esrch = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p,
                             ctypes.c_void_p)(lambda *_: errno.ESRCH)
    monkeypatch.setattr(activation, "_launch_activate_socket_fn", lambda: esrch)
    assert activation.launchd_sockets() == []
    assert activation.activated_sockets({}) == ([], "")
    eperm = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p,
                             ctypes.c_void_p)(lambda *_: errno.EPERM)
    monkeypatch.setattr(activation, "_launch_activate_socket_fn", lambda: eperm)
    with pytest.raises(directories.ServiceError, match="launch_activate_socket failed"):
        activation.launchd_sockets()


@pytest.mark.skipif(sys.platform == "darwin", reason="the symbol exists on macOS")
def test_launchd_symbol_is_absent_off_macos() -> None:
    assert activation._launch_activate_socket_fn() is None
    assert activation.launchd_sockets() == []


def test_launchagent_plist_is_valid_and_private(home: Home) -> None:
    tmp_path = home.root  # short, like /Users/NAME: the socket path must fit sun_path
    template = plistlib.loads(PLIST.read_bytes())
    assert template["Label"] == PLIST.stem
    rendered = install.render_launchd(["/opt/md/bin/metricsd"], home=tmp_path)
    assert re.search(rb"@[A-Z_]+@", rendered) is None  # every placeholder filled in
    plist = plistlib.loads(rendered)
    assert plist["Label"] == PLIST.stem
    assert plist["ProgramArguments"] == ["/opt/md/bin/metricsd", "run"]
    assert list(plist["Sockets"]) == [activation.LAUNCHD_SOCKET_NAME]
    entry = plist["Sockets"][activation.LAUNCHD_SOCKET_NAME]
    assert entry["SockPathMode"] == 0o600
    assert entry["SockType"] == "stream" and entry["SockFamily"] == "Unix"
    # The daemon's default socket on macOS, so clients find it without settings.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(tmp_path))
        runtime = platformdirs.macos.MacOS("metricsd").user_runtime_dir
    assert entry["SockPathName"] == f"{runtime}/{SOCKET_NAME}"
    assert "KeepAlive" not in plist and "RunAtLoad" not in plist  # on demand only


# --- an inherited socket needs no default path -----------------------------------------

SOCKET_ACTIVATE = shutil.which("systemd-socket-activate")


def unusable_runtime_env(home: Home) -> dict[str, str]:
    """An environment in which platformdirs cannot give a runtime directory at all: no
    XDG_RUNTIME_DIR, and its /tmp fallback (``$TMPDIR/runtime-<uid>``) is a regular file —
    the state of a sandboxed service (PrivateUsers=yes, no /run/user) in which current
    platformdirs raises."""
    tmp = home.root / "tmp"
    tmp.mkdir(mode=0o700)
    (tmp / f"runtime-{os.getuid()}").write_text("not a directory\n")
    env = clean_env(TMPDIR=str(tmp))
    env.pop("XDG_RUNTIME_DIR", None)
    probe = subprocess.run(
        [sys.executable, "-c", "import platformdirs; platformdirs.user_runtime_dir('metricsd')"],
        capture_output=True, text=True, env=env, timeout=60)
    if probe.returncode == 0:
        pytest.skip(f"/run/user/{os.getuid()} is usable here, so platformdirs does not fail")
    assert "PermissionError" in probe.stderr, probe.stderr
    return env


#: /proc/net/unix: the Flags column of a listening socket has __SO_ACCEPTCON (Linux).
_SO_ACCEPTCON = 0x10000


def listening(path: Path) -> bool:
    """Whether a Unix socket at ``path`` is listening (Linux: /proc/net/unix)."""
    with open("/proc/net/unix") as table:
        next(table)  # the header
        for line in table:
            fields = line.split()
            if len(fields) >= 8 and fields[7] == str(path) and (
                    int(fields[3], 16) & _SO_ACCEPTCON):
                return True
    return False


@pytest.mark.skipif(SOCKET_ACTIVATE is None and not os.environ.get("CI"),
                    reason="systemd-socket-activate is not installed (apt-get install systemd)")
def test_inherited_socket_needs_no_runtime_directory(home: Home, daemons: DaemonFactory
                                                     ) -> None:
    assert SOCKET_ACTIVATE is not None
    env = unusable_runtime_env(home)
    home.socket.parent.mkdir(mode=0o700)
    args = home.args()
    del args[args.index("--socket"):args.index("--socket") + 2]  # as ExecStart: no --socket
    err_path = home.root / "activate.stderr"
    err = open(err_path, "w")  # noqa: SIM115 - closed by Daemon.stop
    # systemd-socket-activate binds the socket, waits for the first connection and then
    # execs the daemon with LISTEN_FDS=1 / LISTEN_PID (as a socket unit does); -E passes
    # the variables on, and it passes no XDG_RUNTIME_DIR of its own.
    env = daemon_env(home, env)
    faked = [a for k in FAKETIME_VARS if k in env for a in ("-E", f"{k}={env[k]}")]
    proc = subprocess.Popen(
        [SOCKET_ACTIVATE, "-l", str(home.socket), "-E", f"TMPDIR={env['TMPDIR']}", *faked,
         "--fdname", "metricsd", sys.executable, "-m", "metricsd", "run", *args],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, text=True, env=env)
    d = Daemon(home, proc, err_path, "", err)
    daemons.started.append(d)
    # Listening, not only bound (the socket file exists from bind() on, and a connect
    # before listen() is refused).
    wait_for(lambda: listening(home.socket) or proc.poll() is not None,
             timeout=START_TIMEOUT, what="systemd-socket-activate to listen")
    assert proc.poll() is None, d.stderr
    with d.client() as c:  # the first connection starts the daemon
        d.ready_line = read_line(proc, START_TIMEOUT)
        assert d.ready_line == f"READY {home.socket}", (d.ready_line, d.stderr)
        c.turn("stop")
        c.sync()
    assert "passed by systemd" in d.stderr
    assert "Traceback" not in d.stderr
    assert d.stop() == 0, d.stderr
    out = cli(home, "show", "--json")
    assert json.loads(out.stdout)[0]["counts"] == {"turns": 1, "finish_reason": {"stop": 1}}


# --- MemoryDenyWriteExecute --------------------------------------------------------------

#: Runs argv[1:] with the kernel's memory-deny-write-execute flag set (prctl PR_SET_MDWE,
#: Linux >= 6.3; inherited across execve).  systemd's MemoryDenyWriteExecute=yes denies the
#: same thing with seccomp: no mapping that is, or becomes, writable and executable.
MDWE_WRAPPER = """
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(65, 1, 0, 0, 0) != 0:  # PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN
    sys.exit(77)
os.execv(sys.argv[1], sys.argv[1:])
"""
W_X_MAP = ("import mmap; mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | "
           "mmap.PROT_EXEC)")


def under_mdwe(*argv: str) -> list[str]:
    return [sys.executable, "-c", MDWE_WRAPPER, *argv]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")
def test_daemon_serves_and_uploads_with_memory_deny_write_execute(
        home: Home, daemons: DaemonFactory) -> None:
    from tests.fake_endpoint import serve

    control = subprocess.run(under_mdwe(sys.executable, "-c", W_X_MAP), capture_output=True,
                             text=True, timeout=60)
    if control.returncode == 77:
        pytest.skip("this kernel has no PR_SET_MDWE (Linux < 6.3)")
    # The control: a W+X mapping is refused after exec, so the flag is in force below.
    assert control.returncode == 1 and "PermissionError" in control.stderr, control.stderr
    with serve() as (receiver, url):
        err_path = home.root / "mdwe.stderr"
        err = open(err_path, "w")  # noqa: SIM115 - closed by Daemon.stop
        proc = subprocess.Popen(
            under_mdwe(sys.executable, "-m", "metricsd", "run", *home.args()),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, text=True,
            env=daemon_env(home, clean_env()))
        d = Daemon(home, proc, err_path, "", err)
        daemons.started.append(d)
        d.ready_line = read_line(proc, START_TIMEOUT)
        assert d.ready_line == f"READY {home.socket}", d.stderr
        count_and_check(d, home)
        assert d.stop() == 0, d.stderr
        # flush: httpx, ssl and the upload path, under the same restriction.
        flush = subprocess.run(
            under_mdwe(sys.executable, "-m", "metricsd", "flush", *home.args(),
                       "--endpoint", url), capture_output=True, text=True, timeout=60,
            env=clean_env())
        assert flush.returncode == 0, flush.stderr
        assert len(receiver.batches) == 1, flush.stdout + flush.stderr
