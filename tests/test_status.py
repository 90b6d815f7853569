"""`metricsd status` against a real daemon: it reports what the *daemon* uses.  The
`status` reply and `health` in snapshots, which the daemon alone makes, are tried
in-process in test_daemon_inprocess.py."""

from __future__ import annotations

from tests.conftest import DaemonFactory, Home, cli


def test_metricsd_status_shows_the_daemons_endpoint_not_the_commands(
        home: Home, daemons: DaemonFactory) -> None:
    d = daemons.start(home, "--endpoint", "https://upload.example.org/v1/metrics")
    out = cli(home, "status")  # no --endpoint here: the daemon's own view is shown
    assert out.returncode == 0, out.stderr
    assert f"pid {d.proc.pid}" in out.stdout
    assert "endpoint:    https://upload.example.org" in out.stdout
    assert "uploads:     yes" in out.stdout
    assert d.stop() == 0
