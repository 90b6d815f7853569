"""Spawn ``metricsd run --watch-stdin`` as the application's sidecar and find its socket."""

from __future__ import annotations

import os
import queue
import subprocess
import threading
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from metricsd_client._client import Client
from metricsd_client._paths import socket_path as resolve_socket_path


class SidecarError(RuntimeError):
    """The daemon could not be started (its reason is on its stderr)."""


def _option(args: Sequence[str], name: str) -> str | None:
    value = None
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith(name + "="):
            value = arg.split("=", 1)[1]
    return value


class Sidecar:
    """A spawned daemon.  ``socket_path`` is where it (or the daemon that already served
    there) listens.  Keep it for the application's lifetime: :meth:`close` (or the
    application's exit) closes the daemon's stdin, and the daemon commits and exits."""

    def __init__(self, proc: subprocess.Popen[bytes] | None, socket_path: Path,
                 already_running: bool) -> None:
        self.proc = proc
        self.socket_path = socket_path
        #: True when another daemon already served the socket (the spawned one exited 0).
        self.already_running = already_running

    def client(self, client_version: str | None = None, **options: Any) -> Client:
        """A :class:`Client` connected to this sidecar's socket."""
        return Client(self.socket_path, client_version, **options)

    def close(self, timeout: float = 10.0) -> int | None:
        """Close the daemon's stdin and wait (at most ``timeout`` s) for it to exit; kill
        it after that.  Its exit status, or None when nothing was running."""
        proc = self.proc
        if proc is None:
            return None
        if proc.stdin is not None:
            try:
                proc.stdin.close()
            except OSError:
                pass
        try:
            return proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            return proc.wait()
        finally:
            if proc.stdout is not None:
                proc.stdout.close()

    def __enter__(self) -> Sidecar:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def spawn_sidecar(exe: str | Sequence[str] = "metricsd", *args: str, timeout: float = 20.0,
                  stderr: int | IO[Any] | None = None,
                  env: dict[str, str] | None = None) -> Sidecar:
    """Start ``EXE run --watch-stdin ARGS...`` and return once its socket accepts.

    ``exe`` is the daemon's command (``"metricsd"``, a path to the bundled binary, or a
    list such as ``[sys.executable, "-m", "metricsd"]``); ``args`` are options for ``run``
    (``--socket PATH``...).  ``stderr`` is where the daemon logs (a file, or None to
    inherit the application's; never an undrained pipe).

    * ``READY <path>`` on its stdout: that path is the socket.
    * It exits 0 without a line: another daemon already serves the socket; the path is
      ``--socket`` from ``args``, else ``$METRICSD_SOCKET``, else the default.
    * Otherwise (exit 1, no line within ``timeout``): :class:`SidecarError`.
    """
    command = [exe] if isinstance(exe, str) else list(exe)
    proc = subprocess.Popen([*command, "run", "--watch-stdin", *args],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr,
                            env=env, close_fds=True)
    assert proc.stdout is not None
    lines: queue.Queue[bytes] = queue.Queue()
    stdout = proc.stdout
    threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True,
                     name="metricsd-sidecar").start()
    try:
        line = lines.get(timeout=timeout).decode("utf-8", "replace").rstrip("\n")
    except queue.Empty:
        proc.kill()
        proc.wait()
        raise SidecarError(f"metricsd printed no READY line within {timeout} s") from None
    if line.startswith("READY "):
        return Sidecar(proc, Path(line.removeprefix("READY ")), already_running=False)
    try:
        code = proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        code = proc.wait()
    if code == 0 and not line:
        path = _option(args, "--socket")
        if path is None:
            environ = os.environ if env is None else env
            path = environ.get("METRICSD_SOCKET") or None
        return Sidecar(None, resolve_socket_path(path), already_running=True)
    raise SidecarError(f"metricsd could not start (exit status {code}; its stderr says why)")
