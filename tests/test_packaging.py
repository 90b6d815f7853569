"""The standalone build (packaging/build-zipapp.sh) works as shipped: build the zipapp,
start it with an interpreter that sees nothing but the artifact, count, sync, show, stop."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from metricsd import __version__
from tests.conftest import (
    START_TIMEOUT,
    Home,
    built_once,
    clean_env,
    daemon_env,
    day_env,
    read_line,
)
from tests.rawclient import Client

ROOT = Path(__file__).resolve().parent.parent
BUILD_ZIPAPP = ROOT / "packaging" / "build-zipapp.sh"
#: -I: no PYTHONPATH, user site or cwd; -S: no site-packages (not even this venv's), so
#: every import must come from inside the artifact.
ISOLATED = [sys.executable, "-I", "-S"]


@pytest.fixture(scope="module")
def zipapp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The zipapp, built once per run (shared by the workers of ``-n``)."""
    def build(out: Path) -> None:
        result = subprocess.run(["bash", str(BUILD_ZIPAPP), str(out)], capture_output=True,
                                text=True, timeout=240, env=dict(os.environ, PYTHON=sys.executable))
        assert result.returncode == 0, result.stdout + result.stderr

    out = built_once(tmp_path_factory, "metricsd.pyz", build)
    assert zipfile.is_zipfile(out)
    return out


def find_python(minor: int) -> str | None:
    """A CPython 3.MINOR on this machine (pyenv's versions, or PATH), or None."""
    if sys.version_info[:2] == (3, minor):
        return sys.executable
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    for candidate in sorted(pyenv.glob(f"3.{minor}.*/bin/python3"), reverse=True):
        return str(candidate)
    found = shutil.which(f"python3.{minor}")
    if found and "/shims/" not in found:  # a pyenv shim may not lead to an installed one
        return found
    return None


#: Pythons the zipapp must run on: this one, and the other 3.11+ found on this machine.
OTHER_PYTHONS = [p for p in (find_python(m) for m in (11, 12, 13, 14))
                 if p is not None and p != sys.executable]


def test_nothing_but_the_artifact_is_importable() -> None:
    probe = subprocess.run([*ISOLATED, "-c", "import metricsd"], capture_output=True,
                           env=clean_env(), cwd="/")
    assert probe.returncode != 0  # so the smoke test below really runs the artifact


@pytest.mark.parametrize("python", [sys.executable, *OTHER_PYTHONS])
@pytest.mark.long
def test_zipapp_smoke(zipapp: Path, home: Home, python: str) -> None:
    env = clean_env(SHIV_ROOT=str(home.root / "shiv"))
    isolated = [python, "-I", "-S"]

    def pyz(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*isolated, str(zipapp), *args[:1], *home.args(), *args[1:]],
                              capture_output=True, text=True,
                              env={**env, **day_env(home.command_day())}, timeout=60)

    version = subprocess.run([*isolated, str(zipapp), "--version"], capture_output=True,
                             text=True, env=env, timeout=60)
    assert version.stdout.strip() == f"metricsd {__version__}", version.stderr
    # msgpack's compiled extension for this Python is inside (else a warning says so).
    assert version.stderr == "", version.stderr
    err_path = home.root / "pyz.stderr"
    with open(err_path, "w") as err:
        proc = subprocess.Popen([*isolated, str(zipapp), "run", *home.args()],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err,
                                text=True, env=daemon_env(home, env))
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
                              "cache_hit": {"50-79": 1}, "provider_error": {"overloaded": 1}}


def test_zipapp_refuses_an_old_python_in_one_line(zipapp: Path, home: Home) -> None:
    old = find_python(10)
    if old is None:
        pytest.skip("no Python 3.10 on this machine")
    out = subprocess.run([old, "-I", "-S", str(zipapp), "--version"], capture_output=True,
                         text=True, env=clean_env(SHIV_ROOT=str(home.root / "shiv")),
                         timeout=60)
    assert out.returncode == 1
    assert out.stderr.startswith("metricsd: this build needs Python 3.11 or newer; ")
    assert len(out.stderr.splitlines()) == 1 and "Traceback" not in out.stderr


