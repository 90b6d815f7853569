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

import msgspec
import pytest
from metricsd_receiver import schema as receiver_schema
from metricsd_receiver.model import build_model, schema_document, tables_from_document
from metricsd_receiver.schema import TABLES, Invalid, parse, validate

from metricsd.core.batches import ARCH_LABELS, OS_LABELS
from metricsd.core.facts import (
    COUNTERS,
    COUNTERS_V1,
    HEALTH_COUNTERS,
    client_version_label,
    is_rendered_version,
)
from tests.fake_endpoint import Invalid as FakeInvalid
from tests.fake_endpoint import validate as fake_validate
from tests.receiver.bodies import body, daemon_body, encode, today

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
    shipped["$defs"]["FinishReasonV2"]["properties"].pop("stop")
    (pkg / "schema.json").write_text(json.dumps(shipped, indent=2) + "\n")
    result = subprocess.run([sys.executable, str(tmp_path / "generate_schema.py"), "--check"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1


def test_the_receiver_reads_the_daemon_allow_lists() -> None:
    v1, v2 = TABLES.bodies[1], TABLES.bodies[2]
    assert dict(v2.counters) == dict(COUNTERS)
    assert dict(v1.counters) == dict(COUNTERS_V1)
    assert dict(receiver_schema.COUNTERS) == dict(COUNTERS)
    assert v2.health[:len(HEALTH_COUNTERS)] == tuple(HEALTH_COUNTERS) or \
        v2.health == tuple(HEALTH_COUNTERS)
    assert "clipped" in v2.health and "clipped" not in v1.health
    assert set(v1.health) == set(v2.health) - {"clipped"}
    assert (v1.one_day, v2.one_day) == (False, True)
    assert v2.max_count == 100_000 and v1.max_count == 100_000  # the same bound
    assert set(TABLES.os) == {*OS_LABELS.values(), "other"}
    assert set(TABLES.arch) == {*ARCH_LABELS.values(), "other"}
    assert not set(COUNTERS) & set(HEALTH_COUNTERS)  # they share one table


def test_schema_json_is_what_the_typed_model_emits() -> None:
    shipped = json.loads((ROOT / "receiver/metricsd_receiver/schema.json").read_text())
    assert schema_document(tables_from_document(shipped)) == shipped
    model = build_model(TABLES)
    assert sorted(model) == [1, 2]
    assert all(issubclass(t, msgspec.Struct) for t in model.values())


def test_the_daemons_own_body_is_valid() -> None:
    b = daemon_body()
    batch = validate(encode(b), b["batch_id"])
    assert batch.schema == b["schema"]
    assert ("turns", "", 3) in batch.counts


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
    corpus = _version_corpus()
    assert sum(map(is_rendered_version, corpus)) > 100  # the corpus has both kinds

    def accepted(v: str) -> bool:
        try:
            validate(encode(body(v)))
        except Invalid:
            return False
        return True

    for v in corpus:
        assert accepted(v) == is_rendered_version(v), v
    for v in corpus[:300]:  # whatever the daemon renders is accepted
        assert accepted(client_version_label(v)), v


@pytest.mark.parametrize("schema", [1, 2])
def test_a_body_of_either_schema_is_valid(schema: int) -> None:
    b = body(schema=schema)
    batch = validate(encode(b), b["batch_id"])
    assert batch.schema == schema
    assert batch.client_version == "1.4.0"
    assert ("finish_reason", "stop", 8) in batch.counts
    assert ("cache_hit", "90-99" if schema == 1 else "100", 7) in batch.counts
    assert dict(batch.health) == {name: int(name == "invalid_events")
                                  for name in TABLES.bodies[schema].health}


def test_schema_1_keeps_multi_day_periods_within_the_bound() -> None:
    b = body(schema=1, day_from="2026-11-01", day="2026-11-20", turns=100_000)
    batch = validate(encode(b))
    assert (batch.period_from, batch.period_to) == ("2026-11-01", "2026-11-20")
    assert ("turns", "", 100_000) in batch.counts
    for n in (100_001, 2**53 - 1):
        with pytest.raises(Invalid):
            validate(encode(body(schema=1, turns=n)))


@pytest.mark.parametrize("bad", [
    body(schema=2, day_from="2026-11-19", day="2026-11-20"),  # two days
    body(schema=2, turns=100_001),  # over the daily bound
    body(schema=2, finish_reason__stop=100_001),
    {**body(schema=2), "health": body(schema=1)["health"]},  # no clipped
    body(schema=1, health={"clipped": 0}),  # schema 1 has no clipped
], ids=["two days", "turns over bound", "label over bound", "no clipped", "v1 clipped"])
def test_schema_2_rules(bad: dict[str, Any]) -> None:
    with pytest.raises(Invalid):
        validate(encode(bad))


def test_days_outside_the_window_are_refused() -> None:
    validate(encode(body(day="2024-01-01")))
    validate(encode(body(day=today(1))))
    for day in ("2023-12-31", "0001-01-01", today(2), "9999-12-31"):
        with pytest.raises(Invalid):
            validate(encode(body(day=day)))
        with pytest.raises(Invalid):
            validate(encode(body(schema=1, day_from=day, day=today())))


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
        ("schema 3", m(["schema"], 3)),
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
        ("datetime", m(["period", "to"], "2026-11-20T00:00:00")),
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
        ("newline version", m(["client", "version"], "1.2.3\n")),
    ]


@pytest.mark.parametrize(("what", "bad"), _mutations(), ids=[w for w, _ in _mutations()])
def test_invalid_bodies_are_refused(what: str, bad: Any) -> None:
    with pytest.raises(Invalid):
        validate(encode(copy.deepcopy(bad)))


@pytest.mark.parametrize(("what", "bad"), _mutations(), ids=[w for w, _ in _mutations()])
def test_the_strict_test_endpoint_refuses_them_too(what: str, bad: Any) -> None:
    # The fake endpoint the daemon's tests use is at most as lenient as the receiver here
    # (except where the receiver is stricter: upper-case ids, calendar days, huge counts).
    if what in ("upper uuid", "calendar", "huge", "daemon version", "client version zeros",
                "datetime", "newline version", "schema 3"):
        return
    with pytest.raises(FakeInvalid):
        fake_validate(copy.deepcopy(bad))


def _dup(b: dict[str, Any]) -> bytes:
    text = encode(b).decode()
    return text.replace('"turns": 10', '"turns": 10, "turns": 11', 1).encode()


@pytest.mark.parametrize("raw", [b'{"a": NaN}', _dup(body()), b"\xff\xfe", b"[" * 100_000,
                                 b'{"a": Infinity}', b""])
def test_strict_json(raw: bytes) -> None:
    with pytest.raises(Invalid):
        parse(raw)


def test_error_messages_never_contain_the_input() -> None:
    secret = "s3cr3t-value"
    for bad in (
        {**body(), "client": {"version": secret}},
        {**body(), "counts": {secret: 1}},
        {**body(), "counts": {"finish_reason": {secret: 1}}},
        {**body(), secret: 1},
    ):
        with pytest.raises(Invalid) as info:
            validate(encode(bad))
        assert secret not in str(info.value)
    assert re.search("s3cr3t", str(Invalid("x"))) is None
