"""The classification tables of docs/FACTS.md, rule by rule (pure, no I/O).

The corpus of real inputs (tests/corpus/) measures the tables as a whole; this file pins
each rule: the label sets, normalisation, precedence, the status forms, whole-word matching,
and that the fast matching gives exactly the plain reading of the tables."""

from __future__ import annotations

import functools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metricsd.core import facts
from metricsd.core.facts import (
    CACHE_HIT_LABELS,
    COUNTERS,
    COUNTERS_V1,
    FINISH_REASON_ALIASES,
    FINISH_REASON_FAMILIES,
    LABEL_MEANINGS,
    PROVIDER_ERROR_FAMILIES,
    PROVIDER_ERROR_KEYWORDS,
    PROVIDER_ERROR_LABELS,
    PROVIDER_ERROR_REFINEMENT_FAMILIES,
    PROVIDER_ERROR_REFINEMENTS,
    PROVIDER_STATUS_LABELS,
    PROVIDER_STATUS_NAMES,
    STATUS_FORMS,
    TOOL_ERROR_FAMILIES,
    TOOL_ERROR_KEYWORDS,
    TOOL_ERROR_LABELS,
    AliasTable,
    ascii_lower,
    cache_hit_label,
    client_version_label,
    entry_pattern,
    finish_reason_fact,
    finish_reason_label,
    is_allowed,
    is_rendered_version,
    joined_words,
    normalise_finish_reason,
    provider_error_fact,
    provider_error_label,
    status_in_message,
    tool_error_fact,
    tool_error_label,
    words,
)

# --- the counters and their allow-lists are exactly those of the contract ----------------


def test_counters_and_labels_v2() -> None:
    assert dict(COUNTERS) == {
        "turns": (),
        "finish_reason": ("stop", "length", "tool_calls", "content_filter",
                          "malformed_tool_call", "error", "canceled",
                          "insufficient_system_resource", "none", "other"),
        "empty_final": (),
        "cache_hit": ("none", "0", "1-49", "50-79", "80-89", "90-94", "95-98", "99", "100"),
        "provider_error": ("auth", "billing", "bad_request", "context_length", "not_found",
                           "too_large", "rate_limit", "overloaded", "server", "timeout",
                           "network", "canceled", "http_other", "other"),
        "tool_error": ("denied", "timeout", "canceled", "unknown_tool", "edit_mismatch",
                       "too_large", "permission", "not_found", "invalid_args", "network",
                       "exit_nonzero", "other"),
        "compaction": (),
    }


def test_v1_label_sets_are_frozen() -> None:
    assert COUNTERS_V1["cache_hit"] == ("none", "0", "1-49", "50-89", "90-99", "100")
    assert COUNTERS_V1["finish_reason"] == ("stop", "length", "tool_calls", "content_filter",
                                            "insufficient_system_resource", "none", "other")
    assert len(COUNTERS_V1["provider_error"]) == 13
    assert len(COUNTERS_V1["tool_error"]) == 7
    assert set(COUNTERS_V1) == set(COUNTERS)


def test_every_label_has_a_meaning() -> None:
    for counter, labels in COUNTERS.items():
        assert list(LABEL_MEANINGS.get(counter, {})) == list(labels), counter


@pytest.mark.parametrize(("counter", "label", "ok"), [
    ("turns", "", True), ("turns", "x", False), ("finish_reason", "stop", True),
    ("finish_reason", "malformed_tool_call", True), ("finish_reason", "", False),
    ("finish_reason", "STOP", False), ("cache_hit", "95-98", True), ("cache_hit", "90-99", False),
    ("cache_hit", "50-89", False), ("provider_error", "context_length", True),
    ("tool_error", "edit_mismatch", True), ("invalid_events", "", True),
    ("invalid_events", "a", False), ("secret", "", False), ("provider_error", "sk-live-123", False),
])
def test_is_allowed(counter: str, label: str, ok: bool) -> None:
    assert is_allowed(counter, label) is ok


