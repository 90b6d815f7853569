"""docs/UPLOAD.md names every label and rule a receiver author needs, from the code."""

from __future__ import annotations

from pathlib import Path

from metricsd_receiver.app import DEFAULT_MAX_BODY, DEFAULT_MAX_INFLIGHT, DEFAULT_RETRY_AFTER
from metricsd_receiver.guard import (
    DEFAULT_BODY_TIMEOUT,
    DEFAULT_HEADER_TIMEOUT,
    DEFAULT_UPLOAD_BURST,
    DEFAULT_UPLOAD_RATE,
    MAX_HEADER_BYTES,
)
from metricsd_receiver.schema import COUNTERS, HEALTH_COUNTERS, TABLES

from metricsd.core.batches import (
    ATTEMPT_TIMEOUT_SECONDS,
    MAX_BATCH_AGE_SECONDS,
    MAX_BATCHES,
    MAX_FAILURES_PER_RUN,
    MAX_RETRY_AFTER_SECONDS,
)

ROOT = Path(__file__).resolve().parents[2]
UPLOAD = (ROOT / "docs" / "UPLOAD.md").read_text(encoding="utf-8")


def test_every_counter_label_and_key_is_documented() -> None:
    rows = UPLOAD.splitlines()
    for counter, labels in COUNTERS.items():
        row = next((r for r in rows if r.startswith(f"| `{counter}` |")), None)
        assert row is not None, counter
        for label in labels:
            assert f"`{label}`" in row, (counter, label)
    for name in HEALTH_COUNTERS:
        assert any(r.startswith(f"| `{name}` |") for r in rows), name
    for label in (*TABLES.os, *TABLES.arch):
        assert f"`{label}`" in UPLOAD, label
    for key in ("schema", "batch_id", "daemon.version", "daemon.os", "daemon.arch",
                "client.version", "period.from", "counts", "health"):
        assert f"| `{key}`" in UPLOAD, key


def test_statuses_and_policy_figures_are_documented() -> None:
    for status in ("202", "400", "413", "415", "429", "503", "405", "404", "408"):
        assert f"`{status}`" in UPLOAD, status
    assert f"at most **{ATTEMPT_TIMEOUT_SECONDS:.0f} seconds**" in UPLOAD
    assert f"After **{MAX_FAILURES_PER_RUN} failures**" in UPLOAD
    assert f"older than **{MAX_BATCH_AGE_SECONDS // 86400} days**" in UPLOAD
    assert f"beyond the **{MAX_BATCHES} newest**" in UPLOAD
    assert f"over {MAX_RETRY_AFTER_SECONDS:.0f} s" in UPLOAD
    assert f"`Retry-After: {DEFAULT_RETRY_AFTER}`" in UPLOAD
    assert f"({DEFAULT_MAX_INFLIGHT} by default)" in UPLOAD
    assert (f"more than `--upload-rate` uploads a minute ({DEFAULT_UPLOAD_RATE} by default, "
            f"bursts of `--upload-burst`, {DEFAULT_UPLOAD_BURST})") in UPLOAD
    assert (f"({DEFAULT_HEADER_TIMEOUT:.0f} and {DEFAULT_BODY_TIMEOUT:.0f} by default)"
            in UPLOAD)
    assert f"over {MAX_HEADER_BYTES // 1024} KiB" in UPLOAD
    assert "(64 KiB by default)" in UPLOAD and DEFAULT_MAX_BODY == 64 * 1024


def test_the_docs_stand_alone() -> None:
    for text in (UPLOAD, (ROOT / "receiver" / "README.md").read_text(encoding="utf-8")):
        assert "SPEC" not in text
        assert "../shared" not in text


def test_the_operator_readme_lists_every_option_with_its_default() -> None:
    import argparse

    from metricsd_receiver.cli import parser

    readme = (ROOT / "receiver" / "README.md").read_text(encoding="utf-8")
    rows = {r.split("|")[1].strip(): r.split("|")[2].strip()
            for r in readme.splitlines() if r.startswith("| `--")}
    for action in parser()._actions:
        if not action.option_strings or action.default == argparse.SUPPRESS:
            continue
        flag = action.option_strings[0]
        assert f"`{flag}`" in rows, flag
        want = "none" if action.default is None else f"`{action.default}`"
        assert rows[f"`{flag}`"] == want, flag


def test_the_operator_readme_states_the_budget_and_bounds_of_the_code() -> None:
    import math

    from metricsd_receiver.release import (
        EPSILON,
        GROUPS,
        RELEASE_AGES,
        TURNS_BOUND,
        scale_of,
    )

    readme = (ROOT / "receiver" / "README.md").read_text(encoding="utf-8")
    text = " ".join(readme.split())
    total = sum(g.weight for g in GROUPS)
    for g in GROUPS:
        row = next((r for r in readme.splitlines() if r.strip().startswith(f"| `{g.name}`")),
                   None)
        assert row is not None, g.name
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        assert cells[1:] == [str(g.bound), f"{g.weight:g}/{total:g}",
                             f"{round(scale_of(g) * math.sqrt(2)):,}"], (g.name, cells)
    assert f"ε = {EPSILON:g} per report, over every release that includes it" in text
    assert f"at most **{TURNS_BOUND} turns**" in text
    assert RELEASE_AGES == (2, 8) and "two days and eight days after it" in text
