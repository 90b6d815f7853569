"""Consent, dev builds and uploads end to end: real daemons, real HTTP on 127.0.0.1."""

from __future__ import annotations

import json

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


def test_opted_out_counts_nothing_and_sends_nothing(
        home: Home, daemons: DaemonFactory, receiver: tuple[Receiver, str]) -> None:
    r, url = receiver
    home.opt_in(False)
    d = daemons.start(home, "--endpoint", url)
    stream(d)
    with d.client() as c:
        snap = c.snapshot()
    assert snap["enabled"] is False and snap["counts"] == {}
    assert d.stop() == 0
    d2 = daemons.start(home, "--endpoint", url)
    upload_done(d2)
    assert "metrics are off" in d2.stderr
    assert d2.stop() == 0
    assert r.posts() == []
    assert db_rows(home) == 0
    assert show(home) == []


def test_upload_body_equals_show(home: Home, daemons: DaemonFactory,
                                 receiver: tuple[Receiver, str]) -> None:
    r, url = receiver
    d = daemons.start(home, "--endpoint", url)
    upload_done(d)  # nothing committed yet: nothing sent
    stream(d)
    assert d.stop() == 0
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


def test_503_then_202_retries_with_same_batch_id(
        home: Home, daemons: DaemonFactory, receiver: tuple[Receiver, str]) -> None:
    r, url = receiver
    d = daemons.start(home)
    stream(d)
    assert d.stop() == 0
    r.fail_next(1, 503)
    d = daemons.start(home, "--endpoint", url)
    wait_for(lambda: len(r.batches) == 1, timeout=30, what="stored batch")
    upload_done(d)
    posts = r.posts()
    assert [p.status for p in posts] == [503, 202]
    ids = {json.loads(p.body)["batch_id"] for p in posts}
    assert len(ids) == 1 and ids == set(r.batches)
    assert r.batches[ids.pop()]["counts"] == EXPECTED
    assert d.stop() == 0
    assert show(home) == []


def test_a_hung_upload_does_not_stop_the_daemon_serving(
        home: Home, daemons: DaemonFactory, receiver: tuple[Receiver, str]) -> None:
    r, url = receiver
    d = daemons.start(home)
    stream(d)
    assert d.stop() == 0
    r.hang_next(1)
    d = daemons.start(home, "--endpoint", url)
    wait_for(lambda: r.hanging == 1, timeout=20, what="the first attempt to hang")
    # While the upload hangs, events are still counted and committed (sync is acked).
    stream(d, turns=2)
    r.release()  # the hung attempt gets a 503; the retry delivers the same batch id
    wait_for(lambda: len(r.batches) == 1, timeout=30, what="the batch delivered")
    upload_done(d)
    posts = r.posts()
    assert [p.status for p in posts] == [503, 202]
    assert len({p.headers["idempotency-key"] for p in posts}) == 1
    assert d.stop() == 0
    (pending,) = show(home)  # the events counted during the hang wait for the next run
    assert pending["batch_id"] is None and pending["counts"]["turns"] == 2


def test_400_drops_the_batch_without_retry_and_reports_the_drop(
        home: Home, daemons: DaemonFactory, receiver: tuple[Receiver, str]) -> None:
    r, url = receiver
    d = daemons.start(home)
    stream(d)
    assert d.stop() == 0
    r.fail_next(1, 400)
    d = daemons.start(home, "--endpoint", url)
    upload_done(d)
    assert "rejected it with HTTP 400; it was deleted" in d.stderr
    assert [p.status for p in r.posts()] == [400]
    stream(d, turns=1, version="2.0.1")
    assert d.stop() == 0
    out = cli(home, "flush", "--endpoint", url)
    assert out.returncode == 0, out.stderr
    (body,) = r.batches.values()
    assert body["counts"]["turns"] == 1
    assert body["health"]["dropped_batches"] == 1


def test_opt_out_while_batches_pending_purges(
        home: Home, daemons: DaemonFactory, receiver: tuple[Receiver, str]) -> None:
    r, url = receiver
    d = daemons.start(home)
    stream(d)
    assert d.stop() == 0
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


def test_dev_counts_are_never_uploaded_even_by_a_later_release_run(
        home: Home, daemons: DaemonFactory, receiver: tuple[Receiver, str]) -> None:
    r, url = receiver
    home.dev_marker.write_text("")
    d = daemons.start(home, "--endpoint", url)
    upload_done(d)
    assert "dev build: nothing is uploaded" in d.stderr
    stream(d)
    with d.client() as c:
        snap = c.snapshot()
    assert snap["dev"] is True and snap["counts"] == EXPECTED
    assert d.stop() == 0
    home.dev_marker.unlink()
    d = daemons.start(home, "--endpoint", url)
    upload_done(d)
    with d.client() as c:
        snap = c.snapshot()
    assert snap["dev"] is False and snap["counts"] == EXPECTED  # still held locally
    assert d.stop() == 0
    assert cli(home, "flush", "--endpoint", url).returncode == 0
    assert r.posts() == []
    assert show(home) == []
    # The environment variable marks a dev build too.
    env = clean_env(METRICSD_DEV_BUILD="1")
    d = daemons.start(home, "--endpoint", url, env=env)
    stream(d)
    assert d.stop() == 0
    assert cli(home, "flush", "--endpoint", url).returncode == 0
    assert r.posts() == []


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


def test_flag_change_takes_effect_without_restart(home: Home, daemons: DaemonFactory) -> None:
    home.opt_in(False)
    d = daemons.start(home)
    stream(d)
    assert cli(home, "consent", "on").returncode == 0

    def on() -> bool:
        with d.client() as c:
            return bool(c.snapshot()["enabled"])

    wait_for(on, what="daemon notices opt-in")
    stream(d)
    with d.client() as c:
        assert c.snapshot()["counts"] == EXPECTED
    assert d.stop() == 0
