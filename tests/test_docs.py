"""The docs name every rule of the code: a label or keyword added in one place only fails."""

from __future__ import annotations

import re
from pathlib import Path

from metricsd.core.batches import ARCH_LABELS, OS_LABELS
from metricsd.core.facts import (
    CACHE_HIT_EDGES,
    COUNTERS,
    FINISH_REASON_ALIASES,
    FINISH_REASON_FAMILIES,
    HEALTH_COUNTERS,
    LABEL_MEANINGS,
    PROVIDER_ERROR_FAMILIES,
    PROVIDER_ERROR_KEYWORDS,
    PROVIDER_ERROR_REFINEMENT_FAMILIES,
    PROVIDER_ERROR_REFINEMENTS,
    PROVIDER_STATUS_LABELS,
    PROVIDER_STATUS_NAMES,
    STATUS_FORMS,
    TOOL_ERROR_FAMILIES,
    TOOL_ERROR_KEYWORDS,
)
from tests.corpus import docs as facts_docs

ROOT = Path(__file__).resolve().parent.parent
FACTS_MD = (ROOT / "docs" / "FACTS.md").read_text(encoding="utf-8")


def test_facts_doc_is_generated_from_the_tables() -> None:
    assert facts_docs.rewritten(FACTS_MD) == FACTS_MD, \
        "docs/FACTS.md is out of date: run python -m tests.corpus.docs"


ENTRY_TABLES = ("| label | alias (normalised) | source |", "| label | phrase | source |",
                 "| label | keyword | source |", "| label | words | source |")


def _doc_entry_rows() -> set[tuple[str, str, str]]:
    """The rows of FACTS.md's alias, phrase and keyword tables, code spans unwrapped."""
    span = re.compile(r"^``? ?(.*?) ?``?$")
    out: set[tuple[str, str, str]] = set()
    in_table = False
    for line in FACTS_MD.splitlines():
        if line in ENTRY_TABLES:
            in_table = True
            continue
        if not line.startswith("|"):
            in_table = False
        if not in_table or line.startswith("|---"):
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        label, entry, source = (m.group(1).replace("\\|", "|") if (m := span.match(c)) else c
                                for c in cells)
        out.add((label, entry, source))
    return out


def test_every_alias_and_keyword_is_in_the_doc_with_its_source_and_back() -> None:
    code_rows = {(label, entry or "(empty)", source)
                 for table in (FINISH_REASON_ALIASES, PROVIDER_ERROR_REFINEMENTS,
                               PROVIDER_ERROR_KEYWORDS, TOOL_ERROR_KEYWORDS,
                               FINISH_REASON_FAMILIES, PROVIDER_ERROR_REFINEMENT_FAMILIES,
                               PROVIDER_ERROR_FAMILIES, TOOL_ERROR_FAMILIES)
                 for label, entries in table for entry, source in entries}
    doc_rows = _doc_entry_rows()
    assert code_rows <= doc_rows, sorted(code_rows - doc_rows)[:5]
    assert doc_rows <= code_rows, sorted(doc_rows - code_rows)[:5]


def test_every_counter_label_and_meaning_is_documented() -> None:
    for counter, labels in COUNTERS.items():
        assert f"`{counter}`" in FACTS_MD, counter
        for label in labels:
            assert f"`{label}`" in FACTS_MD, (counter, label)
    for counter, meanings in LABEL_MEANINGS.items():
        for label, meaning in meanings.items():
            assert f"`{label}` | {meaning} |" in FACTS_MD, (counter, label)
    for name in HEALTH_COUNTERS:
        assert f"`{name}`" in FACTS_MD, name


def test_status_table_forms_and_buckets_are_documented() -> None:
    for status, label in PROVIDER_STATUS_LABELS.items():
        assert any(str(status) in row and f"`{label}`" in row
                   for row in FACTS_MD.splitlines()), status
    for form, source in STATUS_FORMS:
        assert any(form.replace("|", "\\|") in row and source in row
                   for row in FACTS_MD.splitlines()), form
    for _, label in CACHE_HIT_EDGES:
        assert f"| `{label}` |" in FACTS_MD, label
    for name, status, source in PROVIDER_STATUS_NAMES:
        assert f"| `{name}` | {status} | {source} |" in FACTS_MD, name


def test_upload_labels_are_documented() -> None:
    for label in {*OS_LABELS.values(), *ARCH_LABELS.values()}:
        assert f"`{label}`" in FACTS_MD, label


# --- the contract lives in the repository -----------------------------------------------

def _repo_docs() -> list[Path]:
    skip = {".venv", "node_modules", ".git", ".pytest_cache", "build", "dist"}
    return [p for p in ROOT.rglob("*.md")
            if not skip.intersection(p.relative_to(ROOT).parts)]


def test_no_doc_links_outside_the_repository() -> None:
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
    text = (ROOT / "docs" / "PRIVACY.md").read_text(encoding="utf-8")
    named = re.findall(r"`(tests/[a-z_/]+\.py)::([a-z0-9_]+)`", text)
    assert len(named) >= 30
    for path, name in named:
        source = (ROOT / path).read_text(encoding="utf-8")
        assert f"def {name}(" in source, f"{path}::{name} is named in PRIVACY.md"


def test_the_readme_command_table_names_every_option_of_each_command() -> None:
    """Each command's row in the README's "Command line" table shows every option its
    parser has (the common options are listed once below the table)."""
    import argparse

    from metricsd.cli import _common_options, build_parser

    common = argparse.ArgumentParser()
    _common_options(common)
    skip = {o for a in common._actions for o in a.option_strings}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Command line", 1)[1].split("\n\n", 2)[1]
    rows = {m.group(1): m.group(0) for m in
            re.finditer(r"^\| `metricsd ([a-z]+)[^|`]*(?:\\\|[^|`]*)*` \|", table, re.M)}
    _, subs = build_parser()
    assert set(subs) <= set(rows), (set(subs), set(rows))
    for name, parser in subs.items():
        options = {o for a in parser._actions for o in a.option_strings
                   if o.startswith("--") and o not in skip and o != "--help"}
        missing = {o for o in options if not re.search(re.escape(o) + r"\b", rows[name])}
        assert not missing, f"the README's row of `metricsd {name}` lacks {sorted(missing)}"