def test_is_allowed_for_v1_counts() -> None:
    assert is_allowed("cache_hit", "90-99", COUNTERS_V1)
    assert not is_allowed("cache_hit", "95-98", COUNTERS_V1)
    assert not is_allowed("tool_error", "edit_mismatch", COUNTERS_V1)
    assert is_allowed("dropped_batches", "", COUNTERS_V1)


# --- the tables: sources, shapes ----------------------------------------------------------

ALL_TABLES: list[tuple[str, AliasTable]] = [
    ("finish_reason", FINISH_REASON_ALIASES), ("provider_error", PROVIDER_ERROR_REFINEMENTS),
    ("provider_error", PROVIDER_ERROR_KEYWORDS), ("tool_error", TOOL_ERROR_KEYWORDS)]


FAMILY_TABLES: list[tuple[str, AliasTable]] = [
    ("finish_reason", FINISH_REASON_FAMILIES),
    ("provider_error", PROVIDER_ERROR_REFINEMENT_FAMILIES),
    ("provider_error", PROVIDER_ERROR_FAMILIES), ("tool_error", TOOL_ERROR_FAMILIES)]


@pytest.mark.parametrize(("counter", "table"), ALL_TABLES + FAMILY_TABLES)
def test_every_row_has_a_label_of_its_counter_and_a_source(counter: str,
                                                           table: AliasTable) -> None:
    labels = [label for label, _ in table]
    assert len(labels) == len(set(labels)), "one row per label"
    for label, entries in table:
        # Only the finish-reason aliases name spellings that are ``other`` on purpose (their
        # words would mislead the families).
        assert label in COUNTERS[counter]
        assert label != "other" or table is FINISH_REASON_ALIASES
        assert entries
        for entry, source in entries:
            assert len(source) >= 8, (label, entry)
            assert entry == entry.lower(), entry
            assert entry.isascii() or (counter, table) in FAMILY_TABLES, entry
    entries_all = [e for _, rows in table for e, _ in rows]
    assert len(entries_all) == len(set(entries_all)), "an entry appears once"


def test_family_tables_are_in_label_order() -> None:
    """Step two reads the families in the order of the label list (first that applies)."""
    for counter, table in FAMILY_TABLES:
        order = [COUNTERS[counter].index(label) for label, _ in table]
        if table in (FINISH_REASON_FAMILIES, PROVIDER_ERROR_REFINEMENT_FAMILIES):
            continue  # their own orders, below
        assert order == sorted(order), counter
    assert [label for label, _ in PROVIDER_ERROR_REFINEMENT_FAMILIES] == [
        label for label, _ in PROVIDER_ERROR_REFINEMENTS]
    assert [label for label, _ in FINISH_REASON_FAMILIES] == [
        "none", "canceled", "content_filter", "malformed_tool_call", "tool_calls", "length",
        "insufficient_system_resource", "error", "stop"]


def test_status_names_have_sources_and_statuses() -> None:
    for name, status, source in PROVIDER_STATUS_NAMES:
        assert name == name.lower() and "_" not in name and len(source) >= 8, name
        assert 400 <= status <= 599, name


@pytest.mark.parametrize(("text", "split"), [
    ("eosFound", ["eos", "found"]), ("MAX_TOKENS", ["max", "tokens"]),
    ("HTTPError", ["http", "error"]), ("x509", ["x", "509"]),
    ("FinishReason.STOP", ["finish", "reason", "stop"]), ("i/o timeout", ["i", "o", "timeout"]),
    ("余额不足", ["余", "额", "不", "足"]), ("", []), ("Stra\u00dfe", ["stra\u00dfe"]),
])
def test_words(text: str, split: list[str]) -> None:
    assert words(text) == split


def test_urls_are_not_words() -> None:
    assert joined_words("see https://x.example/settings/billing now") == " see now "


