"""What a newcomer reads in the first hour is true: `show`, `status` and `consent` say what
will happen to the counts and, when nothing will be sent, why.  Real daemons, real
commands."""

from __future__ import annotations

import json

from tests.conftest import DaemonFactory, Home, clean_env, cli, stream


def test_show_under_the_veto_does_not_present_bodies_as_the_next_upload(
        home: Home, daemons: DaemonFactory) -> None:
    d = daemons.start(home)
    stream(d)
    assert d.stop() == 0
    veto = clean_env(DO_NOT_TRACK="1")
    plain = cli(home, "show")
    assert plain.stdout.startswith("not yet in a batch"), plain.stdout  # without the veto
    out = cli(home, "show", env=veto)
    assert out.returncode == 0, out.stderr
    first = out.stdout.splitlines()[0]
    assert first.startswith("nothing will be uploaded") and "DO_NOT_TRACK" in first, first
    assert "not sent" in out.stdout and "gets its batch id at the next upload" not in out.stdout
    listed = cli(home, "show", "--json", env=veto)
    assert json.loads(listed.stdout) == [] and "DO_NOT_TRACK" in listed.stderr
    status = cli(home, "status", env=veto)
    assert "uploads:     no: metrics are off (DO_NOT_TRACK" in status.stdout, status.stdout


def test_after_a_dev_build_session_show_and_status_agree_the_counts_stay_local(
        home: Home, daemons: DaemonFactory) -> None:
    d = daemons.start(home, env=clean_env(METRICSD_DEV_BUILD="1"))
    stream(d)  # three turns
    running = cli(home, "status")
    assert "uploads:     no: dev build" in running.stdout, running.stdout
    assert "never uploads them" in running.stdout
    assert d.stop() == 0
    for env in (clean_env(METRICSD_DEV_BUILD="1"), clean_env()):
        shown = cli(home, "show", env=env).stdout
        status = cli(home, "status", env=env).stdout
        assert "turns 3" in status
        assert "dev counts:  turns 3" in status and "never uploaded" in status, status
        assert "counted under a dev build: kept on this machine and never uploaded" in shown
        assert "turns" in shown.split("counted under a dev build")[1]
    dev_show = cli(home, "show", env=clean_env(METRICSD_DEV_BUILD="1")).stdout
    assert dev_show.startswith("nothing will be uploaded: dev build"), dev_show


def test_consent_on_without_an_endpoint_says_how_to_set_one(home: Home) -> None:
    home.opt_in(False)
    out = cli(home, "consent", "on")
    assert out.returncode == 0, out.stderr
    assert "no endpoint is configured" in out.stdout
    for way in ("--endpoint", "METRICSD_ENDPOINT", "[metrics] table", str(home.config)):
        assert way in out.stdout, way
    status = cli(home, "status").stdout
    assert "uploads:     no: no endpoint is configured (--endpoint" in status, status
