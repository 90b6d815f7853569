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
