"""Spawn ``metricsd run --watch-stdin`` as the application's sidecar, find its socket, and
keep it running: restart it with bounded back-off when it dies, and wake the clients the
moment the new daemon is ready."""

from __future__ import annotations

import os
import queue
import subprocess
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Final

from metricsd_client._client import Client
from metricsd_client._engine import Engine
from metricsd_client._paths import socket_path as resolve_socket_path

#: Defaults (docs/CLIENTS.md): how long a start may take, and the restart policy.
START_TIMEOUT: Final = 20.0
CLOSE_DEADLINE: Final = 10.0
#: After the deadline, a daemon still running gets SIGTERM (it commits and exits) and this
#: long before SIGKILL.
TERM_GRACE: Final = 1.0
#: How long ``close`` waits for the daemon to exit before asking whether it still serves
#: other app instances.
SHARED_CHECK: Final = 0.5
RESTART_BACKOFF_MIN: Final = 0.1
RESTART_BACKOFF_MAX: Final = 5.0
#: A start that fails, or a daemon that exits within this many seconds of its READY, is
#: a fast failure; after FAST_FAILURES_BEFORE_SLOW of them in a row the helper keeps
#: trying once every SLOW_RESTART seconds (and says so in ``slow``), never giving up; a
#: daemon that lived longer resets the count (clients/spec.json, "supervision").
FAST_FAILURE_SECONDS: Final = 10.0
FAST_FAILURES_BEFORE_SLOW: Final = 10
SLOW_RESTART: Final = 60.0


class SidecarError(RuntimeError):
    """The daemon could not be started: the binary is missing or not executable, it exited
    at once (its stderr says why), or it printed no ``READY`` line in time."""


def _option(args: Sequence[str], name: str) -> str | None:
    value = None
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith(name + "="):
            value = arg.split("=", 1)[1]
    return value


def _kill(proc: subprocess.Popen[bytes]) -> int:
    try:
        proc.kill()
    except OSError:
        pass
    return proc.wait()


def _release(proc: subprocess.Popen[bytes], *, stdout: bool) -> None:
    """Close our ends of a finished child's pipes."""
    for pipe in (proc.stdin, proc.stdout if stdout else None):
        if pipe is not None:
            try:
                pipe.close()
            except (OSError, ValueError):
                pass