def test_zipapp_renders_units_from_the_templates_inside_it(zipapp: Path, home: Home) -> None:
    out = subprocess.run([*ISOLATED, str(zipapp), "service", "install", "--print",
                          *home.args()], capture_output=True, text=True, timeout=60,
                         env=clean_env(SHIV_ROOT=str(home.root / "shiv"),
                                       XDG_CONFIG_HOME=str(home.root / "cfg")))
    assert out.returncode == 0, out.stderr
    assert f"ExecStart={sys.executable} {zipapp} run\n" in out.stdout
    assert "ListenStream=%t/metricsd/metricsd.sock" in out.stdout


def lock_pins(path: Path) -> dict[str, tuple[str, int]]:
    """{normalized name: (version, number of hashes)} of a hashed lock file."""
    pins: dict[str, tuple[str, int]] = {}
    name = ""
    for line in path.read_text().splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            requirement = line.split(";")[0].split("\\")[0].strip()
            name, _, version = requirement.partition("==")
            name = re.sub(r"[-_.]+", "-", name).lower()
            pins[name] = (version, 0)
        elif line.strip().startswith("--hash=sha256:"):
            version, hashes = pins[name]
            pins[name] = (version, hashes + 1)
    return pins


def client_version() -> str:
    """The version of the client package in this tree (clients/python)."""
    text = (ROOT / "clients" / "python" / "metricsd_client" / "__init__.py").read_text()
    m = re.search(r'^__version__ = "([0-9.]+)"$', text, re.M)
    assert m is not None
    return m.group(1)


def test_lock_files_pin_every_dependency_with_hashes() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    runtime = lock_pins(ROOT / "packaging" / "requirements.lock")
    for dep in pyproject["project"]["dependencies"]:
        m = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*(>=)?\s*([0-9.]*)", dep)
        assert m is not None, dep
        name, op, minimum = m.groups()
        if name == "metricsd-client":  # this repository's own, installed from the tree
            version = client_version()
        else:
            version, _ = runtime[re.sub(r"[-_.]+", "-", name).lower()]
        if op:  # the pin satisfies the declared minimum
            assert tuple(map(int, version.split(".")[:3])) >= \
                tuple(map(int, minimum.split("."))), (dep, version)
    tools = {**lock_pins(ROOT / "packaging" / "zipapp-tools.lock"),
             **lock_pins(ROOT / "packaging" / "pyinstaller-tools.lock")}
    assert "shiv" in tools and "pyinstaller" in tools
    for name, (version, hashes) in {**runtime, **tools}.items():
        assert re.fullmatch(r"[0-9][0-9A-Za-z.+!-]*", version), (name, version)
        assert hashes >= 1, f"{name} has no hash"
    # The build scripts install from the locks, hash-checked.
    for script in ("build-zipapp.sh", "build-pyinstaller.sh"):
        text = (ROOT / "packaging" / script).read_text()
        assert "--require-hashes" in text and "requirements.lock" in text, script


@pytest.mark.long
def test_wheel_carries_the_unit_templates(tmp_path: Path) -> None:
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                            "--wheel-dir", str(tmp_path), str(ROOT)], capture_output=True,
                           text=True, timeout=240)
    assert build.returncode == 0, build.stderr
    [wheel] = tmp_path.glob("metricsd-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("systemd/metricsd.socket", "systemd/metricsd.service",
                 "systemd/hardening.conf", "launchd/org.metricsd.agent.plist"):
        assert f"metricsd/units/{name}" in names, name
    assert not any(n.endswith("install.sh") for n in names)


def test_the_documented_zipapp_size_is_the_built_ones(zipapp: Path) -> None:
    """packaging/README.md's size table and the README's "about N MB" describe the zipapp
    this checkout builds (within 3%: dependency wheels change a little between pins)."""
    import re

    built = zipapp.stat().st_size
    table = (ROOT / "packaging" / "README.md").read_text(encoding="utf-8")
    m = re.search(r"^\| zipapp, file \| \*\*([\d ]+)\*\* bytes", table, re.M)
    assert m is not None, "packaging/README.md has no zipapp size"
    documented = int(m.group(1).replace(" ", ""))
    assert abs(documented - built) <= 0.03 * built, (documented, built)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    about = re.search(r"dist/metricsd\.pyz \(about ([\d.]+) MB", readme)
    assert about is not None, "the README gives no zipapp size"
    assert abs(float(about.group(1)) - built / 1e6) <= 0.06, (about.group(1), built)
