"""Write ``vectors.json`` from ``cases.py``: ``python -m tests.vectors.generate [--check]``.

The JSON is what clients in other languages read; ``tests/test_vectors.py`` fails when the
checked-in file differs from what this script would write.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from tests.vectors.cases import ENCODINGS, ERRORS, EVENTS, MESSAGE_LIMIT, STR_LIMIT, Case

OUT = Path(__file__).with_name("vectors.json")
#: The Go module's own copy (the module is self-contained: its tests read only its files).
GO_COPY = Path(__file__).resolve().parent.parent.parent / "clients" / "go" / "testdata" / \
    "vectors.json"
#: Runs of one byte at least this long are written as ``"<hex byte>*<count>"``.
RUN = 32


def hex_parts(data: bytes) -> list[str]:
    """Bytes as hex strings to concatenate; ``"7a*8000"`` stands for 8000 bytes 0x7a."""
    parts: list[str] = []
    literal = bytearray()
    i = 0
    while i < len(data):
        j = i
        while j < len(data) and data[j] == data[i]:
            j += 1
        if j - i >= RUN:
            if literal:
                parts.append(literal.hex())
                literal.clear()
            parts.append(f"{data[i]:02x}*{j - i}")
        else:
            literal += data[i:j]
        i = j
    if literal or not parts:
        parts.append(literal.hex())
    return parts


def decode_parts(parts: list[str]) -> bytes:
    out = bytearray()
    for part in parts:
        if "*" in part:
            byte, count = part.split("*")
            out += bytes.fromhex(byte) * int(count)
        else:
            out += bytes.fromhex(part)
    return bytes(out)


def vector(case: Case) -> dict[str, Any]:
    v: dict[str, Any] = {
        "name": case.name,
        "description": case.description,
        "hex": hex_parts(case.data),
        "counts": case.counts,
        "replies": case.replies,
        "closed": case.closed,
        "complete": case.complete,
        "health": {"invalid_events": 0, "unknown_events": 0, **case.health},
    }
    if case.calls is not None:
        v["calls"] = case.calls
    return v


def render() -> str:
    doc = {
        "format": 1,
        "generated_from": "tests/vectors/cases.py (python -m tests.vectors.generate)",
        "limits": {"max_message_bytes": MESSAGE_LIMIT, "max_string_bytes": STR_LIMIT},
        "events": [vector(c) for c in EVENTS + ENCODINGS],
        "errors": [vector(c) for c in ERRORS],
    }
    return json.dumps(doc, indent=1, ensure_ascii=True) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        stale = [p for p in (OUT, GO_COPY) if not p.exists() or p.read_text() != text]
        for p in stale:
            print(f"{p} is out of date: run python -m tests.vectors.generate")
        return 1 if stale else 0
    for p in (OUT, GO_COPY):
        p.write_text(text)
        print(f"wrote {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
