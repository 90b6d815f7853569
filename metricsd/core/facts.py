"""The counted facts (docs/FACTS.md): allow-lists, alias and keyword tables, bucket edges.

Everything here is pure.  Each rule lives in exactly one named constant below;
``docs/FACTS.md``, the disclosure and the tests are generated from or checked against these
names.  Every alias and keyword row carries the public source it was taken from (an SDK
file, a provider's documentation, an agent's source); the corpus of real inputs in
``tests/corpus/`` measures the tables.  Client strings enter the functions of this module
only to be classified; what comes out is always a label taken from one of the tuples
defined here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

# A fact is (counter, label); unlabelled counters use the empty label.
Fact = tuple[str, str]

#: One row of an alias or keyword table: (text or regular-expression fragment, public source).
Alias = tuple[str, str]
#: A table: (label, its rows), tried in this order.
AliasTable = tuple[tuple[str, tuple[Alias, ...]], ...]
#: Kept for callers of facts v1: a keyword table is an alias table of regular expressions.
KeywordTable = AliasTable

# --- counters and their allowed labels -------------------------------------------------

FINISH_REASONS: Final = ("stop", "length", "tool_calls", "content_filter",
                          "malformed_tool_call", "error", "canceled",
                          "insufficient_system_resource")
FINISH_REASON_LABELS: Final = (*FINISH_REASONS, "none", "other")

CACHE_HIT_LABELS: Final = ("none", "0", "1-49", "50-79", "80-89", "90-94", "95-98", "99",
                           "100")

PROVIDER_ERROR_LABELS: Final = ("auth", "billing", "bad_request", "context_length",
                                "not_found", "too_large", "rate_limit", "overloaded", "server",
                                "timeout", "network", "canceled", "http_other", "other")

TOOL_ERROR_LABELS: Final = ("denied", "timeout", "canceled", "unknown_tool", "edit_mismatch",
                            "too_large", "permission", "not_found", "invalid_args", "network",
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

#: What each label means, in one line for people (the disclosure and docs/FACTS.md use it).
LABEL_MEANINGS: Final[Mapping[str, Mapping[str, str]]] = {
    "finish_reason": {
        "stop": "the model finished its answer normally",
        "length": "the answer was cut off at the output-token or context limit",
        "tool_calls": "the model stopped to call tools",
        "content_filter": "the provider's safety or content filter stopped the answer, or "
                          "the model refused",
        "malformed_tool_call": "the model produced a tool call that could not be used",
        "error": "the provider reported an error as the finish reason",
        "canceled": "the user or the app stopped the turn",
        "insufficient_system_resource": "the provider ran out of capacity mid-answer",
        "none": "no finish reason was reported",
        "other": "any other finish reason (its text is not kept)",
    },
    "cache_hit": {
        "none": "the call reported no prompt tokens",
        "0": "less than 1% of the prompt came from the cache",
        "1-49": "1% to 49% came from the cache",
        "50-79": "50% to 79% came from the cache",
        "80-89": "80% to 89% came from the cache",
        "90-94": "90% to 94% came from the cache",
        "95-98": "95% to 98% came from the cache",
        "99": "99% (but not all) came from the cache",
        "100": "the whole prompt came from the cache",
    },
    "provider_error": {
        "auth": "the key was rejected or lacks access (HTTP 401, 403)",
        "billing": "credit or quota is exhausted, or payment is required (HTTP 402)",
        "bad_request": "the provider refused the request as invalid (HTTP 400, 422)",
        "context_length": "the conversation did not fit the model's context window",
        "not_found": "the model or endpoint does not exist (HTTP 404)",
        "too_large": "the request was too large (HTTP 413)",
        "rate_limit": "too many requests (HTTP 429)",
        "overloaded": "the provider was overloaded (HTTP 503, 529)",
        "server": "another server error (HTTP 5xx)",
        "timeout": "the call timed out (HTTP 408, 504, or a client timeout)",
        "network": "the connection failed (refused, reset, host not found, TLS, cut off)",
        "canceled": "the call was canceled (HTTP 499, or by the app)",
        "http_other": "any other HTTP status",
        "other": "any other failure",
    },
    "tool_error": {
        "denied": "you, or your settings, refused the tool call before it ran",
        "timeout": "the tool timed out",
        "canceled": "the tool call was interrupted while it ran",
        "unknown_tool": "the model called a tool that does not exist",
        "edit_mismatch": "an edit's target text was not found exactly once in the file",
        "too_large": "a file or the tool's output was over the tool's size limit",
        "permission": "the system refused access (permissions, outside the workspace, "
                      "ignored files)",
        "not_found": "a file, command, module or resource was not found",
        "invalid_args": "the tool was called with invalid arguments",
        "network": "a network connection failed",
        "exit_nonzero": "a command exited with an error status",
        "other": "any other failure",
    },
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

for _counter, _labels in COUNTERS.items():
    assert set(LABEL_MEANINGS.get(_counter, {})) == set(_labels), _counter

#: The daemon's own losses, uploaded under ``health`` (docs/UPLOAD.md).
HEALTH_COUNTERS: Final = ("invalid_events", "unknown_events", "dropped_batches", "clipped")
#: Upload schema 1 had no ``clipped``.
HEALTH_COUNTERS_V1: Final = HEALTH_COUNTERS[:3]


def is_allowed(counter: str, label: str,
               counters: Mapping[str, tuple[str, ...]] = COUNTERS) -> bool:
    """True when (counter, label) is a fact the daemon may store or send: by default one of
    the current label sets; ``counters=COUNTERS_V1`` asks about a count made by v1.1."""
    if counter in HEALTH_COUNTERS:
        return label == ""
    labels = counters.get(counter)
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

# --- finish_reason ----------------------------------------------------------------------

_OPENAI_CHAT: Final = "openai-python src/openai/types/chat/chat_completion.py"
_OPENAI_RESPONSES: Final = "openai-python src/openai/types/responses/response_status.py"
_OPENAI_INCOMPLETE: Final = "openai-python src/openai/types/responses/response.py"
_ANTHROPIC: Final = "anthropic-sdk-python src/anthropic/types/stop_reason.py"
_GEMINI: Final = "python-genai google/genai/types.py (FinishReason)"
_BEDROCK: Final = "botocore data/bedrock-runtime/2023-09-30/service-2.json (StopReason)"
_COHERE: Final = "cohere-python src/cohere/types/chat_finish_reason.py"
_MISTRAL: Final = "mistralai client-python models/chatcompletionchoice.py"
_VERCEL: Final = "vercel/ai packages/provider/src/language-model/v3/*-finish-reason.ts"
_ACP: Final = "agent-client-protocol schema (StopReason)"

#: Every provider's spelling of a finish reason, after normalisation (see
#: :func:`normalise_finish_reason`), one row per label.  Anything else is ``other``.
FINISH_REASON_ALIASES: Final[AliasTable] = (
    ("stop", (
        ("stop", _OPENAI_CHAT),
        ("end_turn", _ANTHROPIC),
        ("stop_sequence", _ANTHROPIC),
        ("completed", _OPENAI_RESPONSES),
        ("complete", _COHERE),
    )),
    ("length", (
        ("length", _OPENAI_CHAT),
        ("max_tokens", _ANTHROPIC),
        ("max_output_tokens", _OPENAI_INCOMPLETE),
        ("max_completion_tokens", "OpenAI-compatible servers' finish_reason"),
        ("model_length", _MISTRAL),
        ("model_context_window_exceeded", _ANTHROPIC),
    )),
    ("tool_calls", (
        ("tool_calls", _OPENAI_CHAT),
        ("function_call", _OPENAI_CHAT),
        ("tool_use", _ANTHROPIC),
        ("tool_call", _COHERE),
    )),
    ("content_filter", (
        ("content_filter", _OPENAI_CHAT),
        ("refusal", _ANTHROPIC),
        ("safety", _GEMINI),
        ("recitation", _GEMINI),
        ("blocklist", _GEMINI),
        ("prohibited_content", _GEMINI),
        ("spii", _GEMINI),
        ("image_safety", _GEMINI),
        ("image_prohibited_content", _GEMINI),
        ("image_recitation", _GEMINI),
        ("guardrail_intervened", _BEDROCK),
        ("content_filtered", _BEDROCK),
    )),
    ("malformed_tool_call", (
        ("malformed_function_call", _GEMINI),
        ("unexpected_tool_call", _GEMINI),
        ("malformed_tool_use", _BEDROCK),
    )),
    ("error", (
        ("error", _MISTRAL + "; " + _VERCEL + "; " + _COHERE),
        ("failed", _OPENAI_RESPONSES),
        ("malformed_model_output", _BEDROCK),
    )),
    ("canceled", (
        ("cancelled", _OPENAI_RESPONSES + "; " + _ACP),
        ("canceled", "the protocol's own spelling of the label"),
    )),
    ("insufficient_system_resource", (
        ("insufficient_system_resource", "api-docs.deepseek.com (finish_reason)"),
    )),
    ("none", (
        ("", "the protocol: an empty finish_reason"),
        ("none", "Python's str(None) of an unset Optional finish_reason"),
        ("null", "JavaScript's String(null) of a null finish_reason"),
        ("unknown", "vercel/ai packages/provider/src/language-model/v2/*-finish-reason.ts"),
        ("finish_reason_unspecified", _GEMINI + "; any enum value ending in _unspecified"),
    )),
)

#: Normalisation of a finish reason: an enum rendering ``Type.NAME`` is read as ``NAME``.
FINISH_REASON_ENUM: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\.([A-Za-z_][A-Za-z0-9_]*)",
                                       re.ASCII)
#: Normalisation of a finish reason: CamelCase is split (``MaxTokens`` = ``max_tokens``).
FINISH_REASON_CAMEL: Final = re.compile(r"(?<=[a-z0-9])(?=[A-Z])", re.ASCII)
#: An enum's unset value (Gemini's ``finish_reason_unspecified`` and its kind) is ``none``.
FINISH_REASON_UNSET_SUFFIX: Final = "_unspecified"

_FINISH_REASON_FACTS: Final = {lb: _fact("finish_reason", lb) for lb in FINISH_REASON_LABELS}
#: normalised alias -> fact, built from FINISH_REASON_ALIASES.
_FINISH_BY_ALIAS: Final[dict[str, Fact]] = {
    alias: _FINISH_REASON_FACTS[label]
    for label, aliases in FINISH_REASON_ALIASES for alias, _ in aliases
}
FINISH_REASON_FACTS: Final[Mapping[str, Fact]] = {
    r: _FINISH_REASON_FACTS[r] for r in FINISH_REASONS
}
FINISH_REASON_NONE: Final = _FINISH_REASON_FACTS["none"]
FINISH_REASON_OTHER: Final = _FINISH_REASON_FACTS["other"]


def normalise_finish_reason(reason: str) -> str:
    """Case-insensitive; ``-`` and spaces are ``_``; CamelCase split; ``Type.NAME`` -> NAME."""
    m = FINISH_REASON_ENUM.fullmatch(reason)
    if m is not None:
        reason = m.group(1)
    return FINISH_REASON_CAMEL.sub("_", reason).lower().replace("-", "_").replace(" ", "_")


def finish_reason_label(reason: str | None) -> str:
    return finish_reason_fact(reason)[1]


def finish_reason_fact(reason: str | None) -> Fact:
    """``turn.finish_reason`` -> fact: nil is ``none``; else the alias of the normalised text."""
    if reason is None:
        return FINISH_REASON_NONE
    fact = _FINISH_BY_ALIAS.get(reason)  # the common, already normal spellings
    if fact is not None:
        return fact
    key = normalise_finish_reason(reason)
    fact = _FINISH_BY_ALIAS.get(key)
    if fact is not None:
        return fact
    if key.endswith(FINISH_REASON_UNSET_SUFFIX):
        return FINISH_REASON_NONE
    return FINISH_REASON_OTHER


# --- cache hit --------------------------------------------------------------------------

#: Upper-inclusive edges of the cache-hit buckets, in integer-floor percent of hit tokens.
CACHE_HIT_EDGES: Final = ((0, "0"), (49, "1-49"), (79, "50-79"), (89, "80-89"), (94, "90-94"),
                          (98, "95-98"), (99, "99"), (100, "100"))
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


# --- the matching machinery of the keyword tables ---------------------------------------
#
# An entry of a row is a *phrase* (plain lower-case text) unless it contains one of
# REGEX_CHARS, in which case it is a regular expression (Python syntax, lower-case) that
# starts with ``\b`` and a word.  Both match whole words, case-insensitively (ASCII): a
# phrase matches where it occurs with no letter, digit or ``_`` right before or after it
# (``timeout`` matches "Read timeout" and "i/o timeout", not "ReadTimeout").  A row
# matches when one of its entries does; the first row that matches gives the label.
#
# Speed: every entry's first word must then be a whole word of the input, so the input is
# split into words once and only the entries whose first word is among them are tried
# (tests/test_facts.py checks the result against the plain reading of the tables).

#: Characters that make an entry a regular expression rather than a phrase.
REGEX_CHARS: Final = frozenset("\\()[]{}?*+|^$.")
#: The characters of a word (ASCII; matching is case-insensitive for ASCII letters only).
WORD: Final = re.compile(r"[a-z0-9_]+", re.ASCII)
_WORD_START: Final = re.compile(r"[^a-z0-9_]*([a-z0-9_]+)", re.ASCII)
_REGEX_START: Final = re.compile(r"\\b([a-z0-9_]+)[^a-z0-9_\\(?*+{|]", re.ASCII)

#: Upper-case ASCII letters to lower-case, and nothing else: no other character may turn
#: into an ASCII letter (U+212A KELVIN SIGN lower-cases to "k" with str.lower).
_ASCII_LOWER: Final = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


def is_phrase(entry: str) -> bool:
    return REGEX_CHARS.isdisjoint(entry)


def ascii_lower(text: str) -> str:
    return text.lower() if text.isascii() else text.translate(_ASCII_LOWER)


def entry_pattern(entry: str) -> re.Pattern[str]:
    """The regular expression an entry stands for (a phrase: itself, as whole words)."""
    if not is_phrase(entry):
        return re.compile(entry, re.ASCII)
    head = "(?<![a-z0-9_])" if WORD.match(entry[0]) else ""
    tail = "(?![a-z0-9_])" if WORD.match(entry[-1]) else ""
    return re.compile(head + re.escape(entry) + tail, re.ASCII)


def entry_key(entry: str) -> str:
    """The first word of an entry: a whole word of every input the entry matches."""
    m = (_WORD_START if is_phrase(entry) else _REGEX_START).match(entry)
    assert m is not None, f"an entry must start with a word (a regex with \\b and a word): {entry}"
    return m.group(1)


class _Table:
    """A compiled alias/keyword table (see above)."""

    __slots__ = ("by_key", "keys", "labels")

    def __init__(self, table: AliasTable) -> None:
        self.labels = tuple(label for label, _ in table)
        by_key: dict[str, list[tuple[int, str | None, re.Pattern[str] | None]]] = {}
        for row, (label, entries) in enumerate(table):
            for entry, _ in entries:
                assert entry == entry.lower() and entry.isascii() and entry, (label, entry)
                key = entry_key(entry)
                if entry == key:
                    # A one-word phrase matches exactly when it is one of the input's words.
                    by_key.setdefault(key, []).append((row, None, None))
                else:
                    # A phrase must first be a substring (fast); a regex is always tried.
                    text = entry if is_phrase(entry) else None
                    by_key.setdefault(key, []).append((row, text, entry_pattern(entry)))
        #: first word -> (row, phrase, pattern) of every entry that starts with it, by row.
        self.by_key = {k: tuple(sorted(v, key=lambda e: e[0])) for k, v in by_key.items()}
        self.keys = frozenset(by_key)

    def first(self, lowered: str, words: list[str]) -> str | None:
        """The label of the first row that matches; ``lowered`` is the input through
        :func:`ascii_lower`, ``words`` its words (``WORD.findall(lowered)``)."""
        best = len(self.labels)
        by_key = self.by_key
        for key in self.keys.intersection(words):
            for row, text, pattern in by_key[key]:
                if row >= best:
                    break
                if pattern is None or ((text is None or text in lowered)
                                       and pattern.search(lowered)):
                    best = row
                    break
        return self.labels[best] if best < len(self.labels) else None


# --- provider errors --------------------------------------------------------------------

_OPENAI_ERRORS: Final = "platform.openai.com/docs/guides/error-codes"
_ANTHROPIC_ERRORS: Final = "anthropic-sdk-python src/anthropic/types/shared/error_type.py"
_OPENAI_EXC: Final = "openai-python src/openai/_exceptions.py"
_GO_NET: Final = "golang/go src/net, src/net/http"
_NODE_NET: Final = "Node.js net/dns errors (libuv error codes)"
_UNDICI: Final = "nodejs/undici lib/core/errors.js, lib/dispatcher/client-h1.js"
_HTTPCORE: Final = "encode/httpcore httpcore/_async/http11.py (httpx)"
_REQUESTS: Final = "psf/requests + urllib3 (connection error texts)"

#: Step 1: message refinements more specific than any status, first row that matches.
PROVIDER_ERROR_REFINEMENTS: Final[AliasTable] = (
    ("context_length", (
        ("context_length_exceeded", _OPENAI_ERRORS),
        ("maximum context length", _OPENAI_ERRORS + "; Mistral (too large for model with N "
                                   "maximum context length)"),
        ("exceeds the context window", "OpenAI Responses API (input exceeds the context "
                                       "window of this model)"),
        ("prompt is too long", "docs.anthropic.com invalid_request_error"),
        ("exceed context limit", "Anthropic invalid_request_error (input length and "
                                 "max_tokens exceed context limit)"),
        ("input is too long", "Amazon Bedrock ValidationException"),
        ("exceeds the maximum number of tokens", "Gemini API INVALID_ARGUMENT (input token "
                                                 "count exceeds ...)"),
        ("exceeds the available context size", "ggml-org/llama.cpp tools/server"),
        ("exceed_context_size_error", "ggml-org/llama.cpp tools/server"),
    )),
    ("billing", (
        ("insufficient_quota", _OPENAI_ERRORS),
        ("exceeded your current quota", _OPENAI_ERRORS),
        ("credit balance", "docs.anthropic.com (Your credit balance is too low)"),
        ("insufficient balance", "api-docs.deepseek.com/quick_start/error_codes (402)"),
        ("billing_error", _ANTHROPIC_ERRORS),
    )),
    ("overloaded", (
        ("overloaded_error", _ANTHROPIC_ERRORS),
        ("overloaded", "Anthropic 529 (Overloaded); Gemini 503 (The model is overloaded); "
                       "DeepSeek 503 (Server Overloaded)"),
    )),
)

#: Step 2: HTTP status -> label; other 5xx -> ``server``, anything else -> ``http_other``.
PROVIDER_STATUS_LABELS: Final[Mapping[int, str]] = {
    400: "bad_request", 401: "auth", 402: "billing", 403: "auth", 404: "not_found",
    408: "timeout", 413: "too_large", 422: "bad_request", 429: "rate_limit", 499: "canceled",
    503: "overloaded", 504: "timeout", 529: "overloaded",
}

#: Reason phrases that follow a status (``429 Too Many Requests``): the HTTP ones, requests'
#: ``Client Error``/``Server Error`` and Google's canonical status names (``429
#: RESOURCE_EXHAUSTED``).  Matched case-insensitively.
STATUS_REASON_PHRASES: Final = (
    "bad request", "unauthorized", "payment required", "forbidden", "not found",
    "method not allowed", "not acceptable", "request timeout", "conflict", "gone",
    "precondition failed", "payload too large", "request entity too large",
    "content too large", "unsupported media type", "unprocessable entity",
    "unprocessable content", "too many requests", "client closed request",
    "internal server error", "not implemented", "bad gateway", "service unavailable",
    "gateway timeout", "client error", "server error", "invalid_argument",
    "failed_precondition", "out_of_range", "unauthenticated", "permission_denied",
    "not_found", "resource_exhausted", "cancelled", "internal", "unavailable",
    "deadline_exceeded", "unimplemented",
)

#: Step 3: the forms in which SDKs and HTTP libraries write a status into a message, with
#: ``nnn`` for the number (``^`` is the start of the message).  A status is a run of exactly
#: three digits, 100-599; the first number in the message that stands in one of these forms
#: (or is followed by a space and one of STATUS_REASON_PHRASES) counts.  A bare number
#: elsewhere is no status.
STATUS_FORMS: Final[tuple[Alias, ...]] = (
    ("status nnn", "mistralai sdkerror.py (API error occurred: Status 429)"),
    ("status: nnn", "js-genai _api_client.ts (got status: 429)"),
    ("status code nnn", "axios lib/core/settle.js (Request failed with status code 429)"),
    ("status code: nnn", "ollama-python _types.py ResponseError (status code: 404)"),
    ("error code: nnn", "openai-python, anthropic-sdk-python _base_client.py (Error code: 429)"),
    ("http nnn", "HTTP clients' messages (HTTP 429)"),
    ("http/1.1 nnn", "HTTP/1.1 status line"),
    ("http/2 nnn", "HTTP/2 status line (curl)"),
    ("\": nnn", "openai-go, anthropic-sdk-go internal/apierror/apierror.go (POST \"url\": 529)"),
    ("error nnn,", "SDK messages of the form 'Error 429, ...'"),
    ("error nnn:", "SDK messages of the form 'Error 429: ...'"),
    ("^nnn ", "openai-node, anthropic-sdk-typescript src/core/error.ts (\"${status} ${message}\")"),
    ("nnn <reason phrase>", "openai-go, anthropic-sdk-go apierror.go (http.StatusText); "
                            "requests models.py (429 Client Error); python-genai errors.py "
                            "(429 RESOURCE_EXHAUSTED)"),
)

#: Three digits, 100-599 (a longer run of digits is no status: checked around the match;
#: no lookaround here, so the search can skip ahead to a digit).
_STATUS_DIGITS: Final = re.compile(r"[1-5][0-9][0-9]", re.ASCII)
_DIGITS: Final = frozenset("0123456789")
_STATUS_SPLIT: Final = tuple(form.partition("nnn")[::2] for form, _ in STATUS_FORMS[:-1])
#: Text right before the number, for the forms with nothing required after it.
_STATUS_BEFORE: Final = tuple(b for b, a in _STATUS_SPLIT if not a and b != "^")
#: (before, after) of the other forms; "^" is the start of the message.
_STATUS_PAIRED: Final = tuple((b, a) for b, a in _STATUS_SPLIT if a)
_STATUS_REASONS: Final = tuple(" " + phrase for phrase in STATUS_REASON_PHRASES)
#: The character right after the number -> the "before" texts of the forms that need it.
_STATUS_AFTER_CHAR: Final = {a: tuple(b for b, a2 in _STATUS_PAIRED if a2 == a)
                             for _, a in _STATUS_PAIRED}
assert all(len(a) == 1 for a in _STATUS_AFTER_CHAR), "a form's 'after' is one character"


def _status_in_lowered(lowered: str) -> int | None:
    m = _STATUS_DIGITS.search(lowered)
    while m is not None:
        i, j = m.span()
        if (i and lowered[i - 1] in _DIGITS) or lowered[j:j + 1] in _DIGITS:
            pass  # part of a longer number
        elif lowered.endswith(_STATUS_BEFORE, 0, i) or lowered.startswith(_STATUS_REASONS, j):
            return int(m.group())
        else:
            befores = _STATUS_AFTER_CHAR.get(lowered[j:j + 1])
            if befores is not None and any(i == 0 if b == "^" else lowered.endswith(b, 0, i)
                                           for b in befores):
                return int(m.group())
        m = _STATUS_DIGITS.search(lowered, i + 1)
    return None


#: Wording of a timeout, shared by the provider and the tool tables.
TIMEOUT_KEYWORDS: Final[tuple[Alias, ...]] = (
    ("timeout", "Go net/http; Node undici (Connect/Headers Timeout Error); axios (timeout of "
                "N ms exceeded)"),
    ("timed out", _OPENAI_EXC + " (Request timed out.); Python socket; agents' shell tools"),
    ("deadline exceeded", "golang/go src/context (context deadline exceeded)"),
    ("etimedout", _NODE_NET + " (ETIMEDOUT)"),
)

#: Step 4: keywords, first row that matches (timeout wording wins over cancel wording).
PROVIDER_ERROR_KEYWORDS: Final[AliasTable] = (
    ("timeout", TIMEOUT_KEYWORDS),
    ("network", (
        ("connection refused", _GO_NET + "; " + _REQUESTS),
        ("connection reset", _GO_NET + " (connection reset by peer)"),
        ("connection closed", _GO_NET),
        ("connection aborted", _REQUESTS + " (Connection aborted.)"),
        ("connection error", _OPENAI_EXC + " (Connection error.)"),
        ("broken pipe", _GO_NET),
        ("epipe", _NODE_NET),
        ("econnrefused", _NODE_NET),
        ("econnreset", _NODE_NET),
        ("enotfound", _NODE_NET + " (getaddrinfo ENOTFOUND)"),
        ("eai_again", _NODE_NET + " (getaddrinfo EAI_AGAIN)"),
        ("getaddrinfo", _NODE_NET),
        ("no such host", _GO_NET + " (lookup: no such host)"),
        ("server misbehaving", _GO_NET + " (lookup: server misbehaving)"),
        ("dial tcp", _GO_NET),
        ("name resolution", _REQUESTS + " (Temporary failure in name resolution)"),
        ("name or service not known", _REQUESTS),
        ("failed to resolve", _REQUESTS + " (NameResolutionError)"),
        ("eof", _GO_NET + " (EOF, unexpected EOF)"),
        ("socket hang up", _NODE_NET),
        ("fetch failed", _UNDICI + " (TypeError: fetch failed)"),
        ("other side closed", _UNDICI + " (SocketError)"),
        ("network error", "axios lib/adapters/xhr.js (Network Error)"),
        ("server disconnected", _HTTPCORE + " (Server disconnected without sending a "
                                "response.)"),
        ("incomplete chunked read", _HTTPCORE + " (h11)"),
        ("peer closed connection", _HTTPCORE + " (h11)"),
        ("remote end closed", _REQUESTS + " (RemoteDisconnected)"),
        ("failed to connect", "ollama-python _client.py (Failed to connect to Ollama)"),
        ("cannot connect", "vercel/ai handle-fetch-error.ts (Cannot connect to API)"),
        ("could not connect", "botocore exceptions.py (Could not connect to the endpoint URL)"),
        ("connection attempts failed", "httpx/anyio (All connection attempts failed)"),
        ("tls", "Go crypto/tls (tls: failed to verify certificate)"),
        ("ssl", "Python ssl ([SSL: CERTIFICATE_VERIFY_FAILED])"),
        ("x509", "Go crypto/x509"),
        ("certificate", "Go crypto/x509; Python ssl; Node tls"),
        ("handshake", "Go net/http (TLS handshake); Python ssl"),
        ("goaway", "golang/go src/net/http/h2_bundle.go (server sent GOAWAY)"),
        ("stream error", "golang/go src/net/http/h2_bundle.go (stream error: stream ID N)"),
        ("http2", "golang/go src/net/http/h2_bundle.go"),
    )),
    ("canceled", (
        ("context canceled", "golang/go src/context"),
        ("request canceled", "golang/go src/net/http (net/http: request canceled)"),
        ("canceled", "axios CanceledError (canceled)"),
        ("cancelled", "Python asyncio CancelledError; agents"),
        ("aborted", "openai-node, anthropic-sdk-typescript error.ts (Request was aborted.)"),
        ("aborterror", "DOM AbortError (Node fetch)"),
    )),
    ("server", (
        ("internal server error", "HTTP 500 reason phrase; Anthropic api_error"),
        ("internal error", "Gemini INTERNAL (An internal error has occurred)"),
        ("api_error", _ANTHROPIC_ERRORS),
        ("server_error", _OPENAI_ERRORS),
        ("server had an error", _OPENAI_ERRORS),
        ("an error occurred while processing your request", _OPENAI_ERRORS),
    )),
)

_PROVIDER_REFINEMENTS: Final = _Table(PROVIDER_ERROR_REFINEMENTS)
_PROVIDER_KEYWORDS: Final = _Table(PROVIDER_ERROR_KEYWORDS)
#: The first words of the refinements, less those that contain another one: a message
#: without any of these as a substring has no refinement.
_REFINEMENT_SUBSTRINGS: Final = tuple(sorted(
    k for k in _PROVIDER_REFINEMENTS.keys
    if not any(o != k and o in k for o in _PROVIDER_REFINEMENTS.keys)))
#: The same test as one regular expression: faster on short messages, slower on long ones.
_REFINEMENT_REGEX: Final = re.compile("|".join(map(re.escape, _REFINEMENT_SUBSTRINGS)))
_SHORT: Final = 120
_PROVIDER_ERROR_FACTS: Final = {lb: _fact("provider_error", lb) for lb in PROVIDER_ERROR_LABELS}


def status_label(status: int) -> str:
    label = PROVIDER_STATUS_LABELS.get(status)
    if label is not None:
        return label
    return "server" if 500 <= status <= 599 else "http_other"


def is_status(status: int | None) -> bool:
    """An HTTP status 100-599 other than 2xx (a 2xx status is treated as absent)."""
    return status is not None and 100 <= status <= 599 and not 200 <= status <= 299


def status_in_message(message: str) -> int | None:
    """The first status written in ``message`` in one of :data:`STATUS_FORMS`, else None."""
    return _status_in_lowered(ascii_lower(message))


def provider_error_label(message: str, status: int | None) -> str:
    """Refinements of the message, else ``status``, else a status written in the message,
    else the keyword table, else ``other`` (docs/FACTS.md)."""
    lowered = ascii_lower(message)
    words = None
    # Every refinement's first word is in the message if the refinement is: most messages
    # are ruled out by a few substring tests, without splitting them into words.
    if (_REFINEMENT_REGEX.search(lowered) if len(lowered) < _SHORT
            else any(map(lowered.__contains__, _REFINEMENT_SUBSTRINGS))):
        words = WORD.findall(lowered)
        label = _PROVIDER_REFINEMENTS.first(lowered, words)
        if label is not None:
            return label
    if status is not None and is_status(status):
        return status_label(status)
    found = _status_in_lowered(lowered)
    if found is not None and is_status(found):
        return status_label(found)
    if words is None:
        words = WORD.findall(lowered)
    return _PROVIDER_KEYWORDS.first(lowered, words) or "other"


def provider_error_fact(message: str, status: int | None) -> Fact:
    return _PROVIDER_ERROR_FACTS[provider_error_label(message, status)]


# --- tool errors ------------------------------------------------------------------------

_CLAUDE_CODE: Final = "Claude Code tool results (as quoted in public transcripts)"
_GEMINI_CLI: Final = "google-gemini/gemini-cli packages/core/src"
_CLINE: Final = "cline/cline src/core/prompts/responses.ts"
_CONTINUE: Final = "continuedev/continue core/tools/implementations"
_OPENCODE: Final = "sst/opencode packages/opencode/src/tool/edit.ts"
_CODEX: Final = "openai/codex codex-rs"
_MCP: Final = "modelcontextprotocol/servers; MCP JSON-RPC error codes"
_NODE_FS: Final = "Node.js fs and child_process errors"
_RUN: Final = "the real program, run by tests/corpus/test_corpus.py"

#: Tool errors, first row that matches; more specific causes come before ``exit_nonzero``.
TOOL_ERROR_KEYWORDS: Final[AliasTable] = (
    ("denied", (
        ("user rejected", _GEMINI_CLI + " (User rejected this operation.); sst/opencode"),
        ("user denied", "agents' approval prompts (user denied)"),
        ("user declined", "agents' approval prompts (user declined)"),
        ("rejected by user", _CODEX + " (exec command rejected by user)"),
        ("rejected by the user", "agents' approval prompts"),
        ("denied this operation", _CLINE + " (The user denied this operation.)"),
        ("doesn't want to proceed", _CLAUDE_CODE),
        ("doesn't want to take this action", _CLAUDE_CODE),
        ("has been denied", _CLAUDE_CODE + " (Permission to use X has been denied.)"),
        ("denied by policy", _GEMINI_CLI + "/scheduler/policy.ts"),
        ("execution blocked", _GEMINI_CLI + "/core/coreToolHookTriggers.ts; " + _CLINE),
        ("plan rejected", _GEMINI_CLI + "/tools/exit-plan-mode.ts"),
        ("not approved", "agents' approval prompts"),
    )),
    ("timeout", TIMEOUT_KEYWORDS),
    ("canceled", (
        ("interrupted by user", _CLAUDE_CODE + " ([Request interrupted by user for tool use])"),
        ("interrupted by the user", "agents' interrupt handling"),
        ("cancelled", _GEMINI_CLI + " (Operation cancelled by user; Tool call cancelled)"),
        ("canceled", "Go context (context canceled); MCP -32800 Request canceled"),
        ("aborted", _GEMINI_CLI + "/scheduler (Tool call aborted); Node AbortError"),
        ("aborterror", "DOM AbortError"),
    )),
    ("unknown_tool", (
        ("unknown tool", _MCP + " (Unknown tool: x)"),
        ("no such tool", _CLAUDE_CODE + " (No such tool available: x)"),
        ("unavailable tool", "vercel/ai NoSuchToolError, used by sst/opencode (Model tried "
                             "to call unavailable tool 'x')"),
        (r"\btool [\"'`]?[a-z0-9_.:-]+[\"'`]? not found", _GEMINI_CLI + "/scheduler "
         "(Tool \"x\" not found)"),
        ("-32601", _MCP + " (-32601 Method not found)"),
        ("method not found", _MCP),
        ("unsupported call", _CODEX + " (unsupported call: x)"),
    )),
    ("edit_mismatch", (
        ("oldstring not found", _OPENCODE + " (oldString not found in content)"),
        ("old_string not found", "agents' edit tools (old_string not found)"),
        ("string not found in file", _CONTINUE + " (Edit at index N: string not found in file)"),
        ("string to replace not found", _CLAUDE_CODE),
        ("0 occurrences found", _GEMINI_CLI + "/tools/edit.ts"),
        ("expected 1 occurrence", _GEMINI_CLI + "/tools/edit.ts"),
        ("found multiple matches", _OPENCODE),
        ("matches of the string to replace", _CLAUDE_CODE + " (Found 2 matches of the string "
                                             "to replace)"),
        ("matches for oldstring", "ports of the opencode edit tool (Found N matches for "
                                  "oldString)"),
        ("times in the file", _CONTINUE + " (String \"x\" appears N times in the file)"),
        ("failed to exactly match", "Aider-AI/aider aider/coders/editblock_coder.py"),
        ("failed to find expected lines", _CODEX + "/apply-patch"),
        ("did not appear verbatim", "All-Hands-AI/OpenHands str_replace_editor"),
        ("multiple occurrences of old_str", "All-Hands-AI/OpenHands str_replace_editor"),
        ("could not find exact match", "modelcontextprotocol/servers src/filesystem/lib.ts"),
        ("doesn't match exactly", _CLINE + " (the SEARCH block content doesn't match exactly)"),
        ("does not match anything in the file", _CLINE),
        ("patch does not apply", "git apply; " + _RUN),
        ("patch failed", "git apply; " + _RUN),
        ("hunk failed", "GNU patch (1 out of 1 hunk FAILED); " + _RUN),
        ("hunks failed", "GNU patch (2 out of 3 hunks FAILED)"),
        (r"\bhunk #[0-9]+ failed", "GNU patch (Hunk #1 FAILED at 12.); " + _RUN),
    )),
    ("too_large", (
        ("exceeds maximum allowed", _CLAUDE_CODE + " (exceeds maximum allowed tokens)"),
        (r"\bis too large \([0-9]", _CONTINUE + " (File x is too large (N tokens vs M "
                                     "token limit))"),
        ("exceeds size limit", _GEMINI_CLI + "/tools/web-fetch.ts"),
        ("file size exceeds", _GEMINI_CLI + "/utils/fileUtils.ts"),
    )),
    ("permission", (
        ("permission denied", _NODE_FS + " (EACCES); " + _RUN),
        ("operation not permitted", _NODE_FS + " (EPERM)"),
        ("eacces", _NODE_FS),
        ("eperm", _NODE_FS),
        ("access denied", _GEMINI_CLI + "/services/sandboxedFileSystemService.ts; "
                          "modelcontextprotocol/servers src/filesystem"),
        ("forbidden", "HTTP 403 reason phrase"),
        ("403", "git (The requested URL returned error: 403); " + _GEMINI_CLI
         + "/tools/web-fetch.ts (Status: 403)"),
        ("outside the workspace", _GEMINI_CLI + "/services/sandboxedFileSystemService.ts"),
        ("outside allowed directories", "modelcontextprotocol/servers src/filesystem/lib.ts"),
        ("is ignored by", _GEMINI_CLI + "/tools/read-file.ts (ignored by configured ignore "
                          "patterns)"),
        ("clineignore", _CLINE + " (blocked by the .clineignore file)"),
    )),
    ("not_found", (
        ("no such file", _NODE_FS + " (ENOENT); " + _RUN),
        ("enoent", _NODE_FS),
        ("not found", _GEMINI_CLI + " (File not found); " + _RUN + " (command not found)"),
        ("does not exist", _CLAUDE_CODE + " (File does not exist.); " + _CONTINUE),
        ("no module named", "CPython import system; " + _RUN),
        ("cannot find module", "Node.js CJS loader; Go (cannot find module providing "
                               "package); " + _RUN),
        ("did not match any file", "git (pathspec did not match any file(s)); " + _RUN),
        ("unknown revision", "git (unknown revision or path not in the working tree)"),
        ("404", _GEMINI_CLI + "/tools/web-fetch.ts (Status: 404)"),
    )),
    ("invalid_args", (
        ("inputvalidationerror", _CLAUDE_CODE + " (InputValidationError)"),
        ("validation error", "pydantic (validation error for ...)"),
        ("invalid argument", "agents' argument checks (invalid argument)"),
        ("invalid arguments", _MCP + " (-32602 Invalid arguments for tool)"),
        ("invalid parameter", "agents' argument checks (invalid parameter)"),
        ("invalid parameters", _GEMINI_CLI + " (Invalid parameters provided)"),
        ("invalid input", "zod (Invalid input: expected string)"),
        ("invalid json", _CLINE + " (Invalid JSON argument)"),
        ("missing required", "JSON Schema validators (missing required property)"),
        ("required parameter", _CLINE + " (Missing value for required parameter); "
                               + _CLAUDE_CODE),
        ("required property", _GEMINI_CLI + " (params must have required property)"),
        ("is required", _CONTINUE + " (filepath (string) is required)"),
        ("unexpected keyword argument", "CPython TypeError; " + _RUN),
        ("unrecognized arguments", "CPython argparse (unrecognized arguments)"),
        ("old_string and new_string", _GEMINI_CLI + "/tools/edit.ts (are identical); "
                                      + _CONTINUE + " (must be different)"),
        ("oldstring and newstring", _OPENCODE + " (must be different)"),
        ("failed to parse function arguments", _CODEX),
        ("parameter was empty", _CLINE + " (The 'command' parameter was empty)"),
    )),
    ("network", (
        ("could not resolve", "curl (6) Could not resolve host; git; " + _RUN),
        ("couldn't connect", "curl (7) Couldn't connect to server; " + _RUN),
        ("failed to connect", "curl (7) Failed to connect; " + _RUN),
        ("connection refused", _NODE_FS + " (ECONNREFUSED)"),
        ("econnrefused", _NODE_FS),
        ("enotfound", "npm/cli (getaddrinfo ENOTFOUND)"),
        ("getaddrinfo", "npm/cli; Node.js dns"),
        ("fetch failed", "nodejs/undici (TypeError: fetch failed)"),
    )),
    ("exit_nonzero", (
        (r"\bexit (?:code|status):? ?-?[1-9]", _CODEX + " (Exit code: N); Go os/exec "
         "(exit status N)"),
        (r"\bexited with (?:code|status):? ?-?[1-9]", _CONTINUE + " (Process exited with "
         "code N); agents' shell tools"),
        ("non-zero exit", "CPython subprocess.py (returned non-zero exit status N); " + _RUN),
        ("nonzero exit", "agents' shell tools"),
        ("command failed", "Node.js child_process (Command failed: ...); execa; " + _RUN),
    )),
)

_TOOL_KEYWORDS: Final = _Table(TOOL_ERROR_KEYWORDS)
_TOOL_ERROR_FACTS: Final = {lb: _fact("tool_error", lb) for lb in TOOL_ERROR_LABELS}

for _label, _ in FINISH_REASON_ALIASES:
    assert _label in FINISH_REASON_LABELS
for _label, _ in (*PROVIDER_ERROR_REFINEMENTS, *PROVIDER_ERROR_KEYWORDS):
    assert _label in PROVIDER_ERROR_LABELS
for _label, _ in TOOL_ERROR_KEYWORDS:
    assert _label in TOOL_ERROR_LABELS
for _label in PROVIDER_STATUS_LABELS.values():
    assert _label in PROVIDER_ERROR_LABELS
for _alias in (a for _, _rows in FINISH_REASON_ALIASES for a, _source in _rows):
    assert normalise_finish_reason(_alias) == _alias, _alias
assert STATUS_FORMS[-1][0] == "nnn <reason phrase>", "the reason-phrase form comes last"


def tool_error_label(error: str) -> str:
    lowered = ascii_lower(error)
    return _TOOL_KEYWORDS.first(lowered, WORD.findall(lowered)) or "other"


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
