"""The counted facts (docs/FACTS.md): allow-lists, keyword tables, bucket edges.

Everything here is pure.  Each rule lives in exactly one named constant below;
``docs/FACTS.md`` and the tests refer to these names.  Client strings enter the
functions of this module only to be classified; what comes out is always a label
taken from one of the tuples defined here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

# A fact is (counter, label); unlabelled counters use the empty label.
Fact = tuple[str, str]

# --- counters and their allowed labels -------------------------------------------------

FINISH_REASONS: Final = ("stop", "length", "tool_calls", "content_filter",
                          "insufficient_system_resource")
FINISH_REASON_LABELS: Final = (*FINISH_REASONS, "none", "other")

CACHE_HIT_LABELS: Final = ("none", "0", "1-49", "50-89", "90-99", "100")

PROVIDER_ERROR_LABELS: Final = ("auth", "billing", "bad_request", "not_found", "too_large",
                                "rate_limit", "overloaded", "server", "http_other",
                                "timeout", "network", "canceled", "other")

TOOL_ERROR_LABELS: Final = ("timeout", "not_found", "permission", "denied", "invalid_args",
                            "exit_nonzero", "other")

#: The counters (docs/FACTS.md): name -> allowed labels (``()`` = unlabelled).
COUNTERS: Final[Mapping[str, tuple[str, ...]]] = {
    "turns": (),
    "finish_reason": FINISH_REASON_LABELS,
    "empty_final": (),
    "cache_hit": CACHE_HIT_LABELS,
    "provider_error": PROVIDER_ERROR_LABELS,
    "tool_error": TOOL_ERROR_LABELS,
    "compaction": (),
}

#: The v1.1 label sets, frozen: upload schema 1 carried exactly these.  Counts stored by a
#: daemon before facts v2 keep these labels and travel as schema 1; nothing relabels them.
COUNTERS_V1: Final[Mapping[str, tuple[str, ...]]] = {
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

#: The daemon's own losses, uploaded under ``health`` (docs/UPLOAD.md).
HEALTH_COUNTERS: Final = ("invalid_events", "unknown_events", "dropped_batches", "clipped")
#: Upload schema 1 had no ``clipped``.
HEALTH_COUNTERS_V1: Final = HEALTH_COUNTERS[:3]


def is_allowed(counter: str, label: str) -> bool:
    """True when (counter, label) is a fact the daemon may store or send."""
    if counter in HEALTH_COUNTERS:
        return label == ""
    labels = COUNTERS.get(counter)
    if labels is None:
        return False
    return label in labels if labels else label == ""


def _fact(counter: str, label: str = "") -> Fact:
    assert is_allowed(counter, label), (counter, label)
    return (counter, label)


TURNS: Final = _fact("turns")
EMPTY_FINAL: Final = _fact("empty_final")
COMPACTION: Final = _fact("compaction")
INVALID_EVENTS: Final = _fact("invalid_events")
UNKNOWN_EVENTS: Final = _fact("unknown_events")
DROPPED_BATCHES: Final = _fact("dropped_batches")
CLIPPED: Final = _fact("clipped")

FINISH_REASON_FACTS: Final[Mapping[str, Fact]] = {
    r: _fact("finish_reason", r) for r in FINISH_REASONS
}
FINISH_REASON_NONE: Final = _fact("finish_reason", "none")
FINISH_REASON_OTHER: Final = _fact("finish_reason", "other")


def finish_reason_fact(reason: str | None) -> Fact:
    """``turn.finish_reason`` -> fact.  Exact match on the allow-list; nil/empty -> none."""
    if not reason:
        return FINISH_REASON_NONE
    return FINISH_REASON_FACTS.get(reason, FINISH_REASON_OTHER)


# --- cache hit --------------------------------------------------------------------------

#: Upper-inclusive edges of the cache-hit buckets, in integer-floor percent of hit tokens.
CACHE_HIT_EDGES: Final = ((0, "0"), (49, "1-49"), (89, "50-89"), (99, "90-99"), (100, "100"))
_CACHE_HIT_FACTS: Final = {label: _fact("cache_hit", label) for label in CACHE_HIT_LABELS}


def cache_hit_label(hit: int, miss: int) -> str:
    total = hit + miss
    if total <= 0:
        return "none"
    percent = hit * 100 // total
    for edge, label in CACHE_HIT_EDGES:
        if percent <= edge:
            return label
    raise AssertionError("percent above 100")  # pragma: no cover - hit <= total


#: cache_hit_label as a table by percent (0..100), for the hot path.
_CACHE_HIT_NONE: Final = _CACHE_HIT_FACTS["none"]
_CACHE_HIT_BY_PERCENT: Final = tuple(_CACHE_HIT_FACTS[cache_hit_label(p, 100 - p)]
                                     for p in range(101))


def cache_hit_fact(hit: int, miss: int) -> Fact:
    """The fact of one ``usage``; ``hit`` and ``miss`` are >= 0 (the protocol checks)."""
    total = hit + miss
    if total <= 0:
        return _CACHE_HIT_NONE
    return _CACHE_HIT_BY_PERCENT[hit * 100 // total]


# --- provider errors --------------------------------------------------------------------

#: HTTP status -> provider_error label; other 5xx -> ``server``, anything else -> ``http_other``.
PROVIDER_STATUS_LABELS: Final[Mapping[int, str]] = {
    400: "bad_request", 401: "auth", 402: "billing", 403: "auth", 404: "not_found",
    413: "too_large", 422: "bad_request", 429: "rate_limit", 503: "overloaded",
}

KeywordTable = tuple[tuple[str, tuple[str, ...]], ...]

#: The status code embedded in an error message: the first ``status NNN`` (three digits, not
#: followed by a fourth), case-insensitive.
STATUS_IN_MESSAGE: Final = re.compile(r"status ([0-9]{3})(?![0-9])", re.IGNORECASE | re.ASCII)

#: Wording of a timeout, shared by the provider and the tool tables.
TIMEOUT_KEYWORDS: Final = (r"timeout", r"timed out", r"deadline exceeded")

#: Keyword table for provider error messages without a status, tried in this order.
#: Each entry is a regular-expression fragment, matched case-insensitively anywhere.
PROVIDER_ERROR_KEYWORDS: Final[KeywordTable] = (
    ("timeout", TIMEOUT_KEYWORDS),
    ("network", (r"connection refused", r"connection reset", r"reset by peer",
                 r"no such host", r"\beof\b")),
    ("canceled", (r"context canceled", r"\bcancell?ed\b")),
)

#: Keyword table for tool errors, tried in this order (first match wins).
TOOL_ERROR_KEYWORDS: Final[KeywordTable] = (
    ("denied", (r"user (?:rejected|denied|declined|refused)",
                r"(?:rejected|denied|declined|refused) by (?:the )?user",
                r"not approved", r"approval (?:was )?(?:denied|rejected)")),
    ("timeout", TIMEOUT_KEYWORDS),
    ("permission", (r"permission denied", r"operation not permitted", r"access (?:is )?denied",
                    r"\beacces\b", r"\beperm\b", r"forbidden")),
    ("not_found", (r"not found", r"no such file", r"does not exist", r"\benoent\b")),
    ("invalid_args", (r"invalid (?:argument|arg|param|parameter|input|json)",
                      r"missing required", r"validation (?:error|failed)",
                      r"unexpected (?:argument|keyword|field)")),
    ("exit_nonzero", (r"exit(?:ed with)? (?:code|status):? ?-?[1-9]",
                      r"non-?zero exit", r"returned non-?zero")),
)


_Compiled = tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...]


def _compile(table: KeywordTable) -> _Compiled:
    """Each row as (label, case-insensitive pattern, case-sensitive pattern).

    The case-sensitive pattern serves ASCII text lower-cased once (see
    :func:`_keyword_label`): it matches exactly when the case-insensitive one matches the
    original, because the fragments contain no upper-case letter (checked here)."""
    out = []
    for label, patterns in table:
        source = "|".join(f"(?:{p})" for p in patterns)
        assert source == source.lower(), f"keyword fragments must be lower-case: {label}"
        out.append((label, re.compile(source, re.IGNORECASE | re.ASCII),
                    re.compile(source, re.ASCII)))
    return tuple(out)


_PROVIDER_KEYWORDS: Final = _compile(PROVIDER_ERROR_KEYWORDS)
_TOOL_KEYWORDS: Final = _compile(TOOL_ERROR_KEYWORDS)
_PROVIDER_ERROR_FACTS: Final = {lb: _fact("provider_error", lb) for lb in PROVIDER_ERROR_LABELS}
_TOOL_ERROR_FACTS: Final = {lb: _fact("tool_error", lb) for lb in TOOL_ERROR_LABELS}

for _label, _ in PROVIDER_ERROR_KEYWORDS:
    assert _label in PROVIDER_ERROR_LABELS
for _label, _ in TOOL_ERROR_KEYWORDS:
    assert _label in TOOL_ERROR_LABELS
for _label in PROVIDER_STATUS_LABELS.values():
    assert _label in PROVIDER_ERROR_LABELS


def status_label(status: int) -> str:
    label = PROVIDER_STATUS_LABELS.get(status)
    if label is not None:
        return label
    return "server" if 500 <= status <= 599 else "http_other"


def _keyword_label(table: _Compiled, text: str) -> str:
    if text.isascii():
        # Same result as the case-insensitive patterns, faster (one lower() per text).
        lowered = text.lower()
        for label, _, pattern in table:
            if pattern.search(lowered):
                return label
        return "other"
    for label, pattern, _ in table:
        if pattern.search(text):
            return label
    return "other"


def provider_error_label(message: str, status: int | None) -> str:
    """``status`` if it is an HTTP status (100-599), else ``status NNN`` in the message,
    else the keyword table, else ``other``."""
    if status is not None and 100 <= status <= 599:
        return status_label(status)
    m = STATUS_IN_MESSAGE.search(message)
    if m is not None:
        return status_label(int(m.group(1)))
    return _keyword_label(_PROVIDER_KEYWORDS, message)


def provider_error_fact(message: str, status: int | None) -> Fact:
    return _PROVIDER_ERROR_FACTS[provider_error_label(message, status)]


def tool_error_label(error: str) -> str:
    return _keyword_label(_TOOL_KEYWORDS, error)


def tool_error_fact(error: str) -> Fact:
    return _TOOL_ERROR_FACTS[tool_error_label(error)]


# --- client version ---------------------------------------------------------------------

#: ``MAJOR.MINOR.PATCH`` with an optional ``-dev``, ``-alpha.N``, ``-beta.N`` or ``-rc.N``;
#: every number has at most four digits (<= 9999).
CLIENT_VERSION: Final = re.compile(
    r"([0-9]{1,4})\.([0-9]{1,4})\.([0-9]{1,4})(?:-(dev|(alpha|beta|rc)\.([0-9]{1,4})))?",
    re.ASCII,
)
UNKNOWN_VERSION: Final = "unknown"


def client_version_label(value: object) -> str:
    """Re-render a client version from its numbers, or ``unknown``.

    The result is built only from integers and the fixed words above, so no byte of the
    client's string survives into it."""
    if not isinstance(value, str):
        return UNKNOWN_VERSION
    m = CLIENT_VERSION.fullmatch(value)
    if m is None:
        return UNKNOWN_VERSION
    major, minor, patch, pre, word, number = m.groups()
    text = f"{int(major)}.{int(minor)}.{int(patch)}"
    if pre == "dev":
        return text + "-dev"
    if word is not None:
        tag = {"alpha": "alpha", "beta": "beta", "rc": "rc"}[word]
        return f"{text}-{tag}.{int(number)}"
    return text


def is_rendered_version(value: str) -> bool:
    """True for a string :func:`client_version_label` can produce (used by the store)."""
    return value == UNKNOWN_VERSION or client_version_label(value) == value
