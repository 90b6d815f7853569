"""The file watch that tells a running daemon config.toml changed (inotify here), in
process on real files: an editor's rename, a directory created after the daemon started,
and a deletion all wake it."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import trio

from metricsd.watch import open_watcher

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify")


def wakes_on(files: list[Path], change: Callable[[], None]) -> str:
    async def main() -> str:
        watcher = await trio.to_thread.run_sync(open_watcher, files)
        try:
            with trio.fail_after(10):
                async with trio.open_nursery() as nursery:
                    nursery.start_soon(trio.to_thread.run_sync, change)
                    await watcher.changed()
            return watcher.kind
        finally:
            watcher.close()
    return trio.run(main)


def test_an_editors_rename_over_the_file_wakes_the_watch(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[desktop]\nmetrics = true\n")

    def editor_save() -> None:
        tmp = tmp_path / ".config.toml.swp"
        tmp.write_text("[desktop]\nmetrics = false\n")
        os.replace(tmp, config)

    assert wakes_on([config, tmp_path / "DEV_BUILD"], editor_save) == "inotify"


def test_a_config_directory_created_later_is_noticed(tmp_path: Path) -> None:
    config = tmp_path / "a" / "b" / "config.toml"  # neither directory exists yet

    def consent_on() -> None:
        config.parent.mkdir(parents=True)
        config.write_text("[desktop]\nmetrics = true\n")

    wakes_on([config], consent_on)


def test_the_dev_marker_appearing_and_the_config_vanishing_are_noticed(tmp_path: Path) -> None:
    config, marker = tmp_path / "config.toml", tmp_path / "DEV_BUILD"
    config.write_text("")
    wakes_on([config, marker], marker.touch)
    wakes_on([config, marker], config.unlink)
