"""The Go client's own checks (clients/go): ``gofmt``; ``go vet`` and ``go build`` for
linux, darwin and windows (the client, the conformance driver, and the README's sample);
the module's copy of the shared test vectors; and ``go test ./...`` on a copy of the module
against a real daemon (``METRICSD_EXE``: this venv's ``metricsd``).  Without Go the tests
skip locally and fail under CI (``CI`` set)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import clean_env

ROOT = Path(__file__).resolve().parents[2]
GO_DIR = ROOT / "clients" / "go"
DRIVER_DIR = ROOT / "tests" / "conformance" / "drivers" / "go"
#: Every platform the client must build and vet for (cross-compiled: only Linux runs here).
PLATFORMS = ("linux", "darwin", "windows")


def _go() -> str:
    go = shutil.which("go")
    if go is None:
        if os.environ.get("CI"):
            pytest.fail("the Go toolchain is not installed (CI is set: a failure, not a skip)")
        pytest.skip("the Go toolchain is not installed")
    assert go is not None
    return go


def _run(*cmd: str, cwd: Path = GO_DIR, **env: str) -> str:
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600,
                            env=clean_env(**env))
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{' '.join(cmd)} {env}:\n{output[-8000:]}"
    return output


def test_gofmt() -> None:
    go = _go()
    gofmt = str(Path(go).resolve().with_name("gofmt"))
    for where in (GO_DIR, DRIVER_DIR):
        assert _run(gofmt if os.path.exists(gofmt) else "gofmt", "-l", ".",
                    cwd=where).strip() == ""


@pytest.mark.parametrize("goos", PLATFORMS)
def test_go_vet_and_build_for_every_platform(goos: str, tmp_path: Path) -> None:
    """`GOOS=<os> go vet ./...` (tests included) and `go build` of the client and of the
    driver: a file that does not compile for one platform (such as syscall.Stat_t on
    Windows) fails here."""
    go = _go()
    for where in (GO_DIR, DRIVER_DIR):
        _run(go, "vet", "./...", cwd=where, GOOS=goos, GOARCH="amd64")
        _run(go, "build", "-o", str(tmp_path / "out"), "./...", cwd=where, GOOS=goos,
             GOARCH="amd64")


def test_the_modules_vectors_are_the_repositorys() -> None:
    """The Go module's tests read test data inside the module (so `go test` works on the
    module alone); its copy of the shared vectors must be the repository's."""
    copy = GO_DIR / "testdata" / "vectors.json"
    assert copy.read_bytes() == (ROOT / "tests" / "vectors" / "vectors.json").read_bytes(), (
        "clients/go/testdata/vectors.json differs: cp tests/vectors/vectors.json "
        "clients/go/testdata/")


def test_the_driver_does_not_ship_in_the_client_module() -> None:
    assert not (GO_DIR / "cmd").exists()
    assert "replace metricsd/clients/go => ../../../../clients/go" in (
        DRIVER_DIR / "go.mod").read_text()


@pytest.mark.long
def test_go_test_on_a_copy_of_the_module_against_a_real_daemon(tmp_path: Path) -> None:
    """``go test ./...`` on a copy of clients/go somewhere else (so the module needs nothing
    outside itself), with its daemon tests run against this venv's ``metricsd``."""
    go = _go()
    copy = tmp_path / "go"
    shutil.copytree(GO_DIR, copy)
    exe = Path(sys.executable).with_name("metricsd")
    out = _run(go, "test", "-count=1", "-v", "./...", cwd=copy, METRICSD_EXE=str(exe),
               CI="1")
    assert "--- SKIP" not in out, out
    assert out.count("--- PASS") >= 20, out


def test_readme_go_sidecar_example_compiles(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    blocks = [b for b in re.findall(r"```go\n(.*?)```", readme, re.DOTALL)
              if "metricsd.Spawn" in b]
    assert len(blocks) == 1, "the README's Go example uses metricsd.Spawn"
    assert "log.Fatal" not in blocks[0], "a failed start must not end the application"
    go = _go()
    (tmp_path / "main.go").write_text(blocks[0])
    (tmp_path / "go.mod").write_text(
        "module readme\n\ngo 1.19\n\nrequire metricsd/clients/go v0.0.0\n\n"
        f"replace metricsd/clients/go => {GO_DIR}\n")
    for goos in PLATFORMS:
        _run(go, "vet", ".", cwd=tmp_path, GOOS=goos, GOFLAGS="-mod=mod")
        _run(go, "build", "-o", str(tmp_path / "app"), ".", cwd=tmp_path, GOOS=goos,
             GOFLAGS="-mod=mod")
