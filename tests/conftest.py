"""Shared fixtures: real daemon subprocesses on real sockets in private temp dirs."""

from __future__ import annotations

import contextlib
import fcntl
import glob
import json
import os
import queue
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Final

import pytest

from tests.fake_endpoint import Receiver, serve
from tests.rawclient import Client

START_TIMEOUT = 20.0

# pytest reads the test modules it rewrote (their asserts) from __pycache__, but writes
# them there only when bytecode may be written.  Under PYTHONDONTWRITEBYTECODE every worker
# of ``-n`` rewrote every test module, and every package a plugin ships (hypothesis's 73
# modules among them), on every run: 5 s of CPU per worker instead of 2 s.  So the suite
# writes its bytecode (to the gitignored __pycache__ directories) whatever that variable
# says; the processes the tests start still follow it.
sys.dont_write_bytecode = False


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Iterator[None]:
    """A test module is imported (and its asserts rewritten) by one worker at a time: in
    a run with no rewritten module in __pycache__ yet, the first worker rewrites it and
    the others read what it wrote, instead of all six rewriting the same modules at once
    (about 12 s of CPU).  An flock on the module's own file, released when it is
    collected."""
    if not isinstance(collector, pytest.Module) or not os.environ.get("PYTEST_XDIST_WORKER"):
        yield
        return
    with open(collector.path, "rb") as source:
        fcntl.flock(source, fcntl.LOCK_EX)
        yield


@pytest.hookimpl(optionalhook=True)  # an xdist hook: without xdist, never called
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto`` (the README's test command): three workers per core.  Most tests spend
    their time waiting for real processes (daemons, receivers, PostgreSQL, Go and Node, the
    fault pace of the exactness runs): the tests' wall time adds up to about 2.5 times
    the run's CPU time, so fewer workers leave the cores idle (on 2 cores: 4 workers
    170 s, 6 workers 160 s).  PYTEST_XDIST_AUTO_NUM_WORKERS still overrides this."""
    return 3 * (os.cpu_count() or 1)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "long: takes several seconds (a build, a soak, a fault schedule); run first")
    if getattr(config.option, "maxschedchunk", 0) is None:  # xdist's default: large chunks
        config.option.maxschedchunk = 1


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``long`` run first, so that under ``-n auto`` the last worker does not
    start one after the others have finished (the order within each group is kept).  So
    that they spread over the workers, pytest_configure hands tests out one at a time
    (xdist's ``--maxschedchunk=1``) unless the command line says otherwise."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


def wait_for(predicate: Callable[[], Any], *, timeout: float = 10.0,
             what: str = "condition") -> Any:
    """Poll ``predicate`` until it returns something truthy, or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


#: libfaketime (Debian's package faketime): the only way a test moves a daemon's clock.
FAKETIME_LIB: str | None = next(iter(sorted(glob.glob("/usr/lib/*/faketime/libfaketime.so.1"))),
                                None)
#: The days of a test: the k-th daemon started in a home runs on day FIRST_DAY + k (days
#: relative to today), and a command runs on the day after the newest daemon's.  So what
#: one daemon counted is a completed day for the next daemon and for every command, as
#: between two days of a real desktop app.
FIRST_DAY: Final = -int(os.environ.get("METRICSD_TEST_DAYS_BACK", "14"))  # the soak: more


#: The variables of day_env (a launcher that filters the environment must pass them on).
FAKETIME_VARS: Final = ("LD_PRELOAD", "FAKETIME")


#: Where libfaketime keeps its shared memory and semaphore.
SHM: Final = Path("/dev/shm")


def sweep_faketime_leftovers() -> None:
    """Remove what libfaketime left behind for processes that are gone.

    libfaketime (0.9.10, Debian's) creates ``faketime_shm_PID`` and ``sem.faketime_sem_PID``
    in /dev/shm for every process it runs in and never removes them; once the kernel hands
    the same PID to a later process, that one cannot start under libfaketime or the
    ``faketime`` command (``sem_open: File exists``).  Each of those files names its
    process: only those of dead processes are removed."""
    try:
        names = os.listdir(SHM)
    except OSError:
        return
    for name in names:
        prefix, _, pid = name.rpartition("_")
        if prefix not in ("faketime_shm", "sem.faketime_sem") or not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
            continue  # alive (or not ours to signal): keep
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        with contextlib.suppress(OSError):
            os.unlink(SHM / name)


@pytest.fixture(autouse=True)
def _no_faketime_leftovers() -> Iterator[None]:
    yield
    sweep_faketime_leftovers()


def pytest_sessionstart(session: pytest.Session) -> None:
    sweep_faketime_leftovers()  # from earlier runs on this machine


