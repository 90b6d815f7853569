"""CI runs the atheris fuzz target for a fixed short budget (FUZZ_SECONDS / FUZZ_RUNS).

Any finding makes atheris exit non-zero and print the crashing input, which fails this
test.  Skipped (with the reason) where atheris is not installed (it ships wheels for
Linux x86_64 only; see the ``test`` extra in pyproject.toml).
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import clean_env

TARGET = Path(__file__).with_name("fuzz_session.py")
#: The CI budget: whichever ends first.
FUZZ_SECONDS = 4
FUZZ_RUNS = 100_000


@pytest.mark.skipif(importlib.util.find_spec("atheris") is None,
                    reason="atheris is not installed (Linux x86_64 wheels only)")
@pytest.mark.long
def test_fuzz_the_decoding_path_for_a_fixed_budget(tmp_path: Path) -> None:
    from tests.fuzz.fuzz_session import SEEDS

    corpus = tmp_path / "corpus"  # atheris writes new inputs here, not into the repo
    corpus.mkdir()
    for i, seed in enumerate(SEEDS):
        (corpus / f"seed-{i}").write_bytes(seed)
    root = Path(__file__).parents[2]
    env = clean_env(PYTHONPATH=str(root))
    proc = subprocess.run(
        [sys.executable, str(TARGET), f"-max_total_time={FUZZ_SECONDS}",
         f"-runs={FUZZ_RUNS}", "-max_len=4096", "-rss_limit_mb=1024",
         f"-artifact_prefix={tmp_path}/", str(corpus)],
        capture_output=True, text=True, env=env, cwd=root, timeout=FUZZ_SECONDS + 60)
    tail = proc.stderr[-3000:]
    assert proc.returncode == 0, tail
    done = re.search(r"Done (\d+) runs", proc.stderr)
    assert done is not None, tail
    # The figure for docs/RELIABILITY.md.
    print(f"fuzz: {done.group(1)} executions in <= {FUZZ_SECONDS}s")
    assert int(done.group(1)) > 0
