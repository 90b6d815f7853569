"""The Go client's own checks (clients/go): ``gofmt``, ``go vet`` (Linux and macOS
builds) and ``go test ./...`` against a real daemon (``METRICSD_EXE``: this venv's
``metricsd``).  Without Go the test skips locally and fails under CI (``CI`` set)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import clean_env

GO_DIR = Path(__file__).resolve().parents[2] / "clients" / "go"


def _go() -> str:
    go = shutil.which("go")
    if go is None:
        if os.environ.get("CI"):
            pytest.fail("the Go toolchain is not installed (CI is set: a failure, not a skip)")
        pytest.skip("the Go toolchain is not installed")
    assert go is not None
    return go


def _run(*cmd: str, **env: str) -> str:
    result = subprocess.run(cmd, cwd=GO_DIR, capture_output=True, text=True, timeout=600,
                            env=clean_env(**env))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-8000:]
    return output


def test_go_vet_and_gofmt() -> None:
    go = _go()
    gofmt = str(Path(go).resolve().with_name("gofmt"))
    assert _run(gofmt if os.path.exists(gofmt) else "gofmt", "-l", ".").strip() == ""
    _run(go, "vet", "./...")
    for goos in ("darwin", "freebsd"):
        _run(go, "vet", "./...", GOOS=goos)


def test_go_test_against_a_real_daemon() -> None:
    go = _go()
    exe = Path(sys.executable).with_name("metricsd")
    out = _run(go, "test", "-count=1", "-v", "./...", METRICSD_EXE=str(exe), CI="1")
    assert "--- SKIP" not in out, out
    assert out.count("--- PASS") >= 8, out


def test_readme_go_sidecar_example_compiles(tmp_path: Path) -> None:
    import re

    readme = (GO_DIR.parents[1] / "README.md").read_text()
    blocks = [b for b in re.findall(r"```go\n(.*?)```", readme, re.DOTALL)
              if "metricsd.Spawn" in b]
    assert len(blocks) == 1, "the README's Go example uses metricsd.Spawn"
    go = _go()
    (tmp_path / "main.go").write_text(blocks[0])
    (tmp_path / "go.mod").write_text(
        "module readme\n\ngo 1.19\n\nrequire metricsd/clients/go v0.0.0\n\n"
        f"replace metricsd/clients/go => {GO_DIR}\n")
    result = subprocess.run([go, "vet", "."], cwd=tmp_path, capture_output=True, text=True,
                            timeout=600, env=clean_env(GOFLAGS="-mod=mod"))
    assert result.returncode == 0, result.stdout + result.stderr
    result = subprocess.run([go, "build", "-o", str(tmp_path / "app"), "."], cwd=tmp_path,
                            capture_output=True, text=True, timeout=600,
                            env=clean_env(GOFLAGS="-mod=mod"))
    assert result.returncode == 0, result.stdout + result.stderr
