"""The standalone build (packaging/build-zipapp.sh) works as shipped: build the zipapp,
start it with an interpreter that sees nothing but the artifact, count, sync, show, stop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from metricsd import __version__
from tests.conftest import START_TIMEOUT, Home, clean_env, read_line
from tests.rawclient import Client

ROOT = Path(__file__).resolve().parent.parent
BUILD_ZIPAPP = ROOT / "packaging" / "build-zipapp.sh"
#: -I: no PYTHONPATH, user site or cwd; -S: no site-packages (not even this venv's), so
#: every import must come from inside the artifact.
ISOLATED = [sys.executable, "-I", "-S"]


@pytest.fixture(scope="module")
def zipapp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("zipapp") / "metricsd.pyz"
    build = subprocess.run(["bash", str(BUILD_ZIPAPP), str(out)], capture_output=True,
                           text=True, timeout=240, env=dict(os.environ, PYTHON=sys.executable))
    assert build.returncode == 0, build.stdout + build.stderr
    assert zipfile.is_zipfile(out)
    return out


def test_nothing_but_the_artifact_is_importable() -> None:
    probe = subprocess.run([*ISOLATED, "-c", "import metricsd"], capture_output=True,
                           env=clean_env(), cwd="/")
    assert probe.returncode != 0  # so the smoke test below really runs the artifact


def test_zipapp_smoke(zipapp: Path, home: Home) -> None:
    env = clean_env(SHIV_ROOT=str(home.root / "shiv"))

    def pyz(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*ISOLATED, str(zipapp), *args[:1], *home.args(), *args[1:]],
                              capture_output=True, text=True, env=env, timeout=60)

    version = subprocess.run([*ISOLATED, str(zipapp), "--version"], capture_output=True,
                             text=True, env=env, timeout=60)
    assert version.stdout.strip() == f"metricsd {__version__}", version.stderr
    err_path = home.root / "pyz.stderr"
    with open(err_path, "w") as err:
        proc = subprocess.Popen([*ISOLATED, str(zipapp), "run", *home.args()],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err,
                                text=True, env=env)
        try:
            line = read_line(proc, START_TIMEOUT)
            assert line == f"READY {home.socket}", err_path.read_text()
            with Client(home.socket) as c:
                c.hello("3.1.4")
                c.usage(50, 50)
                c.provider_error("upstream said: status 503")
                c.turn("stop")
                c.sync()
            status = pyz("status")
            assert f"running (pid {proc.pid}," in status.stdout, status.stdout + status.stderr
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(20) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
    assert (home.root / "shiv").is_dir()  # it ran from its unpacked site-packages
    shown = pyz("show", "--json")
    assert shown.returncode == 0, shown.stderr
    [body] = json.loads(shown.stdout)
    assert body["daemon"]["version"] == __version__
    assert body["client"] == {"version": "3.1.4"}
    assert body["counts"] == {"turns": 1, "finish_reason": {"stop": 1},
                              "cache_hit": {"50-89": 1}, "provider_error": {"overloaded": 1}}