def test_status_forms_have_sources() -> None:
    for form, source in STATUS_FORMS:
        assert "nnn" in form and len(source) >= 8, form


# --- finish_reason ----------------------------------------------------------------------

@pytest.mark.parametrize(("reason", "label"), [
    ("stop", "stop"), ("length", "length"), ("tool_calls", "tool_calls"),
    ("content_filter", "content_filter"),
    ("insufficient_system_resource", "insufficient_system_resource"),
    (None, "none"), ("", "none"),
    # Normalisation: case, '-' and ' ', CamelCase, Type.NAME.
    ("STOP", "stop"), ("Stop", "stop"), ("MAX_TOKENS", "length"), ("MaxTokens", "length"),
    ("ToolCalls", "tool_calls"), ("tool-calls", "tool_calls"), ("tool use", "tool_calls"),
    ("content-filter", "content_filter"), ("FinishReason.STOP", "stop"),
    ("FinishReason.MALFORMED_FUNCTION_CALL", "malformed_tool_call"),
    ("StopReason.END_TURN", "stop"), ("END_TURN", "stop"),
    # Every provider's spelling.
    ("end_turn", "stop"), ("stop_sequence", "stop"), ("completed", "stop"),
    ("COMPLETE", "stop"), ("max_tokens", "length"), ("max_output_tokens", "length"),
    ("model_length", "length"), ("model_context_window_exceeded", "length"),
    ("function_call", "tool_calls"), ("tool_use", "tool_calls"), ("TOOL_CALL", "tool_calls"),
    ("refusal", "content_filter"), ("SAFETY", "content_filter"),
    ("RECITATION", "content_filter"), ("guardrail_intervened", "content_filter"),
    ("MALFORMED_FUNCTION_CALL", "malformed_tool_call"),
    ("malformed_tool_use", "malformed_tool_call"), ("error", "error"), ("failed", "error"),
    ("cancelled", "canceled"), ("canceled", "canceled"),
    ("unknown", "none"), ("FINISH_REASON_UNSPECIFIED", "none"),
    ("BLOCKED_REASON_UNSPECIFIED", "none"), ("None", "none"), ("null", "none"),
    # Anything else, and near misses, are other.
    ("pause_turn", "other"), ("LANGUAGE", "other"), ("my secret prompt", "other"),
    ("a.b.c", "other"), ("\u212aeep", "other"), ("TOO_MANY_TOOL_CALLS", "other"),
    # v1.3: spellings no alias has are read by their words.
    ("stop ", "stop"), (" stop", "stop"), ("stopped", "stop"),
])
def test_finish_reason(reason: str | None, label: str) -> None:
    assert finish_reason_fact(reason) == ("finish_reason", label)
    assert finish_reason_label(reason) == label


def test_every_alias_is_normal_and_maps_to_its_label() -> None:
    for label, aliases in FINISH_REASON_ALIASES:
        for alias, _ in aliases:
            assert normalise_finish_reason(alias) == alias
            assert finish_reason_label(alias) == label
            assert finish_reason_label(alias.upper()) == label


@pytest.mark.parametrize(("raw", "normal"), [
    ("MaxTokens", "max_tokens"), ("FinishReason.MAX_TOKENS", "max_tokens"),
    ("content-filter", "content_filter"), ("Tool Use", "tool_use"), ("HTTP2Error", "http2_error"),
])
def test_normalisation(raw: str, normal: str) -> None:
    assert normalise_finish_reason(raw) == normal


# --- cache_hit buckets: every edge --------------------------------------------------------

