"""clients/spec.json is generated from tests/clientspec.py and agrees with the daemon."""

from __future__ import annotations

from metricsd import PROTO
from metricsd.core import wire
from tests import clientspec


def test_generated_files_are_current() -> None:
    assert clientspec.main(["--check"]) == 0


def test_limits_and_proto_match_the_daemon() -> None:
    spec = clientspec.SPEC
    assert spec["proto"] == PROTO
    assert spec["limits"]["max_message_bytes"] == wire.MAX_MESSAGE_BYTES
    assert spec["limits"]["max_string_bytes"] == wire.MAX_STRING_BYTES


def test_usage_forms_match_the_protocol() -> None:
    from metricsd.core import protocol

    forms = clientspec.SPEC["usage_forms"]
    assert set(forms["usage"]) == protocol._SPLIT_FIELDS
    assert set(forms["usage_total"]) == protocol._TOTAL_FIELDS
    assert set(forms["usage_read_write"]) == protocol._READ_WRITE_FIELDS
