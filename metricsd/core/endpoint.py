"""Which upload endpoints are acceptable, and which one is used.  Pure.

One rule, used by the daemon, ``flush``, ``status`` and ``disclosure``: the URL must be
``https://``, or ``http://`` to a loopback host only (a receiver on the same machine);
it may carry no user info (``user:pass@`` would travel as a header) and no fragment.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

#: Host names that are loopback by definition (besides 127.0.0.0/8 and ::1).
LOOPBACK_NAMES: Final = frozenset({"localhost", "localhost."})


class EndpointError(ValueError):
    """The endpoint is not acceptable.  The message is daemon-written: it never quotes
    the URL (a URL may hold a token), only says what is wrong with it."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    url: str
    scheme: str
    host: str
    #: Where it came from: "--endpoint", "METRICSD_ENDPOINT" or "config.toml".
    source: str

    @property
    def where(self) -> str:
        """Scheme and host only (no path, port or query), for status and disclosure."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}"


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate_endpoint(url: str, source: str) -> Endpoint:
    """Return the endpoint, or raise :class:`EndpointError` saying what is wrong."""
    text = url.strip()
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        raise EndpointError(f"the endpoint ({source}) is not a valid URL") from None
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise EndpointError(f"the endpoint ({source}) must be an https:// URL")
    if not host:
        raise EndpointError(f"the endpoint ({source}) has no host")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise EndpointError(f"the endpoint ({source}) must not contain user info "
                            "(user:password@)")
    if parts.fragment or text.endswith("#"):
        raise EndpointError(f"the endpoint ({source}) must not contain a fragment (#...)")
    if any(c.isspace() for c in text):
        raise EndpointError(f"the endpoint ({source}) must not contain spaces")
    if scheme == "http" and not is_loopback(host):
        raise EndpointError(f"the endpoint ({source}) must be https:// (plain http:// is "
                            "accepted only to a loopback host such as 127.0.0.1)")
    return Endpoint(url=text, scheme=scheme, host=host, source=source)


def choose_endpoint(flag: str | None, env: str | None, config: str | None) -> Endpoint | None:
    """The endpoint in effect: ``--endpoint``, else ``METRICSD_ENDPOINT``, else config.toml;
    ``None`` when none is set.  Raises :class:`EndpointError` for an unacceptable one."""
    for value, source in ((flag, "--endpoint"), (env, "METRICSD_ENDPOINT"),
                          (config, "config.toml")):
        if value is not None and value.strip():
            return validate_endpoint(value, source)
    return None
