"""clients/spec.json is generated from tests/clientspec.py and agrees with the daemon."""

from __future__ import annotations

import ntpath
import os
from pathlib import Path

import pytest

from metricsd import PROTO
from metricsd.core import wire
from tests import clientspec


def test_generated_files_are_current() -> None:
    assert clientspec.main(["--check"]) == 0


def test_limits_and_proto_match_the_daemon() -> None:
    spec = clientspec.SPEC
    assert spec["proto"] == PROTO
    assert spec["limits"]["max_message_bytes"] == wire.MAX_MESSAGE_BYTES
    assert spec["limits"]["max_string_bytes"] == wire.MAX_STRING_BYTES


def test_usage_forms_match_the_protocol() -> None:
    from metricsd.core import protocol

    forms = clientspec.SPEC["usage_forms"]
    assert set(forms["usage"]) == protocol._SPLIT_FIELDS
    assert set(forms["usage_total"]) == protocol._TOTAL_FIELDS
    assert set(forms["usage_read_write"]) == protocol._READ_WRITE_FIELDS


def test_the_address_rule_is_the_daemons_for_each_platform(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One rule (clients/spec.json) = the daemon's platformdirs call = the Python
    client's, for linux, darwin and win32 (simulated: platformdirs' classes for each
    platform run here).  On Windows the endpoint file is in %LOCALAPPDATA%\\Temp\\metricsd,
    where the daemon writes it, not in ...\\metricsd\\metricsd."""
    import platformdirs.macos
    import platformdirs.unix
    import platformdirs.windows
    from metricsd_client._paths import runtime_dir

    from metricsd.settings import APP

    xdg = tmp_path / "xdg"
    xdg.mkdir(mode=0o700)
    local = "C:\\Users\\app\\AppData\\Local"
    env = {"XDG_RUNTIME_DIR": str(xdg), "LOCALAPPDATA": local, "HOME": str(tmp_path)}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("WIN_PD_OVERRIDE_LOCAL_APPDATA", local)
    daemons = {
        "linux": platformdirs.unix.Unix(APP, appauthor=False).user_runtime_dir,
        "darwin": platformdirs.macos.MacOS(APP, appauthor=False).user_runtime_dir,
        "win32": platformdirs.windows.Windows(APP, appauthor=False).user_runtime_dir,
    }
    # platformdirs joins with this platform's separator; Windows reads either.
    daemons["win32"] = ntpath.normpath(daemons["win32"])
    from metricsd.settings import runtime_dir as daemon_rule

    for platform, daemon in daemons.items():
        rule = clientspec.runtime_dir(platform, env, uid=os.geteuid(), home=str(tmp_path),
                                      tmp="/tmp")
        assert rule == daemon == runtime_dir(platform, env), platform
        # The daemon's own function, evaluated for that platform (install.py's too).
        assert str(daemon_rule(platform, env, tmp_path)) == daemon, platform
    # Without a private XDG_RUNTIME_DIR, macOS falls back to ~/Library/Caches/TemporaryItems.
    bare = {k: v for k, v in env.items() if k != "XDG_RUNTIME_DIR"}
    assert str(daemon_rule("darwin", bare, tmp_path)) == clientspec.runtime_dir(
        "darwin", bare, uid=os.geteuid(), home=str(tmp_path), tmp="/tmp") == str(
        tmp_path / "Library" / "Caches" / "TemporaryItems" / "metricsd")
    assert daemons["win32"] == local + "\\Temp\\metricsd"
    # And the daemon's own default here is the rule's.
    from metricsd.settings import default_socket

    assert str(default_socket().parent) == daemons["linux"]


def test_streams_auth_and_supervision_match_the_daemon_and_the_python_client() -> None:
    from metricsd_client import _engine, _sidecar, _wire

    from metricsd.core import protocol, streams
    from metricsd.server import AUTH_TIMEOUT_SECONDS

    spec = clientspec.SPEC
    assert spec["streams"]["stream_id_bytes"] == streams.STREAM_ID_BYTES == _wire.STREAM_ID_BYTES
    assert spec["streams"]["replay_max_events"] == _engine.MAX_QUEUE_MESSAGES
    assert spec["streams"]["replay_max_bytes"] == _engine.MAX_QUEUE_BYTES
    assert spec["streams"]["forget_after_days"] == streams.FORGET_AFTER_DAYS
    assert spec["auth"]["nonce_bytes"] == _wire.NONCE_BYTES == protocol.NONCE_BYTES
    assert spec["auth"]["min_nonce_bytes"] == protocol.MIN_NONCE_BYTES
    assert spec["auth"]["max_nonce_bytes"] == protocol.MAX_NONCE_BYTES
    assert spec["auth"]["proof_timeout_ms"] == _wire.PROOF_TIMEOUT * 1000
    assert spec["auth"]["auth_timeout_ms"] == AUTH_TIMEOUT_SECONDS * 1000
    sup = spec["supervision"]
    assert sup["fast_failure_ms"] == _sidecar.FAST_FAILURE_SECONDS * 1000
    assert sup["fast_failures_before_slow"] == _sidecar.FAST_FAILURES_BEFORE_SLOW
    assert sup["restart_backoff_min_ms"] == _sidecar.RESTART_BACKOFF_MIN * 1000
    assert sup["restart_backoff_max_ms"] == _sidecar.RESTART_BACKOFF_MAX * 1000
    assert sup["slow_restart_ms"] == _sidecar.SLOW_RESTART * 1000
