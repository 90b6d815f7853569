"""Wait for a change to a few files (config.toml, the dev marker) without polling.

* Linux: inotify, through ctypes (three libc calls; no dependency to vendor into an app
  bundle, and ctypes works under ``MemoryDenyWriteExecute=yes``), and the mount table
  (``/proc/self/mountinfo``): a bind mount over config.toml makes no inotify event.
* macOS and the BSDs: kqueue (``select.kqueue``), on the directories and the files.
* Anywhere else: a stat poll once a second (the only periodic wake-up, and only there).

The *directories* are watched, not the files: editors replace a file by renaming a new
one over it.  A directory that does not exist yet (no config directory before the first
``metricsd consent on``) is covered by watching its nearest existing ancestor for the
child's creation.  After every wake-up the watches are re-armed before :meth:`changed`
returns, so the caller's re-read that follows sees every change made after it.  Arming stats
directories, so it runs on a worker thread (:func:`open_watcher` too: call it through
``trio.to_thread.run_sync``).
"""

from __future__ import annotations

import ctypes
import os
import select
import struct
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final, Protocol

import trio

#: Seconds between stat polls where neither inotify nor kqueue exists.
POLL_SECONDS: Final = 1.0


class FileWatcher(Protocol):
    kind: str

    async def changed(self) -> None:
        """Return once one of the files may have changed (re-armed already)."""

    def close(self) -> None: ...


def _anchors(files: Iterable[Path]) -> dict[Path, set[str]]:
    """Directory to watch -> names in it that matter.  For a file whose directory is
    missing, its nearest existing ancestor and the name of the child on the way down."""
    out: dict[Path, set[str]] = {}
    for f in files:
        for target in {f.absolute(), Path(os.path.realpath(f))}:
            child = target.name
            parent = target.parent
            while not parent.is_dir() and parent != parent.parent:
                child = parent.name
                parent = parent.parent
            out.setdefault(parent, set()).add(child)
    return out


# --- inotify ---------------------------------------------------------------------------

_IN_MODIFY: Final = 0x002
_IN_ATTRIB: Final = 0x004
_IN_CLOSE_WRITE: Final = 0x008
_IN_MOVED_FROM: Final = 0x040
_IN_MOVED_TO: Final = 0x080
_IN_CREATE: Final = 0x100
_IN_DELETE: Final = 0x200
_IN_DELETE_SELF: Final = 0x400
_IN_MOVE_SELF: Final = 0x800
_IN_Q_OVERFLOW: Final = 0x4000
_IN_IGNORED: Final = 0x8000
_IN_ONLYDIR: Final = 0x01000000
_WATCH_MASK: Final = (_IN_MODIFY | _IN_ATTRIB | _IN_CLOSE_WRITE | _IN_MOVED_FROM
                      | _IN_MOVED_TO | _IN_CREATE | _IN_DELETE | _IN_DELETE_SELF
                      | _IN_MOVE_SELF | _IN_ONLYDIR)
#: Events about the watched directory itself (or the queue): always relevant.
_SELF_EVENTS: Final = _IN_DELETE_SELF | _IN_MOVE_SELF | _IN_Q_OVERFLOW | _IN_IGNORED
_EVENT: Final = struct.Struct("iIII")


def _libc() -> Any:
    return ctypes.CDLL(None, use_errno=True)


class MountWatch:
    """Linux: wakes when the mount table changes (a bind mount over config.toml or its
    directory makes no inotify event on the watched directory).  ``/proc/self/mountinfo``
    reports a change as ``POLLPRI``/``POLLERR``; it is always "readable", so it is
    registered for ``EPOLLPRI`` alone in an epoll set of its own, whose descriptor
    becomes readable only on a change.  Polling that set clears the change."""

    def __init__(self) -> None:
        self._fd = os.open("/proc/self/mountinfo", os.O_RDONLY | os.O_CLOEXEC)
        try:
            self._ep = select.epoll()
            self._ep.register(self._fd, select.EPOLLPRI)
        except BaseException:
            os.close(self._fd)
            raise

    async def changed(self) -> None:
        # Readiness is judged by polling mountinfo, which may itself clear the change
        # before this task runs: every wake-up counts (a spare one only re-decides).
        await trio.lowlevel.wait_readable(self._ep.fileno())
        self._ep.poll(0)

    def close(self) -> None:
        self._ep.close()
        os.close(self._fd)


def _mount_watch() -> MountWatch | None:
    try:
        return MountWatch()
    except (OSError, AttributeError):  # no /proc, or no epoll
        return None


