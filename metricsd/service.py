"""The daemon's place in the operating system: its socket, instance lock, peer check and
service-manager hooks (systemd socket activation and notify).  Blocking, start-up only.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import logging
import os
import socket
import stat
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final, cast

from metricsd import locks
from metricsd.portable import O_CLOEXEC, O_NOFOLLOW, current_uid
from metricsd.settings import EGRESS_LOCK_NAME

log = logging.getLogger("metricsd")

#: sun_path limits (including the terminating NUL).
SUN_PATH_MAX: Final = 104 if sys.platform == "darwin" else 108
SD_LISTEN_FDS_START: Final = 3


class ServiceError(Exception):
    """Start-up cannot go on; the message is safe to print."""


# --- the runtime directory and the instance lock ------------------------------------------

def check_socket_path(path: Path) -> None:
    if len(os.fsencode(path)) >= SUN_PATH_MAX:
        raise ServiceError(
            f"socket path is {len(os.fsencode(path))} bytes, over the platform limit of "
            f"{SUN_PATH_MAX - 1}; choose a shorter --socket")


def chain_problem(directory: Path, uid: int | None = None) -> str | None:
    """Why another local user could replace what lives in ``directory`` (None: nobody
    can).  The directory and every ancestor up to ``/`` must be owned by the user or by
    root, and none may be writable by group or others unless it has the sticky bit (as
    ``/tmp`` has).  Checked on the real path, symlinks resolved; a directory that does not
    exist yet is judged by its nearest existing ancestor (it would be created there).
    The one rule for the socket's directory, the state directory and config.toml's.

    Windows has no POSIX owners or modes: nothing is judged there (None), and the
    per-user local app-data directory's access-control list is what keeps other users
    out (see :mod:`metricsd.portable`)."""
    own = current_uid() if uid is None else uid
    if own is None:
        return None
    return _real_chain_problem(os.path.realpath(directory), own)


def _real_chain_problem(real: str, uid: int) -> str | None:
    """:func:`chain_problem` for a path already resolved (strings: this runs at every
    consent decision, and pathlib would triple its cost)."""
    part = real
    while True:
        try:
            st = os.stat(part)
        except FileNotFoundError:
            st = None  # not created yet: its parent decides who could create it
        except OSError as exc:
            return f"{part} cannot be checked ({exc.strerror or type(exc).__name__})"
        if st is not None:
            if st.st_uid not in (uid, 0):
                return f"{part} belongs to another user"
            if st.st_mode & 0o022 and not st.st_mode & stat.S_ISVTX:
                return f"{part} is writable by other users (mode {st.st_mode & 0o7777:o})"
        parent = os.path.dirname(part)
        if parent == part:
            return None
        part = parent


def _foreign_owner(st: os.stat_result) -> bool:
    """Whether a file belongs to another user (never on Windows: no POSIX owners)."""
    uid = current_uid()
    return uid is not None and st.st_uid != uid


def check_directory_chain(directory: Path, uid: int | None = None) -> None:
    """:func:`chain_problem` for the socket's directory: another local user could swap
    the socket (the ``/tmp/runtime-<uid>`` fallback pre-created by someone else is the
    case this is for)."""
    problem = chain_problem(directory, uid)
    if problem is not None:
        raise ServiceError(f"{problem}, so the socket could be replaced by them; refusing "
                           "to serve there (set XDG_RUNTIME_DIR or use --socket)")


def prepare_state_directory(directory: Path) -> None:
    """Check the state directory's chain (:func:`chain_problem`), then create it 0700
    (with its parents) or check the existing one is the user's and not writable by group
    or others, and that no unusable ``egress.lock`` was planted in it.  Otherwise another
    user could plant the database's ``-wal`` or the egress lock there.  A directory that
    cannot be made or used (read-only, a file in its place) is not refused here: that is
    a storage fault the daemon serves through from memory."""
    problem = chain_problem(directory)
    if problem is None:
        real = Path(os.path.realpath(directory))
        try:
            directory.mkdir(parents=True, mode=0o700)
        except OSError:
            pass  # exists, or cannot be made: the database says so, and retries
        try:
            st = os.stat(real)
        except OSError:
            return  # unusable, not unsafe: the daemon serves from memory and retries
        if not stat.S_ISDIR(st.st_mode) or sys.platform == "win32":
            return
        if st.st_uid != os.getuid():
            problem = f"{real} belongs to another user"
        elif st.st_mode & 0o022:
            problem = f"{real} is writable by other users (mode {st.st_mode & 0o7777:o})"
    if problem is not None:
        raise ServiceError(f"state directory unsafe: {problem}, so another user could "
                           "plant files beside the database; refusing to use it (fix its "
                           "permissions or use --state-dir)")
    lock = Path(os.path.realpath(directory)) / EGRESS_LOCK_NAME
    try:
        st = os.lstat(lock)
    except FileNotFoundError:
        return
    if not stat.S_ISREG(st.st_mode) or _foreign_owner(st):
        raise ServiceError(f"{lock} is not a regular file of yours (opting out would be "
                           "blocked by it); refusing to use it: remove it")


def config_problem(config: Path) -> str | None:
    """:func:`chain_problem` for config.toml: the directory it is named in and, for a
    symlink, the directory it really lives in (another user must not be able to replace
    the file that holds the user's consent).  None on Windows (see :func:`chain_problem`)."""
    uid = current_uid()
    if uid is None:
        return None
    named = os.path.realpath(os.path.dirname(os.path.abspath(config)))
    real = os.path.dirname(os.path.realpath(config))
    problem = _real_chain_problem(named, uid)
    if problem is None and real != named:
        problem = _real_chain_problem(real, uid)
    return problem


def check_config_location(config: Path) -> None:
    """:func:`config_problem`, as a refusal to start."""
    problem = config_problem(config)
    if problem is not None:
        raise ServiceError(f"config directory unsafe: {problem}, so another user could "
                           "replace config.toml; refusing to use it (fix its permissions "
                           "or use --config)")


def prepare_directory(directory: Path) -> None:
    """Create the socket's directory 0700, or check an existing one is ours and private;
    then check the whole directory chain (:func:`check_directory_chain`)."""
    try:
        directory.mkdir(parents=True, mode=0o700)
    except FileExistsError:
        pass
    st = os.lstat(directory)
    if stat.S_ISLNK(st.st_mode):
        raise ServiceError(f"{directory} is a symlink; refusing to put the socket there")
    if not stat.S_ISDIR(st.st_mode):
        raise ServiceError(f"{directory} is not a directory")
    if sys.platform == "win32":
        return  # no POSIX owner or mode: the per-user app-data ACL keeps others out
    if st.st_uid != os.getuid():
        raise ServiceError(f"{directory} belongs to another user; refusing to use it "
                           "(set XDG_RUNTIME_DIR or use --socket)")
    if st.st_mode & 0o077:
        raise ServiceError(
            f"{directory} is accessible to other users (mode {st.st_mode & 0o777:o}); "
            "the socket directory must be 0700 (set XDG_RUNTIME_DIR or use --socket)")
    check_directory_chain(directory)


@dataclass
class InstanceLock:
    path: Path
    file: IO[str]

    def release(self) -> None:
        with contextlib.suppress(OSError):
            self.file.close()


def lock_path(sock: Path) -> Path:
    return sock.with_name(sock.name + ".lock")


def acquire_lock(sock: Path, *, wait: bool = False) -> InstanceLock | int | None:
    """Take the per-socket instance lock (``wait``: block until its holder exits).

    Returns the lock, or the pid of the daemon that holds it (``None`` if unknown)."""
    path = lock_path(sock)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
    f = os.fdopen(fd, "r+", encoding="ascii")
    try:
        if wait:
            locks.lock(fd, locks.EXCLUSIVE)
            taken = True
        else:
            taken = locks.try_lock(fd, locks.EXCLUSIVE)
    except OSError:
        f.close()
        raise
    if not taken:
        f.seek(0)
        text = f.read().strip()
        f.close()
        return int(text) if text.isdigit() else None
    f.seek(0)
    f.truncate()
    f.write(f"{os.getpid()}\n")
    f.flush()
    return InstanceLock(path, f)


def serving_pid(sock: Path) -> int | None:
    """The pid recorded by the daemon holding the lock of ``sock``, if one holds it."""
    path = lock_path(sock)
    try:
        fd = os.open(path, os.O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
    except OSError:
        return None
    with os.fdopen(fd, "r", encoding="ascii") as f:
        try:
            free = locks.try_lock(fd, locks.SHARED)
        except OSError:
            free = False
        if not free:
            text = f.read().strip()
            return int(text) if text.isdigit() else None
        with contextlib.suppress(OSError):
            locks.unlock(fd)
        return None  # nobody holds it


class SocketLive(ServiceError):
    """Something accepts on the socket path although no daemon holds the lock (an older
    daemon, or a service manager keeping it for activation): it is not stale."""


def remove_stale_socket(sock: Path) -> None:
    """Unlink a socket left by a crashed daemon.  Call only while holding the lock.

    Replaces only a socket (never another kind of file) owned by this uid on which nobody
    accepts connections."""
    try:
        st = os.lstat(sock)
    except FileNotFoundError:
        return
    if not stat.S_ISSOCK(st.st_mode):
        raise ServiceError(f"{sock} exists and is not a socket; refusing to replace it")
    if _foreign_owner(st):
        raise ServiceError(f"{sock} belongs to another user; refusing to replace it")
    if socket_is_live(sock):
        raise SocketLive(f"{sock} accepts connections but no metricsd holds its lock; "
                         "leaving it alone")
    os.unlink(sock)
    log.info("replaced a stale socket left by an earlier daemon")


@dataclass(frozen=True)
class OwnFile:
    """A file this process made (a socket, ``endpoint.json``): only this very file, by
    device and inode, is removed at exit, never one another daemon put there since."""

    path: Path
    ident: tuple[int, int]

    def unlink(self) -> None:
        try:
            st = os.lstat(self.path)
            if (st.st_dev, st.st_ino) == self.ident:
                os.unlink(self.path)
        except OSError:
            pass


@dataclass(frozen=True)
class BoundSocket(OwnFile):
    """A socket this process bound."""

    sock: socket.socket


def bind_socket(sock: Path) -> BoundSocket:
    """Bind and listen on ``sock`` with mode 0600 (no window where it is wider)."""
    if sys.platform == "win32":
        raise ServiceError("this platform has no Unix sockets: use --listen tcp")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)
    try:
        s.bind(os.fspath(sock))
    except OSError:
        s.close()
        raise
    finally:
        os.umask(old)
    st = os.lstat(sock)
    os.chmod(sock, 0o600)
    s.listen(listen_backlog())
    return BoundSocket(sock, (st.st_dev, st.st_ino), s)


#: Beside the socket path, over loopback TCP: where clients find the port and the token.
ENDPOINT_FILE: Final = "endpoint.json"


#: The ``endpoint.json`` this process wrote.
EndpointFile = OwnFile


def bind_tcp() -> socket.socket:
    """Listen on 127.0.0.1, on a port the kernel picks."""
    return socket.create_server(("127.0.0.1", 0), backlog=listen_backlog())


def write_endpoint_file(directory: Path, port: int, token: str) -> EndpointFile:
    """Write ``{"port", "token", "pid"}`` to ``directory/endpoint.json``, created 0600
    and replaced atomically (a client never reads half a file)."""
    import json

    path = directory / ENDPOINT_FILE
    tmp = directory / f".{ENDPOINT_FILE}.{os.getpid()}.tmp"
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            json.dump({"port": port, "token": token, "pid": os.getpid()}, f)
            f.flush()
            os.fsync(f.fileno())
        _replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    st = os.lstat(path)
    return EndpointFile(path, (st.st_dev, st.st_ino))


#: endpoint.json is a few dozen bytes; anything larger is not one (not read further).
ENDPOINT_FILE_MAX: Final = 4096
#: The largest reply :func:`tcp_request` reads before giving up (as the clients' bound).
TCP_REPLY_MAX: Final = 1024 * 1024


@dataclass(frozen=True)
class TcpEndpoint:
    """What a running daemon's ``endpoint.json`` says: where it listens, its secret."""

    port: int
    token: str
    pid: int | None


def read_endpoint_file(directory: Path) -> TcpEndpoint | None:
    """The ``endpoint.json`` in ``directory``, or None when there is none or it is not a
    regular file of this user holding a port and a 64-hex-digit token."""
    import json

    try:
        fd = os.open(directory / ENDPOINT_FILE, os.O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or _foreign_owner(st):
            return None
        raw = os.read(fd, ENDPOINT_FILE_MAX + 1)
        if len(raw) > ENDPOINT_FILE_MAX:
            return None
        data = json.loads(raw)
    except (OSError, ValueError):
        return None
    finally:
        os.close(fd)
    if not isinstance(data, dict):
        return None
    port, token, pid = data.get("port"), data.get("token"), data.get("pid")
    if (not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536
            or not isinstance(token, str) or len(token) != 64
            or any(c not in "0123456789abcdef" for c in token)):
        return None
    return TcpEndpoint(port, token, pid if isinstance(pid, int) else None)


_NO_REPLY: Final = object()


def tcp_request(endpoint: TcpEndpoint, message: dict[str, Any],
                timeout: float) -> dict[str, Any]:
    """Ask the daemon on loopback TCP and return its first reply to ``message``.  The
    daemon proves it holds the token first (v1.3: ``hello`` with a nonce, its
    ``challenge``, our ``auth``): a listener that cannot is sent nothing else and raises
    ``PermissionError``, as does a daemon that refuses our proof; other ``OSError``
    subclasses when it does not answer."""
    from metricsd_client._peer import ImpostorError, tcp_handshake
    from metricsd_client._wire import ReplyError, ReplyParser
    from metricsd_client._wire import encode as client_encode

    from metricsd import PROTO

    where = f"127.0.0.1:{endpoint.port}"
    with socket.create_connection(("127.0.0.1", endpoint.port), timeout=timeout) as s:
        parser = ReplyParser()
        try:
            tcp_handshake(s, endpoint.token, parser, {"type": "hello", "proto": PROTO},
                          min(timeout, 2.0))
        except ImpostorError as exc:
            raise PermissionError(f"{where}: {exc}") from None
        s.settimeout(timeout)
        s.sendall(client_encode(message))
        received = 0
        while True:
            try:
                reply = next(iter(parser.replies()), _NO_REPLY)
            except ReplyError:
                raise ConnectionError(f"{where}: a reply that does not decode") from None
            if reply is not _NO_REPLY:
                assert isinstance(reply, dict)
                if reply.get("type") == "error" and reply.get("code") == "unauthorized":
                    raise PermissionError(f"{where} refused the token of endpoint.json")
                return reply
            chunk = s.recv(65536)
            received += len(chunk)
            if not chunk or received > TCP_REPLY_MAX:
                raise ConnectionError(f"{where}: the daemon closed the connection "
                                      "without a reply")
            try:
                parser.feed(chunk)
            except ReplyError:
                raise ConnectionError(f"{where}: a reply over the bound") from None


#: Windows: how often, and how long, replacing endpoint.json is retried while a client
#: has the old one open (Windows refuses to replace an open file).
REPLACE_RETRY_SECONDS: Final = 0.05
REPLACE_RETRIES: Final = 100


def _replace(src: Path, dst: Path) -> None:
    """``os.replace``; on Windows retried for a bounded time while a reader holds ``dst``."""
    if sys.platform != "win32":
        os.replace(src, dst)
        return
    import time

    for _ in range(REPLACE_RETRIES - 1):
        try:
            os.replace(src, dst)
            return
        except PermissionError:
            time.sleep(REPLACE_RETRY_SECONDS)
    os.replace(src, dst)


def listen_backlog() -> int:
    """The platform's maximum listen backlog (the kernel caps a larger value anyway), so
    a burst of connects never fails with EAGAIN."""
    try:
        with open("/proc/sys/net/core/somaxconn", encoding="ascii") as f:
            return max(int(f.read().strip()), socket.SOMAXCONN)
    except (OSError, ValueError):
        return max(socket.SOMAXCONN, 4096)


# --- service managers: systemd and launchd --------------------------------------------

#: The name of the ``Sockets`` entry in the LaunchAgent plist (launchd/).
LAUNCHD_SOCKET_NAME: Final = "Listeners"
_LISTEN_VARS: Final = ("LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES")


def inherited_sockets(environ: Mapping[str, str]) -> list[socket.socket]:
    """Sockets passed by systemd socket activation (LISTEN_FDS / LISTEN_PID / LISTEN_FDNAMES).

    As ``sd_listen_fds(1)``: only when LISTEN_PID is this process; the variables are then
    removed from ``os.environ`` so that no child process takes them for its own.  Every
    passed descriptor must be a listening Unix stream socket (``Accept=no``)."""
    pid = environ.get("LISTEN_PID", "")
    count = environ.get("LISTEN_FDS", "")
    if not pid.isdigit() or int(pid) != os.getpid() or not count.isdigit():
        return []
    names = environ.get("LISTEN_FDNAMES", "")  # read before ``environ`` may lose it
    for key in _LISTEN_VARS:
        os.environ.pop(key, None)
    fds = range(SD_LISTEN_FDS_START, SD_LISTEN_FDS_START + int(count))
    if names and len(names.split(":")) != len(fds):
        log.warning("LISTEN_FDNAMES does not name every passed socket; names ignored")
    return [_adopt(fd, "systemd") for fd in fds]


def _adopt(fd: int, manager: str) -> socket.socket:
    """Wrap an inherited descriptor, checking it is a listening Unix stream socket."""
    try:
        os.set_inheritable(fd, False)
        sock = socket.socket(fileno=fd)
    except OSError as exc:
        raise ServiceError(f"descriptor {fd} passed by {manager} is not a socket "
                           f"({exc.strerror or exc})") from None
    listening = sock.getsockopt(socket.SOL_SOCKET, getattr(socket, "SO_ACCEPTCONN", 0x0002))
    unix = getattr(socket, "AF_UNIX", -1)
    if sock.family != unix or sock.type != socket.SOCK_STREAM or not listening:
        sock.detach()
        raise ServiceError(f"descriptor {fd} passed by {manager} is not a listening Unix "
                           "stream socket (use ListenStream= with Accept=no)")
    return sock


_ActivateFn = Callable[[bytes, Any, Any], int]


def _launch_activate_socket_fn() -> _ActivateFn | None:
    """libSystem's ``launch_activate_socket``, or None where it does not exist (not macOS).

    The one place the tests stub: everything around the call is exercised for real."""
    try:
        fn = ctypes.CDLL(None).launch_activate_socket
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.POINTER(ctypes.c_int)),
                   ctypes.POINTER(ctypes.c_size_t)]
    fn.restype = ctypes.c_int
    return cast(_ActivateFn, fn)


