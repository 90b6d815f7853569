"""Consent, dev builds and uploads end to end: real daemons, real HTTP on 127.0.0.1."""

from __future__ import annotations

import json

from metricsd.testing import seed_day
from tests.conftest import (
    EXPECTED,
    DaemonFactory,
    Home,
    clean_env,
    cli,
    db_rows,
    show,
    stream,
    upload_done,
    wait_for,
)
from tests.fake_endpoint import Receiver
from tests.inprocess import SEEDED, seed_for_next_daemon, yesterday


def test_upload_body_equals_show(home: Home, daemons: DaemonFactory,
                                 receiver: tuple[Receiver, str]) -> None:
    r, url = receiver
    seed_for_next_daemon(home, SEEDED)  # the counts of tests.conftest.stream, a day ago
    unbatched = show(home)
    assert [b["batch_id"] for b in unbatched] == [None]
    assert unbatched[0]["counts"] == EXPECTED
    # A refusal with a long Retry-After ends the start-up run: the batch keeps its id.
    r.fail_next(1, 503, retry_after="3600")
    d = daemons.start(home, "--endpoint", url)
    upload_done(d)
    assert d.stop() == 0
    pending = show(home)
    assert len(pending) == 1 and pending[0]["batch_id"] is not None
    assert {**pending[0], "batch_id": None} == unbatched[0]
    out = cli(home, "flush", "--endpoint", url)
    assert out.returncode == 0, out.stderr
    assert list(r.batches.values()) == pending
    posts = r.posts()
    assert [json.loads(p.body) for p in posts] == pending * 2
    assert all(p.headers["idempotency-key"] == pending[0]["batch_id"] for p in posts)
    assert all(p.headers["content-type"] == "application/json" for p in posts)
    assert show(home) == []


def test_opt_out_while_batches_pending_purges(
        home: Home, daemons: DaemonFactory, receiver: tuple[Receiver, str]) -> None:
    r, url = receiver
    seed_for_next_daemon(home, SEEDED)
    r.fail_next(1, 503, retry_after="3600")
    d = daemons.start(home, "--endpoint", url)
    upload_done(d)
    stream(d, turns=1)
    assert len(show(home)) == 2  # one pending batch, one unbatched body
    out = cli(home, "consent", "off")
    assert out.returncode == 0, out.stderr
    assert show(home) == []
    assert db_rows(home) == 0

    def off() -> bool:
        with d.client() as c:
            s = c.snapshot()
        return s["enabled"] is False and s["counts"] == {}

    wait_for(off, what="daemon notices opt-out")
    stream(d, turns=1)
    assert d.stop() == 0
    assert db_rows(home) == 0
    assert cli(home, "flush", "--endpoint", url).returncode == 0
    assert len(r.posts()) == 1  # only the refused attempt, nothing after opt-out


def test_flush_never_sends_dev_counts(home: Home, receiver: tuple[Receiver, str]) -> None:
    """Counts made by a dev build stay local, even when a release build flushes them
    later (the daemon's own runs: test_daemon_inprocess.py).  Release counts of the same
    day, seeded beside them, are sent: the day is complete."""
    r, url = receiver
    day = yesterday()
    seed_day(home.db, day, SEEDED, dev=True)
    seed_day(home.db, day, {("turns", ""): 1}, client_version="2.0.2")
    dev_env = clean_env(METRICSD_DEV_BUILD="1")
    assert cli(home, "flush", "--endpoint", url, env=dev_env, day=0).returncode == 0
    assert r.posts() == []  # a dev build sends nothing at all
    assert cli(home, "flush", "--endpoint", url, day=0).returncode == 0
    (body,) = r.batches.values()
    assert body["counts"] == {"turns": 1}
    assert show(home) == []  # dev counts of completed days are never kept for upload


def test_consent_round_trip_keeps_a_commented_file_identical(home: Home) -> None:
    original = (
        "# my settings\n"
        "theme = \"dark\"  # inline comment\n"
        "\n"
        "[desktop]\n"
        "# whether to share anonymous counts\n"
        "metrics = false\n"
        "zoom = 1.25\n"
        "\n"
        "[metrics]\n"
        "endpoint = \"https://example.invalid/v1/metrics\"\n"
    )
    home.config.write_text(original)
    assert cli(home, "consent").stdout.startswith("metrics off")
    assert cli(home, "consent", "on").returncode == 0
    assert home.config.read_text() == original.replace("metrics = false", "metrics = true")
    assert cli(home, "consent").stdout.startswith("metrics on")
    assert cli(home, "consent", "off").returncode == 0
    assert home.config.read_text() == original


def test_consent_creates_missing_file_and_refuses_malformed(home: Home) -> None:
    home.config.unlink()
    assert cli(home, "consent", "on").returncode == 0
    assert "[desktop]" in home.config.read_text()
    assert cli(home, "consent").stdout.startswith("metrics on")
    home.config.write_text("[desktop\nmetrics = true\n")
    out = cli(home, "consent", "on")
    assert out.returncode == 1
    assert "line 1" in out.stderr and "not valid TOML" in out.stderr
    assert home.config.read_text() == "[desktop\nmetrics = true\n"


def test_malformed_config_means_opted_out_with_one_clear_line(
        home: Home, daemons: DaemonFactory) -> None:
    home.config.write_text("[desktop]\nmetrics = true\nsecret-value = \n")
    d = daemons.start(home)
    stream(d)
    with d.client() as c:
        assert c.snapshot()["enabled"] is False
    assert d.stop() == 0
    lines = [ln for ln in d.stderr.splitlines() if "not valid TOML" in ln]
    assert len(lines) == 1
    assert str(home.config) in lines[0] and "line 3" in lines[0]
    assert "secret-value" not in d.stderr
