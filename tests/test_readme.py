"""The README's 30-second tour, run as written (in a private home, with this checkout's
environment standing in for the tour's fresh `.venv`) — and its traps: a daemon already
serving the default socket, a daemon that cannot start.  The tour ends in every case."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import read_line

ROOT = Path(__file__).resolve().parent.parent
BIN_DIR = Path(sys.executable).parent


def tour_script() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"## A 30-second tour\n\n```sh\n(.*?)```", text, re.DOTALL)
    assert m is not None, "the README has no tour"
    lines = m.group(1).splitlines()
    assert lines[0].startswith("python3 -m venv .venv && .venv/bin/pip install")
    return "\n".join(lines[1:]) + "\n"


@dataclass
class TourHome:
    root: Path
    work: Path
    env: dict[str, str]

    def metricsd(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(BIN_DIR / "metricsd"), *args], env=self.env, cwd=self.work,
                              capture_output=True, text=True, timeout=60)

    def tour(self) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["bash", "-e", "-c", tour_script()], cwd=self.work,
                              env=self.env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def tour_home() -> Iterator[TourHome]:
    assert (BIN_DIR / "metricsd").exists(), "the test needs the installed metricsd command"
    home = Path(tempfile.mkdtemp(prefix="md-tour-", dir="/tmp"))
    os.chmod(home, 0o700)
    try:
        work = home / "checkout"
        work.mkdir()
        (work / ".venv").symlink_to(BIN_DIR.parent)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("METRICSD_", "XDG_", "LISTEN_", "NOTIFY_SOCKET"))}
        env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
                   XDG_STATE_HOME=str(home / ".state"), XDG_RUNTIME_DIR=str(home / "run"))
        (home / "run").mkdir(mode=0o700)
        yield TourHome(home, work, env)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def assert_counted(done: subprocess.CompletedProcess[str]) -> None:
    assert "True" in done.stdout  # the sync was acknowledged
    assert "turns" in done.stdout and "tool_error" in done.stdout  # show and status
    assert "exit_nonzero" in done.stdout
    assert "Traceback" not in done.stderr
    assert "bash: exit status 1" not in done.stdout  # the error text was not kept


def test_the_readme_tour_runs_as_written(tour_home: TourHome) -> None:
    done = tour_home.tour()
    assert done.returncode == 0, (done.stdout, done.stderr)
    assert_counted(done)
    assert "already running" not in done.stdout


def test_the_tour_uses_a_daemon_already_serving_the_default_socket(
        tour_home: TourHome) -> None:
    """The README's first command, left running: the tour's `run` exits 0 at once."""
    assert tour_home.metricsd("consent", "on").returncode == 0
    first = subprocess.Popen([str(BIN_DIR / "metricsd"), "run"], env=tour_home.env,
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True)
    try:
        assert read_line(first, 30).startswith("READY ")
        done = tour_home.tour()
        assert done.returncode == 0, (done.stdout, done.stderr)
        assert "a daemon already serves" in done.stderr and f"pid {first.pid}" in done.stderr
        assert_counted(done)
        assert done.stdout.rstrip().endswith(
            "the daemon that was already running keeps running"), done.stdout
        assert first.poll() is None
    finally:
        first.terminate()
        first.wait(20)


def break_the_socket_path(home: TourHome) -> None:
    sock_dir = home.root / "run" / "metricsd"
    sock_dir.mkdir(mode=0o700)
    (sock_dir / "metricsd.sock").write_text("not a socket\n")


def make_the_state_dir_a_file(home: TourHome) -> None:
    (home.root / ".state").write_text("not a directory\n")


@pytest.mark.parametrize("trap", [break_the_socket_path, make_the_state_dir_a_file])
def test_the_tour_ends_with_a_clear_line_when_the_daemon_cannot_start(
        tour_home: TourHome, trap: Callable[[TourHome], None]) -> None:
    trap(tour_home)
    done = tour_home.tour()  # bounded by its timeout: a hang fails the test
    assert done.returncode != 0, (done.stdout, done.stderr)
    assert done.stdout.rstrip().splitlines()[-1] == "metricsd did not start: see the line above"
    assert done.stderr.strip().splitlines()[-1].startswith("metricsd:"), done.stderr
    assert "Traceback" not in done.stderr


def sidecar_block(lang: str) -> str:
    """The code block of ``lang`` in the README's "As the desktop app's sidecar"."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### As the desktop app's sidecar", 1)[1].split("\n### ", 1)[0]
    m = re.search(rf"```{lang}\n(.*?)```", section, re.DOTALL)
    assert m is not None, f"the sidecar section has no {lang} block"
    return m.group(1)


def test_the_readme_node_sidecar_snippet_runs_as_written(tour_home: TourHome) -> None:
    """Node runs the snippet as it is (CommonJS, every name defined) against the real
    daemon: alone it gets the daemon's `READY <socket>`; beside a running daemon it gets the
    same line (the spawned daemon stands by), and ending its stdin ends it either way."""
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI"):
            pytest.fail("node is required under CI")
        pytest.skip("node is not installed")
    script = tour_home.root / "sidecar.cjs"
    script.write_text(sidecar_block("js"))
    env = dict(tour_home.env, METRICSD=str(BIN_DIR / "metricsd"))

    def snippet() -> subprocess.CompletedProcess[str]:
        return subprocess.run([node, str(script)], env=env, cwd=tour_home.work,
                              capture_output=True, text=True, timeout=60)

    alone = snippet()
    # the daemon's log lines are on stderr (inherited); the snippet's own error line is not
    assert alone.returncode == 0 and "metrics off:" not in alone.stderr, alone.stderr
    assert alone.stdout.startswith("metricsd ready at /"), alone.stdout
    socket_path = alone.stdout.removeprefix("metricsd ready at ").strip()
    assert socket_path.startswith(tour_home.env["XDG_RUNTIME_DIR"]), socket_path

    first = subprocess.Popen([str(BIN_DIR / "metricsd"), "run"], env=tour_home.env,
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True)
    try:
        assert read_line(first, 30).strip() == f"READY {socket_path}"
        beside = snippet()
        assert beside.returncode == 0, (beside.stdout, beside.stderr)
        assert beside.stdout == alone.stdout  # the same READY line, not an exit
        assert "standing by" in beside.stderr and "metrics off:" not in beside.stderr
        assert first.poll() is None  # the running daemon keeps serving
    finally:
        first.terminate()
        first.wait(20)
