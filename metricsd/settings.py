"""Where things live: flags, then environment, then platformdirs defaults.  Resolved once."""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import platformdirs

from metricsd.store import DB_NAME

APP: Final = "metricsd"
SOCKET_NAME: Final = "metricsd.sock"
CONFIG_NAME: Final = "config.toml"
DEV_MARKER_NAME: Final = "DEV_BUILD"

ENV_SOCKET: Final = "METRICSD_SOCKET"
ENV_STATE_DIR: Final = "METRICSD_STATE_DIR"
ENV_CONFIG: Final = "METRICSD_CONFIG"
ENV_ENDPOINT: Final = "METRICSD_ENDPOINT"


@dataclass(frozen=True, slots=True)
class Settings:
    socket: Path
    state_dir: Path
    config: Path
    dev_marker: Path
    #: Endpoint from --endpoint or METRICSD_ENDPOINT; config.toml is consulted later.
    endpoint_override: str | None

    @property
    def db(self) -> Path:
        return self.state_dir / DB_NAME


def default_socket() -> Path:
    with warnings.catch_warnings():
        # Without XDG_RUNTIME_DIR platformdirs falls back to /tmp/runtime-$UID and warns;
        # the daemon checks that directory is ours and 0700 before using it.
        warnings.simplefilter("ignore")
        return Path(platformdirs.user_runtime_dir(APP)) / SOCKET_NAME


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
        socket=(Path(sock).expanduser() if sock else default_socket()).absolute(),
        state_dir=(Path(state).expanduser() if state
                   else Path(platformdirs.user_state_dir(APP, appauthor=False))).absolute(),
        config=config_path,
        dev_marker=marker.absolute(),
        endpoint_override=pick(endpoint, ENV_ENDPOINT),
    )