def day_env(offset: int) -> dict[str, str]:
    """The environment that runs a process ``offset`` days from today (libfaketime: its
    monotonic clock moves by the same offset, which durations do not see; keeping it
    real would break ``time.sleep``, which libfaketime then fails with EINVAL)."""
    if offset == 0:
        return {}
    if FAKETIME_LIB is None:
        if os.environ.get("CI"):
            pytest.fail("libfaketime is missing (apt-get install faketime)")
        pytest.skip("needs libfaketime (Debian package faketime) to move the daemon's date")
    return {"LD_PRELOAD": FAKETIME_LIB, "FAKETIME": f"{offset:+d}d"}


def daemon_env(home: Home, env: dict[str, str]) -> dict[str, str]:
    """``env`` for a daemon a test starts by other means (a service manager's launcher):
    it runs on the home's next day, like one from :class:`DaemonFactory`."""
    env = {**env, **day_env(home.daemon_day())}
    home.starts += 1
    return env


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("METRICSD_", "LISTEN_",
                                                                       "NOTIFY_SOCKET"))}
    env.update(extra)
    return env


@dataclass
class Home:
    """A private set of metricsd paths (socket dir kept short for sun_path)."""

    root: Path
    socket: Path
    state_dir: Path
    config: Path
    dev_marker: Path
    #: Daemons started in this home so far (see FIRST_DAY).
    starts: int = 0

    def daemon_day(self) -> int:
        """The day offset of the next daemon started here.  Without libfaketime a home's
        first daemon runs today; what needs a later day then skips (see day_env)."""
        if FAKETIME_LIB is None and self.starts == 0:
            return 0
        return FIRST_DAY + self.starts

    def command_day(self) -> int:
        """The day offset of a command: the day after the newest daemon's."""
        if FAKETIME_LIB is None and self.starts == 0:
            return 0
        return FIRST_DAY + self.starts

    def args(self) -> list[str]:
        return ["--socket", str(self.socket), "--state-dir", str(self.state_dir),
                "--config", str(self.config), "--dev-marker", str(self.dev_marker)]

    def opt_in(self, on: bool = True, extra: str = "") -> None:
        self.config.write_text(f"[desktop]\nmetrics = {'true' if on else 'false'}\n{extra}")

    @property
    def db(self) -> Path:
        return self.state_dir / "metrics.sqlite3"

    def db_files(self) -> list[Path]:
        return sorted(p for p in self.state_dir.glob("metrics.sqlite3*") if p.is_file())


def make_home() -> Home:
    root = Path(tempfile.mkdtemp(prefix="md-", dir="/tmp"))
    os.chmod(root, 0o700)
    return Home(root=root, socket=root / "run" / "m.sock", state_dir=root / "state",
                config=root / "cfg" / "config.toml", dev_marker=root / "cfg" / "DEV_BUILD")


@pytest.fixture
def home() -> Iterator[Home]:
    h = make_home()
    h.config.parent.mkdir(mode=0o700)
    h.opt_in(True)
    yield h
    shutil.rmtree(h.root, ignore_errors=True)


def cli(home: Home, *args: str, env: dict[str, str] | None = None,
        input: str | None = None, timeout: float = 60.0,
        day: int | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m metricsd ARGS...`` with the home's paths after the command name."""
    cmd = [sys.executable, "-m", "metricsd", *args[:1], *home.args(), *args[1:]]
    env = {**(env or clean_env()), **day_env(home.command_day() if day is None else day)}
    return subprocess.run(cmd, capture_output=True, text=True, env=env,
                          input=input, timeout=timeout)


@dataclass
class Daemon:
    home: Home
    proc: subprocess.Popen[str]
    stderr_path: Path
    ready_line: str
    _stderr_file: IO[str] = field(repr=False)

    def client(self, **kw: Any) -> Client:
        return Client(self.home.socket, **kw)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        finally:
            self._stderr_file.close()

    def wait(self, timeout: float = 20.0) -> int:
        """The exit status once it exits by itself (after a signal the test sent: a
        second one could land after the final commit, when the default action is back)."""
        try:
            return self.proc.wait(timeout)
        finally:
            self._stderr_file.close()

    def kill(self) -> None:
        self.stop(signal.SIGKILL)

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")


class DaemonFactory:
    def __init__(self) -> None:
        self.started: list[Daemon] = []

    def start(self, home: Home, *extra: str, env: dict[str, str] | None = None,
              stdin: int | None = subprocess.DEVNULL,
              wait_ready: bool = True, day: int | None = None) -> Daemon:
        """Start ``metricsd run`` in ``home``; ``day``: its date as an offset from today
        (default: the next day of this home, see FIRST_DAY)."""
        stderr_path = home.root / f"daemon-{len(self.started)}.stderr"
        env = {**(env or clean_env()),
               **day_env(home.daemon_day() if day is None else day)}
        home.starts += 1
        err = open(stderr_path, "w")  # noqa: SIM115 - closed by Daemon.stop
        proc = subprocess.Popen(
            [sys.executable, "-m", "metricsd", "run", *home.args(), *extra],
            stdin=stdin, stdout=subprocess.PIPE, stderr=err, text=True, env=env)
        d = Daemon(home, proc, stderr_path, "", err)
        self.started.append(d)
        if wait_ready:
            d.ready_line = read_line(proc, START_TIMEOUT)
            assert d.ready_line == f"READY {home.socket}", (d.ready_line, d.stderr)
        return d

    def cleanup(self) -> None:
        for d in self.started:
            if d.proc.poll() is None:
                d.proc.kill()
                d.proc.wait(10)
            if not d._stderr_file.closed:
                d._stderr_file.close()


def read_line(proc: subprocess.Popen[str], timeout: float) -> str:
    """One line of the child's stdout, with a deadline (no sleeps)."""
    assert proc.stdout is not None
    q: queue.Queue[str] = queue.Queue()
    stdout = proc.stdout
    threading.Thread(target=lambda: q.put(stdout.readline()), daemon=True).start()
    try:
        return q.get(timeout=timeout).rstrip("\n")
    except queue.Empty:
        raise AssertionError("daemon did not print a line in time") from None


@pytest.fixture
def daemons() -> Iterator[DaemonFactory]:
    f = DaemonFactory()
    yield f
    f.cleanup()


def run_concurrently(fns: Sequence[Callable[[], Any]]) -> list[Any]:
    results: list[Any] = [None] * len(fns)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            results[i] = fns[i]()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(fns))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    if errors:
        raise errors[0]
    return results


