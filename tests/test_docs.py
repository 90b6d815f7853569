"""The docs name every rule of the code: a label or keyword added in one place only fails."""

from __future__ import annotations

from pathlib import Path

from metricsd.core.batches import ARCH_LABELS, OS_LABELS
from metricsd.core.facts import (
    CACHE_HIT_EDGES,
    COUNTERS,
    HEALTH_COUNTERS,
    PROVIDER_ERROR_KEYWORDS,
    PROVIDER_STATUS_LABELS,
    TOOL_ERROR_KEYWORDS,
)

ROOT = Path(__file__).resolve().parent.parent
FACTS_MD = (ROOT / "docs" / "FACTS.md").read_text(encoding="utf-8")


def doc_form(pattern: str) -> str:
    """A regular-expression fragment as written in a Markdown table cell."""
    return f"`{pattern.replace('|', chr(92) + '|')}`"


def test_every_counter_and_label_is_documented() -> None:
    for counter, labels in COUNTERS.items():
        assert f"`{counter}`" in FACTS_MD, counter
        for label in labels:
            assert f"`{label}`" in FACTS_MD, (counter, label)
    for name in HEALTH_COUNTERS:
        assert f"`{name}`" in FACTS_MD, name


def test_every_keyword_is_documented_in_its_row() -> None:
    rows = FACTS_MD.splitlines()
    for table in (PROVIDER_ERROR_KEYWORDS, TOOL_ERROR_KEYWORDS):
        for label, patterns in table:
            for pattern in patterns:
                assert any(row.strip().startswith(f"| `{label}` |") and doc_form(pattern) in row
                           for row in rows), (label, pattern)


def test_status_table_and_buckets_are_documented() -> None:
    for status, label in PROVIDER_STATUS_LABELS.items():
        assert any(str(status) in row and f"`{label}`" in row
                   for row in FACTS_MD.splitlines()), status
    for _, label in CACHE_HIT_EDGES:
        assert f"| `{label}` |" in FACTS_MD, label


def test_upload_labels_are_documented() -> None:
    for label in {*OS_LABELS.values(), *ARCH_LABELS.values()}:
        assert f"`{label}`" in FACTS_MD, label


# --- the contract lives in the repository -----------------------------------------------

def _repo_docs() -> list[Path]:
    skip = {".venv", "node_modules", ".git", ".pytest_cache", "build", "dist"}
    return [p for p in ROOT.rglob("*.md")
            if not skip.intersection(p.relative_to(ROOT).parts)]


def test_no_doc_links_outside_the_repository() -> None:
    import re

    link = re.compile(r"\]\(([^)\s]+)\)")
    docs = _repo_docs()
    assert len(docs) >= 8
    for doc in docs:
        text = doc.read_text(encoding="utf-8")
        assert "SPEC" not in text, f"{doc}: the contract must be stated here, not cited"
        for target in link.findall(text):
            assert "://" not in target, f"{doc}: {target} leaves the repository"
            path = target.split("#", 1)[0]
            if not path:
                continue
            resolved = (doc.parent / path).resolve()
            assert resolved.is_relative_to(ROOT), f"{doc}: {target} leaves the repository"
            assert resolved.exists(), f"{doc}: {target} does not exist"


def test_no_code_cites_an_outside_contract() -> None:
    for path in (ROOT / "metricsd").rglob("*.py"):
        assert "SPEC" not in path.read_text(encoding="utf-8"), path


PROTOCOL_MD = (ROOT / "docs" / "PROTOCOL.md").read_text(encoding="utf-8")


def test_protocol_doc_names_every_counter_label_limit_and_error_code() -> None:
    from metricsd.core.counts import MAX_CLIENT_VERSIONS
    from metricsd.core.wire import ERROR_CODES, MAX_MESSAGE_BYTES, MAX_STRING_BYTES
    from metricsd.server import Limits

    for counter, labels in COUNTERS.items():
        assert f"`{counter}`" in PROTOCOL_MD, counter
        for label in labels:
            assert f"`{label}`" in PROTOCOL_MD, (counter, label)
    for name in HEALTH_COUNTERS:
        assert f"`{name}`" in PROTOCOL_MD, name
    for code in ERROR_CODES:
        assert f"| `{code}` |" in PROTOCOL_MD, code
    limits = Limits()
    for figure in (f"{MAX_MESSAGE_BYTES:,}".replace(",", " "),
                   f"{MAX_STRING_BYTES:,}".replace(",", " "),
                   f"{limits.message_timeout:g} s", f"{limits.send_timeout:g} s",
                   f"{limits.max_connections}", f"{MAX_CLIENT_VERSIONS}, then `unknown`"):
        assert figure in PROTOCOL_MD, figure


def test_every_test_named_in_privacy_md_exists() -> None:
    import re

    text = (ROOT / "docs" / "PRIVACY.md").read_text(encoding="utf-8")
    named = re.findall(r"`(tests/[a-z_/]+\.py)::([a-z0-9_]+)`", text)
    assert len(named) >= 30
    for path, name in named:
        source = (ROOT / path).read_text(encoding="utf-8")
        assert f"def {name}(" in source, f"{path}::{name} is named in PRIVACY.md"
