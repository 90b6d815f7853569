"""One purge, aware of damage, and the store's privacy guard as its own error."""

from __future__ import annotations

import pytest

from metricsd.store import PrivacyGuardError, Store
from tests.conftest import Home, cli


def test_consent_off_deletes_a_corrupt_database_whole(home: Home) -> None:
    """A database too damaged to open holds counts too: `consent off` deletes it (it used
    to exit 1 and leave the file)."""
    home.state_dir.mkdir(mode=0o700)
    home.db.write_bytes(b"SQLite format 3\0" + b"\xff" * 8192)
    home.db.with_name("metrics.sqlite3-wal").write_bytes(b"\x01" * 100)
    out = cli(home, "consent", "off")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "deleted" in out.stdout
    assert home.db_files() == []


def test_the_privacy_guard_is_its_own_error(home: Home) -> None:
    home.state_dir.mkdir(mode=0o700)
    store = Store(home.db)
    try:
        with pytest.raises(PrivacyGuardError):
            store.commit({(False, "1.0.0"): {("tool_error", "secret text"): 1}},
                         daemon_version="0.1.0", day="2026-12-01")
        with pytest.raises(PrivacyGuardError):
            store.commit({(False, "1.0.0 secret"): {("turns", ""): 1}},
                         daemon_version="0.1.0", day="2026-12-01")
        assert store.committed_totals() == {}
    finally:
        store.close()