def launchd_sockets(name: str = LAUNCHD_SOCKET_NAME) -> list[socket.socket]:
    """The sockets of the plist's ``Sockets`` entry ``name``; [] when not run by launchd."""
    fn = _launch_activate_socket_fn()
    if fn is None:
        return []
    fds = ctypes.POINTER(ctypes.c_int)()
    count = ctypes.c_size_t(0)
    err = fn(name.encode("ascii"), ctypes.byref(fds), ctypes.byref(count))
    if err in (errno.ESRCH, errno.ENOENT):  # not a launchd job / no such Sockets entry
        return []
    if err != 0:
        raise ServiceError(f"launch_activate_socket failed ({os.strerror(err)})")
    try:
        raw = [int(fds[i]) for i in range(count.value)]
    finally:
        libc = ctypes.CDLL(None)
        libc.free.argtypes = [ctypes.c_void_p]
        libc.free(ctypes.cast(fds, ctypes.c_void_p))
    return [_adopt(fd, "launchd") for fd in raw]


def activated_sockets(environ: Mapping[str, str]) -> tuple[list[socket.socket], str]:
    """Sockets handed over by a service manager and its name, or ``([], "")``."""
    socks = inherited_sockets(environ)
    if socks:
        return socks, "systemd"
    socks = launchd_sockets()
    if socks:
        return socks, "launchd"
    return [], ""