@pytest.mark.parametrize(("hit", "miss", "label"), [
    (0, 0, "none"),
    (0, 10, "0"), (0, 1, "0"),
    (1, 199, "0"),           # 0.5 % floors to 0
    (1, 99, "1-49"), (49, 51, "1-49"), (499, 501, "1-49"),  # 49.9 % floors to 49
    (50, 50, "50-79"), (79, 21, "50-79"), (799, 201, "50-79"),
    (80, 20, "80-89"), (89, 11, "80-89"), (899, 101, "80-89"),
    (90, 10, "90-94"), (94, 6, "90-94"), (949, 51, "90-94"),
    (95, 5, "95-98"), (98, 2, "95-98"), (989, 11, "95-98"),
    (99, 1, "99"), (9999, 1, "99"),  # 99.99 % floors to 99
    (100, 0, "100"), (1, 0, "100"),
    (2**64, 0, "100"), (2**64, 2**64, "50-79"),  # huge counts do not overflow
])
def test_cache_hit_buckets(hit: int, miss: int, label: str) -> None:
    assert cache_hit_label(hit, miss) == label
    assert facts.cache_hit_fact(hit, miss) == ("cache_hit", label)
    assert label in CACHE_HIT_LABELS


# --- provider_error -----------------------------------------------------------------------

@pytest.mark.parametrize(("status", "label"), [
    (401, "auth"), (403, "auth"), (402, "billing"), (400, "bad_request"),
    (422, "bad_request"), (404, "not_found"), (413, "too_large"), (408, "timeout"),
    (504, "timeout"), (429, "rate_limit"), (499, "canceled"), (503, "overloaded"),
    (529, "overloaded"), (500, "server"), (502, "server"), (599, "server"),
    (418, "http_other"), (409, "http_other"), (301, "http_other"), (100, "http_other"),
])
def test_provider_error_by_status_field(status: int, label: str) -> None:
    # The status field wins over a status or keywords in the message.
    assert provider_error_label("status 429 timeout connection refused", status) == label
    assert PROVIDER_STATUS_LABELS.get(status, label) == label


@pytest.mark.parametrize(("message", "status", "label"), [
    # Step 1 refinements beat any status.
    ("Error code: 429 - {'error': {'code': 'insufficient_quota'}}", 429, "billing"),
    ("You exceeded your current quota, please check your plan", 429, "billing"),
    ("Your credit balance is too low to access the Anthropic API.", 400, "billing"),
    ("prompt is too long: 215332 tokens > 200000 maximum", 400, "context_length"),
    ("This model's maximum context length is 8192 tokens.", 400, "context_length"),
    ("Error code: 529 - {'error': {'type': 'overloaded_error'}}", 500, "overloaded"),
    ("Overloaded", 200, "overloaded"),
    # A 2xx status is absent: the message decides.
    ("{'type': 'error', 'error': {'type': 'api_error'}}", 200, "server"),
    ("Error code: 429 - {}", 200, "rate_limit"),
    ("stream ended", 204, "other"),
    # A status outside 100-599 is absent too.
    ("status 429", 7, "rate_limit"), ("connection refused", 1000, "network"),
    ("", -1, "other"),
])
def test_provider_error_precedence(message: str, status: int, label: str) -> None:
    assert provider_error_label(message, status) == label


@pytest.mark.parametrize(("message", "status"), [
    ("API error occurred: Status 429. Body: {}", 429),
    ("got status: 503. {}", 503),
    ("Request failed with status code 401", 401),
    ("model 'x' not found (status code: 404)", 404),
    ("Error code: 400 - {'error': {}}", 400),
    ("upstream said HTTP 502 and closed", 502),
    ("HTTP/1.1 413 Payload Too Large", 413),
    ("HTTP/2 429", 429),
    ('POST "https://api.anthropic.com/v1/messages": 529  {"type":"error"}', 529),
    ("Error 429, please retry", 429),
    ("Error 500: boom", 500),
    ("429 Too Many Requests", 429),
    ("429 Client Error: Too Many Requests for url: https://x", 429),
    ("503 Server Error: Service Unavailable for url: https://x", 503),
    ("429 RESOURCE_EXHAUSTED. {'error': {}}", 429),
    ("504 DEADLINE_EXCEEDED. {}", 504),
    ('529 {"type":"error"}', 529),
    ("401 Incorrect API key provided", 401),
    ("400 status code (no body)", 400),
    # The first number in a form counts.
    ("status 401 then status 503", 401),
])
def test_status_forms(message: str, status: int) -> None:
    assert status_in_message(message) == status
    assert status_in_message(message.upper()) == status


