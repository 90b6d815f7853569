"""The first-day recipe of the READMEs, run as written with real processes: a receiver in
the local testing mode, a daemon, three turns, ``faketime -f +1d metricsd flush``; the
dashboard then shows today's turns, exact, at once."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.receiver.conftest import require

ROOT = Path(__file__).resolve().parents[2]
BIN_DIR = Path(sys.executable).parent


def recipe(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    m = re.search(r"\n```sh\n(T=\$\(mktemp -d\).*?)```\n", text, re.DOTALL)
    assert m is not None, f"{path.name} has no first-day recipe"
    return m.group(1)


def test_the_readmes_give_the_same_first_day_recipe() -> None:
    assert recipe(ROOT / "README.md") == recipe(ROOT / "receiver" / "README.md")
    script = recipe(ROOT / "receiver" / "README.md")
    assert "faketime -f +1d metricsd flush --endpoint http://127.0.0.1:8080/v1/metrics" in script
    assert "--k 1 --local-only" in script and "METRICSD_STATE_DIR=$T" in script


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_the_first_day_recipe_shows_todays_turns_at_once(tmp: Path) -> None:
    if shutil.which("faketime") is None:
        require("faketime", "the recipe needs the faketime command (apt-get install faketime)")
    port = _free_port()
    script = recipe(ROOT / "receiver" / "README.md").replace(":8080", f":{port}").replace(
        "--port 8080", f"--port {port}")
    assert "8080" not in script
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("METRICSD_", "XDG_", "LISTEN_", "NOTIFY_SOCKET", "DO_NOT_"))}
    env.update(HOME=str(tmp), TMPDIR=str(tmp), XDG_CONFIG_HOME=str(tmp / "config"),
               XDG_STATE_HOME=str(tmp / "state"),
               PATH=f"{BIN_DIR}{os.pathsep}{env.get('PATH', '')}")
    out_path, err_path = tmp / "recipe.out", tmp / "recipe.err"
    with open(out_path, "w") as out, open(err_path, "w") as err:
        # files, not pipes: the receiver and the daemon outlive the script
        shell = subprocess.Popen(["bash", "-e", "-c", script], cwd=tmp, env=env, stdout=out,
                                 stderr=err, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        assert shell.wait(90) == 0, (out_path.read_text(), err_path.read_text())
        said = out_path.read_text()
        assert "True" in said and "delivered 1 batch(es)" in said, said
        data = httpx.get(f"http://127.0.0.1:{port}/api/summary", timeout=30).json()
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=30).text
    finally:
        try:
            os.killpg(shell.pid, signal.SIGTERM)  # the receiver and the daemon
        except ProcessLookupError:
            pass
    assert data["exact"] is True and data["k"] == 1
    (cell,) = data["cells"]
    assert cell["version"] == "1.4.0" and cell["batches"] == 1
    assert cell["turns"] == 3 and cell["finish_reason"] == {"stop": 3}
    assert sum(cell["cache_hit"].values()) == 3  # one model call per turn
    assert data["released"][data["days"].index(cell["day"])] == "exact"
    assert 'id="testing-mode"' in page and '<td data-field="turns">3 </td>' in page
    # both processes end on SIGTERM (the daemon commits first); wait for the group to go
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.killpg(shell.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        os.killpg(shell.pid, signal.SIGKILL)
        raise AssertionError("the recipe's receiver or daemon did not stop on SIGTERM")
