"""Runs the Node client's own tests (clients/node, ``node --test``) against real daemons.
(Its declarations are type-checked by CI's lint step, ``npm run typecheck``, beside ruff
and mypy.)

Locally, without ``clients/node/node_modules`` (``npm ci --prefix clients/node``) or
without npm, the test is skipped with the reason; with ``CI`` set in the environment it
fails instead, so CI can never pass without running them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import clean_env

NODE_DIR = Path(__file__).resolve().parents[1] / "clients" / "node"
#: The Node suite has more tests than this; fewer means it did not really run.
MIN_NODE_TESTS = 100


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)")
    pytest.skip(reason)


@pytest.mark.long
def test_node_client_suite() -> None:
    npm = shutil.which("npm")
    if npm is None:
        _unavailable("npm is not installed")
    assert npm is not None
    if not (NODE_DIR / "node_modules" / "@msgpack" / "msgpack").is_dir():
        _unavailable("clients/node/node_modules is missing: run `npm ci --prefix clients/node`")
    result = subprocess.run([npm, "test"], cwd=NODE_DIR, capture_output=True, text=True,
                            env=clean_env(METRICSD_PYTHON=sys.executable), timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-8000:]
    passed = re.search(r"^# pass (\d+)$", result.stdout, re.MULTILINE)
    failed = re.search(r"^# fail (\d+)$", result.stdout, re.MULTILINE)
    assert passed and failed, output[-8000:]
    assert int(failed.group(1)) == 0
    assert int(passed.group(1)) >= MIN_NODE_TESTS, output[-8000:]