@pytest.mark.parametrize("message", [
    "Requested 1902 tokens, limit 30000",     # bare numbers are no status
    "connect ECONNREFUSED 127.0.0.1:443",
    "read tcp 10.0.0.2:53422->104.18.7.192:443: i/o timeout",
    "status 5031", "status 42", "status 4290", "status 600", "status 099",
    "error code: 42", "timed out after 120 seconds",
    " 429 leading space is not the start",
    "HTTPSConnectionPool(host='api.openai.com', port=443): Read timed out.",
])
def test_bare_numbers_are_no_status(message: str) -> None:
    assert status_in_message(message) is None


@pytest.mark.parametrize(("message", "label"), [
    ("request timeout", "timeout"), ("Read TIMED OUT", "timeout"),
    ("context deadline exceeded", "timeout"), ("connect ETIMEDOUT 1.2.3.4:443", "timeout"),
    # Timeout wording wins over cancel wording.
    ("The operation was aborted due to timeout", "timeout"),
    ("dial tcp: connection refused", "network"), ("connection reset by peer", "network"),
    ("lookup api.example: no such host", "network"), ("unexpected EOF", "network"),
    ("fetch failed", "network"), ("socket hang up", "network"), ("Connection error.", "network"),
    ("getaddrinfo ENOTFOUND api.openai.com", "network"),
    ("x509: certificate signed by unknown authority", "network"),
    ("http2: server sent GOAWAY and closed the connection", "network"),
    ("Server disconnected without sending a response.", "network"),
    ("context canceled", "canceled"), ("Request was cancelled", "canceled"),
    ("Request was aborted.", "canceled"), ("AbortError: This operation was aborted", "canceled"),
    ("Internal Server Error", "server"), ("{'type': 'api_error'}", "server"),
    ("something else entirely", "other"), ("", "other"),
    # Keywords are whole words.
    ("geofence", "other"), ("socket hang upper", "other"),
    # v1.3: status-shaped names and CamelCase words.
    ("ResourceNotFoundException", "not_found"), ("ReadTimeout", "timeout"),
])
def test_provider_error_keywords(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label
    assert provider_error_fact(message, None) == ("provider_error", label)


def test_provider_table_labels_are_allowed() -> None:
    assert [label for label, _ in PROVIDER_ERROR_REFINEMENTS] == [
        "context_length", "billing", "overloaded"]
    # In the order of the label list, like the words of every label (timeout still before
    # canceled: "aborted due to timeout" is a timeout).
    assert [label for label, _ in PROVIDER_ERROR_KEYWORDS] == [
        "bad_request", "not_found", "server", "timeout", "network", "canceled"]
    for label in PROVIDER_STATUS_LABELS.values():
        assert label in PROVIDER_ERROR_LABELS


# --- tool_error ---------------------------------------------------------------------------

@pytest.mark.parametrize(("error", "label"), [
    ("The user rejected this tool call", "denied"), ("rejected by user", "denied"),
    ("The user doesn't want to proceed with this tool use.", "denied"),
    ("Permission to use Bash has been denied.", "denied"),
    ("Tool execution denied by policy.", "denied"), ("Plan rejected.", "denied"),
    ("command timed out after 120s", "timeout"), ("Timeout", "timeout"),
    ("[Request interrupted by user for tool use]", "canceled"), ("Tool call aborted", "canceled"),
    ("Operation cancelled by user", "canceled"),
    ("Unknown tool: git_stash", "unknown_tool"), ('Tool "run" not found.', "unknown_tool"),
    ("MCP error -32601: Method not found", "unknown_tool"),
    ("String to replace not found in file.", "edit_mismatch"),
    ("Failed to edit, 0 occurrences found for old_string", "edit_mismatch"),
    ("Found 2 matches of the string to replace, but replace_all is false.", "edit_mismatch"),
    ("error: a.py: patch does not apply", "edit_mismatch"),
    ("Hunk #1 FAILED at 3.", "edit_mismatch"),
    ("File content (30000 tokens) exceeds maximum allowed tokens (25000)", "too_large"),
    ("File a.json is too large (48211 tokens vs 20000 token limit)", "too_large"),
    ("EACCES: permission denied, open '/x'", "permission"), ("403 Forbidden", "permission"),
    ("Path is outside the workspace", "permission"),
    ("ENOENT: no such file or directory", "not_found"),
    ("bash: rg: command not found", "not_found"),
    ("ModuleNotFoundError: No module named 'x'", "not_found"), ("Status: 404", "not_found"),
    ("invalid arguments: missing required field 'path'", "invalid_args"),
    ("InputValidationError: bad", "invalid_args"),
    ("curl: (6) Could not resolve host: x", "network"),
    ("exit status 1", "exit_nonzero"), ("Process exited with code 2", "exit_nonzero"),
    ("Exit code: 127", "exit_nonzero"), ("Command failed: npm test", "exit_nonzero"),
    ("Command '['false']' returned non-zero exit status 1.", "exit_nonzero"),
    ("exit status 0", "other"), ("kaboom", "other"), ("", "other"),
    ("file is too large to generate in one go", "too_large"),
])
def test_tool_error(error: str, label: str) -> None:
    assert tool_error_label(error) == label
    assert tool_error_fact(error) == ("tool_error", label)
    assert label in TOOL_ERROR_LABELS


def test_tool_rows_order_and_more_specific_cause_wins() -> None:
    assert [label for label, _ in TOOL_ERROR_KEYWORDS] == [
        "denied", "timeout", "canceled", "unknown_tool", "edit_mismatch", "too_large",
        "permission", "not_found", "invalid_args", "network", "exit_nonzero"]
    # A non-zero exit because of a missing file is the missing file.
    assert tool_error_label("Command failed: cat a\ncat: a: No such file or directory") \
        == "not_found"
    assert tool_error_label("Exit code: 1\nerror: patch failed: a.py:3") == "edit_mismatch"
    # The user's refusal wins over permission wording; a timeout over its exit status.
    assert tool_error_label("user denied: permission denied") == "denied"
    assert tool_error_label("timed out; exit status 1") == "timeout"
    assert tool_error_label("cancelled because it exceeded the timeout") == "timeout"


# --- the fast matching agrees with the plain reading of the tables ------------------------

def _reference_row(table: AliasTable, text: str) -> str | None:
    lowered = ascii_lower(text)
    for label, entries in table:
        if any(entry_pattern(e).search(lowered) for e, _ in entries):
            return label
    return None


@functools.cache
def _words_of(alt: str) -> list[str]:
    """The words of a table's alternative (the tables do not change: read each once)."""
    return words(alt)


def _starts(ws: list[str], alt: str) -> list[tuple[int, int]]:
    """(start, end) of every run of ``ws`` equal to the words of ``alt``."""
    a = _words_of(alt)
    return [(i, i + len(a)) for i in range(len(ws) - len(a) + 1) if ws[i:i + len(a)] == a]


def _group_holds(ws: list[str], group: str) -> bool:
    if " ~ " not in group:
        return any(_starts(ws, alt) for alt in group.split("|"))
    left, right = group.split(" ~ ")
    ends = [e for alt in left.split("|") for _, e in _starts(ws, alt)]
    begins = [b for alt in right.split("|") for b, _ in _starts(ws, alt)]
    return any(0 <= b - e <= facts.NEAR_WORDS for e in ends for b in begins)


def _reference_family(table: AliasTable, text: str) -> str | None:
    """The plain reading of a family table: word lists, no joined strings, no regexes."""
    ws = joined_words(text).split()
    for label, entries in table:
        for entry, _ in entries:
            body, _, veto = entry.partition(" - ")
            if all(_group_holds(ws, g) for g in body.split(" + ")) and not (
                    veto and _group_holds(ws, veto)):
                return label
    return None


def _first_in_order(labels: tuple[str, ...], *found: str | None) -> str:
    ranks = [labels.index(f) for f in found if f is not None]
    return labels[min(ranks)] if ranks else "other"


def _reference_status(text: str) -> int | None:
    """Each number in order; for each, every form matched from every place it may start
    (the whole pattern of the form, no windows): the first number that stands in one."""
    lowered = ascii_lower(text)
    for m in re.finditer(r"(?<![0-9])[1-5][0-9][0-9](?![0-9])", lowered):
        if m.group().startswith("2"):
            continue  # a 2xx written in the message is no failure's status
        i = m.start()
        for k, (form, _) in enumerate(STATUS_FORMS):
            pattern = facts.status_form_patterns()[k][2]
            reach = facts.STATUS_URL_REACH if "URL" in form else facts.STATUS_FORM_REACH
            for start in range(max(0, i - reach), i + 1):
                f = pattern.match(lowered, start)
                if f is None or f.start(f"n{k}") != i:
                    continue
                reason = f.group(f"r{k}") if f"r{k}" in pattern.groupindex else None
                if facts.status_form_holds(k, m.group(), reason, lowered, i):
                    return int(m.group())
    return None


def _reference_name(text: str) -> int | None:
    """Every identifier, in order, read by the rule of status-shaped names."""
    for token in re.findall(r"[A-Za-z][A-Za-z0-9_]*", text):
        key = token.lower().replace("_", "")
        stripped = re.sub(r"(?:error|exception)$", "", key)
        if stripped not in dict((n, s) for n, s, _ in PROVIDER_STATUS_NAMES):
            continue
        status = dict((n, s) for n, s, _ in PROVIDER_STATUS_NAMES)[stripped]
        if stripped in facts.PROVIDER_STATUS_CODE_ONLY:
            if token.isupper() and stripped == key:
                return status
        elif (stripped != key or "_" in token or (token.isupper() and len(token) >= 4)
              or re.search("[a-z][A-Z]", token)):
            return status
    return None


def _valid(status: int | None) -> bool:
    return status is not None and 100 <= status <= 599 and not 200 <= status <= 299


def _reference_provider(message: str, status: int | None) -> str:
    message = facts.unescaped(message)
    for name, _ in facts.PROVIDER_STATUS_NAMES_OF_SEVERAL:
        message = re.sub(re.escape(name), " " * len(name), message,
                         flags=re.IGNORECASE | re.ASCII)
    label = (_reference_row(PROVIDER_ERROR_REFINEMENTS, message)
             or _reference_family(PROVIDER_ERROR_REFINEMENT_FAMILIES, message))
    if label is not None:
        return label
    for candidate in (status, _reference_status(message)):
        if candidate is not None and _valid(candidate):
            return facts.status_label(candidate)
    found = facts.status_name(message)
    if found is not None and found[0] in {n for n, _ in facts.PROVIDER_STATUS_NAMES_FALLBACK}:
        # the words without the name first, the name's status if they name nothing
        rest = message.replace(found[1], " ")
        by_words = _first_in_order(PROVIDER_ERROR_LABELS,
                                   _reference_row(PROVIDER_ERROR_KEYWORDS, rest),
                                   _reference_family(PROVIDER_ERROR_FAMILIES, rest))
        status_of_name = _reference_name(message)
        assert status_of_name is not None
        return by_words if by_words != "other" else facts.status_label(status_of_name)
    for candidate in (_reference_name(message), facts.status_of_phrase(ascii_lower(message)),
                      facts.status_of_grpc_code(ascii_lower(message))):
        if candidate is not None and _valid(candidate):
            return facts.status_label(candidate)
    by_words = _first_in_order(PROVIDER_ERROR_LABELS,
                               _reference_row(PROVIDER_ERROR_KEYWORDS, message),
                               _reference_family(PROVIDER_ERROR_FAMILIES, message))
    grpc = facts.status_of_grpc_name(ascii_lower(message))
    return by_words if by_words != "other" or grpc is None else facts.status_label(grpc)


def _reference_tool(error: str) -> str:
    error = facts.unescaped(error)
    return _first_in_order(TOOL_ERROR_LABELS, _reference_row(TOOL_ERROR_KEYWORDS, error),
                           _reference_family(TOOL_ERROR_FAMILIES, error))


_FAMILY_WORDS = sorted({alt.strip() for _, table in FAMILY_TABLES for _, rows in table
                        for e, _ in rows for alt in re.split(r" [-+~] |\|", e)})
_VOCABULARY = sorted({e for _, table in ALL_TABLES[1:] for _, rows in table for e, _ in rows
                      if facts.is_phrase(e)}
                     | set(_FAMILY_WORDS)
                     | {"Error code: ", "status ", "HTTP/1.1 ", '": ', "429", "503", "200",
                        "1000", " ", "-", "_", "x", "\u0130", "\u212a", "é", "Re", "Timeout",
                        "EXIT CODE: 1", "exited with status 3", "Hunk #2 FAILED",
                        "is too large (9", 'Tool "x" not found', " Too Many Requests",
                        "https://x.example/", "(", ")", "[", "]", "{", '"code": ', "Exception",
                        "RESOURCE_EXHAUSTED", "ThrottlingException", "notFound", " 404 ",
                        "INTERNAL", "1", "a", "Error", "NOT_FOUND", "aB"})
_texts = st.lists(st.sampled_from(_VOCABULARY) | st.text(max_size=4), max_size=8).map(" ".join)


@settings(max_examples=500, deadline=None)  # the plain reading is slow on a busy machine
@given(_texts, st.one_of(st.none(), st.integers(min_value=-1, max_value=700)))
def test_fast_matching_equals_the_tables(text: str, status: int | None) -> None:
    assert tool_error_label(text) == _reference_tool(text)
    assert status_in_message(text) == _reference_status(text)
    assert facts.status_of_name(text) == _reference_name(text)
    assert provider_error_label(text, status) == _reference_provider(text, status)
    # The memo gives the same answers as the classifier itself.
    assert provider_error_label(text, status) == facts._provider_error_label(text, status)
    assert finish_reason_label(text) == finish_reason_label(text + "")


def test_the_memo_is_bounded_skips_long_inputs_and_holds_no_input() -> None:
    memo = facts._TOOL_ERROR_MEMO
    memo.cache_clear()
    secret = "exit status 1 in /home/alice/secret-project"
    assert tool_error_label(secret) == "exit_nonzero"
    for i in range(facts.MEMO_SIZE + 50):
        tool_error_label(f"exit status {i + 1}")
    assert len(memo) == facts.MEMO_SIZE
    # Only digests are kept (16 bytes, the status included), never the text itself.
    assert all(type(k) is bytes and len(k) == 16 and b"alice" not in k for k in memo.digests())
    long_error = "x" * (facts.MEMO_MAX_CHARS + 1) + " permission denied"
    before = memo.digests()
    assert tool_error_label(long_error) == "permission"
    assert memo.digests() == before
    # The least recently used is forgotten first: a label asked again stays.
    tool_error_label("exit status 51")  # the oldest, asked again
    tool_error_label("a brand new error")
    assert facts.Memo.key("exit status 51") in memo.digests()
    assert facts.Memo.key("exit status 52") not in memo.digests()


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
