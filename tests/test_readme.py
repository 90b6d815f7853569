"""The README's 30-second tour, run as written (in a private home, with this checkout's
environment standing in for the tour's fresh `.venv`)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def tour_script() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"## A 30-second tour\n\n```sh\n(.*?)```", text, re.DOTALL)
    assert m is not None, "the README has no tour"
    lines = m.group(1).splitlines()
    assert lines[0].startswith("python3 -m venv .venv && .venv/bin/pip install")
    return "\n".join(lines[1:]) + "\n"


def test_the_readme_tour_runs_as_written() -> None:
    script = tour_script()
    bin_dir = Path(sys.executable).parent
    assert (bin_dir / "metricsd").exists(), "the test needs the installed metricsd command"
    home = Path(tempfile.mkdtemp(prefix="md-tour-", dir="/tmp"))
    os.chmod(home, 0o700)
    try:
        work = home / "checkout"
        work.mkdir()
        (work / ".venv").symlink_to(bin_dir.parent)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("METRICSD_", "XDG_", "LISTEN_", "NOTIFY_SOCKET"))}
        env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
                   XDG_STATE_HOME=str(home / ".state"), XDG_RUNTIME_DIR=str(home / "run"))
        (home / "run").mkdir(mode=0o700)
        done = subprocess.run(["bash", "-e", "-c", script], cwd=work, env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, (done.stdout, done.stderr)
        assert "True" in done.stdout  # the sync was acknowledged
        assert "turns" in done.stdout and "tool_error" in done.stdout  # show and status
        assert "exit_nonzero" in done.stdout
        assert "Traceback" not in done.stderr
        assert "bash: exit status 1" not in done.stdout  # the error text was not kept
    finally:
        shutil.rmtree(home, ignore_errors=True)
