"""schema.json is generated from the daemon's tables, and validation follows it."""

from __future__ import annotations

import copy
import json
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from metricsd_receiver import schema as receiver_schema
from metricsd_receiver.schema import Invalid, parse_json, validate

from metricsd.core.batches import ARCH_LABELS, OS_LABELS
from metricsd.core.facts import COUNTERS, HEALTH_COUNTERS, client_version_label, is_rendered_version
from tests.fake_endpoint import Invalid as FakeInvalid
from tests.fake_endpoint import validate as fake_validate
from tests.receiver.bodies import body

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = ROOT / "receiver" / "generate_schema.py"


def test_committed_schema_is_what_the_generator_writes() -> None:
    result = subprocess.run([sys.executable, str(GENERATOR), "--check"], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_check_fails_on_a_stale_file(tmp_path: Path) -> None:
    # The check is a real comparison: a copy of the generator next to an edited file fails.
    pkg = tmp_path / "metricsd_receiver"
    pkg.mkdir()
    (tmp_path / "generate_schema.py").write_text(GENERATOR.read_text())
    shipped = json.loads((ROOT / "receiver/metricsd_receiver/schema.json").read_text())
    shipped["properties"]["counts"]["properties"]["finish_reason"]["properties"].pop("stop")
    (pkg / "schema.json").write_text(json.dumps(shipped, indent=2) + "\n")
    result = subprocess.run([sys.executable, str(tmp_path / "generate_schema.py"), "--check"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1


def test_the_receiver_reads_the_daemon_allow_lists() -> None:
    assert dict(receiver_schema.COUNTERS) == dict(COUNTERS)
    assert tuple(receiver_schema.HEALTH_COUNTERS) == tuple(HEALTH_COUNTERS)
    assert receiver_schema.RULES.os == {*OS_LABELS.values(), "other"}
    assert receiver_schema.RULES.arch == {*ARCH_LABELS.values(), "other"}
    assert not set(COUNTERS) & set(HEALTH_COUNTERS)  # they share one table


def _version_corpus() -> list[str]:
    rng = random.Random(7)
    words = ["", "-dev", "-alpha.1", "-beta.0", "-rc.12", "-rc.01", "-gamma.1", "-dev.1",
             "-alpha", "+build", "-rc.99999"]
    nums = ["0", "1", "9", "10", "0012", "9999", "10000", "01", "", "x"]
    out = ["unknown", "Unknown", "other", "1.2.3\n", " 1.2.3", "1.2", "1.2.3.4"]
    for _ in range(3000):
        out.append(".".join(rng.choice(nums) for _ in range(3)) + rng.choice(words))
    return out


def test_client_version_pattern_matches_is_rendered_version() -> None:
    pattern = receiver_schema.RULES.client_version
    corpus = _version_corpus()
    assert sum(map(is_rendered_version, corpus)) > 100  # the corpus has both kinds
    for v in corpus:
        shown = pattern.fullmatch(v) is not None and "\n" not in v
        assert shown == is_rendered_version(v), v
    for v in corpus:  # whatever the daemon renders is accepted
        rendered = client_version_label(v)
        assert pattern.fullmatch(rendered), rendered


def test_a_daemon_body_is_valid() -> None:
    b = body()
    batch = validate(b, b["batch_id"])
    assert batch.client_version == "1.4.0"
    assert ("finish_reason", "stop", 8) in batch.counts
    assert dict(batch.health) == {"invalid_events": 1, "unknown_events": 0,
                                  "dropped_batches": 0}


def _mutations() -> list[tuple[str, Any]]:
    def m(path: list[str], value: Any) -> Any:
        b = body()
        target = b
        for key in path[:-1]:
            target = target[key]
        if value is KeyError:
            del target[path[-1]]
        else:
            target[path[-1]] = value
        return b

    return [
        ("not an object", []),
        ("schema 2", m(["schema"], 2)),
        ("schema true", m(["schema"], True)),
        ("schema 1.0", m(["schema"], 1.0)),
        ("no health", m(["health"], KeyError)),
        ("uuid1", m(["batch_id"], "a8098c1a-f86e-11da-bd1a-00112444be1e")),
        ("upper uuid", m(["batch_id"], "F47AC10B-58CC-4372-A567-0E02B2C3D479")),
        ("batch_id int", m(["batch_id"], 7)),
        ("os", m(["daemon", "os"], "windows")),
        ("arch", m(["daemon", "arch"], "amd64")),
        ("daemon version", m(["daemon", "version"], "latest")),
        ("daemon extra", m(["daemon", "host"], "laptop")),
        ("client version text", m(["client", "version"], "my build")),
        ("client version zeros", m(["client", "version"], "01.2.3")),
        ("client extra", m(["client", "user"], "x")),
        ("day", m(["period", "from"], "2026-1-01")),
        ("calendar", m(["period", "to"], "2026-02-30")),
        ("order", m(["period", "from"], "2026-12-01")),
        ("empty counts", m(["counts"], {})),
        ("unknown counter", m(["counts", "prompts"], 1)),
        ("unknown label", m(["counts", "finish_reason"], {"secret": 1})),
        ("zero count", m(["counts", "turns"], 0)),
        ("negative", m(["counts", "cache_hit"], {"100": -1})),
        ("float count", m(["counts", "turns"], 1.5)),
        ("bool count", m(["counts", "turns"], True)),
        ("string count", m(["counts", "turns"], "3")),
        ("empty labels", m(["counts", "tool_error"], {})),
        ("labelled as number", m(["counts", "tool_error"], 3)),
        ("unlabelled as object", m(["counts", "turns"], {"": 3})),
        ("health extra", m(["health", "secrets"], 0)),
        ("health negative", m(["health", "unknown_events"], -1)),
        ("huge", m(["counts", "turns"], 2**53)),
    ]


@pytest.mark.parametrize(("what", "bad"), _mutations(), ids=[w for w, _ in _mutations()])
def test_invalid_bodies_are_refused(what: str, bad: Any) -> None:
    with pytest.raises(Invalid):
        validate(copy.deepcopy(bad))


@pytest.mark.parametrize(("what", "bad"), _mutations(), ids=[w for w, _ in _mutations()])
def test_the_strict_test_endpoint_refuses_them_too(what: str, bad: Any) -> None:
    # The fake endpoint the daemon's tests use is at most as lenient as the receiver here
    # (except where the receiver is stricter: upper-case ids, calendar days, huge counts).
    if what in ("upper uuid", "calendar", "huge", "daemon version", "client version zeros"):
        return
    with pytest.raises(FakeInvalid):
        fake_validate(copy.deepcopy(bad))


@pytest.mark.parametrize("raw", [b'{"a": NaN}', b'{"a": 1, "a": 2}', b"\xff\xfe", b"[" * 100_000,
                                 b'{"a": Infinity}', b""])
def test_strict_json(raw: bytes) -> None:
    with pytest.raises(Invalid):
        parse_json(raw)


def test_error_messages_never_contain_the_input() -> None:
    secret = "s3cr3t-value"
    for bad in (
        {**body(), "client": {"version": secret}},
        {**body(), "counts": {secret: 1}},
        {**body(), "counts": {"finish_reason": {secret: 1}}},
        {**body(), secret: 1},
    ):
        with pytest.raises(Invalid) as info:
            validate(bad)
        assert secret not in str(info.value)
    assert re.search("s3cr3t", str(Invalid("x"))) is None
