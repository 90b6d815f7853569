"""Where things live and what the command line asked: flags, then environment, then
platformdirs defaults.  Resolved once, by the command line; nothing below it reads the
environment.  The default socket path is computed only when it is needed, so a daemon
handed a socket by systemd or launchd never touches the runtime directory."""

from __future__ import annotations

import os
import platform
import sys
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import platformdirs

from metricsd.core.batches import Host

APP: Final = "metricsd"
SOCKET_NAME: Final = "metricsd.sock"
CONFIG_NAME: Final = "config.toml"
DEV_MARKER_NAME: Final = "DEV_BUILD"
DB_NAME: Final = "metrics.sqlite3"
#: The egress lock's file, in the state directory beside the database.
EGRESS_LOCK_NAME: Final = "egress.lock"

ENV_SOCKET: Final = "METRICSD_SOCKET"
ENV_STATE_DIR: Final = "METRICSD_STATE_DIR"
ENV_CONFIG: Final = "METRICSD_CONFIG"
ENV_ENDPOINT: Final = "METRICSD_ENDPOINT"


class SettingsError(Exception):
    """A path cannot be determined; the message says what to set instead."""


@dataclass(frozen=True, slots=True)
class Settings:
    #: --socket or METRICSD_SOCKET; None: the platformdirs default (see :meth:`socket`).
    socket_override: Path | None
    state_dir: Path
    config: Path
    dev_marker: Path
    endpoint_flag: str | None
    endpoint_env: str | None
    #: The environment the command started with (the consent veto and dev flag read it).
    environ: Mapping[str, str]

    @property
    def db(self) -> Path:
        return self.state_dir / DB_NAME

    @property
    def socket(self) -> Path:
        """The socket path: the override, or the platformdirs default."""
        return self.socket_override if self.socket_override is not None else default_socket()


def default_socket() -> Path:
    """``user_runtime_dir("metricsd", appauthor=False)/metricsd.sock``.  Without
    XDG_RUNTIME_DIR, platformdirs falls back to ``/tmp/runtime-<uid>``: ``run`` checks that
    directory chain is safe before serving in it."""
    try:
        return runtime_dir() / SOCKET_NAME
    except Exception as exc:
        raise SettingsError(f"cannot determine the runtime directory ({type(exc).__name__}); "
                            "set XDG_RUNTIME_DIR or use --socket") from None


def _private_dir(path: str) -> bool:
    """A directory (not a symlink) of this user's with mode 0700."""
    import stat

    try:
        st = os.lstat(path)
    except OSError:
        return False
    return (stat.S_ISDIR(st.st_mode) and st.st_mode & 0o777 == 0o700
            and st.st_uid == getattr(os, "geteuid", lambda: st.st_uid)())


def runtime_dir(platform: str | None = None, environ: Mapping[str, str] | None = None,
                home: Path | None = None) -> Path:
    """The daemon's runtime directory (the socket's, or endpoint.json's): the one address
    rule, ``address`` in clients/spec.json.  For this platform and environment it is
    ``platformdirs.user_runtime_dir("metricsd", appauthor=False)`` itself; for another
    ``platform`` (``linux``, ``darwin``, ``win32``...), ``environ`` and ``home`` it is the
    same rule evaluated here (an installer writing another user's or platform's files):

    * win32: ``%LOCALAPPDATA%\\Temp\\metricsd``;
    * darwin: ``$XDG_RUNTIME_DIR/metricsd`` when that is a private directory of the
      user's, else ``~/Library/Caches/TemporaryItems/metricsd``;
    * elsewhere: ``$XDG_RUNTIME_DIR/metricsd``, else ``/run/user/<uid>/metricsd``
      (FreeBSD, NetBSD: ``/var/run/user``; OpenBSD: ``/tmp/run/user``), each only when a
      private directory of the user's, else ``<tmp>/runtime-<uid>/metricsd``."""
    if platform is None and environ is None and home is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return Path(platformdirs.user_runtime_dir(APP, appauthor=False))
    import ntpath
    import posixpath
    import tempfile

    platform = sys.platform if platform is None else platform
    env = os.environ if environ is None else environ
    user_home = str(home) if home is not None else os.path.expanduser("~")
    if platform == "win32":
        local = env.get("LOCALAPPDATA") or ntpath.join(user_home, "AppData", "Local")
        return Path(ntpath.join(ntpath.normpath(local), "Temp", APP))
    xdg = env.get("XDG_RUNTIME_DIR", "")
    if posixpath.isabs(xdg) and _private_dir(xdg):
        return Path(xdg) / APP
    if platform == "darwin":
        return Path(user_home) / "Library" / "Caches" / "TemporaryItems" / APP
    uid = os.geteuid() if hasattr(os, "geteuid") else 0
    base = (f"/tmp/run/user/{uid}" if platform.startswith("openbsd")
            else f"/var/run/user/{uid}" if platform.startswith(("freebsd", "netbsd"))
            else f"/run/user/{uid}")
    if _private_dir(base):
        return Path(base) / APP
    return Path(env.get("TMPDIR") or tempfile.gettempdir()) / f"runtime-{uid}" / APP


def this_host() -> Host:
    return Host.of(sys.platform, platform.machine())


def resolve(*, socket: str | None = None, state_dir: str | None = None,
            config: str | None = None, endpoint: str | None = None,
            dev_marker: str | None = None,
            environ: Mapping[str, str] = os.environ) -> Settings:
    def pick(flag: str | None, env: str) -> str | None:
        if flag:
            return flag
        value = environ.get(env, "")
        return value or None

    sock = pick(socket, ENV_SOCKET)
    state = pick(state_dir, ENV_STATE_DIR)
    cfg = pick(config, ENV_CONFIG)
    config_path = (Path(cfg) if cfg
                   else Path(platformdirs.user_config_dir(APP, appauthor=False)) / CONFIG_NAME)
    config_path = config_path.expanduser().absolute()
    marker = Path(dev_marker).expanduser() if dev_marker else config_path.parent / DEV_MARKER_NAME
    return Settings(
        socket_override=Path(sock).expanduser().absolute() if sock else None,
        state_dir=(Path(state).expanduser() if state
                   else Path(platformdirs.user_state_dir(APP, appauthor=False))).absolute(),
        config=config_path,
        dev_marker=marker.absolute(),
        endpoint_flag=endpoint or None,
        endpoint_env=environ.get(ENV_ENDPOINT) or None,
        environ=dict(environ),
    )
