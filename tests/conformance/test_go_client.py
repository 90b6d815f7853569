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
