"""The daemon's version and the wire protocol version: plain values, in the pure core."""

from typing import Final

VERSION: Final = "0.1.0"
#: The protocol version a `hello` must carry (docs/PROTOCOL.md).
PROTO: Final = 1
