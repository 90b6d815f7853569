"""Access: only the same user may talk to the daemon.

* A client of another uid is refused by the daemon's own peer-credential check: the test
  (as root) widens the socket's permissions for that one test, so the file modes let the
  other uid through and only SO_PEERCRED can stop it, then connects from a forked child
  that has dropped to uid/gid 65534 (nobody).
* The socket is 0600 in a 0700 directory, whatever the umask.
* Symlink and ownership attacks on the runtime directory, the socket path and the lock
  file are refused with a clear message, touching nothing.
"""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import msgpack
import pytest

from tests.conftest import DaemonFactory, Home, clean_env, read_line, wait_for

NOBODY = 65534
IS_ROOT = os.geteuid() == 0


def connect_as(uid: int, gid: int, path: Path) -> str:
    """In a forked child with uid/gid dropped: connect, ping, report what happened."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: no Python-level cleanup, only os/socket calls, then _exit
        code = b"?"
        try:
            os.close(r)
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(10)
            try:
                s.connect(str(path))
            except PermissionError:
                code = b"denied by file modes"
            else:
                try:
                    s.sendall(msgpack.packb({"type": "ping"}))
                    data = s.recv(65536)
                    code = b"closed without a reply" if not data else b"served"
                except (ConnectionResetError, BrokenPipeError):
                    code = b"closed without a reply"
                except TimeoutError:
                    code = b"no answer"
        except BaseException as exc:
            code = type(exc).__name__.encode()
        finally:
            os.write(w, code)
            os._exit(0)
    os.close(w)
    try:
        with os.fdopen(r, "rb") as f:
            return f.read().decode()
    finally:
        os.waitpid(pid, 0)


@pytest.mark.skipif(not IS_ROOT, reason="needs root to act as a second, real uid")
def test_a_client_of_another_uid_is_refused_by_the_peer_check(
        home: Home, daemons: DaemonFactory) -> None:
    d = daemons.start(home)
    # Sanity: with the real modes, the other uid cannot even reach the socket.
    assert connect_as(NOBODY, NOBODY, home.socket) == "denied by file modes"
    # Widen the modes for this test only: now only the daemon's own check stands.
    os.chmod(home.root, 0o711)
    os.chmod(home.socket.parent, 0o711)
    os.chmod(home.socket, 0o666)
    assert connect_as(NOBODY, NOBODY, home.socket) == "closed without a reply"
    wait_for(lambda: "refused a connection from another user" in d.stderr,
             what="the refusal log line")
    # The same user is still served, and the refused one counted nothing.
    with d.client() as c:
        assert c.ping()["type"] == "pong"
        assert c.snapshot()["counts"] == {}


def test_socket_0600_in_a_0700_directory_whatever_the_umask(home: Home) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "metricsd", "run", *home.args()], stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True, env=clean_env(),
        umask=0)
    try:
        assert read_line(proc, 20) == f"READY {home.socket}"
        st = os.lstat(home.socket)
        assert stat.S_ISSOCK(st.st_mode)
        assert stat.S_IMODE(st.st_mode) == 0o600
        assert st.st_uid == os.getuid()
        dst = os.lstat(home.socket.parent)
        assert stat.S_IMODE(dst.st_mode) == 0o700
        assert dst.st_uid == os.getuid()
    finally:
        proc.terminate()
        proc.wait(20)


def refused(home: Home, *, needle: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "metricsd", "run", *home.args()],
                          capture_output=True, text=True, env=clean_env(), timeout=30,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 1, done
    assert "READY" not in done.stdout
    assert needle in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    return done


def test_a_symlinked_runtime_directory_is_refused(home: Home) -> None:
    target = home.root / "elsewhere"
    target.mkdir(mode=0o700)
    home.socket.parent.symlink_to(target)
    refused(home, needle="symlink")
    assert list(target.iterdir()) == []  # nothing created through the link


def test_a_runtime_directory_open_to_others_is_refused(home: Home) -> None:
    home.socket.parent.mkdir(mode=0o700)
    os.chmod(home.socket.parent, 0o755)
    refused(home, needle="accessible to other users")
    assert list(home.socket.parent.iterdir()) == []


@pytest.mark.skipif(not IS_ROOT, reason="needs root to give the directory to another uid")
def test_a_runtime_directory_of_another_user_is_refused(home: Home) -> None:
    home.socket.parent.mkdir(mode=0o700)
    os.chown(home.socket.parent, NOBODY, NOBODY)
    refused(home, needle="belongs to another user")
    assert list(home.socket.parent.iterdir()) == []


def test_a_symlink_in_place_of_the_socket_is_refused(home: Home) -> None:
    victim = home.root / "victim"
    victim.write_text("precious")
    home.socket.parent.mkdir(mode=0o700)
    home.socket.symlink_to(victim)
    refused(home, needle="not a socket")
    assert victim.read_text() == "precious"
    assert home.socket.is_symlink()


def test_a_symlink_in_place_of_the_lock_file_is_refused(home: Home) -> None:
    victim = home.root / "victim"
    victim.write_text("precious")
    home.socket.parent.mkdir(mode=0o700)
    (home.socket.parent / (home.socket.name + ".lock")).symlink_to(victim)
    done = subprocess.run([sys.executable, "-m", "metricsd", "run", *home.args()],
                          capture_output=True, text=True, env=clean_env(), timeout=30,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 1, done
    assert "READY" not in done.stdout
    assert "Traceback" not in done.stderr and done.stderr.strip(), done.stderr
    assert victim.read_text() == "precious"