# --- uploads: a fake endpoint and a standard session ---------------------------------

@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    with serve() as (r, url):
        yield r, url


def stream(d: Daemon, *, turns: int = 3, version: str = "2.0.1") -> None:
    """A small realistic session, acknowledged (committed) by a sync."""
    with d.client() as c:
        c.hello(version)
        for _ in range(turns):
            c.usage(900, 100)
            c.tool_result("exit status 1")
            c.provider_error("upstream said status 503")
            c.turn("stop")
        c.compaction()
        c.sync()


EXPECTED = {"turns": 3, "compaction": 1, "finish_reason": {"stop": 3},
            "cache_hit": {"90-94": 3}, "provider_error": {"overloaded": 3},
            "tool_error": {"exit_nonzero": 3}}


def upload_done(d: Daemon, n: int = 1) -> None:
    """Wait until the daemon logged the end of its n-th upload run."""
    wait_for(lambda: d.stderr.count("upload: ") >= n, timeout=30, what="upload run")


def show(home: Home, env: dict[str, str] | None = None) -> list[dict[str, Any]]:
    out = cli(home, "show", "--json", env=env)
    assert out.returncode == 0, out.stderr
    bodies: list[dict[str, Any]] = json.loads(out.stdout)
    return bodies


def db_rows(home: Home) -> int:
    with sqlite3.connect(home.db) as db:
        return int(db.execute("SELECT (SELECT COUNT(*) FROM counts) + "
                              "(SELECT COUNT(*) FROM outbox)").fetchone()[0])




def summed_counts(bodies: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The ``counts`` of several upload bodies (one per day and version) added up."""
    total: dict[str, Any] = {}
    for body in bodies:
        for counter, value in body["counts"].items():
            if isinstance(value, dict):
                sub = total.setdefault(counter, {})
                for label, n in value.items():
                    sub[label] = sub.get(label, 0) + n
            else:
                total[counter] = total.get(counter, 0) + value
    return total


# --- the Go client's conformance driver (tests/conformance/drivers/go) ---------------------

def unavailable(reason: str) -> None:
    """A tool a test needs is missing: a failure under CI, a skip elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)")
    pytest.skip(reason)


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str,
               build: Callable[[Path], None]) -> Path:
    """``build(path)`` once per run, shared by every worker: under ``-n`` the first worker
    to get here builds it in the directory all workers' base directories are in, and the
    others wait for it (an flock).  Returns the path."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    out = shared / "built" / name
    out.parent.mkdir(exist_ok=True)
    with open(out.with_name(f"{name}.lock"), "w") as lock:  # one lock per artifact
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not out.exists():
            partial = out.with_name(f"{name}.partial")
            build(partial)
            partial.rename(out)
    return out


@pytest.fixture(scope="session")
def go_driver(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Go driver, built once per run."""
    go = shutil.which("go")
    if go is None:
        unavailable("the Go toolchain is not installed")
    assert go is not None

    def build(exe: Path) -> None:
        result = subprocess.run(
            [go, "build", "-o", str(exe), "."], capture_output=True, text=True, timeout=600,
            cwd=Path(__file__).resolve().parent / "conformance" / "drivers" / "go")
        assert result.returncode == 0, result.stderr

    return built_once(tmp_path_factory, "metricsd-conformance", build)
