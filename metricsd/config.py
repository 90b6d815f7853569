"""config.toml (consent flag, endpoint) and the dev-build marker.  Blocking file I/O.

The config file belongs to the user; we read it with tomlkit and, for ``consent``,
change exactly one value while keeping its comments and layout.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import tomlkit
import tomlkit.exceptions
from tomlkit.items import Table

CONSENT_TABLE: Final = "desktop"
CONSENT_KEY: Final = "metrics"
ENDPOINT_TABLE: Final = "metrics"
ENDPOINT_KEY: Final = "endpoint"
DEV_ENV: Final = "METRICSD_DEV_BUILD"


@dataclass(frozen=True, slots=True)
class ConfigState:
    opted_in: bool
    endpoint: str | None
    #: Why the file could not be used (daemon-written; never file content), or None.
    problem: str | None = None
    #: The file does not exist: the normal state before anyone opted in, not a problem.
    missing: bool = False


def read_config(path: Path) -> ConfigState:
    """Read consent and endpoint.  Missing, unreadable or malformed means opted out."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ConfigState(False, None, f"{path} does not exist: metrics are off",
                           missing=True)
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8"
        return ConfigState(False, None, f"cannot read {path} ({reason}): metrics are off")
    try:
        doc = tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as exc:
        return ConfigState(False, None, f"{path} is not valid TOML (line {exc.line}, column "
                                        f"{exc.col}): metrics are off")
    opted_in = False
    desktop = doc.get(CONSENT_TABLE)
    problem = None
    if isinstance(desktop, Mapping):
        flag = desktop.get(CONSENT_KEY)
        if flag is True:
            opted_in = True
        elif flag is not None and flag is not False:
            problem = (f"{path}: [{CONSENT_TABLE}] {CONSENT_KEY} must be true or false: "
                       "metrics are off")
    endpoint = None
    metrics = doc.get(ENDPOINT_TABLE)
    if isinstance(metrics, Mapping):
        value = metrics.get(ENDPOINT_KEY)
        if isinstance(value, str) and value.strip():
            endpoint = str(value).strip()
    return ConfigState(opted_in, endpoint, problem)


def set_consent(path: Path, on: bool) -> None:
    """Set ``[desktop] metrics`` and nothing else; create the file and table if needed.

    Raises ``ValueError`` for a file that is not valid TOML (we never overwrite it)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    try:
        doc = tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as exc:
        raise ValueError(f"{path} is not valid TOML (line {exc.line}, column {exc.col}); "
                         "fix it by hand, it was not changed") from None
    desktop: Any = doc.get(CONSENT_TABLE)
    if desktop is None:
        table = tomlkit.table()
        table.add(CONSENT_KEY, on)
        doc.add(CONSENT_TABLE, table)
    elif isinstance(desktop, Table):
        desktop[CONSENT_KEY] = on
    else:
        raise ValueError(f"{path}: '{CONSENT_TABLE}' is not a table; it was not changed")
    _atomic_write(path, tomlkit.dumps(doc))


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = 0o600
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def dev_env(environ: Mapping[str, str]) -> bool:
    value = environ.get(DEV_ENV, "")
    return value not in ("", "0")


def is_dev_build(environ: Mapping[str, str], marker: Path) -> bool:
    return dev_env(environ) or marker.exists()


class Watcher:
    """Re-reads config.toml and the dev marker only when their stat changes."""

    def __init__(self, config: Path, marker: Path, environ: Mapping[str, str]) -> None:
        self._config = config
        self._marker = marker
        self._dev_env = dev_env(environ)
        self._key: object = object()
        self.state = ConfigState(False, None)
        self.dev = self._dev_env

    def refresh(self) -> bool:
        """Re-read if anything changed; True when it did."""
        key = (_stat_key(self._config), _stat_key(self._marker))
        if key == self._key:
            return False
        self._key = key
        self.state = read_config(self._config)
        self.dev = self._dev_env or key[1] is not None
        return True


def _stat_key(path: Path) -> tuple[int, int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