def _start(command: list[str], args: Sequence[str], timeout: float,
           stderr: int | IO[Any] | None,
           env: dict[str, str] | None) -> tuple[subprocess.Popen[bytes] | None, Path]:
    """Start one daemon; ``(proc, path)`` once it printed ``READY <path>``, ``(None,
    path)`` when it exited 0 without a line (another daemon serves ``path``).  Raises
    :class:`SidecarError` only, within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    try:
        proc = subprocess.Popen([*command, "run", "--watch-stdin", *args],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=stderr, env=env, close_fds=True)
    except (OSError, ValueError, TypeError) as exc:
        raise SidecarError(f"cannot run {command[0]!r}: {exc}") from exc
    assert proc.stdout is not None
    lines: queue.Queue[bytes] = queue.Queue()
    stdout = proc.stdout

    def read_line() -> None:
        try:
            lines.put(stdout.readline())
        except (OSError, ValueError):
            lines.put(b"")

    threading.Thread(target=read_line, daemon=True, name="metricsd-sidecar-start").start()
    try:
        line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
    except queue.Empty:
        _kill(proc)
        _release(proc, stdout=True)
        raise SidecarError(f"metricsd printed no READY line within {timeout} s") from None
    text = line.decode("utf-8", "replace").rstrip("\n")
    if text.startswith("READY "):
        return proc, Path(text.removeprefix("READY "))
    try:
        code = proc.wait(max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        code = _kill(proc)
    _release(proc, stdout=True)
    if code == 0 and not text:
        path = _option(args, "--socket")
        if path is None:
            environ = os.environ if env is None else env
            path = environ.get("METRICSD_SOCKET") or None
        try:
            return None, resolve_socket_path(path)
        except Exception as exc:
            raise SidecarError(f"no socket path: {exc}") from exc
    raise SidecarError(f"metricsd could not start (exit status {code}; its stderr says why)")


class Sidecar:
    """A spawned daemon, supervised.  Keep it for the application's lifetime.

    * ``socket_path``: where the daemon (or the daemon that already served there) listens.
    * ``pid``: the running child's pid (None when no child runs).
    * ``wait(timeout)``: the child's exit status once it exits; ``on_exit`` (given to
      :func:`spawn_sidecar`) is told of every exit, from the helper's thread.
    * When the child dies, the helper starts a new one with back-off (``restarts``
      counts them) and wakes the clients made by :meth:`client`, which connect within a
      moment of its ``READY``.  After repeated fast failures in a row it keeps trying at
      a slow pace (once a minute) and says why in ``slow``; it never gives up for good.
    * :meth:`close` closes the daemon's stdin (it commits and exits), waits up to its
      deadline, then stops a daemon that serves nobody with SIGTERM (never SIGKILL).
    """

    def __init__(self, proc: subprocess.Popen[bytes] | None, socket_path: Path,
                 already_running: bool, *, restart: Callable[[], tuple[
                     subprocess.Popen[bytes] | None, Path]] | None = None,
                 on_exit: Callable[[int], None] | None = None) -> None:
        self.proc = proc
        self.socket_path = socket_path
        #: True when another daemon already served the socket (the spawned one exited 0).
        self.already_running = already_running
        #: Daemons started after the first one died.
        self.restarts = 0
        #: Why the helper restarts the daemon only at the slow pace now (None: it
        #: restarts with the normal back-off).
        self.slow: str | None = None
        #: ``close`` left the daemon running: it still serves other app instances' clients
        #: (it exits by itself once they are gone).
        self.serving_others = False
        self._restart = restart
        self._on_exit = on_exit
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._exited = threading.Condition(self._lock)
        self._exits = 0
        self._last_code: int | None = None
        self._engines: weakref.WeakSet[Engine] = weakref.WeakSet()
        self._thread: threading.Thread | None = None
        if proc is not None:
            self._pump(proc)
            self._thread = threading.Thread(target=self._supervise, daemon=True,
                                            name="metricsd-sidecar")
            self._thread.start()

    def _pump(self, proc: subprocess.Popen[bytes]) -> None:
        """Read the daemon's stdout until it closes: a later ``READY <path>`` (a daemon
        that stood by takes over serving) wakes the clients too."""
        stdout = proc.stdout
        if stdout is None:
            return

        def pump() -> None:
            try:
                for line in stdout:
                    text = line.decode("utf-8", "replace").rstrip("\n")
                    if text.startswith("READY "):
                        with self._lock:
                            self.socket_path = Path(text.removeprefix("READY "))
                            engines = list(self._engines)
                        for engine in engines:
                            engine.reconnect_now()
            except (OSError, ValueError):
                pass
            finally:
                stdout.close()

        threading.Thread(target=pump, daemon=True, name="metricsd-sidecar-out").start()

    @property
    def pid(self) -> int | None:
        proc = self.proc
        return proc.pid if proc is not None and proc.returncode is None else None

    def client(self, client_version: str | None = None, **options: Any) -> Client:
        """A :class:`Client` of this sidecar's daemon, woken when a restarted daemon is
        ready."""
        client = Client(self.socket_path, client_version, **options)
        with self._lock:
            self._engines.add(client._engine)
        return client

    def wait(self, timeout: float | None = None) -> int | None:
        """Wait for the current child to exit; its exit status, or None on timeout (or
        when no child was spawned)."""
        with self._lock:
            if self.proc is None:
                return None
            seen = self._exits
            if self.proc.returncode is not None and self._exits:
                return self._last_code
            self._exited.wait_for(lambda: self._exits > seen, timeout)
            return self._last_code if self._exits > seen else None

    def _supervise(self) -> None:
        fast = 0  # fast failures in a row
        delay = RESTART_BACKOFF_MIN
        restart = self._restart
        while True:
            proc = self.proc
            started = time.monotonic()
            if proc is not None:
                code = proc.wait()
                _release(proc, stdout=False)  # stdout: the pump closes it
                with self._lock:
                    self._exits += 1
                    self._last_code = code
                    self._exited.notify_all()
                if self._on_exit is not None:
                    try:
                        self._on_exit(code)
                    except Exception:
                        pass
                if self._closing.is_set() or restart is None:
                    return
                if time.monotonic() - started >= FAST_FAILURE_SECONDS:
                    fast = 0
                    delay = RESTART_BACKOFF_MIN
                    self.slow = None
                else:
                    fast += 1
            if fast >= FAST_FAILURES_BEFORE_SLOW:
                self.slow = (f"the daemon failed {fast} times in a row (a start that failed "
                             f"or an exit within {FAST_FAILURE_SECONDS:.0f} s of READY); "
                             f"trying again every {SLOW_RESTART:.0f} s")
                wait = SLOW_RESTART
            else:
                wait = delay
                delay = min(RESTART_BACKOFF_MAX, delay * 2)
            if self._closing.wait(wait):
                return
            try:
                assert restart is not None
                new, path = restart()
            except SidecarError:
                fast += 1
                self.proc = None
                continue
            with self._lock:
                if self._closing.is_set():
                    if new is not None:
                        _kill(new)
                        _release(new, stdout=True)
                    return
                self.proc = new
                self.socket_path = path
                self.restarts += 1
                engines = list(self._engines)
            if new is not None:
                self._pump(new)
            for engine in engines:
                engine.reconnect_now()
            if new is None:
                return  # another daemon serves the socket meanwhile: nothing of ours

    def close(self, deadline: float = CLOSE_DEADLINE) -> int | None:
        """Close the daemon's stdin and wait (at most ``deadline`` seconds) for it to exit;
        after that, a daemon that answers nobody gets SIGTERM (it commits what it has and
        exits; never SIGKILL).  A daemon that still serves other app instances' clients
        (its ``status`` answers with connections besides the question's own, asked after
        half a second and again at the deadline) is left running — it exits by itself once
        they are gone — and ``serving_others`` is set.  Its exit status; None when nothing
        was running, it was left serving others, or it had not exited :data:`TERM_GRACE`
        seconds after SIGTERM.
        Stops the supervision: the daemon is not restarted after this."""
        self._closing.set()
        with self._lock:
            proc = self.proc
        if proc is None:
            return None
        if proc.stdin is not None:
            try:
                proc.stdin.close()
            except OSError:
                pass
        start = time.monotonic()
        try:
            code = proc.wait(min(SHARED_CHECK, max(0.0, deadline)))
        except subprocess.TimeoutExpired:
            code = None
        if code is None and self._serves_others(proc):
            self.serving_others = True
            return None
        try:
            if code is None:
                code = proc.wait(max(0.0, deadline - (time.monotonic() - start)))
        except subprocess.TimeoutExpired:
            if self._serves_others(proc):  # clients of other instances came meanwhile
                self.serving_others = True
                return None
            # A daemon that answers nobody: SIGTERM (it commits what it has and exits).
            # Never SIGKILL: a normal close never kills a daemon.
            try:
                proc.terminate()
                code = proc.wait(TERM_GRACE)
            except (OSError, subprocess.TimeoutExpired):
                code = None
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(1.0)
        return code

    def _serves_others(self, proc: subprocess.Popen[bytes]) -> bool:
        from metricsd_client._peer import request

        try:
            reply = request(self.socket_path, {"type": "status"}, timeout=1.0)
        except Exception:  # no answer: not a daemon serving anyone
            return False
        connections = reply.get("connections")
        return (reply.get("type") == "status" and reply.get("pid") == proc.pid
                and type(connections) is int and connections > 0)  # other than this ask

    def __enter__(self) -> Sidecar:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def spawn_sidecar(exe: str | Sequence[str] = "metricsd", *args: str,
                  timeout: float = START_TIMEOUT, stderr: int | IO[Any] | None = None,
                  env: dict[str, str] | None = None, restart: bool = True,
                  on_exit: Callable[[int], None] | None = None) -> Sidecar:
    """Start ``EXE run --watch-stdin ARGS...`` and return once it is ready.

    ``exe`` is the daemon's command (``"metricsd"``, a path to the bundled binary, or a
    list such as ``[sys.executable, "-m", "metricsd"]``); ``args`` are options for ``run``
    (``--socket PATH``...).  ``stderr`` is where the daemon logs (a file, or None to
    inherit the application's; never an undrained pipe).  ``restart``: start a new
    daemon, with back-off, when this one dies; ``on_exit(status)`` is called (from the
    helper's thread) each time a daemon it started exits.

    * ``READY <path>`` on its stdout: that path is the socket (or the endpoint file).
    * It exits 0 without a line: another daemon already serves the socket; the path is
      ``--socket`` from ``args``, else ``$METRICSD_SOCKET``, else the default.
    * Anything else (binary missing, exit status 1, no line within ``timeout``, a hung
      binary): :class:`SidecarError`, within ``timeout`` seconds — the only exception
      this function raises.  Fall back to ``NoopClient(str(error))``.
    """
    try:
        command = [exe] if isinstance(exe, str) else list(exe)
        if not command or not all(isinstance(c, str) for c in [*command, *args]):
            raise SidecarError("exe and args are strings")
        proc, path = _start(command, args, timeout, stderr, env)
    except SidecarError:
        raise
    except Exception as exc:  # nothing but SidecarError escapes
        raise SidecarError(f"cannot start metricsd: {exc}") from exc
    again: Callable[[], tuple[subprocess.Popen[bytes] | None, Path]] | None = None
    if restart:
        def again() -> tuple[subprocess.Popen[bytes] | None, Path]:
            return _start(command, args, timeout, stderr, env)
    return Sidecar(proc, path, already_running=proc is None, restart=again,
                   on_exit=on_exit)