def socket_is_live(sock: Path, timeout: float = 1.0) -> bool:
    """Whether something accepts connections on ``sock`` (a daemon, or a service manager
    holding the socket for activation)."""
    if sys.platform == "win32":
        return False  # no Unix sockets: nothing can accept on a path
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        try:
            s.connect(os.fspath(sock))
        except (ConnectionRefusedError, FileNotFoundError):
            return False
        except OSError as exc:
            # EAGAIN: the backlog is full, so someone listens.
            return exc.errno in (errno.EAGAIN, errno.EWOULDBLOCK) or isinstance(exc, TimeoutError)
    return True


def sd_notify(state: str, environ: Mapping[str, str] = os.environ) -> bool:
    """Send ``state`` to NOTIFY_SOCKET (path or abstract); False when there is none."""
    addr = environ.get("NOTIFY_SOCKET", "")
    if not addr:
        return False
    if not sys.platform.startswith("linux"):
        return False  # systemd is Linux only
    if addr.startswith("@"):
        addr = "\0" + addr[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as s:
            s.connect(addr)
            s.sendall(state.encode("ascii"))
    except OSError as exc:
        log.warning("could not notify the service manager (%s)", exc.strerror or exc)
        return False
    return True


def watchdog_interval(environ: Mapping[str, str]) -> float | None:
    """Seconds between ``WATCHDOG=1`` pings (half of WATCHDOG_USEC), or None when systemd
    did not ask for them (or asked another pid)."""
    usec = environ.get("WATCHDOG_USEC", "")
    pid = environ.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) == 0:
        return None
    if pid and (not pid.isdigit() or int(pid) != os.getpid()):
        return None
    return int(usec) / 2e6