class InotifyWatcher:
    kind = "inotify"

    def __init__(self, files: list[Path]) -> None:
        self._files = files
        self._libc = _libc()
        self._fd = -1
        self._names: dict[int, set[str]] = {}
        self._mounts: MountWatch | None = None
        self._arm()
        self._mounts = _mount_watch()

    def _arm(self) -> None:
        self._close_inotify()
        fd = self._libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if fd < 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err))
        self._fd = fd
        self._names = {}
        for directory, names in _anchors(self._files).items():
            wd = self._libc.inotify_add_watch(fd, os.fsencode(directory), _WATCH_MASK)
            if wd >= 0:
                self._names[wd] = names

    def _relevant(self, data: bytes) -> bool:
        offset = 0
        while offset + _EVENT.size <= len(data):
            wd, mask, _cookie, length = _EVENT.unpack_from(data, offset)
            raw = data[offset + _EVENT.size: offset + _EVENT.size + length]
            offset += _EVENT.size + length
            if mask & _SELF_EVENTS:
                return True
            name = os.fsdecode(raw.split(b"\0", 1)[0])
            if name in self._names.get(wd, ()):
                return True
        return False

    async def _file_event(self) -> None:
        while True:
            await trio.lowlevel.wait_readable(self._fd)
            relevant = False
            while True:
                try:
                    data = os.read(self._fd, 64 * 1024)
                except BlockingIOError:
                    break
                relevant = relevant or self._relevant(data)
            if relevant:
                return

    async def changed(self) -> None:
        """A relevant inotify event, or any change of the mount table (then the watches
        are re-armed on whatever is mounted now)."""
        mounts = self._mounts
        if mounts is None:
            await self._file_event()
        else:
            async with trio.open_nursery() as nursery:
                async def first(wait: Any) -> None:
                    await wait()
                    nursery.cancel_scope.cancel()
                nursery.start_soon(first, self._file_event)
                nursery.start_soon(first, mounts.changed)
        await trio.to_thread.run_sync(self._arm)  # stats and syscalls: off-thread

    def _close_inotify(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def close(self) -> None:
        self._close_inotify()
        if self._mounts is not None:
            self._mounts.close()
            self._mounts = None


# --- kqueue ----------------------------------------------------------------------------

class KqueueWatcher:
    kind = "kqueue"

    def __init__(self, files: list[Path]) -> None:
        self._files = files
        self._kq: Any = None
        self._fds: list[int] = []
        self._arm()

    def _arm(self) -> None:
        self.close()
        kq = select.kqueue()  # type: ignore[attr-defined,unused-ignore]
        self._kq = kq
        paths: set[Path] = set(_anchors(self._files))
        paths.update(f for f in self._files if f.exists())
        flags = (select.KQ_NOTE_WRITE | select.KQ_NOTE_DELETE  # type: ignore[attr-defined,unused-ignore]
                 | select.KQ_NOTE_RENAME | select.KQ_NOTE_ATTRIB  # type: ignore[attr-defined,unused-ignore]
                 | select.KQ_NOTE_EXTEND)  # type: ignore[attr-defined,unused-ignore]
        changes = []
        for path in paths:
            try:
                fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | getattr(os, "O_EVTONLY", 0))
            except OSError:
                continue
            self._fds.append(fd)
            changes.append(select.kevent(  # type: ignore[attr-defined,unused-ignore]
                fd, filter=select.KQ_FILTER_VNODE,  # type: ignore[attr-defined,unused-ignore]
                flags=select.KQ_EV_ADD | select.KQ_EV_CLEAR,  # type: ignore[attr-defined,unused-ignore]
                fflags=flags))
        kq.control(changes, 0, 0)

    async def changed(self) -> None:
        while True:
            await trio.lowlevel.wait_readable(self._kq.fileno())
            if self._kq.control(None, 64, 0):
                await trio.to_thread.run_sync(self._arm)
                return

    def close(self) -> None:
        for fd in self._fds:
            os.close(fd)
        self._fds = []
        if self._kq is not None:
            self._kq.close()
            self._kq = None


# --- polling fallback --------------------------------------------------------------------

class PollWatcher:
    kind = "poll"

    def __init__(self, files: list[Path]) -> None:
        self._files = files

    async def changed(self) -> None:
        await trio.sleep(POLL_SECONDS)

    def close(self) -> None:
        pass


def open_watcher(files: list[Path]) -> FileWatcher:
    """The best watcher this platform has for ``files``."""
    if sys.platform.startswith("linux"):
        try:
            return InotifyWatcher(files)
        except (OSError, AttributeError):
            pass
    if hasattr(select, "kqueue"):
        try:
            return KqueueWatcher(files)
        except OSError:
            pass
    return PollWatcher(files)
