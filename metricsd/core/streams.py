"""Sans-IO replayable streams: per-stream high-water marks (docs/PROTOCOL.md, "Replayable
streams").

A client that names its stream in ``hello`` (``stream``, ``seq``) numbers its events; the
daemon counts each number once, in order, whatever connection it arrives on, and tells
the client two numbers: ``counted`` (in ``resume``: the highest number already counted,
skipped if sent again) and ``committed`` (in ``ack``: the highest number durably
committed, which the client may then forget).  The committed mark of a stream is written
in the same transaction as the counts it covers (:meth:`Streams.take` is called where the
tally's deltas are taken), so a crash can never separate them.

Only one connection serves a stream at a time: :meth:`Streams.claim` returns the current
owner when another connection holds it, and the shell closes that one (after reading what
it already sent) before the new one is served.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

#: A stream id: 16 bytes (``bin``) or 32 hex characters on the wire; stored as 16 bytes.
STREAM_ID_BYTES: Final = 16
#: A stream not seen for this long is forgotten (its mark is deleted).
FORGET_AFTER_DAYS: Final = 7
FORGET_AFTER_SECONDS: Final = FORGET_AFTER_DAYS * 86400
#: The event messages that take a number on a named stream.
NUMBERED: Final = frozenset(("turn", "usage", "provider_error", "tool_result", "compaction"))


def parse_stream_id(value: object) -> bytes | None:
    """A stream id from the wire: 16 bytes as ``bin``, or 32 hex characters; None when it
    is neither (the ``hello`` is then ``invalid_event``).  Never a free-form string: what
    is kept is these 16 bytes, re-encoded."""
    if type(value) is bytes:
        return value if len(value) == STREAM_ID_BYTES else None
    if type(value) is str and len(value) == 2 * STREAM_ID_BYTES:
        try:
            return bytes.fromhex(value)
        except ValueError:
            return None
    return None


class Stream:
    """One stream's marks.  ``counted`` >= ``committed``; -1 means none yet."""

    __slots__ = ("committed", "counted", "dirty", "id", "owner", "seen")

    def __init__(self, stream_id: bytes, counted: int = -1, seen: float = 0.0) -> None:
        self.id = stream_id
        self.counted = counted
        self.committed = counted
        #: Changed since the last :meth:`Streams.take` (its mark or its last-seen time).
        self.dirty = False
        #: The connection (its session) serving the stream, or None.
        self.owner: object | None = None
        #: Wall-clock time the stream was last used (kept with its mark).
        self.seen = seen


class Streams:
    """Every stream the daemon knows, loaded from the store at start."""

    __slots__ = ("_streams",)

    def __init__(self, known: Mapping[bytes, tuple[int, float]] | None = None) -> None:
        self._streams: dict[bytes, Stream] = {}
        self.load(known or {})

    def load(self, known: Mapping[bytes, tuple[int, float]]) -> None:
        """Add the marks the store holds (at start, before any connection)."""
        for sid, (counted, seen) in known.items():
            if sid not in self._streams:
                self._streams[sid] = Stream(sid, counted, seen)

    def __len__(self) -> int:
        return len(self._streams)

    def get(self, stream_id: bytes) -> Stream:
        stream = self._streams.get(stream_id)
        if stream is None:
            stream = self._streams[stream_id] = Stream(stream_id)
        return stream

    def claim(self, stream_id: bytes, owner: object) -> tuple[Stream, object | None]:
        """``(stream, None)`` when ``owner`` now serves the stream; ``(stream, other)``
        when another connection still does (close it first, then claim again)."""
        stream = self.get(stream_id)
        current = stream.owner
        if current is not None and current is not owner:
            return stream, current
        stream.owner = owner
        stream.dirty = True  # its last-seen time moves
        return stream, None

    @staticmethod
    def release(stream: Stream, owner: object) -> None:
        if stream.owner is owner:
            stream.owner = None

    def take(self) -> dict[bytes, int]:
        """The marks to commit with the deltas taken now (the streams changed since the
        last take).  Call it exactly where the tally's deltas are taken."""
        out = {}
        for stream in self._streams.values():
            if stream.dirty:
                stream.dirty = False
                out[stream.id] = stream.counted
        return out

    def restore(self, marks: Iterable[bytes]) -> None:
        """A commit of ``marks`` failed: take them again next time."""
        for sid in marks:
            stream = self._streams.get(sid)
            if stream is not None:
                stream.dirty = True

    def committed(self, marks: Mapping[bytes, int], now: float) -> None:
        """A commit of ``marks`` succeeded (or, with metrics off, the events they cover
        were discarded): they are what an ``ack`` reports from now on."""
        for sid, mark in marks.items():
            stream = self._streams.get(sid)
            if stream is not None:
                if mark > stream.committed:
                    stream.committed = mark
                stream.seen = now

    def forget(self, before: float) -> int:
        """Forget streams not seen since ``before`` and not in use; how many."""
        old = [sid for sid, s in self._streams.items()
               if s.seen < before and s.owner is None and not s.dirty]
        for sid in old:
            del self._streams[sid]
        return len(old)
