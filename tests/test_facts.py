"""The classification tables of SPEC section 5, row by row (pure, no I/O)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metricsd.core import facts
from metricsd.core.facts import (
    CACHE_HIT_LABELS,
    COUNTERS,
    FINISH_REASON_LABELS,
    PROVIDER_ERROR_KEYWORDS,
    PROVIDER_ERROR_LABELS,
    PROVIDER_STATUS_LABELS,
    STATUS_IN_MESSAGE,
    TOOL_ERROR_KEYWORDS,
    TOOL_ERROR_LABELS,
    KeywordTable,
    cache_hit_label,
    client_version_label,
    finish_reason_fact,
    is_allowed,
    is_rendered_version,
    provider_error_label,
    tool_error_label,
)

# --- the counters and their allow-lists are exactly those of the spec -------------------


def test_counters_and_labels_match_the_spec() -> None:
    assert dict(COUNTERS) == {
        "turns": (),
        "finish_reason": ("stop", "length", "tool_calls", "content_filter",
                          "insufficient_system_resource", "none", "other"),
        "empty_final": (),
        "cache_hit": ("none", "0", "1-49", "50-89", "90-99", "100"),
        "provider_error": ("auth", "billing", "bad_request", "not_found", "too_large",
                           "rate_limit", "overloaded", "server", "http_other", "timeout",
                           "network", "canceled", "other"),
        "tool_error": ("timeout", "not_found", "permission", "denied", "invalid_args",
                       "exit_nonzero", "other"),
        "compaction": (),
    }


@pytest.mark.parametrize(("counter", "label", "ok"), [
    ("turns", "", True), ("turns", "x", False), ("finish_reason", "stop", True),
    ("finish_reason", "", False), ("finish_reason", "STOP", False),
    ("cache_hit", "90-99", True), ("invalid_events", "", True), ("invalid_events", "a", False),
    ("secret", "", False), ("provider_error", "sk-live-123", False),
])
def test_is_allowed(counter: str, label: str, ok: bool) -> None:
    assert is_allowed(counter, label) is ok


# --- finish_reason ----------------------------------------------------------------------

@pytest.mark.parametrize(("reason", "label"), [
    ("stop", "stop"), ("length", "length"), ("tool_calls", "tool_calls"),
    ("content_filter", "content_filter"),
    ("insufficient_system_resource", "insufficient_system_resource"),
    (None, "none"), ("", "none"),
    ("Stop", "other"), ("end_turn", "other"), ("stop ", "other"), ("my secret prompt", "other"),
])
def test_finish_reason(reason: str | None, label: str) -> None:
    assert finish_reason_fact(reason) == ("finish_reason", label)
    assert label in FINISH_REASON_LABELS


# --- cache_hit buckets: every edge --------------------------------------------------------

@pytest.mark.parametrize(("hit", "miss", "label"), [
    (0, 0, "none"),
    (0, 10, "0"), (0, 1, "0"),
    (1, 199, "0"),           # 0.5 % floors to 0
    (1, 99, "1-49"), (49, 51, "1-49"), (499, 501, "1-49"),  # 49.9 % floors to 49
    (50, 50, "50-89"), (89, 11, "50-89"), (899, 101, "50-89"),
    (90, 10, "90-99"), (99, 1, "90-99"), (9999, 1, "90-99"),  # 99.99 % floors to 99
    (100, 0, "100"), (1, 0, "100"),
    (2**64, 0, "100"), (2**64, 2**64, "50-89"),  # huge counts do not overflow
])
def test_cache_hit_buckets(hit: int, miss: int, label: str) -> None:
    assert cache_hit_label(hit, miss) == label
    assert label in CACHE_HIT_LABELS


# --- provider_error -----------------------------------------------------------------------

@pytest.mark.parametrize(("status", "label"), [
    (401, "auth"), (403, "auth"), (402, "billing"), (400, "bad_request"),
    (422, "bad_request"), (404, "not_found"), (413, "too_large"), (429, "rate_limit"),
    (503, "overloaded"), (500, "server"), (502, "server"), (504, "server"), (599, "server"),
    (418, "http_other"), (409, "http_other"), (301, "http_other"), (100, "http_other"),
])
def test_provider_error_by_status_field(status: int, label: str) -> None:
    # The status field wins over anything in the message.
    assert provider_error_label("status 429 timeout connection refused", status) == label
    assert PROVIDER_STATUS_LABELS.get(status, label) == label


@pytest.mark.parametrize(("message", "label"), [
    ("API error: status 429 Too Many Requests", "rate_limit"),
    ("STATUS 401", "auth"),
    ("upstream returned Status 503, retry later", "overloaded"),
    ("status 500", "server"),
    ("status 418: teapot", "http_other"),
    # The first match counts.
    ("status 401 then status 503", "auth"),
    # Three digits exactly: a fourth digit is no status.
    ("status 5031", "other"),
    ("status 42", "other"),
    # A status in the message beats keywords.
    ("timeout after status 502", "server"),
])
def test_provider_error_status_in_message(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    ("request timeout", "timeout"), ("Read TIMED OUT", "timeout"),
    ("context deadline exceeded", "timeout"),
    ("dial tcp: connection refused", "network"), ("connection reset by peer", "network"),
    ("lookup api.example: no such host", "network"), ("unexpected EOF", "network"),
    ("eof", "network"),
    ("context canceled", "canceled"), ("Request was cancelled", "canceled"),
    ("something else entirely", "other"), ("", "other"),
    ("geofence", "other"),  # 'eof' only as a word
])
def test_provider_error_keywords(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


def test_provider_status_outside_http_range_falls_back_to_message() -> None:
    assert provider_error_label("status 429", 7) == "rate_limit"
    assert provider_error_label("connection refused", 1000) == "network"
    assert provider_error_label("", -1) == "other"


def test_provider_keyword_table_labels_are_allowed() -> None:
    assert [label for label, _ in PROVIDER_ERROR_KEYWORDS] == ["timeout", "network", "canceled"]
    for label in PROVIDER_STATUS_LABELS.values():
        assert label in PROVIDER_ERROR_LABELS


# --- tool_error ---------------------------------------------------------------------------

@pytest.mark.parametrize(("error", "label"), [
    ("command timed out after 120s", "timeout"), ("Timeout", "timeout"),
    ("deadline exceeded", "timeout"),
    ("open /x: no such file or directory", "not_found"), ("file not found", "not_found"),
    ("path does not exist", "not_found"), ("ENOENT", "not_found"),
    ("permission denied", "permission"), ("Operation not permitted", "permission"),
    ("EACCES: access denied", "permission"), ("403 Forbidden", "permission"),
    ("The user rejected this tool call", "denied"), ("denied by user", "denied"),
    ("call not approved", "denied"), ("approval was denied", "denied"),
    ("invalid argument: path", "invalid_args"), ("Invalid JSON in arguments", "invalid_args"),
    ("missing required field 'cmd'", "invalid_args"), ("validation error", "invalid_args"),
    ("unexpected keyword 'foo'", "invalid_args"),
    ("exit status 1", "exit_nonzero"), ("process exited with code 2", "exit_nonzero"),
    ("exit code: 127", "exit_nonzero"), ("non-zero exit", "exit_nonzero"),
    ("returned nonzero", "exit_nonzero"),
    ("exit status 0", "other"), ("kaboom", "other"), ("", "other"),
])
def test_tool_error_keywords(error: str, label: str) -> None:
    assert tool_error_label(error) == label
    assert label in TOOL_ERROR_LABELS


def test_tool_keyword_order_is_documented_precedence() -> None:
    assert [label for label, _ in TOOL_ERROR_KEYWORDS] == [
        "denied", "timeout", "permission", "not_found", "invalid_args", "exit_nonzero"]
    # 'denied' (the user) wins over 'permission denied' wording only when the user is named.
    assert tool_error_label("user denied: permission denied") == "denied"
    assert tool_error_label("permission denied") == "permission"
    # Earlier rows win: a timeout that also exited non-zero is a timeout.
    assert tool_error_label("timed out; exit status 1") == "timeout"


# --- client_version -------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "label"), [
    ("1.4.0", "1.4.0"), ("0.0.0", "0.0.0"), ("9999.9999.9999", "9999.9999.9999"),
    ("01.002.0003", "1.2.3"),  # re-rendered from the numbers
    ("1.2.3-dev", "1.2.3-dev"), ("1.2.3-alpha.1", "1.2.3-alpha.1"),
    ("1.2.3-beta.0010", "1.2.3-beta.10"), ("1.2.3-rc.9999", "1.2.3-rc.9999"),
    ("10000.0.0", "unknown"), ("1.2.3-rc.10000", "unknown"), ("1.2", "unknown"),
    ("1.2.3-gamma.1", "unknown"), ("1.2.3-rc", "unknown"), ("1.2.3+build", "unknown"),
    ("v1.2.3", "unknown"), ("1.2.3 ", "unknown"), ("1.2.3\n", "unknown"),
    ("\u0661.\u0662.\u0663", "unknown"),  # Arabic-Indic digits are not digits here
    ("", "unknown"), (None, "unknown"), (123, "unknown"), (b"1.2.3", "unknown"),
])
def test_client_version(value: object, label: str) -> None:
    assert client_version_label(value) == label
    assert is_rendered_version(label)


def test_is_rendered_version_refuses_unrendered() -> None:
    assert not is_rendered_version("01.2.3")
    assert not is_rendered_version("secret")


def test_every_fact_constant_is_allowed() -> None:
    for name in dir(facts):
        value = getattr(facts, name)
        if (isinstance(value, tuple) and len(value) == 2
                and all(isinstance(v, str) for v in value) and name.isupper()
                and name not in ("CACHE_HIT_LABELS",)):
            assert is_allowed(*value), name


# --- the optimised keyword matching agrees with the plain reading of the tables ----------

_VOCABULARY = [
    "Timed Out", "timeout", "DEADLINE exceeded", "connection refused", "Reset by peer",
    "no such host", "EOF", "geofence", "context canceled", "Cancelled", "canceled",
    "user ", "rejected", " by the user", "denied", "Not Approved", "approval was denied",
    "permission denied", "EACCES", "eperm", "Forbidden", "not found", "No such file",
    "does not exist", "ENOENT", "invalid json", "Missing required", "validation failed",
    "unexpected keyword", "exit code ", "exited with status: ", "-", "1", "0", "9",
    "non-zero exit", "returned nonzero", "status ", "429", " ", "\u0130", "\u212a", "é",
]
_texts = st.lists(st.sampled_from(_VOCABULARY) | st.text(max_size=4), max_size=8).map("".join)


def _reference_label(table: KeywordTable, text: str) -> str:
    for label, patterns in table:
        if any(re.search(p, text, re.IGNORECASE | re.ASCII) for p in patterns):
            return label
    return "other"


@settings(max_examples=400)
@given(_texts)
def test_keyword_fast_path_equals_the_tables(text: str) -> None:
    assert tool_error_label(text) == _reference_label(TOOL_ERROR_KEYWORDS, text)
    if STATUS_IN_MESSAGE.search(text) is None:
        assert provider_error_label(text, None) == _reference_label(PROVIDER_ERROR_KEYWORDS,
                                                                    text)
