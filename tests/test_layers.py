"""The pure core imports no I/O: each module of metricsd.core, imported alone in a fresh
interpreter, loads no socket, SQLite, HTTP, trio, platformdirs or file-watching code."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import pytest

import metricsd.core

FORBIDDEN = ("trio", "sqlite3", "_sqlite3", "httpx", "httpcore", "socket", "_socket", "ssl",
             "asyncio", "platformdirs", "select", "selectors", "threading", "subprocess",
             "metricsd.store", "metricsd.consent", "metricsd.server", "metricsd.daemon",
             "metricsd.watch", "metricsd.directories", "metricsd.instance", "metricsd.tcp",
             "metricsd.activation", "metricsd.settings")
CORE = sorted(f"metricsd.core.{m.name}" for m in pkgutil.iter_modules(metricsd.core.__path__))


def test_the_core_has_the_expected_modules() -> None:
    assert {"metricsd.core.wire", "metricsd.core.protocol", "metricsd.core.facts",
            "metricsd.core.counts", "metricsd.core.batches", "metricsd.core.consent",
            "metricsd.core.endpoint", "metricsd.core.retry"} <= set(CORE)


@pytest.mark.parametrize("module", CORE)
def test_a_core_module_loads_no_io(module: str) -> None:
    code = (f"import sys, json; import {module}; "
            "print(json.dumps(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    loaded = set(json.loads(out.stdout))
    assert module in loaded  # the import happened, so the check below can fail
    assert not loaded.intersection(FORBIDDEN), sorted(loaded.intersection(FORBIDDEN))


def test_core_never_imports_from_the_package_root() -> None:
    """The core depends on nothing above it, the package root included (its version and
    protocol number live in metricsd.core.version; the root re-exports them)."""
    import pathlib

    core_dir = pathlib.Path(metricsd.core.__path__[0])
    for path in sorted(core_dir.glob("*.py")):
        text = path.read_text()
        assert "from metricsd import" not in text and "import metricsd\n" not in text, path


def test_the_wall_clock_is_read_in_one_place() -> None:
    """Every date comes from the clock passed down from the command line: no module of
    the daemon or its commands reads the wall clock itself, except metricsd/clock.py."""
    import pathlib
    import re

    package = pathlib.Path(metricsd.__path__[0])
    reads = re.compile(r"time\.time\(|time\.time\b(?!_)|datetime\.now|datetime\.utcnow|"
                       r"date\.today|time\.gmtime\(\)|time\.localtime\(\)|time\.ctime\(\)")
    found = [f"{path.relative_to(package)}:{n}" for path in sorted(package.rglob("*.py"))
             if path.name != "clock.py"
             for n, line in enumerate(path.read_text().splitlines(), 1)
             if reads.search(line)]
    assert found == []


def test_the_daemon_uses_only_the_clients_public_modules() -> None:
    """metricsd-client is a dependency with a public surface: the daemon imports none of
    its private modules (``metricsd_client._*``)."""
    import pathlib
    import re

    package = pathlib.Path(metricsd.__path__[0])
    private = re.compile(r"(from|import)\s+metricsd_client\._")
    found = [f"{path.relative_to(package)}:{n}" for path in sorted(package.rglob("*.py"))
             for n, line in enumerate(path.read_text().splitlines(), 1)
             if private.search(line)]
    assert found == []
