"""Consent, dev builds and uploads end to end: real commands and real HTTP on 127.0.0.1,
or the daemon in-process (metricsd.testing) where a date has to move."""

from __future__ import annotations

import subprocess
from functools import partial
from pathlib import Path

import httpx
import trio

from metricsd.core.batches import utc_day
from metricsd.daemon import Committed, UploadFinished
from metricsd.testing import WallClock, open_daemon, seed_day, write_config
from tests.conftest import (
    EXPECTED,
    DaemonFactory,
    Home,
    clean_env,
    cli,
    show,
    stream,
)
from tests.fake_endpoint import Receiver
from tests.inprocess import (
    SEEDED,
    URL,
    Endpoint,
    command,
    home_of,
    rows,
    run,
    session,
    show_bodies,
    snapshot,
    yesterday,
)


def test_upload_body_equals_show(tmp_path: Path) -> None:
    """What ``show --json`` prints is what is posted, before and after the batch is sealed;
    a retry in the next run posts the same body under the same Idempotency-Key."""
    home, clock = home_of(tmp_path), WallClock()
    write_config(home.config, True)
    home.state_dir.mkdir(mode=0o700)
    seed_day(home.db, utc_day(clock() - 86400), SEEDED)
    unbatched = show_bodies(home, clock)
    assert [b["batch_id"] for b in unbatched] == [None]
    assert unbatched[0]["counts"] == EXPECTED
    # A refusal with a long Retry-After ends the start-up run: the batch keeps its id.
    ep = Endpoint(answers=[httpx.Response(503, headers={"Retry-After": "3600"})])

    async def start_and_upload() -> None:
        async with open_daemon(tmp_path, endpoint=URL, transport=ep.transport,
                               wall_clock=clock) as h:
            await h.next(UploadFinished)

    run(start_and_upload)
    pending = show_bodies(home, clock)
    assert len(pending) == 1 and pending[0]["batch_id"] is not None
    assert {**pending[0], "batch_id": None} == unbatched[0]
    run(start_and_upload)
    assert list(ep.stored.values()) == pending
    assert [(status, body) for status, body, _ in ep.posts] == [(503, pending[0]),
                                                                (202, pending[0])]
    for _, _, headers in ep.posts:
        assert headers["idempotency-key"] == pending[0]["batch_id"]
        assert headers["content-type"] == "application/json"
    assert show_bodies(home, clock) == []


def test_opt_out_while_batches_pending_purges(tmp_path: Path) -> None:
    home, clock = home_of(tmp_path), WallClock()
    home.state_dir.mkdir(mode=0o700, parents=True)
    seed_day(home.db, utc_day(clock() - 86400), SEEDED)
    ep = Endpoint(answers=[httpx.Response(503, headers={"Retry-After": "3600"})])

    async def test() -> None:
        async with open_daemon(tmp_path, endpoint=URL, transport=ep.transport,
                               wall_clock=clock) as h:
            await h.next(UploadFinished)
            await session(h, turns=1)
            clock.advance(days=1)  # today's counts become a completed day
            shown = await trio.to_thread.run_sync(show_bodies, home, clock)
            assert len(shown) == 2  # one pending batch, one unbatched body
            out = await trio.to_thread.run_sync(
                partial(command, home, "consent", "off", wall_clock=clock))
            assert out.returncode == 0, out.stderr
            assert await trio.to_thread.run_sync(show_bodies, home, clock) == []
            assert await trio.to_thread.run_sync(rows, h.database) == 0
            await h.next(Committed, lambda n: not n.decision.counting)
            snap = await snapshot(h)
            assert snap["enabled"] is False and snap["counts"] == {}
            await session(h, turns=1)
        assert rows(h.database) == 0

    # Time stands still: no daily upload run starts while a command runs in a thread.
    run(test, autojump=False)
    assert command(home, "flush", "--endpoint", URL, wall_clock=clock).returncode == 0
    assert len(ep.posts) == 1  # only the refused attempt, nothing after opt-out


def test_a_command_takes_its_dates_from_the_clock_it_is_given(tmp_path: Path) -> None:
    """``show`` on a clock a day on: today's counts are a completed day and listed."""
    home, clock = home_of(tmp_path), WallClock()
    write_config(home.config, True)
    home.state_dir.mkdir(mode=0o700)
    seed_day(home.db, utc_day(clock()), SEEDED)
    assert show_bodies(home, clock) == []  # today's counts wait for the end of the day
    clock.advance(days=1)
    (body,) = show_bodies(home, clock)
    assert body["counts"] == EXPECTED


def here(home: Home, *args: str) -> subprocess.CompletedProcess[str]:
    """A command that needs no other process and no other date, run in this one."""
    return command(home, *args, wall_clock=WallClock())


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
    assert here(home, "consent").stdout.startswith("metrics off")
    assert here(home, "consent", "on").returncode == 0
    assert home.config.read_text() == original.replace("metrics = false", "metrics = true")
    assert here(home, "consent").stdout.startswith("metrics on")
    assert here(home, "consent", "off").returncode == 0
    assert home.config.read_text() == original


def test_consent_creates_missing_file_and_refuses_malformed(home: Home) -> None:
    home.config.unlink()
    assert here(home, "consent", "on").returncode == 0
    assert "[desktop]" in home.config.read_text()
    assert here(home, "consent").stdout.startswith("metrics on")
    home.config.write_text("[desktop\nmetrics = true\n")
    out = here(home, "consent", "on")
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
