"""The counted facts (docs/FACTS.md): allow-lists, alias and keyword tables, word families,
bucket edges.

Everything here is pure.  Each rule lives in exactly one named constant below;
``docs/FACTS.md``, the disclosure and the tests are generated from or checked against these
names.  Every alias, keyword and word-family entry carries the public source it was taken
from (an SDK file, a provider's documentation, an agent's source, an issue where a user
pasted the error); the corpus of real inputs in ``tests/corpus/`` measures the tables, batch
by batch, at first sight.  Labels are chosen by meaning in two steps: the sourced tables
first (they win where a spelling misleads), then the words of the input read by family.
Client strings enter the functions of this module only to be classified (the classifiers'
memo of recent inputs keeps a digest of each, never the string); what comes out is always
a label taken from one of the tuples defined here.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Callable, Mapping
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
_SWE_AGENT: Final = "SWE-agent/SWE-agent sweagent/agent/agents.py (exit_status)"

#: Every provider's spelling of a finish reason, after normalisation (see
#: :func:`normalise_finish_reason`), one row per label.  Anything else is ``other``.
FINISH_REASON_ALIASES: Final[AliasTable] = (
    ("stop", (
        ("stop", _OPENAI_CHAT),
        ("end_turn", _ANTHROPIC),
        ("stop_sequence", _ANTHROPIC),
        ("completed", _OPENAI_RESPONSES),
        ("complete", _COHERE),
        # Spellings whose words mislead the families of step two:
        ("end_filter", "turboderp-org/exllamav2 exllamav2/generator/dynamic.py (a generation "
                       "filter, e.g. a grammar, ended the answer: no content filter)"),
        ("tool_rule", "letta-ai/letta letta/schemas/letta_stop_reason.py (a terminal tool rule "
                      "ended the run: it completed, no tool call pending)"),
    )),
    ("length", (
        ("length", _OPENAI_CHAT),
        ("max_tokens", _ANTHROPIC),
        ("max_output_tokens", _OPENAI_INCOMPLETE),
        ("max_completion_tokens", "OpenAI-compatible servers' finish_reason"),
        ("model_length", _MISTRAL),
        ("model_context_window_exceeded", _ANTHROPIC),
        ("finished_ignored", "vllm-project/vllm vllm/v1/request.py (RequestStatus "
                             "FINISHED_IGNORED: a prompt over the model's length, reported as "
                             "finish reason length)"),
        ("exit_context", _SWE_AGENT + " (Exit due to context window)"),
        ("exit_cost", _SWE_AGENT + " (Exit due to cost limit: the run's budget limit)"),
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
        ("exit_format", _SWE_AGENT + " (Exit due to repeated format/blocklist/bash syntax "
                                     "errors: the model's actions could not be parsed)"),
    )),
    ("error", (
        ("error", _MISTRAL + "; " + _VERCEL + "; " + _COHERE),
        ("failed", _OPENAI_RESPONSES),
        ("malformed_model_output", _BEDROCK),
        ("exit_command_timeout", _SWE_AGENT + " (Exit due to multiple consecutive command "
                                              "timeouts)"),
        ("exit_api", _SWE_AGENT + " (Exit due to retry error: the model's API kept failing)"),
        ("exit_environment_error", _SWE_AGENT + " (Exit due to environment error)"),
    )),
    ("canceled", (
        ("cancelled", _OPENAI_RESPONSES + "; " + _ACP),
        ("canceled", "the protocol's own spelling of the label"),
        ("review_ended", "openai/codex codex-rs protocol (TurnAbortReason::ReviewEnded: the "
                         "turn was aborted when the review ended)"),
    )),
    ("insufficient_system_resource", (
        ("insufficient_system_resource", "api-docs.deepseek.com (finish_reason)"),
    )),
    # A spelling whose words mislead the families of step two: it does not stop to call a
    # tool.
    ("other", (
        ("too_many_tool_calls", _GEMINI + " (the model made too many tool calls)"),
    )),
    ("none", (
        ("", "the protocol: an empty finish_reason"),
        ("none", "Python's str(None) of an unset Optional finish_reason"),
        ("null", "JavaScript's String(null) of a null finish_reason"),
        ("unknown", "vercel/ai packages/provider/src/language-model/v2/*-finish-reason.ts"),
        ("finish_reason_unspecified", _GEMINI + "; any enum value ending in _unspecified"),
    )),
)

#: A finish reason that wraps the reason a run stopped on: SWE-agent's autosubmission after
#: an error records ``submitted (<exit status>)`` (attempt_autosubmission_after_error in
#: sweagent/agent/agents.py); it is read as the status inside.
FINISH_REASON_WRAPPER: Final = re.compile(r"submitted \((.+)\)", re.ASCII)
#: Normalisation of a finish reason: an enum rendering ``Type.NAME`` is read as ``NAME``, and
#: so are a qualified type (``FirebaseAI.FinishReason.maxTokens``, Rust's
#: ``FinishReason::Length``) and Swift's implicit member (``.maxTokens``, as Swift sources,
#: docs and string interpolations of ``Optional(.maxTokens)`` write a case).
FINISH_REASON_ENUM: Final = re.compile(
    r"(?:[A-Za-z_][A-Za-z0-9_]*(?:(?:\.|::)[A-Za-z_][A-Za-z0-9_]*)*)?(?:\.|::)"
    r"([A-Za-z_][A-Za-z0-9_]*)", re.ASCII)
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
    """Case-insensitive; ``-`` and spaces are ``_``; CamelCase split; ``Type.NAME``,
    ``A.Type.NAME``, ``Type::NAME`` and ``.NAME`` -> NAME."""
    m = FINISH_REASON_ENUM.fullmatch(reason)
    if m is not None:
        # a member's leading underscore is no part of its name (Kotlin's ``Value._UNKNOWN``)
        reason = m.group(1).lstrip("_") or m.group(1)
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
    if key.startswith("submitted_("):
        wrapped = FINISH_REASON_WRAPPER.fullmatch(reason.strip())
        if wrapped is not None:
            return finish_reason_fact(wrapped.group(1))
    return _FINISH_REASON_FACTS[_finish_reason_by_meaning(reason)]


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


_REGEX_LITERAL: Final = re.compile(r"\\b([a-z0-9_ :-]*[a-z0-9_])(?![?*+{])", re.ASCII)


def _regex_literal(entry: str) -> str | None:
    """The literal text a regular-expression entry starts with after ``\\b`` (``not found``
    of ``\\bnot found(?! in ...)``), less its last character when a quantifier follows it:
    every input the entry matches contains it."""
    m = _REGEX_LITERAL.match(entry)
    if m is None:
        return None
    literal = m.group(1)
    following = entry[m.end():m.end() + 1]
    return literal if following not in ("?", "*", "+", "{") else literal[:-1] or None


class _Table:
    """A compiled alias/keyword table (see above).  Its patterns are compiled on first use:
    a command that never classifies a text does not pay for them."""

    __slots__ = ("_by_key", "_table", "keys", "labels")

    def __init__(self, table: AliasTable) -> None:
        self._table = table
        self.labels = tuple(label for label, _ in table)
        for label, entries in table:
            for entry, _ in entries:
                assert entry == entry.lower() and entry.isascii() and entry, (label, entry)
        self.keys = frozenset(entry_key(e) for _, entries in table for e, _ in entries)
        self._by_key: dict[str, tuple[tuple[int, str | None, re.Pattern[str] | None], ...]] \
            | None = None

    @property
    def by_key(self) -> dict[str, tuple[tuple[int, str | None, re.Pattern[str] | None], ...]]:
        """first word -> (row, phrase, pattern) of every entry that starts with it, by row."""
        if self._by_key is None:
            by_key: dict[str, list[tuple[int, str | None, re.Pattern[str] | None]]] = {}
            for row, (_, entries) in enumerate(self._table):
                for entry, _ in entries:
                    key = entry_key(entry)
                    if entry == key:
                        # A one-word phrase matches exactly when it is one of the input's
                        # words.
                        by_key.setdefault(key, []).append((row, None, None))
                    else:
                        # A phrase must first be a substring (fast); so must a regex's
                        # leading literal text.
                        text = entry if is_phrase(entry) else _regex_literal(entry)
                        by_key.setdefault(key, []).append((row, text, entry_pattern(entry)))
            self._by_key = {k: tuple(sorted(v, key=lambda e: e[0])) for k, v in by_key.items()}
        return self._by_key

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


# --- facts v3: words and word families ---------------------------------------------------
#
# The second step of every classifier (the sourced tables above and below are the first):
# the input is cut into lower-case words (:func:`words`) and read by *word families*, so
# that an unseen spelling of a known idea gets its label.  A family entry is written in
# plain words; ``a | b`` are alternatives, ``+`` joins groups that must all be present
# (anywhere in the input, in any order), and a trailing ``- x | y`` names words whose
# presence vetoes the entry (a keyword counts only where it names the failure).  Each
# alternative is itself cut into words by :func:`words` and must occur as consecutive
# words of the input.

#: A word: a run of capitals before a capitalised word (``HTTP`` in ``HTTPError``), a
#: capitalised or lower-case run of letters, a run of capitals, or a run of digits.  So
#: ``_ - . : /`` and spaces separate words, and CamelCase and letter/digit boundaries split
#: them (``eosFound`` = ``eos found``, ``MAX_TOKENS`` = ``max tokens``, ``x509`` = ``x 509``),
#: but the plural of an acronym is one word (``URLs``, ``APIs``, ``IDs``).
#: Each Chinese, Japanese or Korean character is a word of its own (those scripts put no
#: space between words), so a family may hold the words of a provider that answers in
#: them (Zhipu's ``余额不足``, insufficient balance).
#: Kana, CJK ideographs and Hangul syllables: one word per character.
_CJK: Final = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
WORDS: Final = re.compile(r"[A-Z]{2,}s(?![a-z])|[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+"
                          f"|[{_CJK}]")
#: The same for a text with a non-ASCII character: a run of letters of any other alphabet
#: (Latin with diacritics, Cyrillic, Greek, ...) that holds a non-ASCII letter is one word
#: (``accordée``, ``Überprüfen``, ``отказано``), whatever its case; ASCII runs are cut as by
#: :data:`WORDS`, and Chinese, Japanese and Korean characters stay one word each (Korean
#: writes particles onto its words: ``권한이`` is ``권한`` and a particle, so a family's
#: ``권한`` matches it).
_OTHER_LETTER: Final = f"[^\\W\\d_a-zA-Z{_CJK}]"
_LETTER: Final = f"[^\\W\\d_{_CJK}]"
WORDS_ANY: Final = re.compile(f"[a-zA-Z]*{_OTHER_LETTER}{_LETTER}*|" + WORDS.pattern)


def safe_lower(word: str) -> str:
    """``word`` in lower case, where no non-ASCII character turns into an ASCII letter
    (U+212A KELVIN SIGN lower-cases to "k", U+0130 to "i" and a combining dot): such a
    character stays as it is."""
    lowered = word.lower()
    if len(lowered) == len(word) and all(
            a.isascii() or not b.isascii() for a, b in zip(word, lowered, strict=True)):
        return lowered
    return "".join(c.lower() if c.isascii() or not any(ch.isascii() for ch in c.lower())
                   else c for c in word)


#: The characters that canonical composition (NFC) turns into ASCII (GREEK QUESTION MARK,
#: GREEK VARIA, KELVIN SIGN; tests/test_facts_round19_locales.py checks every code point).
NFC_TO_ASCII: Final = "\u037e\u1fef\u212a"
_NFC_TO_ASCII_SPLIT: Final = re.compile(f"([{NFC_TO_ASCII}])")


def composed(text: str) -> str:
    """``text`` in composed form (NFC), as most programs write it: a letter and its
    combining accents (``e`` + U+0301, as macOS file names and some input methods write
    them) become the one letter the families hold (``é``), and decomposed Hangul its
    syllables; the characters of :data:`NFC_TO_ASCII` stay as they are (no other character
    may turn into an ASCII letter, see :func:`safe_lower`)."""
    if unicodedata.is_normalized("NFC", text):
        return text
    if not any(c in text for c in NFC_TO_ASCII):
        return unicodedata.normalize("NFC", text)
    return "".join(part if part and part in NFC_TO_ASCII else unicodedata.normalize("NFC", part)
                   for part in _NFC_TO_ASCII_SPLIT.split(text))


def words(text: str) -> list[str]:
    """``text`` cut into lower-case words (see :data:`WORDS` and :data:`WORDS_ANY`), a
    non-ASCII text in composed form (:func:`composed`)."""
    if text.isascii():
        return [w.lower() for w in WORDS.findall(text)]
    return [safe_lower(w) for w in WORDS_ANY.findall(composed(text))]


#: An address in a message is no part of its words (``.../settings/billing``), nor is a
#: file path (``/home/user/settings.json``, ``tests/test_timeout.py``) or a host name
#: (``nosuchhost.invalid``): they name where, not what failed.
URL: Final = re.compile(r"(?:https?|wss?|ftp|file)://[^\s\"'<>)]*", re.ASCII | re.IGNORECASE)
#: A file path: absolute (``/x``, ``~/x``, ``./x``) or with a slash and an extension.
PATH: Final = re.compile(r"(?<![\w/.])(?:~|\.{1,2})?/[\w.~-]"
                         "[^\\s\"'`<>)(:,\u201c\u201d\u3000-\u303f\u3400-\u9fff\uff00-\uffef]*"
                         r"|\b[\w.-]+(?:/[\w.-]+)+\.[a-z0-9]{1,5}\b", re.ASCII | re.IGNORECASE)
#: A request id (``(request id: 2024...)`` that gateways such as new-api append, OpenAI's
#: ``request ID req_...``, a JSON ``"request_id": "..."``) names which request, not what
#: failed: no part of the words either.
REQUEST_ID: Final = re.compile(r"request[ _-]?id[\"']?\s*[:=]?\s*[\"']?[\w-]*", re.ASCII
                               | re.IGNORECASE)
#: A Windows path ends where a Chinese, Japanese or Korean sentence goes on without a space
#: (PowerShell zh-CN: 无法加载文件 C:\\x.ps1 and then 因为在此系统上禁止运行脚本 after a full-width
#: comma), as :data:`PATH` does.
WINDOWS_PATH: Final = re.compile("\\b[a-z]:\\\\[^\\s\"'`<>\u3000-\u303f\u3400-\u9fff"
                                 "\uac00-\ud7af\uff00-\uffef]*", re.ASCII | re.IGNORECASE)
#: The end of a host name: found first (a fast search for "."), then widened to the name.
HOST_END: Final = re.compile(r"\.(?:com|org|net|io|ai|dev|invalid|example|local|localhost|cn"
                             r"|co|app)(?![\w-])", re.ASCII | re.IGNORECASE)
_HOST_CHARS: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                               "0123456789_.-")


def _without_hosts(text: str) -> str:
    out: list[str] = []
    last = 0
    for m in HOST_END.finditer(text):
        start = m.start()
        while start and text[start - 1] in _HOST_CHARS:
            start -= 1
        if start < last:
            continue
        out += (text[last:start], " ")
        last = m.end()
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


def joined_words(text: str) -> str:
    """The words of ``text`` (less its URLs) joined by single spaces, with a space at each
    end: an alternative ``" a b "`` is in it exactly when ``a b`` are consecutive words."""
    if "://" in text:
        text = URL.sub(" ", text)
    if "/" in text:
        text = PATH.sub(" ", text)
    if ":\\" in text:
        text = WINDOWS_PATH.sub(" ", text)
    if "." in text:
        text = _without_hosts(text)
    if "equest" in text:
        text = REQUEST_ID.sub(" ", text)
    # An ASCII text's words hold only ASCII letters and digits: one lower() of the joined
    # words is the lower() of each.
    if text.isascii():
        return " " + " ".join(WORDS.findall(text)).lower() + " "
    return " " + safe_lower(" ".join(WORDS_ANY.findall(composed(text)))) + " "


#: Escapes of a message that was embedded in a JSON or source string (``\\n``, ``\\"``,
#: ``\\u4f59``: Python's json.dumps writes every non-ASCII character so, as FastAPI and
#: other Python servers send their error bodies): read as the characters they stand for, so
#: that ``\\nmake: ***`` is ``make: ***`` and ``\\u4f59\\u989d\\u4e0d\\u8db3`` is 余额不足.
ESCAPE: Final = re.compile(r"\\(?:u([0-9a-fA-F]{4})|([nrt])|([\\\"'/]))", re.ASCII)


#: The same less ``\\n``, ``\\t``, ``\\r``: in a text with a Windows path (``C:\\new``)
#: they are more likely the path's own separators.
ESCAPE_IN_PATHS: Final = re.compile(r"\\(?:u([0-9a-fA-F]{4})|((?!))|([\\\"'/]))", re.ASCII)


def _unescape_one(m: re.Match[str]) -> str:
    if m.group(1) is not None:
        return chr(int(m.group(1), 16))
    if m.group(2) is not None:
        return " "
    return m.group(3)


def unescaped(text: str) -> str:
    """``text`` with the escapes of :data:`ESCAPE` read (unchanged without a backslash)."""
    if "\\" not in text:
        return text
    return (ESCAPE_IN_PATHS if ":\\" in text and WINDOWS_PATH.search(text) else ESCAPE).sub(
        _unescape_one, text)


#: The most words between the two sides of a ``a ~ b`` group (``Tool "x" not found``).
NEAR_WORDS: Final = 2
#: A compiled group: alternatives (first word, " words ") of which one must be words of
#: the input, or (first words of its left side, a pattern over the joined words) for a
#: ``~`` group.
_Alts = tuple[tuple[str, str], ...]


class _Near:
    """A ``a ~ b`` group: the first words of ``a``, and the pattern over the joined words."""

    __slots__ = ("pattern", "words")

    def __init__(self, first_words: frozenset[str], pattern: re.Pattern[str]) -> None:
        self.words = first_words
        self.pattern = pattern


class _Any:
    """A group of alternatives, indexed by first word: one holds when its first word is a
    word of the input and its words are consecutive words of it."""

    __slots__ = ("by_first", "keys")

    def __init__(self, alts: _Alts) -> None:
        by_first: dict[str, list[str]] = {}
        for first, joined in alts:
            by_first.setdefault(first, []).append(joined)
        self.by_first = {w: tuple(v) for w, v in by_first.items()}
        self.keys = frozenset(by_first)

    def holds(self, present: set[str], joined: str) -> bool:
        by_first = self.by_first
        for w in self.keys.intersection(present):
            for a in by_first[w]:
                if a in joined:
                    return True
        return False


_NO_VETO: Final = _Any(())
_Group = _Any | _Near


class _Families:
    """A compiled word-family table (see above): label -> entries, first label that
    matches wins.

    Speed: an entry can hold only if the first word of one of its first group's
    alternatives is a word of the input, so the input's words pick the entries worth
    trying (tests/test_facts.py checks the result against a plain reading of the table)."""

    __slots__ = ("_built", "_table", "labels")

    def __init__(self, table: AliasTable) -> None:
        self._table = table
        self.labels = tuple(label for label, _ in table)
        self._built: tuple[tuple[tuple[int, tuple[_Group, ...], _Any], ...],
                           dict[str, tuple[int, ...]], frozenset[str]] | None = None

    def _build(self) -> tuple[tuple[tuple[int, tuple[_Group, ...], _Any], ...],
                              dict[str, tuple[int, ...]], frozenset[str]]:
        """The compiled entries, the entries each first word can start (by position), and
        those words: made on first use, so a command that classifies nothing skips it."""
        compiled: list[tuple[int, tuple[_Group, ...], _Any]] = []
        by_word: dict[str, list[int]] = {}
        for index, (_, entries) in enumerate(self._table):
            for entry, _source in entries:
                groups, veto = _compile_entry(entry)
                for word in _first_words(entry):
                    by_word.setdefault(word, []).append(len(compiled))
                compiled.append((index, groups, veto))
        self._built = (tuple(compiled), {w: tuple(v) for w, v in by_word.items()},
                       frozenset(by_word))
        return self._built

    def first_index(self, joined: str) -> int:
        """The index of the first label with an entry in ``joined`` (see
        :func:`joined_words`), else ``len(self.labels)``."""
        entries, by_word, key_words = self._built or self._build()
        candidates: set[int] = set()
        present = set(joined.split())
        for word in key_words.intersection(present):
            candidates.update(by_word[word])
        for position in sorted(candidates):
            index, groups, veto = entries[position]
            for group in groups:
                if isinstance(group, _Near):
                    if group.words.isdisjoint(present) or group.pattern.search(joined) is None:
                        break
                elif not group.holds(present, joined):
                    break
            else:
                if veto is _NO_VETO or not veto.holds(present, joined):
                    return index
        return len(self.labels)

    def first(self, joined: str) -> str | None:
        index = self.first_index(joined)
        return self.labels[index] if index < len(self.labels) else None


def _first_words(entry: str) -> set[str]:
    """The first words of the alternatives of an entry's first group (of its left side for
    a ``~`` group): one of them is a word of every input the entry holds in."""
    first_group = entry.partition(" - ")[0].split(" + ")[0].split(" ~ ")[0]
    return {words(alt)[0] for alt in first_group.split("|")}


def _compile_entry(entry: str) -> tuple[tuple[_Group, ...], _Any]:
    body, _, veto = entry.partition(" - ")

    def alts(text: str) -> _Alts:
        out = tuple((ws[0], " " + " ".join(ws) + " ")
                    for ws in (words(a) for a in text.split("|")) if ws)
        assert len(out) == len(text.split("|")), entry
        return out

    def group(text: str) -> _Group:
        if " ~ " not in text:
            return _Any(alts(text))
        left, right = text.split(" ~ ")
        either = ["|".join(re.escape(a.strip()) for _, a in alts(side)) for side in (left, right)]
        return _Near(frozenset(w for w, _ in alts(left)),
                     re.compile(f" (?:{either[0]})(?: [^ ]+){{0,{NEAR_WORDS}}} (?:{either[1]}) "))

    groups = tuple(group(g) for g in body.split(" + "))
    return groups, (_Any(alts(veto)) if veto else _NO_VETO)


#: The bound of each classifier's memo of recent inputs (only inputs up to
#: :data:`MEMO_MAX_CHARS` are remembered; the memo lives in memory only).
MEMO_SIZE: Final = 1024
MEMO_MAX_CHARS: Final = 512


class Memo:
    """The labels of a classifier's recent inputs, at most ``size`` of them, the least
    recently used forgotten first.  Keyed by a 16-byte BLAKE2b digest of the input, so the
    memo never holds a client's string — only that digest, in memory, beside a label
    (an error message is used to pick a label and then dropped, memo or not)."""

    __slots__ = ("_labels", "_size")

    def __init__(self, size: int = MEMO_SIZE) -> None:
        self._labels: dict[bytes, str] = {}
        self._size = size

    @staticmethod
    def key(text: str, extra: int | None = None) -> bytes:
        digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16,
                                 person=b"metricsd-memo")
        if extra is not None:
            digest.update(b"\x00%d" % extra)
        return digest.digest()

    def get(self, key: bytes) -> str | None:
        label = self._labels.pop(key, None)
        if label is not None:
            self._labels[key] = label  # the most recently used again
        return label

    def put(self, key: bytes, label: str) -> None:
        if len(self._labels) >= self._size:
            self._labels.pop(next(iter(self._labels), b""), None)
        self._labels[key] = label

    def label(self, text: str, classify: Callable[[], str], extra: int | None = None) -> str:
        """``classify()``'s label for ``text`` (and ``extra``), remembered; a text over
        :data:`MEMO_MAX_CHARS` is classified every time and not remembered."""
        if len(text) > MEMO_MAX_CHARS:
            return classify()
        key = self.key(text, extra)
        label = self.get(key)
        if label is None:
            label = classify()
            self.put(key, label)
        return label

    def __len__(self) -> int:
        return len(self._labels)

    def digests(self) -> list[bytes]:
        return list(self._labels)

    def cache_clear(self) -> None:
        """Forget everything (named as functools' caches name it, for benchmarks)."""
        self._labels.clear()

# --- finish_reason, step two: word families ----------------------------------------------

_ZH_AGENTS: Final = (
    "Chinese agents' tool messages: skyfireitdiy/Jarvis jarvis_tools (工具 x "
    "不存在; 被 hook 拦截; 缺少必需参数; 文件不存在; 文件过大; 执行被用户中断; "
    "退出码; 未找到可匹配的文本); The-Sunder-islands/iflow-cli-ce zh-CN strings "
    "(找不到要替换的字符串; 期望 1 次匹配但找到 3 次; 必须是绝对路径; 在允许的"
    "工作区目录之外; 超过了最大允许的大小; 命令被用户取消; 不允许执行命令; 命令"
    "以代码 1 退出; 工具 x 未找到; 工具执行已中止; 命令不能为空)")
_LOCALE_CAPTURES: Final = (
    "glibc strerror, coreutils, bash and git messages in de, es, fr, ja, ko, pt_BR, ru, tr, vi "
    "and zh_CN, captured here (LOCPATH with locales built by localedef, LC_ALL=xx_XX.UTF-8: "
    "ls, cat, rm, grep, mkdir, touch as nobody, an unknown command, git add/checkout/apply)")
_LOBE_LOCALES: Final = "lobehub/lobe-chat locales/{de-DE,ja-JP,ko-KR,vi-VN}/error.json"
_ROO_LOCALES: Final = "RooCodeInc/Roo-Code src/i18n/locales/{ja,ru}/common.json"
_LMSTUDIO_LOCALES: Final = ("lmstudio-ai/localization {de,ja,zh-CN}/chat.json "
                            "(genInfo.stopReason)")
_STRERROR_CAPTURES: Final = (
    "glibc strerror (ENOENT, EACCES, ETIMEDOUT, ECONNREFUSED, ENETUNREACH) in de, es, fr, ja, "
    "ko, pt_BR, ru, tr, vi and zh_CN, captured here (os.strerror after setlocale, LOCPATH with "
    "locales built by localedef)")
#: ETIMEDOUT's strerror in those locales (_STRERROR_CAPTURES): a timeout for a provider call
#: and a tool alike.
_STRERROR_TIMEOUT: Final = (
    "wartezeit | expiró el tiempo | expiration du délai | 接続がタイムアウト | 시간 초과 "
    "| tempo esgotado | время ожидания | zaman aşımı | kết nối đã quá hạn | 连接超时")  # noqa: RUF001
#: ECONNREFUSED's and ENETUNREACH's: the network, for both.
_STRERROR_NETWORK: Final = (
    "verbindungsaufbau abgelehnt | nicht erreichbar | conexión rehusada | red es "
    "inaccesible | connexion refusée | réseau n est pas accessible | 接続を拒否 | "
    "ネットワークに届きません | 연결이 거부 | 네트워크가 접근 불가능 | conexão recusada "
    "| rede está fora de alcance | в соединении отказано | сеть недоступна | bağlantı "  # noqa: RUF001
    "reddedildi | ağ erişilebilir durumda değil | kết nối bị từ chối | không thể kết nối "
    "mạng | 拒绝连接 | 网络不可达")
_ROO_LOCALES_MORE: Final = ("RooCodeInc/Roo-Code src/i18n/locales/{de,es,fr,ko,pt-BR,"
                            "tr,vi,zh-CN}/common.json at 003a2057c11a (errors.cerebras)")
_LMSTUDIO_LOCALES_MORE: Final = ("lmstudio-ai/localization {ko,pt-BR,ru,vi}/chat.json at "
                                 "a15da90 (genInfo.stopReason)")
_ROO_ZH_TW: Final = ("RooCodeInc/Roo-Code src/i18n/locales/zh-TW/{common,tools}.json at "
                      "003a2057c11a (errors.command_timeout, url_timeout, no_internet, "
                      "cerebras.*; interruption.*; gemini.thinking_complete_*; "
                      "readFile.imageTooLarge; unknownToolError; newTask policy_restriction)")
_LOBE_ZH_TW: Final = ("lobehub/lobe-chat locales/zh-TW/error.json at 4fce455c9906 (response.400 "
                      "to 504, InvalidProviderAPIKey, OllamaServiceUnavailable, "
                      "SubscriptionPlanLimit)")
_DEEPSEEK_ZH: Final = ("api-docs.deepseek.com/zh-cn/quick_start/error_codes (400 格式错误; 401 "
                       "认证失败; 402 余额不足; 422 参数错误; 429 请求速率达到上限; 500 服务器"
                       "故障; 503 服务器繁忙: 服务器负载过高)")
_MINIMAX_ZH: Final = ("platform.minimaxi.com/docs/api-reference/errorcode (1001 请求超时; 1002 "
                      "请求频率超限; 1004 未授权; 1008 余额不足; 1024 内部错误; 1026 输入内容"
                      "涉敏; 1033 系统错误/下游服务错误); help.aliyun.com/zh/model-studio/memory/"
                      "errors (403 无权限或服务未开通; 404 资源不存在; 500 服务内部错误)")
#: The Windows Sockets codes: the number stays when Windows words the text in the user's
#: language ("[WinError 10061] 由于目标计算机积极拒绝, 无法连接。").
_WINSOCK: Final = ("Windows Sockets error codes (learn.microsoft.com windows-sockets-error-"
                   "codes-2: WSAECONNABORTED 10053, WSAECONNRESET 10054, WSAETIMEDOUT 10060, "
                   "WSAECONNREFUSED 10061, WSAHOST_NOT_FOUND 11001) as Python, Redis clients "
                   "and Rust print them ([WinError 10061] ..., Error 10061 connecting to ..., "
                   "os error 10061)")
#: Windows' own texts of those codes in the languages its users run, as pasted in public
#: code, READMEs and agents' transcripts found by code search.
_WINSOCK_TEXTS: Final = (
    "Windows WSAECONNREFUSED / WSAECONNRESET / WSAETIMEDOUT texts pasted publicly: zh-CN (由于目"
    "标计算机积极拒绝, 无法连接; 远程主机强迫关闭了一个现有的连接; 由于连接方在一段时间后"
    "没有正确答复或连接的主机没有反应, 连接尝试失败), zh-TW (無法連線, 因為目標電腦拒絕連線; "
    "現存的連線已被遠端主機強制關閉; 連線嘗試失敗, 因為連線對象有一段時間並未正確回應), ja "
    "(対象のコンピューターによって拒否されたため、接続できませんでした; 既存の接続はリモート "
    "ホストに強制的に切断されました; 接続済みの呼び出し先が一定の時間を過ぎても正しく応答しな"
    "かったため), ko (대상 컴퓨터에서 연결을 거부했으므로 연결하지 못했습니다), de (da der "
    "Zielcomputer die Verbindung verweigerte; vom Remotehost geschlossen; nach einer "
    "bestimmten Zeitspanne nicht richtig reagiert), fr "
    "(l'ordinateur cible l'a expressément refusée), es (el equipo de destino denegó expresamente "
    "dicha conexión), pt-BR (a máquina de destino as recusou ativamente), ru (конечный компьютер "
    "отверг запрос на подключение; за требуемое время не получен нужный отклик)")
_WINERROR: Final = ("Windows system error codes as Python prints them whatever the language of "
                    "the text ([WinError 2] ERROR_FILE_NOT_FOUND, [WinError 3] "
                    "ERROR_PATH_NOT_FOUND, [WinError 5] ERROR_ACCESS_DENIED; pt-BR: [WinError 5] "
                    "Acesso negado; fr: [WinError 5] Accès refusé)")
_WIN_TEXTS: Final = (
    "Windows file and command messages pasted publicly: zh-TW (系統找不到指定的檔案; [WinError 5] "
    "存取被拒; 'install.bat' 不是內部或外部命令、可執行的程式或批次檔; PowerShell: uv : 無法辨識 "
    "'uv' 詞彙是否為 Cmdlet、函數、指令檔或可執行程式的名稱), pt-BR ([WinError 2] O sistema não "
    "pode encontrar o arquivo especificado), ru (Не удается найти указанный файл; \"npm\" не "  # noqa: RUF001
    "является внутренней или внешней командой), a QGIS plugin's localized 'access is denied' "
    "list for uv output (zugriff verweigert, accès refusé, acceso denegado, acesso negado, "
    "отказано в доступе, アクセスが拒否されました, 拒绝访问, 存取被拒)")
_LOBE_RESPONSES: Final = ("lobehub/lobe-chat locales/{fr-FR at 00e080c53901, es-ES at "
                          "02f346b84d99, pt-BR at 007485dcd029, ru-RU at 001d37c6514d, zh-CN at "
                          "0500a046ce8b}/error.json (response.400 to 524, ExceededContextWindow, "
                          "InsufficientQuota, QuotaLimitReached, ModelNotFound, PermissionDenied, "
                          "InvalidProviderAPIKey, OllamaServiceUnavailable, SubscriptionPlanLimit)")
_ROO_LOCALES_ALL: Final = ("RooCodeInc/Roo-Code src/i18n/locales/{zh-CN,zh-TW,ja,ko,de,fr,es,"
                           "pt-BR,ru}/{common,tools}.json at cb83656718 (errors.command_timeout, "
                           "url_not_found, no_internet, url_forbidden, url_page_not_found; "
                           "interruption.*; gemini.thinking_complete_*; tasks.canceled; "
                           "readFile.imageTooLarge; unknownToolError; newTask policy_restriction)")
_NEW_API_LOCALES: Final = ("QuantumNous/new-api i18n/locales/{zh-CN,zh-TW at 002f91220c7d, ja at "
                           "1779dd59487b, ko-KR at 6190d686c1e1, fr, ru at 221f50ea4961, pt-BR at "
                           "088b42fc517d}.yaml "
                           "(the relay's own errors: token.*, distributor.*, "
                           "auth.*, rate_limit.reached, quota.insufficient, "
                           "billing.insufficient_balance, channel.no_valid_upstream, "
                           "relay.group_saturated)")
_ROO_EMBEDDINGS: Final = ("RooCodeInc/Roo-Code src/i18n/locales/{zh-CN,zh-TW,ja,ko,de,fr,es,"
                          "pt-BR,ru}/embeddings.json at cb83656718 (an embedding provider's "
                          "errors: validation.connectionFailed, invalidApiKey, "
                          "serviceUnavailable; ollama.modelNotFound, serviceUnavailable; "
                          "bedrock.accessDenied)")
_LOCALE_CAPTURES_ZH_TW: Final = (
    "glibc strerror, coreutils, bash, git and GNU make messages in zh_TW, captured here (LOCPATH "
    "with zh_TW.UTF-8 built by localedef, LC_ALL=zh_TW.UTF-8: ls, cat, head, touch as nobody, "
    "an unknown command, git add/checkout/apply, make; os.strerror of ETIMEDOUT, "
    "ECONNREFUSED, ENETUNREACH, ECONNRESET, EHOSTUNREACH, EPERM)")
_ZH_FINISH: Final = (
    "The-Sunder-islands/iflow-cli-ce zh-CN finish messages (因 token 限制而截断"
    "响应; 因格式错误的函数调用停止响应; 因意外的工具调用停止响应; 会话已达到最大"
    "轮次限制; 请求已取消; 代理执行被中断)")
_LLAMA_CPP: Final = "ggml-org/llama.cpp tools/server (stop_type: eos, word, limit, none)"
_LMSTUDIO: Final = ("lmstudio-ai/lmstudio-js LLMPredictionStopReason (eosFound, "
                    "stopStringFound, maxPredictedTokensReached, contextLengthReached, "
                    "userStopped, toolCalls, failed)")
_TGI: Final = "huggingface/text-generation-inference FinishReason (eos_token, stop_sequence)"
_VLLM: Final = "vllm-project/vllm outputs (finish_reason: stop, length, abort)"
_GEMINI_FR: Final = _GEMINI + " (SAFETY, BLOCKLIST, PROHIBITED_CONTENT, SPII, IMAGE_SAFETY)"
_OLLAMA_FR: Final = "ollama/ollama api/types.go (done_reason: stop, length)"


def _winsock_network_rows(extra: str) -> tuple[tuple[str, str], ...]:
    """The Winsock connection failures, for the provider and the tool families alike: the
    codes that survive localization, then the localized texts (with one ``extra`` wording
    of the fact's own: a provider's advice to check the network, a tool's "cannot
    connect")."""
    return (
        ("error 10061 | errno 10061 | error 10054 | errno 10054 | error 10053 | errno 10053 | "
         "error 11001 | errno 11001", _WINSOCK),
        ("积极拒绝 | 强迫关闭 | " + extra + " | 拒絕連線 | 強制關閉 | 無法連線 | 網路連線 | "
         "網路錯誤 | によって拒否された | 強制的に切断 | 연결을 거부 | zielcomputer die verbindung "
         "verweigerte | vom remotehost geschlossen | expressément refusée | denegó expresamente | "
         "主机中的软件中止 | 主機上的軟體中止 | "
         "recusou ativamente | отверг запрос на подключение | принудительно разорвал | "
         "강제로 끊 | por el host remoto",
         _WINSOCK_TEXTS + "; " + _ROO_ZH_TW + " (無網路連線)"),
    )


#: A leading type or vendor prefix of a finish reason is dropped up to the last of these
#: words when more words follow it (``FinishReason.MAX_TOKENS``, ``STOP_REASON_END_TURN``,
#: ``LlamaFinishReason``, llama.cpp's ``STOP_TYPE_EOS``), unless a word before it says the
#: reason is absent (FINISH_REASON_ABSENT_WORDS: "ended without a finish reason").
#: ``status`` ends a run-state enum's name (yandex-cloud-ml-sdk ``AlternativeStatus``,
#: ``MessageStatus``; openai-python ``ResponseStatus``; protobuf's ``MESSAGE_STATUS_`` value
#: prefix, as the protobuf style guide names enum values).
FINISH_REASON_PREFIX_ENDS: Final = frozenset({"reason", "type", "status"})
#: Python's ``repr()`` of an enum member, ``<Type.NAME: value>`` (the enum module's
#: ``Enum.__repr__``): read as ``Type.NAME``.
FINISH_REASON_ENUM_REPR: Final = re.compile(r"<([A-Za-z_][\w.]*): [^<>]*>", re.ASCII)
#: Words before a finish reason's ``reason`` that say there was none: no prefix is dropped.
FINISH_REASON_ABSENT_WORDS: Final = frozenset({"without", "no", "missing", "not"})
#: Words that say no finish reason was given: a reason made only of these is ``none``.
FINISH_REASON_NONE_WORDS: Final[tuple[Alias, ...]] = (
    ("none", _LLAMA_CPP + "; Python str(None)"),
    ("null", "JavaScript String(null)"),
    ("nil", "Go fmt of a nil value"),
    ("unknown", _VERCEL),
    ("unspecified", _GEMINI + " (finish_reason_unspecified)"),
    ("unset", "protobuf enums' zero value (UNSET)"),
    ("undefined", "JavaScript String(undefined)"),
    ("unrecognized", "protocolbuffers/protobuf Java generated enums (UNRECOGNIZED: a value "
                     "the SDK does not know; clients match Candidate.FinishReason.UNRECOGNIZED "
                     "beside the enum's unspecified zero value as no finish)"),
    # round 25: how other languages print an absent value
    ("optional", "java.util.Optional.toString (Optional.empty; Optional[end_turn] when "
                 "present, as anthropic-java's stopReason() prints)"),
    ("empty", "java.util.Optional.toString (Optional.empty)"),
    ("na", "R's NA, a missing value as print() and paste() write it"),
    ("nothing", "Julia's nothing and Haskell's Nothing, as string() and show write them"),
    ("missing", "Julia's missing, as string() writes it"),
)
#: The member sets of an SDK's open enum, written between the type and the value
#: (openai/openai-java and anthropics/anthropic-sdk-java, Kotlin: ``FinishReason.Value.STOP``,
#: ``FinishReason.Known.STOP``, and ``FinishReason.Value._UNKNOWN`` for a value the SDK does
#: not know): no part of the reason.
FINISH_REASON_MEMBER_SETS: Final = frozenset({"value", "known"})

#: Step two of :func:`finish_reason_label`: the finish reason's words (prefix dropped) by
#: family, first family that applies.
FINISH_REASON_FAMILIES: Final[AliasTable] = (
    ("none", (
        # facts35: an enum's "not set" zero value
        ("not set | notset - max | maximum | limit | sequence | sequences | tokens | token | "
         "length", "aws/aws-sdk-cpp generated enums (Aws::BedrockRuntime::Model::StopReason::"
         "NOT_SET, the zero value of every generated enum); protocolbuffers/protobuf Java "
         "generated oneof cases (KIND_NOT_SET, REASON_NOT_SET): no value was given"),
        ("not finished | not done | not completed | not complete | not stopped | unfinished - "
         "max | maximum | limit | iterations | iteration | steps | could not | cannot | can "
         "not | unable to | budget",
         "IBM/watsonx-ai-node-sdk (not_finished); NVIDIA/TensorRT-LLM FinishReason "
         "(NOT_FINISHED); guidance-ai/llguidance parser/src/api.rs (StopReason NotStopped): "
         "the answer is still running, no finish reason yet; not a run cut "
         "at its limit (tmc/langchaingo ErrNotFinished: agent not finished before max "
         "iterations), nor a turn that could not complete (openai/codex#42098)"),
        # facts33: a phase name is no outcome when the outcome follows it
        ("in progress - max | maximum | limit | iterations | iteration | steps | budget | "
         "error | errors | failed | failure | fault | died | completed | complete | ended | "
         "hangup | hung up | canceled | cancelled",
         "openai/openai-go responses/response.go (ResponseStatusInProgress) and other "
         "non-terminal statuses: no finish reason yet; not a phase followed by how the run "
         "ended (VapiAI/server-sdk-csharp src/Vapi.Net/Types/CallEndedReason.cs: "
         "call.in-progress.error-vapifault-worker-died, "
         "call.in-progress.error-providerfault-openai-llm-failed, "
         "call.in-progress.twilio-completed-call)"),
        ("without a finish reason | without finish reason | no finish reason | missing finish "
         "reason | without a stop reason | no stop reason", "Kilo-Org/kilocode#12208 (Response "
         "ended without a finish reason and may be incomplete.)"),
        ("unknown finish reason | unknown stop reason | unrecognized finish reason | "
         "unrecognised finish reason", "anomalyco/opencode#44092 (The provider response ended "
         "with an unknown finish reason.); SDKs that log a reason they cannot map (Unknown "
         "finish reason: x) and map it to unknown (vercel/ai: unknown): no reason they can "
         "read"),
        ("no response was returned | no response returned | no response was received | "
         "no response received | returned an empty response | empty response",
         "microsoft/vscode-copilot-release#11432 (Copilot Chat agent mode: Sorry, no response "
         "was returned.); apps' fallback for a turn with no candidates (No response was "
         "returned by Gemini.): nothing came back, so no finish reason either"),
    )),
    ("canceled", (
        ("사용자 + 중단 | 중지 | 취소", _ROO_LOCALES_ALL + " (사용자에 의해 응답이 중단됨)"),
        ("ユーザー + 中断 | キャンセル | 停止", _ROO_LOCALES_ALL + " (ユーザーによって停止および"
         "キャンセルされました)"),
        ("benutzer + unterbrochen | abgebrochen", _ROO_LOCALES_ALL + " (Antwort vom Benutzer "
         "unterbrochen)"),
        ("utilisateur + interrompue | annulée | arrêtée", _ROO_LOCALES_ALL + " (Réponse "
         "interrompue par l'utilisateur)"),
        ("usuario + interrumpida | cancelada | detenida", _ROO_LOCALES_ALL + " (Fue detenida y "
         "cancelada por el usuario)"),
        ("使用者 | 用户 | 用戶 + 中斷 | 中断 | 停止 | 取消 | 中止",
         _ROO_ZH_TW + " (回應被使用者中斷; 工作錯誤: 它已被使用者停止並取消)"),
        ("사용자 중지 | pelo usuário | остановлено пользователем | người dùng đã dừng",
         _LMSTUDIO_LOCALES_MORE),
        ("ユーザーによる停止 | 用户已停止 | benutzer gestoppt | прерван пользователем | "
         "отменена пользователем", _LMSTUDIO_LOCALES + "; " + _ROO_LOCALES),
        ("取消 | 中断 | 中止 - 错误 | 錯誤 | エラー", _ZH_FINISH + "; not a response cut by an "
         "API error (Roo-Code zh-CN 响应被 API 错误中断, ja APIエラーによって応答が中断され"
         "ました)"),
        ("cancel | cancelled | canceled | cancellation | cancelation | cancelling | canceling",
         _OPENAI_RESPONSES + "; " + _ACP + "; cohere-python (USER_CANCEL)"),
        ("abort | aborted | aborting", _VLLM),
        ("interrupt | interrupted | interruption | interrupting",
         "agents' turn interruption (Claude Code [Request interrupted by user])"),
        ("user | client + stop | stopped | stops | quit | exit | exited", _LMSTUDIO
         + "; langroid/langroid StatusCode (USER_QUIT)"),
        ("client disconnected | client disconnect | client closed request | client closed "
         "the connection | client closed connection", "the client went away and generation "
         "stopped: LM Studio's server (Client disconnected. Stopping generation..., as "
         "zylon-ai/private-gpt#1671 shows it); nginx's 499 Client Closed Request "
         "(NGX_HTTP_CLIENT_CLOSED_REQUEST) in front of model servers"),
        ("user manual | stopped manually | manually stopped | manual stop",
         "langgenius/dify api/core/app/entities/queue_entities.py (QueueStopEvent.StopBy "
         "USER_MANUAL, user-manual: the user pressed stop): a turn someone stopped by hand"),
        ("external termination | termination requested | terminated externally | stop "
         "requested", "microsoft/autogen autogen_agentchat conditions/_terminations.py "
         "(ExternalTermination: External termination requested); agentscope-ai/agentscope-java "
         "GenerateReason (REASONING_STOP_REQUESTED, ACTING_STOP_REQUESTED: a hook asked the "
         "agent to stop): the app, not the model, asked the turn to stop"),
        ("stopped by | halted by + hook | user | client | guard | app | application",
         "karthink/gptel (Request stopped by pre-tool-call hook)"),
        ("tool | tools | tool call | function + rejected | declined | denied",
         "MoonshotAI/kimi-cli src/kimi_cli/soul/kimisoul.py (TurnStopReason tool_rejected: "
         "the user rejected a tool call and the turn stopped)"),
        # facts37: the user (or client) who ended the session or asked for its end
        ("user | client + ended | ends | requested | initiated - error | errors | failed | "
         "failure | fault | agent | assistant | bot",
         "elevenlabs/elevenlabs-swift-sdk EndReason.swift (userEnded); livekit/agents-js "
         "agents/src/voice/events.ts CloseReason (user_initiated); eigent-ai/eigent "
         "src/store/chatStore.ts (stop_reason user_requested); VapiAI/server-sdk-csharp "
         "CampaignEndedReason.cs (campaign.in-progress.ended-by-user): the user, not the "
         "model, ended the turn; a phone call's customer or caller who hangs up is left to "
         "the hang-up reading below (Vapi customer-ended-call: stop, as facts33 read it)"),
        ("manual stopped | manually ended | manual end | manual ended",
         "docs.retellai.com api-references get-call (disconnection_reason manual_stopped): "
         "someone stopped the call by hand"),
        ("hungup | hangup | hung up | hang up + before + connect | connected | answer | "
         "answered | call connect", "VapiAI/server-sdk-csharp CallEndedReason.cs "
         "(call.ringing.sip-inbound-caller-hungup-before-call-connect): the caller gave up "
         "before the call began"),
    )),
    ("content_filter", (
        ("안전 설정 | 암송 확인 | sicherheitseinstellungen | rezitationsprüfung | paramètres de "
         "sécurité | vérification de récitation | configuración de seguridad | comprobación de "
         "recitación | configurações de segurança | verificação de recitação", _ROO_LOCALES_ALL
         + " (gemini.thinking_complete_safety, thinking_complete_recitation)"),
        ("安全設定 | 安全设置 | 引用檢查 | 引用检查 | 過濾",
         _ROO_ZH_TW + " (由於安全設定輸出被阻止; "
         "由於引用檢查輸出被阻止)"),
        ("出力ブロック | вывод заблокирован | đã bị chặn | thông tin cá nhân nhạy cảm",
         _ROO_LOCALES + "; " + _LOBE_LOCALES),
        ("safety | unsafe", _GEMINI_FR),
        ("filter | filtered | filtering | filters", _OPENAI_CHAT + "; " + _BEDROCK),
        ("refusal | refused | refuse", _ANTHROPIC),
        ("recitation", _GEMINI_FR),
        ("blocklist | blocked | blocklisted | blacklist | blacklisted | denylist",
         _GEMINI_FR + "; ai-forever/gigachat-java (blacklist)"),
        ("prohibited", _GEMINI_FR),
        ("model armor", "googleapis/go-genai types.go (BlockedReasonModelArmor); "
         "googleapis/python-genai types.py BlockedReason (MODEL_ARMOR: the prompt was blocked "
         "by Model Armor, Google Cloud's prompt and response screening)"),
        ("celebrity | celebrities | minors | prominent person | prominent people | "
         "identifiable people", "googleapis/js-genai and python-genai TurnCompleteReason "
         "(INPUT_IMAGE_CELEBRITY, GENERATED_IMAGE_MINORS, "
         "GENERATED_IMAGE_IDENTIFIABLE_PEOPLE, INPUT_TEXT_CONTAIN_PROMINENT_PERSON_PROHIBITED); "
         "Vertex AI Imagen's responsible-AI filter reasons (celebrity, minors): a turn blocked "
         "for the people an image shows"),
        ("guardrail | guardrails | tripwire | intervened", _BEDROCK + "; aws/aws-sdk-go-v2 "
         "bedrockagentruntime enums (GuardrailAction INTERVENED); mastra-ai/mastra "
         "packages/core/src/stream/types.ts (finish reason tripwire: a guardrail tripped)"),
        ("sensitive | spii | pii", _GEMINI_FR),
        ("toxic | toxicity", "cohere-python (ERROR_TOXIC)"),
        ("protected material | indirect attack | indirect attacks | harmful | nsfw | content "
         "policy | usage policy", "Azure OpenAI content filtering (content_filter_results "
         "protected_material_text, protected_material_code, indirect_attack, beside hate, "
         "sexual, violence, self_harm); Replicate predictions (NSFW content detected); "
         "theopenco/llmgateway#1967 (Response was filtered by content policy): a turn "
         "withheld for what it holds"),
        ("threat detected | threats detected | prompt injection | injection detected | "
         "forbidden terms | forbidden term | forbidden words", "agent0ai/agent-zero plugins/"
         "_infection_check (Threat detected — agent execution terminated.); guard rails' "
         "blocks (Potential prompt injection detected., raised or answered with a 400 by "
         "agents' input guards); google-gemini/gemini-cli useGeminiStream.ts (Response "
         "stopped due to forbidden terms., Gemini's BLOCKLIST): a screen stopped the turn "
         "for what it holds"),
        ("moderation | moderated | flagged", "OpenAI moderation (flagged)"),
        ("过滤 | 负责任 ai | 敏感词 | 敏感",
         "microsoft/vscode-copilot-release#7672 (Copilot Chat in "
         "Chinese: 响应已被负责任 AI 服务过滤: the response was filtered by the responsible AI "
         "service); openai-translator Translator.tsx (敏感词限制: a sensitive-words filter, the "
         "notice for finish_reason content_filter)"),
        ("policy violation | violation", "providers' usage-policy stops"),
        ("self harm | violence | violent | hate | sexual | harassment | jailbreak | profanity",
         "Azure OpenAI content filtering categories (hate, sexual, violence, self_harm), as "
         "microsoft/vscode-copilot-chat reports them"),
    )),
    ("malformed_tool_call", (
        ("unterminated | failed to reconstruct", "allwefantasy/auto-coder agentic_edit.py "
         "(Stream ended with unterminated <write_to_file> block; Failed to reconstruct XML for "
         "tool x)"),
        ("格式错误的函数调用 | 意外的工具调用 | 格式错误 + 调用", _ZH_FINISH),
        ("malformed", _GEMINI + " (MALFORMED_FUNCTION_CALL); " + _BEDROCK),
        ("invalid | bad + tool | tools | function | call | calls", _GEMINI
         + " (UNEXPECTED_TOOL_CALL); agents' tool-call parsers"),
        ("invalid action | invalid actions | bad action", "THUDM/AgentBench "
         "src/typings/status.py (SampleStatus AGENT_INVALID_ACTION: agent invalid action, the "
         "agent's output named no valid action)"),
    )),
    ("tool_calls", (
        ("도구 호출 | chamadas de ferramenta | вызовы инструментов | gọi công cụ",
         _LMSTUDIO_LOCALES_MORE),
        ("ツール呼び出し | 工具调用 | toolverwendung", _LMSTUDIO_LOCALES),
        ("tool | tools | function | functions - no tool | no function | without tool | not "
         "tool | max | maximum | limit | limits | reached | exceeded | exceed | exceeds | "
         "exhausted | attempts | after | budget | loop | repetitive",
         _OPENAI_CHAT + "; " + _ANTHROPIC + "; " + _LMSTUDIO + "; letta-ai/letta "
         "(no_tool_call: a turn that called no tool); not an agent stopped at its step limit "
         "with tool calls still pending (windmill-labs/windmill agent_runner.rs: AI agent "
         "reached max iterations, but there are still tool calls), nor a cap on the tool calls "
         "themselves (github/CopilotForXcode#767: maximum tool attempts reached; pydantic/"
         "pydantic-ai UsageLimitExceeded: The next tool call(s) would exceed the "
         "tool_calls_limit of 3; grapeot/devin.cursorrules#75, Cursor: we default stop the "
         "agent after 25 tool calls), nor a loop of them that the client halted "
         "(google-gemini/gemini-cli#8928: A potential loop was detected ... repetitive tool "
         "calls)"),
        ("unfulfilled | unanswered | pending | outstanding | unresolved + tool call | tool calls | "
         "tool use | tool uses | function call | function calls - max | maximum | limit | limits "
         "| iterations | iteration | steps | reached | exceeded",
         "bosun-ai/swiftide swiftide-agents/src/errors.rs (AgentError::UnfulfilledToolCalls: "
         "Unfulfilled tool calls remain after invocation; agent.rs: messages waiting for any "
         "pending tool calls to complete); anthropics/anthropic-sdk-go betasessiontoolrunner.go "
         "(pendingToolUse: agent.tool_use events the runner must answer): the turn ended with "
         "tool calls the app still has to run; not a run cut at its step limit with tool calls "
         "still pending (windmill: AI agent reached max iterations)"),
        ("return control", "aws/aws-sdk-go-v2 bedrockagentruntime enums (PayloadType "
         "RETURN_CONTROL: the agent returns control to the app to run an action)"),
        ("action + required | requires", "openai-python beta Assistants run status "
                                         "(requires_action)"),
    )),
    ("length", (
        ("토큰 제한 | 출력 잘림 | tronquée | limite de jetons | truncada | límite de tokens | "
         "limite de tokens", _ROO_LOCALES_ALL + " (gemini.thinking_complete_truncated)"),
        ("截斷 | 最大輪次", _ROO_ZH_TW + " (由於 Token 限制輸出被截斷)"),
        ("token capped | tokens capped | turn capped | turns capped", "bytedance/deer-flow "
         "backend/packages/harness/deerflow/subagents/status_contract.py (token_capped, "
         "turn_capped: a run cut at its token or turn cap; not loop_capped, a loop guard)"),
        ("도달 | atingido | достигнут | đã đạt",
         _LMSTUDIO_LOCALES_MORE),
        ("トークン制限 | に到達 | 达到 | erreicht | лимита токенов | вывод урезан",
         _LMSTUDIO_LOCALES + "; " + _ROO_LOCALES),
        ("截断 | 最大轮次 | 限制", _ZH_FINISH),
        ("length | max | maximum | limit | limits | limited - retries | retry | rate",
         _OPENAI_CHAT + "; " + _LLAMA_CPP + "; openai-translator (Chars Limited: the toast for "
         "finish_reason length); " + _LMSTUDIO + "; cohere-python (ERROR_LIMIT); not a limit "
         "on retries, which are of failures (OpenHands evaluation: Maximum error retries "
         "reached), nor a rate limit (an error below)"),
        ("recursion", "langchain-ai/langgraph errors.py (GraphRecursionError: Recursion limit "
         "of 25 reached without hitting a stop condition.): the graph's step limit"),
        ("loop | loops | iteration | iterations + exceeded | limit", "langchain-ai/langchain "
         "AgentExecutor (Agent stopped due to iteration limit or time limit.); "
         "botpress/botpress llmz LoopExceededError (Loop exceeded error, ITERATION_LIMIT): the "
         "agent's loop ran to its iteration limit"),
        ("tokens reached | token reached | context window | context full",
         _LMSTUDIO + "; " + _ANTHROPIC + " (model_context_window_exceeded)"),
        ("truncated | truncation | too long", "llama.cpp server (truncated)"),
        ("overflow | overflowed | overflows", "botpress/botpress packages/llmz/src/errors/"
         "catalog.ts (TOKEN_OVERFLOW); letta-ai/letta letta_stop_reason.py "
         "(context_window_overflow_in_system_prompt): the tokens overflowed what the turn "
         "may hold"),
        ("cut off | cutoff | cut short", "Bike4Mind/bike4mind#1182 (Response was cut off: the "
                                         "notice for finishReason max_tokens)"),
        ("token budget | step budget | turn budget | iteration budget + exhausted | exceeded "
         "| reached | spent | used up | depleted",
         "bensyverson/Operator StopReason (tokenBudgetExhausted); browserbase/stagehand "
         "codexRunner.ts stopReason (tool step budget exhausted (50 steps)): the run's own "
         "budget of tokens or steps is used up; not a budget of money (OpenHands "
         "BUDGET_EXCEEDED: out of LLM credits)"),
        ("stop | stopped | stops | halted | ended + after + tool calls | tool call | steps | "
         "iterations | turns | rounds", "grapeot/devin.cursorrules#75 (Cursor: Note: we default "
         "stop the agent after 25 tool calls. Please ask the agent to continue manually.); "
         "agents' step caps (Agent stopped after N steps): the run's own cap on its steps"),
        ("couldn t be completed | could not be completed | cannot be completed | could not "
         "complete | couldn t complete | failed to complete | did not complete | didn t "
         "complete + after + steps | step | iterations | iteration | turns | rounds | tool calls",
         "MiniMax-AI/Mini-Agent mini_agent/agent.py (Task couldn't be completed after 50 "
         "steps., returned when max_steps is reached): the run's step cap, not an answer "
         "that ended"),
        ("budget + exhausted | reached | spent | used up | depleted - credit | credits | "
         "billing | payment", "apache/airflow#71461 (Anthropic managed agents: stop_reason "
         "budget_reached)"),
        ("session budget | run budget | task budget | agent budget | turn budget + exceeded",
         "apache/airflow#71461 (AnthropicSessionBudgetExceeded); TulipFarm/tulipfarm#587 "
         "(repair_budget_exhausted: the turn ended after its argument repairs); pydantic-ai "
         "users' run states (RunStatus.BUDGET_EXHAUSTED for UsageLimitExceeded): the run's "
         "own budget is used up; not a bare budget exceeded, OpenHands' state when the "
         "account ran out of LLM credits (OpenHands/OpenHands#7584 BUDGET_EXCEEDED)"),
        ("out of tokens | no more tokens | tokens exhausted | context",
         "meta-llama/llama-stack StopReason (out_of_tokens); LostRuins/koboldcpp (OUT_OF_TOKENS)"
         "; SWE-agent (exit_context: the context window is used up)"),
    )),
    ("insufficient_system_resource", (
        ("insufficient | resource | resources", "api-docs.deepseek.com (finish_reason)"),
        ("out of memory | oom", "local servers' out-of-memory stops"),
        ("memory", "botpress/botpress packages/llmz/src/errors/catalog.ts (MEMORY_CAPACITY); "
         "InternLM/lmdeploy messages.py (ResponseType.OUT_OF_MEMORY): the server's memory "
         "ran out"),
    )),
    ("error", (
        ("오류 | エラー | fehler | erreur | erro | ошибкой", _ROO_LOCALES_ALL
         + " (interruption.responseInterruptedByApiError: API 오류로 인해 응답이 중단됨)"),
        ("錯誤 | 错误 | 出錯 | 出错", _ROO_ZH_TW + " (回應被 API 錯誤中斷: interrupted by an API "
         "error)"),
        ("실패 | falhou | ошибка | không thành công",
         _LMSTUDIO_LOCALES_MORE),
        ("失敗 | 生成失败 | fehler beim generieren", _LMSTUDIO_LOCALES),
        ("error | errors | failed | fail | failure | exception",
         _MISTRAL + "; " + _VERCEL + "; " + _OPENAI_RESPONSES + "; " + _LMSTUDIO),
        ("errored", "kaiban-ai/KaibanJS src/utils/enums.ts (ENUM_WORKFLOW_STATUS ERRORED)"),
        ("crashed | crash", "docs.devin.ai sdk FinishedOutcome (crashed); n8n-io/n8n "
         "ExecutionStatus (crashed): the run failed"),
        ("failures | consecutive errors", "browser-use/browser-use agent service (Stopping due "
         "to 3 consecutive failures, as browser-use/web-ui#660 logs it): the run ended on "
         "its failures"),
        ("rate limit | rate limited | rate limits", "openai-python types/beta/threads/run.py "
         "(a failed run's last_error code rate_limit_exceeded); westonbrown/Cyber-AutoAgent "
         "TerminationReasonEvent (rate_limited): a run ended by a rate limit failed"),
        ("couldn t complete | could not complete | unable to complete | cannot complete | "
         "can t complete", "openai/codex#42098 (Codex cloud: Codex couldn't complete this "
         "request. Try again later.): a turn that could not complete is an error, not a "
         "completion"),
        ("exited abnormally | terminated abnormally | terminated unexpectedly | exited "
         "unexpectedly", "GNU Emacs src/process.c status_message (a process sentinel's "
         "exited abnormally with code N, beside finished); Kurama622/llm.nvim "
         "lua/llm/common/io/streaming.lua (Neovim: Curl exited abnormally with code 28); "
         "ms9n/ghcp-e2e-demo#213 (gh-aw: The `copilot` engine terminated unexpectedly.): the "
         "process that carried the turn failed"),
        ("session | sessions | thread | threads + terminated | terminal error - user | client | "
         "requested | externally",
         "anthropics/anthropic-sdk-go betasessiontoolrunner.go (ErrSessionTerminated: session "
         "terminated, on session.status_terminated; betasessionevent.go: The session "
         "encountered a terminal error and will transition to `terminated`; tools/agenttoolset "
         "bash.go: bash session terminated): a managed session ended by its failure; not a "
         "bare terminated status, which may be a normal end"),
        ("no messages | no message + left | in state | message stream",
         "cloudwego/eino adk/wrappers.go (no messages left in state after model call); "
         "adk/runctx.go and adk/utils.go (no messages in MessageVariant.MessageStream): the "
         "run's state lost the conversation, an internal failure"),
        ("retries | retry error | retry errors", "OpenHands/OpenHands#6287 (RuntimeError: "
         "Maximum error retries reached for instance x); " + _SWE_AGENT + " (exit_api: Exit "
         "due to retry error); not a step to be retried (mastra-ai/mastra "
         "MastraFinishReason retry)"),
        # facts37: a call or conversation that ended on an error condition
        ("not found | unavailable | no valid payment | payment failed | invalid message | "
         "invalid activity",
         "VapiAI/server-sdk-csharp CallEndedReason.cs (assistant-not-found, "
         "phone-number-not-found); docs.retellai.com api-references get-call "
         "(disconnection_reason telephony_provider_unavailable, no_valid_payment); "
         "microsoft/botbuilder-js EndOfConversationCodes (botIssuedInvalidMessage): the call "
         "ended because something it needed was missing or failed"),
    )),
    ("stop", (
        ("중지 문자열 | стоп строка | chuỗi dừng",
         _LMSTUDIO_LOCALES_MORE),
        ("停止文字列 | 停止字符串 | stoppzeichenfolge", _LMSTUDIO_LOCALES),
        ("stop | stopped | stopper | stopping | end | ended | eos | eog | eot | endoftext - "
         "due to | for other reasons | because",
         _OPENAI_CHAT + "; " + _ANTHROPIC + "; " + _LLAMA_CPP + "; " + _TGI
         + "; LostRuins/koboldcpp (CUSTOM_STOPPER); UCloud modelverse (normal); "
         "yandex-cloud/cloudapi (ALTERNATIVE_STATUS_FINAL); AI21 Jurassic on Amazon Bedrock "
         "(finishReason: {reason: endoftext}); not a stop that names its cause when no "
         "family reads that cause (google-gemini/gemini-cli useGeminiStream.ts: Response "
         "stopped due to unsupported language.; Response stopped for other reasons.; Response "
         "stopped because no image was generated., Gemini's NO_IMAGE)"),
        ("complete | completed | completion | finished | finish | done | success | ok | "
         "succeeded",
         _COHERE + "; " + _OPENAI_RESPONSES + "; " + _OLLAMA_FR + "; enricoros/big-AGI "
         "src/modules/aix/server/api/aix.wiretypes.ts (GCTokenStopReason 'ok'); Replicate "
         "predictions API (status: succeeded, failed, canceled)"),
        ("no tool | no tools | no function | without tool | without tools",
         "MoonshotAI/kimi-cli src/kimi_cli/soul/kimisoul.py (StepStopReason no_tool_calls: the "
         "model answered without calling a tool, so the turn ended); "
         "volcanlock/antigravity2api-nodejs (EXECUTOR_TERMINATION_REASON_NO_TOOL_CALL)"),
        ("turncomplete | generationcomplete", "firebase/firebase-android-sdk firebase-vertexai "
         "LiveContentResponse.Status (TURNCOMPLETE); the Live API's turnComplete and "
         "generationComplete (googleapis/js-genai LiveServerContent): the model's turn ended"),
        ("word | sequence | string | natural | normal | final",
         _LLAMA_CPP + "; " + _LMSTUDIO + "; " + _TGI),
        # facts33: a voice agent's call ends when either side hangs up
        ("hangup | hang up | hung up | hanged up | hangs up | hanging up",
         "RetellAI/retell-python-sdk src/retell/types/call_response.py (disconnection_reason "
         "user_hangup, agent_hangup; call_status ended: Either user or agent hanged up); "
         "VapiAI/server-sdk-csharp CallEndedReason.cs (assistant-ended-call-with-hangup-task); "
         "FreeClimbAPI/java-sdk docs/CallEndedReason.md (farEndHangup, appHangup); "
         "WakoAI/voiceos-web EndedReasons (human_hangup, agent_hangup): the call, and the "
         "agent's turn, ended; apps count a hang-up as the call's normal end"),
    )),
)

_FINISH_FAMILIES: Final = _Families(FINISH_REASON_FAMILIES)
_NONE_WORDS: Final = frozenset(w for w, _ in FINISH_REASON_NONE_WORDS)


#: A finish reason printed as an object or a key and value (``FinishReason(reason='endoftext',
#: length=None)`` of the AI21 SDK, ``{'type': 'abort', ...}`` of sglang, ``finish_reason=stop``):
#: the value of its reason (or type) field is the reason, whatever the other fields say.
FINISH_REASON_FIELD: Final = re.compile(
    r"\b(?:finish_reason|stop_reason|reason|type)['\"]?\s*[=:]\s*['\"]?([A-Za-z][A-Za-z0-9_.:-]*)",
    re.ASCII | re.IGNORECASE)


def finish_reason_words(reason: str) -> list[str]:
    """The words of a finish reason with a leading type or vendor prefix dropped."""
    m = FINISH_REASON_ENUM_REPR.fullmatch(reason)
    if m is not None:
        reason = m.group(1)
    if "=" in reason or ":" in reason:
        m = FINISH_REASON_FIELD.search(reason)
        if m is not None and m.group(1).lower() not in ("none", "null"):
            reason = m.group(1)
    ws = words(reason)
    if reason.lstrip().startswith("{"):
        return ws  # a dict or JSON object: its keys are no prefix (sglang's to_json())
    for i in range(len(ws) - 2, -1, -1):
        if ws[i] in FINISH_REASON_PREFIX_ENDS:
            if FINISH_REASON_ABSENT_WORDS.isdisjoint(ws[:i]):
                ws = ws[i + 1:]
                if len(ws) > 1 and ws[0] in FINISH_REASON_MEMBER_SETS:
                    ws = ws[1:]
                return ws
            break
    return ws


_FINISH_REASON_MEMO: Final = Memo()


def _finish_reason_by_meaning(reason: str) -> str:
    return _FINISH_REASON_MEMO.label(reason, lambda: finish_reason_by_meaning(reason))


def finish_reason_by_meaning(reason: str) -> str:
    """Step two: the label of a finish reason's words, by family (``other`` if none)."""
    ws = finish_reason_words(reason)
    if all(w in _NONE_WORDS for w in ws):
        return "none"
    return _FINISH_FAMILIES.first(" " + " ".join(ws) + " ") or "other"


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

#: The gRPC status codes, by number (googleapis/googleapis google/rpc/code.proto), and the
#: HTTP status code.proto maps each to (0, OK, is no error).
GRPC_CODES: Final = ("ok", "cancelled", "unknown", "invalid_argument", "deadline_exceeded",
                     "not_found", "already_exists", "permission_denied", "resource_exhausted",
                     "failed_precondition", "aborted", "out_of_range", "unimplemented",
                     "internal", "unavailable", "data_loss", "unauthenticated")
GRPC_CODE_STATUS: Final[Mapping[int, int]] = {
    1: 499, 2: 500, 3: 400, 4: 504, 5: 404, 6: 409, 7: 403, 8: 429, 9: 400, 10: 409, 11: 400,
    12: 501, 13: 500, 14: 503, 15: 500, 16: 401}
#: The gRPC code names a reason phrase may be (``429 RESOURCE_EXHAUSTED``).
_GRPC_PHRASES: Final = ("invalid_argument", "failed_precondition", "out_of_range",
                        "unauthenticated", "permission_denied", "not_found",
                        "resource_exhausted", "cancelled", "internal", "unavailable",
                        "deadline_exceeded", "unimplemented")

#: Reason phrases that follow a status (``429 Too Many Requests``): the HTTP ones, requests'
#: ``Client Error``/``Server Error`` and Google's canonical status names (``429
#: RESOURCE_EXHAUSTED``), each with the range of statuses it names (inclusive): a number
#: followed by another status's phrase (``Batch ID 408 not found``) is no status.
#: Matched case-insensitively.
STATUS_REASON_PHRASES: Final[Mapping[str, tuple[int, int]]] = {
    "bad request": (400, 400), "unauthorized": (401, 401), "payment required": (402, 402),
    "forbidden": (403, 403), "not found": (404, 404), "method not allowed": (405, 405),
    "not acceptable": (406, 406), "request timeout": (408, 408), "conflict": (409, 409),
    "gone": (410, 410), "precondition failed": (412, 412), "payload too large": (413, 413),
    "request entity too large": (413, 413), "content too large": (413, 413),
    "unsupported media type": (415, 415), "unprocessable entity": (422, 422),
    "unprocessable content": (422, 422), "too many requests": (429, 429),
    "client closed request": (499, 499), "internal server error": (500, 500),
    "not implemented": (501, 501), "bad gateway": (502, 502),
    "service unavailable": (503, 503), "gateway timeout": (504, 504),
    "client error": (400, 499), "server error": (500, 599),
    # hyperium/http StatusCode's Display for a status it has no name for (529 <unknown
    # status code>), as reqwest's error_for_status prints it: HTTP status server error (529
    # <unknown status code>) for url (...); codex: unexpected status 529 <unknown status code>
    "<unknown status code": (100, 599),
    **{name: (GRPC_CODE_STATUS[GRPC_CODES.index(name)],) * 2 for name in _GRPC_PHRASES},
}

#: Step 3: the forms in which SDKs and HTTP libraries write a status into a message, with
#: ``nnn`` for the number.  ``^`` is the start of the message, a space stands for any
#: run of white space (or none), ``<reason phrase>`` for one of STATUS_REASON_PHRASES,
#: ``URL`` for an ``http(s)://`` address; a form in brackets or after a bare colon counts
#: only beside an error word (STATUS_BRACKET_WORDS, within 40 characters).  A status is a
#: run of exactly three digits, 100-599, not after an exit-status word (STATUS_NOT_AFTER)
#: nor followed by a unit (STATUS_NOT_BEFORE); the first one in the message that stands in
#: one of these forms counts (a form starts at most STATUS_FORM_REACH characters before its
#: number, a URL form STATUS_URL_REACH).  A bare number elsewhere is no status.
STATUS_FORMS: Final[tuple[Alias, ...]] = (
    ("status nnn", "mistralai sdkerror.py (API error occurred: Status 429)"),
    ("status code of nnn", "cfug/dio dio/lib/src/dio_exception.dart (DioException [bad "
                           "response]: This exception was thrown because the response has a "
                           "status code of 429 and RequestOptions.validateStatus was configured "
                           "to throw for this status code.), as Flutter apps print it"),
    ("status of nnn", "Chromium's console (Failed to load resource: the server responded with "
                      "a status of 400 (); logancyang/obsidian-copilot#1; Playwright tests' "
                      "filters of the same console line)"),
    ("responded with nnn", "clients' messages of the form 'X API responded with 401' "
                           "(electron-updater: GitHub API responded with 401; Telegram and "
                           "other bots' logs: Telegram API responded with 401.; API clients' "
                           "UnauthorizedError: MAX API responded with 401 (unauthorized).)"),
    ("response code nnn", "JVM clients' messages (corda IOException: Response Code 400; Got "
                          "HTTP response code 403); java.net.HttpURLConnection (Server returned "
                          "HTTP response code: 401 for URL: ...)"),
    ("failed with code nnn", "PLhery/node-twitter-api-v2 (ApiResponseError: Request failed "
                             "with code 403); API clients' 'API call failed with code 401: "
                             "Invalid Key'; zalando/problem clients (Failed with code 404: "
                             "'Not Found')"),
    ("error code nnn", "Azure REST API docs and clients' logs (Error code 429 - Call count "
                       "has exceeded rate limits; ... HTTP error code 429)"),
    ("status: nnn", "js-genai _api_client.ts (got status: 429)"),
    ("status code nnn", "axios lib/core/settle.js (Request failed with status code 429)"),
    ("status code: nnn", "ollama-python _types.py ResponseError (status code: 404)"),
    ("status_code: nnn", "python SDKs' reprs (status_code: 429), e.g. huggingface_hub"),
    ("status_code=nnn", "python SDKs' reprs (status_code=429), e.g. litellm exceptions"),
    ("statuscode: nnn", "aws-sdk-go-v2 smithy ResponseError (StatusCode: 429); "
                        "Azure SDKs (Status code: 429)"),
    ("statuscode=nnn", "Java and JS SDKs' messages (statusCode=429)"),
    ("status=nnn", "SDK log lines (status=429)"),
    ("\"status\": nnn", "JSON error bodies (\"status\": 429)"),
    ("\"code\": nnn", "JSON error bodies: Google APIs, OpenAI-compatible servers "
                      "({\"error\": {\"code\": 429, ...}})"),
    ("'code': nnn", "Python reprs of JSON error bodies ({'error': {'code': 429, ...}})"),
    ("error code: nnn", "openai-python, anthropic-sdk-python _base_client.py (Error code: 429)"),
    ("http nnn", "HTTP clients' messages (HTTP 429)"),
    ("http/1.1 nnn", "HTTP/1.1 status line"),
    ("http/2 nnn", "HTTP/2 status line (curl)"),
    ("http error nnn", "CPython urllib.error.HTTPError (HTTP Error 429: Too Many Requests)"),
    ("URL\": nnn", "openai-go, anthropic-sdk-go internal/apierror/apierror.go (POST \"url\": 529)"),
    ("api error: nnn", "anthropics/claude-code (API Error: 429 ...)"),
    ("code was nnn", "openai-python v0 api_requestor.py (Invalid response object from API: "
                     "... (HTTP response code was 500))"),
    ("code is nnn", "SDK messages of the form 'status code not equals 200, code is 401' "
                    "(869413421/wechatbot#23)"),
    ("api error (nnn", "anthropics/claude-code (API Error (503 upstream connect error ...))"),
    ("error nnn", "SDK messages of the form 'Error 429, ...', 'Error 429: ...'; "
                  "neavo/LinguaGacha#248 (Error 503: Server is busy); anthropics/claude-code#3558 "
                  "(API error 529)"),
    ("too many nnn error responses", "urllib3/urllib3 src/urllib3/exceptions.py "
                                     "ResponseError, its message for a status (MaxRetryError "
                                     "... Caused by ResponseError('too many 429 error "
                                     "responses'))"),
    ("returned nnn", "SDK and agent messages of the form 'X API returned 403: ...' (Grok "
                     "Responses API returned 403, in the corpus); 'returned 429 (out of "
                     "searches)'"),
    ("response nnn:", "xtekky/gpt4free g4f/errors.py ResponseStatusError (Response 429: "
                      "HTML content), as g4f-based agents print it"),
    ("<response [nnn]>", "psf/requests models.py Response.__repr__ (<Response [503]>, "
                         "RayZhhh/funsearch#8)"),
    ("error: nnn", "openai-node, anthropic-sdk-typescript src/core/error.ts (the message "
                   "\"${status} ${message}\" as JavaScript's Error.prototype.toString prints "
                   "it: Error: 400 ...); SDK messages 'Error: 429 - {...}' "
                   "(yilewang/llm-for-zotero#17); curl (The requested URL returned error: 429)"),
    ("exception: nnn -", "spring-projects/spring-ai NonTransientAiException (404 - {...})"),
    ("nnn status code", "openai-node src/core/error.ts (400 status code (no body))"),
    ("^nnn ", "openai-node, anthropic-sdk-typescript src/core/error.ts (\"${status} "
              "${message}\"); aio-libs/aiohttp ClientResponseError.__str__ (429, "
              "message='Too Many Requests')"),
    ("^(nnn)", "lmstudio-ai/lms ((404): No models loaded)"),
    ("^(nnn, ", "Python's str of an exception whose args are (status, body), e.g. "
                "aleph-alpha-client's ((429, ''); captured in the corpus)"),
    ("^[errno nnn]", "Python's str of OSError(status, text) that SDKs raise with the HTTP "
                     "status as errno ([Errno 401] ; aleph-alpha-client, captured in the "
                     "corpus)"),
    ("(nnn, '", "the same (status, body) args after an exception's name or a wrapper's words "
                "(BusyError: (503, ''))"),
    ("(nnn, \"", "the same (status, ...) arguments as other languages print an exception "
                  "object, double-quoted: JuliaWeb/HTTP.jl src/Exceptions.jl "
                  "(HTTP.Exceptions.StatusError(429, \"POST\", \"/api/v1/chat/completions\", "
                  "HTTP.Messages.Response: ..., svilupp/PromptingTools.jl#232))"),
    ("[errno nnn]", "the same errno after an exception's name or a wrapper's words "
                    "(HTTPError: [Errno 401] )"),
    ("(nnn)", "SDK messages with the status in parentheses (Request failed (429))"),
    ("('nnn", "Python's repr of an exception whose message is openai-node's or an SDK's "
              "\"${status} ${message}\" (APIError('429 Provider returned error'))"),
    ("(\"nnn", "the same repr with double quotes (APIError(\"429 ...\"))"),
    ("error 'nnn", "encode/httpx httpx/_models.py Response.raise_for_status (Client error "
                   "'404 Not Found' for url ...; Server error '529 ' for url ..., the reason "
                   "phrase empty for a status it has no name for)"),
    ("message: nnn", "openai-node src/core/error.ts (\"${status} ${message}\") as the "
                     "message of a JSON error body a wrapper writes ({\"message\": \"429 ...\"})"),
    (": nnn", "openai-node src/core/error.ts (\"${status} ${message}\") after a wrapper's "
              "own words and a colon (danny-avila/LibreChat#2996: ... error message we "
              "encountered: 400 Expected tool outputs ...; carlrobertoh/ProxyAI#603: Unknown "
              "API response. Code: 403)"),
    ("resulted in a `nnn", "guzzle/guzzle src/Exception/RequestException.php (Server error: "
                           "`POST url` resulted in a `530 ` response: the reason phrase empty "
                           "for a status PSR-7 has no name for, as a PumaPay adapter's test "
                           "quotes it)"),
    ("status(nnn", "seanmonstar/reqwest Error's Debug for Kind::Status (reqwest::Error { "
                   "kind: Status(400, None), url: ... }, as an OpenTelemetry exporter's log "
                   "quotes it; kind: Status(404) in older versions)"),
    ("code=nnn", "square/okhttp Response.toString (Response{protocol=h2, code=429, "
                 "message=, url=...})"),
    ("[nnn]", "SDK and gateway messages with the status in brackets ([429] Too Many Requests)"),
    ("nnn (<reason phrase>)", "dotnet/runtime HttpResponseMessage.EnsureSuccessStatusCode "
                              "(Response status code does not indicate success: 404 (Not "
                              "Found).)"),
    ("nnn <reason phrase>", "openai-go, anthropic-sdk-go apierror.go (http.StatusText); "
                            "requests models.py (429 Client Error); python-genai errors.py "
                            "(429 RESOURCE_EXHAUSTED)"),
)
#: Forms that also name a process's exit code (``Command failed with error code 137``) or an
#: OS errno (``[Errno 111] Connection refused``; Python's repr of an OSError's args,
#: ``ConnectionResetError(104, 'Connection reset by peer')`` as requests and urllib3 print
#: it): a number in them counts only as a client or server error, 400-599.
STATUS_FORMS_4XX_5XX: Final = frozenset({"failed with code nnn", "error code nnn",
                                         "^[errno nnn]", "[errno nnn]", "^(nnn, ", "(nnn, '",
                                         "(nnn, \""})
#: Words beside which a status in brackets or after a bare colon counts (``Error (429)``,
#: ``[429] failed``, ``error message we encountered: 400``).
STATUS_BRACKET_WORDS: Final = ("error", "errors", "failed", "failure", "exception", "status",
                               "http", "api", "code", "request")
#: A number right after these words is a process's exit status, not an HTTP status
#: (``Exit code: 127``, ``exit status 137``, ``exited with code 130``), and a number glued to a
#: host name by a colon is a port (aiohttp's ``Cannot connect to host api.openai.com:443``),
#: and one after a digit and a dot is part of an address or a version (``10.0.199.4``),
#: whatever form it stands in; nor is Rust's std::io::Error Debug ``Os { code: 111, kind:
#: ConnectionRefused, ... }`` (an errno, as reqwest and hyper errors print it).
STATUS_NOT_AFTER: Final = re.compile(r"(?:(?:exit|exited with)[ _]?"
                                     r"(?:code|status)\W{0,3}"
                                     r"|(?:\.[a-z]{2,}|localhost|[0-9]):|[0-9]\.|os \{ code: )\Z",
                                     re.ASCII)
#: A number followed by one of these units is a count, not a status (``Error: 400 tokens``,
#: ``timeout: 300 seconds``), and one followed by a dot and a digit is part of an address or
#: a decimal (``('199.59.148.6', 443)``), whatever form it stands in.
STATUS_NOT_BEFORE: Final = re.compile(r"\s?(?:tokens?|bytes?|seconds?|secs?|s|ms|minutes?|"
                                      r"chars?|characters?|lines?|items?|words?|kb|mb|gb|"
                                      r"results?|rows?|records?|times|matches|"
                                      r"%)(?![a-z0-9_])|\.[0-9]", re.ASCII)

_NNN: Final = r"(?<![0-9])([1-5][0-9][0-9])(?![0-9])"


def _form_parts(form: str, k: int) -> tuple[bool, bool, str, str]:
    """One of STATUS_FORMS as (anchored at the start, starts with a word, the regular
    expression before the number, the one after it), on the lower-cased message; a reason
    phrase is the group ``r{k}``."""
    rest = form
    anchored = rest.startswith("^")
    if anchored:
        rest = rest[1:]
    # a word starts the form; "error"/"exception" may end a class name (ApiError: 429)
    word_start = rest[:1].isalpha() and not rest.startswith(("nnn", "error", "exception"))
    before, _, after = rest.partition("nnn")
    sources = []
    for part in (before, after):
        out = []
        if "<reason phrase>" in part:
            head, _, tail = part.partition("<reason phrase>")
            out.append(re.escape(head) + rf"(?P<r{k}>"
                       + "|".join(map(re.escape, STATUS_REASON_PHRASES)) + r")\b"
                       + re.escape(tail))
            part = ""
        i = 0
        while i < len(part):
            if part.startswith("URL", i):
                out.append(r"https?://[^\s\"']*")
                i += 3
            elif part[i] == " ":
                out.append(r"\s*")
                i += 1
            elif part[i] in ":=" and i and part[i - 1].isalpha():
                # a key, quoted or not: status_code: 429, "statusCode":429, 'code': 429
                out.append(r"[\"']?\s*" + part[i] + r"\s*[\"']?")
                i += 1
            else:
                out.append(re.escape(part[i]))
                i += 1
        sources.append("".join(out))
    return anchored, word_start, sources[0], sources[1]


def _form_source(form: str, k: int) -> str:
    """The whole regular expression of ``STATUS_FORMS[k]``: the number is the group
    ``n{k}``, a reason phrase the group ``r{k}``."""
    anchored, word_start, before, after = _form_parts(form, k)
    return (("^" if anchored else "") + (r"(?<![a-z0-9])" if word_start else "") + before
            + rf"(?<![0-9])(?P<n{k}>[1-5][0-9][0-9])(?![0-9])" + after)


@functools.cache
def status_form_patterns() -> tuple[tuple[bool, bool, re.Pattern[str]], ...]:
    """Each form on its own: (in brackets, has a reason phrase, pattern), for the tests'
    plain reading of the forms (compiled when first asked for)."""
    return tuple((form.startswith(("(", "[", ":")), "<reason phrase>" in form,
                  re.compile(_form_source(form, k), re.ASCII))
                 for k, (form, _) in enumerate(STATUS_FORMS))


#: How far before its number a form may start (a URL may be long).
STATUS_FORM_REACH: Final = 40
STATUS_URL_REACH: Final = 400


class _FormParts:
    """One form, read around a number: the text before it must end exactly at the number
    (searched in a short window), the text after it must start right after it."""

    __slots__ = ("after", "anchored", "before", "bracket", "reach", "word_start")

    def __init__(self, k: int, form: str) -> None:
        self.anchored, self.word_start, before, after = _form_parts(form, k)
        self.before = re.compile(f"(?:{before})\\Z", re.ASCII) if before else None
        self.after = re.compile(after, re.ASCII) if after else None
        self.bracket = form.startswith(("(", "[", ":"))
        self.reach = STATUS_URL_REACH if "URL" in form else STATUS_FORM_REACH


@functools.cache
def _forms() -> tuple[_FormParts, ...]:
    """The forms, compiled on first use (a command that reads no message skips them)."""
    return tuple(_FormParts(k, form) for k, (form, _) in enumerate(STATUS_FORMS))


#: An error word, also as the end of a class name (``APIError(``, ``HTTPException[``).
_BRACKET_WORD: Final = re.compile(r"(?:\b(?:" + "|".join(STATUS_BRACKET_WORDS)
                                  + r")|[a-z](?:error|exception))\b", re.ASCII)
#: A status: exactly three digits, 100-599, not 2xx (a success written in the message, as
#: in ``non-200 status code (500)``, is passed over for the failure after it).
_STATUS_NUMBER: Final = re.compile(r"(?<![0-9])(?:1|[3-5])[0-9][0-9](?![0-9])", re.ASCII)
_ALNUM: Final = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


#: A name and the text after an index: ``messages[158].content`` is a JSON path (as serde
#: and pydantic print where a request body failed), its number an index, not a status.
_INDEX_NAME: Final = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_]")


def _is_index(lowered: str, at: int, length: int) -> bool:
    """Whether the bracketed number at ``at`` indexes a name inside a path (``a[1].b``)."""
    end = at + length
    return (at >= 2 and lowered[at - 2] in _INDEX_NAME and lowered[end:end + 1] == "]"
            and lowered[end + 1:end + 2] in (".", "["))


#: Numbers 100-199 that are no HTTP status: only 100-103 are registered (IANA HTTP Status
#: Code Registry; RFC 9110 section 15.2, RFC 8297), so ``code: 110`` or ``code: 111`` in a
#: message is a vendor's own error code (baidubce/bce-qianfan-sdk consts.py: 110 Access token
#: invalid or no longer valid, 111 Access token expired) and its words decide.
NO_STATUS_1XX: Final = frozenset(range(104, 200))


def status_form_holds(k: int, number: str, reason: str | None, lowered: str, at: int) -> bool:
    """Whether a match of form ``k`` (its number starting at ``at``) counts: a status in
    brackets or after a bare colon needs an error word beside it, a reason phrase must fit
    its number; an exit status or a count is no HTTP status.  After a bare colon the error
    word must come before the number, and the colon must not end a quoted key (a JSON or
    dict value such as ``'rpm_limit': 128`` is read only by the forms that name the key)."""
    if _forms()[k].bracket:
        if STATUS_FORMS[k][0].startswith("[") and _is_index(lowered, at, len(number)):
            return False
        if STATUS_FORMS[k][0].startswith(":"):
            colon = lowered.rfind(":", 0, at)
            if (colon > 0 and lowered[colon - 1] in "\"'") or _BRACKET_WORD.search(
                    lowered, max(0, at - 41), at) is None:
                return False
        elif _BRACKET_WORD.search(lowered, max(0, at - 41), at + 44) is None:
            return False
    status = int(number)
    if STATUS_FORMS[k][0] in STATUS_FORMS_4XX_5XX and status < 400:
        return False  # an OS errno (111 ECONNREFUSED) or exit code below the HTTP errors
    if status in NO_STATUS_1XX:
        return False  # a vendor's own code (Qianfan's code: 111, msg: Access token expired)
    if STATUS_NOT_AFTER.search(lowered, max(0, at - 20), at) is not None or (
            STATUS_NOT_BEFORE.match(lowered, at + len(number)) is not None):
        return False
    if reason is not None:
        low, high = STATUS_REASON_PHRASES[reason]
        return low <= status <= high
    return True


def _status_in_lowered(lowered: str) -> int | None:
    """The first number, in the order of the message, that stands in one of the forms."""
    forms = _forms()
    for m in _STATUS_NUMBER.finditer(lowered):
        i, j = m.span()
        number = m.group()
        for k, form in enumerate(forms):
            before = form.before
            if form.anchored:
                if before is None:
                    if i:
                        continue
                else:
                    b = before.match(lowered, 0, i)
                    if b is None:
                        continue
            elif before is not None:
                b = before.search(lowered, max(0, i - form.reach), i)
                if b is None or (form.word_start and b.start()
                                 and lowered[b.start() - 1] in _ALNUM):
                    continue
            reason = None
            if form.after is not None:
                a = form.after.match(lowered, j)
                if a is None:
                    continue
                reason = a.group(f"r{k}") if f"r{k}" in form.after.groupindex else None
            if status_form_holds(k, number, reason, lowered, i):
                return int(number)
    return None


#: Wording of a timeout, shared by the provider and the tool tables.
TIMEOUT_KEYWORDS: Final[tuple[Alias, ...]] = (
    ("timed out", _OPENAI_EXC + " (Request timed out.); Python socket; agents' shell tools"),
    ("deadline exceeded", "golang/go src/context (context deadline exceeded)"),
    ("etimedout", _NODE_NET + " (ETIMEDOUT)"),
)

#: Step 4: keywords, first row that matches (timeout wording wins over cancel wording).
PROVIDER_ERROR_KEYWORDS: Final[AliasTable] = (
    ("bad_request", (
        (r"\bmessages[.][0-9]+(?:[.]content\b|: )", "Anthropic's invalid_request_error "
         "messages name the request field at fault by its path (messages.1.content.0: ...; "
         "openclaw/openclaw#39612: messages.5.content.12: thinking or redacted_thinking blocks "
         "in the latest assistant message cannot be modified.; inngest/agent-kit#276: "
         "messages.2: `tool_use` blocks can only be in `assistant` messages)"),
        (r"\binvalid '[a-z_]+(?:\[[0-9]+\])*(?:[.][a-z_]+(?:\[[0-9]+\])*)*'[.:]",
         _OPENAI_ERRORS + " (invalid_request_error messages name the parameter at fault "
         "by its path: Invalid 'messages[2].tool_calls': empty array.; Invalid "
         "'messages[3].tool_call_id': unexpected value; Invalid 'messages[4]'. Image URLs are "
         "only allowed for messages with role 'user'; Azure OpenAI the same)"),
        (r"\bgeneratecontentrequest[.][a-z_]", "Gemini API 400 INVALID_ARGUMENT messages name "
         "the request field at fault by its path (GenerateContentRequest.contents[1].parts[0]"
         ".data: required oneof field 'data' must have one initialized field; "
         "GenerateContentRequest.contents is not specified; GenerateContentRequest.contents[2]"
         ".parts[0].function_response.name: Name cannot be empty.)"),
        ("please use a valid role", "Gemini API 400 INVALID_ARGUMENT (Please use a valid role: "
         "user, model.), in many clients' issues and fixes"),
    )),
    ("not_found", (
        (r"\bcannot (?:post|get|put|patch|delete) /", "expressjs/express finalhandler 404 "
         "(Cannot POST /v1/chat/completions) as OpenAI-compatible proxies and servers answer "
         "a wrong base URL (LiteLLM proxies: Planning failed: 404 Cannot POST "
         "/v1/chat/completions; Hugging Face router; Angular dev proxies): no such endpoint"),
        (r"\bnot found(?<!block not found)[.!]?[\"'}\])]*\s*(?:\([^()]*\)[.]?\s*)?$",
         "HTTP 404 reason phrase as the whole of what the server said (vercel/ai#7331: "
         "AI_APICallError: Not Found); not a block of a streamed message the client lost "
         "track of (Anthropic's stream of content_block_start/delta/stop events by index; "
         "anthropics/claude-code CHANGELOG.md: Content block not found), no missing model "
         "or route"),
    )),
    ("server", (
        (r"\bnot implemented[.!]?[\"'}\])]*\s*$", "HTTP 501 reason phrase as the end of what "
         "the server said (xorbitsai/inference api: Not implemented; Mozilla-Ocho/llamafile "
         "server: 501 Content Type Not Implemented; gRPC UNIMPLEMENTED: Method not "
         "implemented!)"),
        ("internal server error", "HTTP 500 reason phrase; Anthropic api_error"),
        (r"\binternal error(?! encountered(?<=unexpected internal error encountered))",
         "Gemini INTERNAL (An internal error has occurred; Internal error encountered.); "
         "round 32: not hyperium/h2's Reason::INTERNAL_ERROR description (stream error "
         "received: unexpected internal error encountered), an HTTP/2 reset as reqwest, "
         "tonic and codex print it (influxdb IOx docs: h2 protocol error: error reading a "
         "body from connection: stream error received: unexpected internal error "
         "encountered): network"),
        ("api_error", _ANTHROPIC_ERRORS),
        ("server_error", _OPENAI_ERRORS),
        ("server had an error", _OPENAI_ERRORS),
        ("an error occurred while processing your request", _OPENAI_ERRORS),
    )),
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
        ("eproto", _NODE_NET + " (EPROTO: protocol error, from TLS sockets); "
         "google-gemini/gemini-cli packages/core/src/utils/retry.ts (RETRYABLE_NETWORK_CODES: "
         "'EPROTO', // Generic protocol error (often SSL-related))"),
        ("received rst_stream", "grpc/grpc-node @grpc/grpc-js (Received RST_STREAM with code "
         "2; 13 INTERNAL: Received RST_STREAM with code 2 triggered by internal client "
         "error), as Node gRPC clients (Firestore, Vertex, Gemini) report it: an HTTP/2 "
         "stream reset"),
        ("software caused connection abort", "ECONNABORTED / WSAECONNABORTED strerror (glibc, "
         "Windows Winsock, Java SocketException; git: read error (Software caused connection "
         "abort)): the connection dropped, no cancel"),
        ("unexpected end of stream", "square/okhttp Http1ExchangeCodec (IOException: "
         "unexpected end of stream on https://...; the same in Android's bundled okhttp and "
         "apps that log it)"),
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
        (r"\bstream error(?<!agent stream error)(?!.*(?:aborterror|operation was aborted|"
         r"aborted a request|decodingerror|decoding error|not valid json|failed to parse|"
         r"parse error))",
         "golang/go src/net/http/h2_bundle.go (stream error: stream ID N); not a stream that "
         "ended with a DOM AbortError (co-l/openfox#358: LLM stream error {\"error\":"
         "\"AbortError: This operation was aborted\"}), nor one whose data could not be "
         "decoded (MacPaw/OpenAI#170: Stream Error: dataCorrupted(Swift.DecodingError.Context("
         "... The given data was not valid JSON.)); clients' SSE parsers in Rust, Go and Swift: "
         "Stream error: failed to parse SSE event; stream error: failed to parse error "
         "response; Stream Error: Failed to parse data from the stream.); facts37: not an agent "
         "app's catch-all prefix for whatever its agent stream raised (dyad-sh/dyad#2973: Local "
         "agent stream error: {...invalid_request_error...}; apps' Agent stream error: <any "
         "exception>)"),
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
)

# --- provider_error, v3: meaning over status, status-shaped names, words per label -------

_LITELLM: Final = "BerriAI/litellm litellm/exceptions.py"
_CHROMIUM_NET: Final = "chromium net/base/net_error_list.h"
_ZHIPU: Final = "docs.bigmodel.cn/cn/api/api-code (Zhipu error codes)"
_ALIYUN: Final = ("help.aliyun.com/document_detail/2593384.html (Alibaba Cloud Model "
                   "Studio error codes)")
_QIANFAN: Final = "ai.baidu.com/ai-doc/WENXINWORKSHOP/tlmyncueh (Baidu Qianfan error codes)"
_KIMI_ZH: Final = "platform.kimi.com/docs/api/errors (Kimi error list, Chinese descriptions)"
_NEW_API: Final = "QuantumNous/new-api relay (当前分组上游负载已饱和, 请稍后再试)"
_ZH_CN: Final = "glibc and GNU coreutils/bash zh_CN messages (LANGUAGE=zh_CN, captured here)"
_GOOGLE_CODES: Final = "googleapis/googleapis google/rpc/code.proto (HTTP mapping)"
_AWS_ERRORS: Final = ("botocore data/bedrock-runtime/2023-09-30/service-2.json (error shapes "
                      "and httpStatusCode)")
_API_CORE: Final = "googleapis/python-api-core google/api_core/exceptions.py"
_OLLAMA: Final = "ollama/ollama server/routes.go"
_QIANFAN_SDK: Final = ("baidubce/bce-qianfan-sdk python/qianfan at 6cacf6002140 (consts.py "
                       "APIErrorCode, str() of a member: APIErrorCode.QPSLimitReached; errors.py; "
                       "resources/auth/oauth.py; resources/llm)")
_DASHSCOPE_SDK: Final = ("dashscope/dashscope-sdk-python dashscope at c0d7a0b7174c (audio/asr/"
                         "asr_phrase_manager.py, app/application.py, aigc/conversation.py, "
                         "api_entities/api_request_factory.py, audio/tts_v2)")
_WATSONX_NODE: Final = ("IBM/watsonx-ai-node-sdk src at b912b2031577 (authentication/utils/"
                        "get-authenticator-from-environment.ts, vml_v1.ts, gateway/)")
_AI21_SDK: Final = "AI21Labs/ai21-python ai21/clients at c13355b3a94a (vertex, azure, studio)"
_HUNYUAN: Final = ("TencentCloud/tencentcloud-sdk-python tencentcloud/hunyuan/v20230901/"
                   "errorcodes.py at bf297176cf0f (each code with its meaning)")
_MAXKB: Final = ("1Panel-dev/MaxKB apps/locales/{zh_CN,zh_Hant}/LC_MESSAGES/django.po at "
                 "121614fb81c0 (msgid beside msgstr)")
_LANGBOT: Final = ("RockChinQ/LangBot src/langbot/pkg/provider/modelmgr/requesters at "
                   "88132dff8ae8 (chatcmpl.py, anthropicmsgs.py: the label of each openai/"
                   "anthropic error class)")
_COW: Final = ("zhayujie/chatgpt-on-wechat models at 55aaf60a57ea (chat_gpt_bot.py, "
               "deepseek_bot.py, ...: the reply for each openai error class)")
#: Words that make a quota or limit a rate: it resets (per minute, ..., daily, hourly; Gemini
#: CLI's "You have exhausted your daily quota on this model.", google-gemini/gemini-cli#15576;
#: Baidu's "Open api daily request limit reached"), or counts requests (Vertex AI's 429
#: "Online prediction request quota exceeded for gemini-pro. Please try again later with
#: backoff."; the Gemini API's 429 "Quota exceeded for metric: generativelanguage.googleapis
#: .com/generate_content_free_tier_requests, limit: 0", a quota metric is a rate).
_RATE_WORDS: Final = ("per minute | per second | per hour | per day | rate | rpm | tpm | rpd | "
                      "tpd | requests per | tokens per | too many requests | resource has been "
                      "exhausted | resource exhausted | check quota | rate limit | wait before "
                      "trying again | daily quota | daily limit | hourly quota | hourly limit | "
                      "request quota | quota metric | for metric | this minute | current "
                      "minute | per min")

#: Step 1, by meaning: context overflow and exhausted credit whatever status comes with
#: them, in every wording (words, after the phrase table above).
PROVIDER_ERROR_REFINEMENT_FAMILIES: Final[AliasTable] = (
    ("context_length", (
        ("上文过长 | 对话历史过长 | 上下文溢出 | 上下文 tokens 超限", _LANGBOT
         + " (BadRequestError with context_length_exceeded: 上文过长, 请重置会话); " + _COW
         + " (对话历史过长导致上下文溢出; 上下文tokens超限): the conversation is over the model's "
         "window"),
        ("dépasse la longueur | excede o comprimento", _LOBE_RESPONSES + " (ExceededContextWindow: "
         "le contenu de la demande actuelle dépasse la longueur que le modèle peut traiter)"),
        ("verarbeitbare länge | vượt quá độ dài", _LOBE_LOCALES),
        ("due to token limits | due to token limit | token limits exceeded | token limit "
         "exceeded | exceeds the token limit | exceeded the token limit - output | response | "
         "daily | monthly | month | hourly | weekly | today | " + _RATE_WORDS,
         "langchain-ai/open_deep_research deep_researcher.py (Report generation "
         "failed due to token limits); not an answer cut at its limit (google-gemini/gemini-cli"
         "#2260: Response truncated due to token limits.), nor a rate"),
        ("too much context", "aws/language-servers agenticChat errorTransformer.ts "
         "(InputTooLong: Too much context loaded)"),
        ("inputs tokens + max new tokens", "huggingface/text-generation-inference validation "
         "(`inputs` tokens + `max_new_tokens` must be <= N: prompt and answer over the model's "
         "total)"),
        ("token count + exceeds | exceed | exceeded | only supports up to - " + _RATE_WORDS,
         "providers' context overflow (token count exceeds the model limit); GitHub Copilot "
         "API (prompt token count of N exceeds the limit of M); Vertex AI's 400 (Unable to "
         "submit request because the input token count is N but model only supports up to "
         "M)"),
        ("input length | prompt length | session length | session max length | sequence "
         "length | model input length + exceeds | exceed | exceeded | larger than | longer "
         "than | greater than - " + _RATE_WORDS, "mlc-ai/mlc-llm serve/engine_utils.py "
         "(Request prompt has N tokens in total, larger than the model input length limit M); "
         "sgl-project/sglang managers/utils.py (Input length (N tokens) exceeds the maximum "
         "allowed length); InternLM/lmdeploy#732 (exceed session max length)"),
        ("超长 | 长度过长 | 上下文长度 | 模型规格长度 | 长度超出 | 内容长度",
         _ZHIPU + " (1261 Prompt 超长); " + _KIMI_ZH + " (tokens 长度过长; 超过了模型规格长度)"),
        ("context + length | window | size | limit | overflow | overflows | overflowed - "
         "deadline | canceled | cancelled | mismatch | mismatched",
         _OPENAI_ERRORS + " (maximum context length); llama.cpp (exceeds the available "
         "context size); " + _LITELLM + " (ContextWindowExceededError)"),
        ("message you submitted was too long | submit something shorter", "ChatGPT's web "
         "client (The message you submitted was too long, please reload the conversation and "
         "submit something shorter.), as browser-session wrappers pass it on"),
        ("prompt | input | message | messages | conversation ~ too long",
         "docs.anthropic.com (prompt is too long); Amazon Bedrock (Input is too long)"),
        ("too many tokens | too many input tokens | maximum prompt length | prompt length | "
         "maximum prompt size | prompt size exceeded - "
         + _RATE_WORDS + " | please wait",
         "providers' context overflow messages (too many tokens); charmbracelet/mods "
         "mods_errors.go (Maximum prompt size exceeded, for context_length_exceeded)"),
        ("num ctx | n ctx | ctx size", "ollama/ollama, llama.cpp (num_ctx, n_ctx)"),
        ("prompt token | prompt tokens | input token | input tokens + exceeds | exceeded | "
         "exceed | limit | maximum | max - " + _RATE_WORDS, "GitHub Copilot API "
         "(model_max_prompt_tokens_exceeded: prompt token count of N exceeds the limit of M)"),
        ("conversation length + limit | exceeded | exceeds | reached", "lm-sys/FastChat "
         "fastchat/constants.py (YOU HAVE REACHED THE CONVERSATION LENGTH LIMIT. PLEASE CLEAR "
         "HISTORY AND START A NEW CONVERSATION.); chat front-ends' conversation-length "
         "limits: the conversation no longer fits the model"),
        ("context + too long | exceeded | exceeds | exceed | full - deadline | canceled | "
         "cancelled", "plandex-ai/plandex (ErrContextTooLong)"),
        ("input | inputs | prompt + tokens + less than | fewer than | at most - "
         + _RATE_WORDS, "huggingface/text-generation-inference validation (`inputs` must "
         "have less than N tokens)"),
        ("reduce the length of the messages", _OPENAI_ERRORS),
        ("kv cache | kv size + full | reached | exceeded | exceeds | too big | exhausted",
         "google-ai-edge/LiteRT-LM runtime/core/pipeline.cc (Maximum kv-cache size reached.); "
         "ggml-org/llama.cpp tools/server (500: Input prompt is too big compared to KV size. "
         "Please try increasing KV size.); inference engines' own errors (RuntimeError: KV "
         "cache is full!; ValueError: KV cache is full - cannot add more tokens: position has "
         "reached max_seq_len): the model's context holds no more tokens"),
        ("out of context", "Mozilla-Ocho/llamafile llamafile/server (out_of_context, "
         "out_of_context_due_to_long_message); anthropics/claude-code (This session is being "
         "continued from a previous conversation that ran out of context)"),
        # round 27: a count of input the server says is over what it can take.
        ("can only handle | can handle at most | can only process | only supports up to | "
         "supports at most + were provided | was provided | tokens were | provided tokens - "
         "images | image | files | file | requests | tools | " + _RATE_WORDS,
         "edgenai/llama_cpp-rs crates/llama_cpp/src/model/mod.rs (TokenizationError: 9000 were "
         "provided, but llama.cpp can only handle 4096; Input was too large: 70000 were "
         "provided, but llama.cpp only supports up to 65536): more tokens than the model's "
         "context takes; not a count of images, files or requests"),
    )),
    ("billing", (
        ("资源包余量已用尽 | 计费资源已耗尽", _HUNYUAN + " (资源包余量已用尽, 请购买资源包或开通后"
         "付费; 计费资源已耗尽)"),
        ("недостаточно квоты | 할당량이 부족 | 할당량이 소진 | quota insuffisant | cota "
         "insuficiente", _NEW_API_LOCALES
         + " (quota.insufficient, token.exhausted)"),
        ("квота | quota | cota + исчерпана | épuisé | esgotada",
         _NEW_API_LOCALES + " (token.exhausted: Квота этого "
         "токена исчерпана; Le quota de ce jeton est épuisé)"),
        ("クォータ不足 | クォータが不足 | クォータは使い果たされ | 残高不足", _NEW_API_LOCALES
         + " (quota.insufficient クォータ不足; billing.insufficient_balance 残高不足; "
         "token.exhausted)"),
        ("solde de votre compte | saldo da conta | quota d abonnement | límite de tu suscripción | "
         "limite de pontos de assinatura", _LOBE_RESPONSES + " (InsufficientQuota: vérifier si le "
         "solde de votre compte est suffisant; SubscriptionPlanLimit)"),
        ("額度已用盡 | 額度不足 | 餘額不足 | 欠費 | 訂閱額度 | 订阅额度", _LOBE_ZH_TW + " (您的訂閱"
         "額度已用盡)"),
        ("kontoguthaben | abonnementspunktestand | kostenpflichtiges abonnement | "
         "số dư tài khoản", _LOBE_LOCALES),
        ("额度不足 | 额度已用尽 | 额度用尽 | 无可用额度 | 套餐已到期", _ALIYUN + " (100011 无可用"
         "额度); "
         + _ZHIPU + " (1309 套餐已到期); docs.bigmodel.cn/cn/faq (429 账户余额已用完)"),
        ("credit | credits - " + _RATE_WORDS, "docs.anthropic.com (credit balance is too "
         "low); not a rate limit that names its type credit_limit (e-p-armstrong/"
         "augmentoolkit#5, Together: rejected due to rate limiting ... 'type': "
         "'credit_limit'); OpenRouter "
                             "(402: insufficient credits)"),
        ("balance + insufficient | low | exhausted | negative | zero | not enough",
         "api-docs.deepseek.com (402 Insufficient Balance)"),
        ("can only afford | afford", "openrouter.ai/docs/api-reference/errors (402: can only "
                                     "afford N tokens)"),
        ("payment required | payment - rate limit reached | increase your rate limit",
         "HTTP 402 reason phrase; not OpenAI's free-tier 429 (Rate limit reached for X in "
         "organization Y on requests per min ... Please add a payment method to your account "
         "to increase your rate limit.), as openai/openai-cookbook#141 and LangChain users "
         "meet it"),
        ("billing | funds - " + _RATE_WORDS, _ANTHROPIC_ERRORS + " (billing_error)"),
        ("quota + exceeded | exceed | exceeds | exhausted | insufficient | used up | out of | "
         "reached | breach | breached | not enough - service quota | quota limits | will reset "
         "| reset after | reset in | resets in | " + _RATE_WORDS, _OPENAI_ERRORS
         + " (insufficient_quota); aws/amazon-q-developer-cli (QuotaBreachError); not AWS's "
         "service quota, a quota of requests or tokens per minute (Bedrock "
         "ServiceQuotaExceededException); songquanpeng/one-api relay/controller/helper.go "
         "(403 insufficient_user_quota: user quota is not enough)"),
        ("no quota | free quota - " + _RATE_WORDS, "stanford-crfm/helm src/helm/proxy/"
         "accounts.py (No quota for gpt4); sqlchat/sqlchat#172 (Please sign up to get free "
         "quota): no allowance left to spend"),
        ("subscription | membership + requires | required | upgrade | expired | inactive | "
         "needed | purchase | buy | verify | benefits - subscription token | setup token | not "
         "authorized to perform | lacks the required | access is denied | access denied",
         "ollama.com cloud models (this model requires a subscription, upgrade for access); "
         "not a subscription's token, a credential (Abilityai/trinity#361: Auth failure ...: "
         "Subscription token may be expired or revoked. Generate a new one with 'claude "
         "setup-token'); "
         "vber/free-augmentcode#11 (Augment Code: purchase a subscription); kimi.com/code/docs "
         "kimi-code/error-reference (402 unable to verify your membership benefits); "
         "facts35: not an access-control refusal that names a subscription (Bedrock "
         "AccessDeniedException: Model access is denied due to IAM user or service role is not "
         "authorized to perform the required AWS Marketplace actions (aws-marketplace:"
         "Subscribe); AWS IAM: User: arn:... is not authorized to perform: bedrock:"
         "InvokeModel; Azure RBAC: The principal x lacks the required data action ...), which "
         "reads auth"),
        ("arrearage | arrears | overdue | good standing", "Alibaba Cloud Model Studio error "
         "codes (Arrearage: Access denied, please make sure your account is in good "
         "standing)"),
        ("欠费 | 余额不足 | 充值 | 余额",
         "open.bigmodel.cn Zhipu error codes (1113 您的账户已欠费: account in arrears; "
         "请充值: please top up)"),
        ("monthly limit | monthly budget | key limit | free allocation | paid plan - "
         + _RATE_WORDS, "openrouter.ai/docs (key credit limit); Cloudflare Workers AI "
         "(daily free allocation of neurons; upgrade to the Paid plan)"),
        ("budget + exceeded | exceed | exceeds | reached | exhausted | used up | depleted - "
         "thinking budget | token budget | reasoning budget | wall clock | time budget | timed "
         "out", _LITELLM + " (BudgetExceededError); not a budget of time "
         "(tinyhumansai/opencompany#1680: run timed out; model call ... exceeded its remaining "
         "wall-clock budget)"),
        ("spend limit | spend limits | spending limit | usage limit | usage limits - try "
         "again later | please wait | resets | reset at | will reset | reset in | try again in "
         "| claude ai usage limit reached",
         "docs.anthropic.com errors (You have reached your specified API usage limits); "
         "providers' monthly spend limits; not Claude Code's subscription window (Claude AI "
         "usage limit reached, a bar and the epoch of the reset)"),
        ("resource pack | charge resource + exhausted | exhaust", _HUNYUAN
         + " (FailedOperation.FreeResourcePackExhausted, ResourcePackExhausted, "
         "ResourceInsufficient.ChargeResourceExhaust: the prepaid pack or charge is used up)"),
        # round 25: an allowance by the month, a trial, a plan.
        ("monthly | this month | per month + limit | quota | tokens | exceeded | reached | used "
         "up - " + _RATE_WORDS, "AI gateways' 429 for a monthly token allowance (Token limit "
         "exceeded for this month; AI token limit exceeded for this month, 403), as apps' "
         "quota checks read it (is_quota_exhausted): an allowance used up until the month "
         "ends, not a rate"),
        ("usage ~ reached | exceeded | exhausted | used up - usage limit | usage limits | try "
         "again later | please wait | resets | reset at | will reset | reset in | try again in "
         "| memory | cpu | gpu | disk | vram | "
         + _RATE_WORDS, "huggingface/autotrain-advanced#943 (HF Inference Providers, free "
         "plan: Inference usage has reached the max); usage allowances used up; not a "
         "machine's memory or a window that resets (a usage limit is read by the rows "
         "above)"),
        ("exceeded | reached ~ usage - try again later | please wait | resets | reset at | "
         "will reset | reset in | try again in | memory | cpu | gpu | disk | vram | "
         + _RATE_WORDS,
         "voiceflow/general-runtime lib/services/runtime/handlers/aiResponse (Exceeded token "
         "usage.)"),
        ("usuario gratuito | plan de pago", "lobehub/lobe-chat locales/es-ES/error.json "
         "(FreePlanLimit: Actualmente eres un usuario gratuito ...; actualiza a un plan de "
         "pago)"),
        ("trial + expired | ended | is over | exhausted | used up - " + _RATE_WORDS,
         "SaaS gateways' 402 (Payment Required. Your subscription or free trial has ended.; "
         "billing.trial_expired: Your free trial has ended. Choose a plan to continue.)"),
        ("your plan | current plan | your subscription | current subscription + not available | "
         "not included | does not include | doesn t include | upgrade | not enabled - "
         + _RATE_WORDS, "SaaS APIs' 402/403 SubscriptionFeatureError (This feature is not "
         "available on your current plan.; not included in your plan; not available with your "
         "current subscription; Please upgrade to access it.): the plan paid for does not "
         "cover it"),
    )),
    ("overloaded", (
        ("overloaded | overload", "Anthropic 529 (Overloaded)"),
    )),
)

#: Step 3, after the numeric forms: names shaped like a status (gRPC and Google API codes,
#: AWS exception names, SDK error classes and error types) read as that status.  A name
#: counts where it is written as an identifier: with ``_``, in CamelCase, in capitals, or
#: with an ``Error``/``Exception`` suffix; the key is the name lower-cased without ``_``
#: and without that suffix.
PROVIDER_STATUS_NAMES: Final[tuple[tuple[str, int, str], ...]] = (
    ("invalidargument", 400, _GOOGLE_CODES + " (INVALID_ARGUMENT); " + _API_CORE),
    ("failedprecondition", 400, _GOOGLE_CODES),
    ("outofrange", 400, _GOOGLE_CODES),
    ("unauthenticated", 401, _GOOGLE_CODES + "; " + _API_CORE),
    ("permissiondenied", 403, _GOOGLE_CODES + "; openai-python _exceptions.py "
                              "(PermissionDeniedError)"),
    ("notfound", 404, _GOOGLE_CODES + "; openai-python _exceptions.py (NotFoundError)"),
    ("resourceexhausted", 429, _GOOGLE_CODES + "; " + _API_CORE),
    ("cancelled", 499, _GOOGLE_CODES + " (CANCELLED)"),
    ("internal", 500, _GOOGLE_CODES + " (INTERNAL)"),
    ("dataloss", 500, _GOOGLE_CODES),
    ("unimplemented", 501, _GOOGLE_CODES),
    ("unavailable", 503, _GOOGLE_CODES + " (UNAVAILABLE)"),
    ("deadlineexceeded", 504, _GOOGLE_CODES + "; " + _API_CORE),
    ("throttling", 429, _AWS_ERRORS + " (ThrottlingException)"),
    ("toomanyrequests", 429, _AWS_ERRORS + "; " + _API_CORE),
    ("servicequotaexceeded", 429, _AWS_ERRORS + " (ServiceQuotaExceededException: a quota "
                                  "of requests or tokens per minute)"),
    ("validation", 400, _AWS_ERRORS + " (ValidationException)"),
    ("accessdenied", 403, _AWS_ERRORS + " (AccessDeniedException)"),
    ("unrecognizedclient", 401, "AWS common errors (UnrecognizedClientException: invalid "
                                "security token)"),
    ("expiredtoken", 401, "AWS common errors (ExpiredTokenException)"),
    ("invalidsignature", 401, "AWS common errors (InvalidSignatureException)"),
    ("resourcenotfound", 404, _AWS_ERRORS + " (ResourceNotFoundException)"),
    ("serviceunavailable", 503, _AWS_ERRORS + "; " + _API_CORE + "; " + _LITELLM),
    ("modelnotready", 503, _AWS_ERRORS + " (ModelNotReadyException: the model is not ready "
                           "to serve)"),
    ("internalserver", 500, _AWS_ERRORS + " (InternalServerException); openai-python "
                            "(InternalServerError)"),
    ("internalfailure", 500, "AWS common errors (InternalFailure)"),
    ("modeltimeout", 408, _AWS_ERRORS + " (ModelTimeoutException)"),
    ("modelerror", 500, _AWS_ERRORS + " (ModelErrorException: the model failed)"),
    ("modelstreamerror", 500, _AWS_ERRORS + " (ModelStreamErrorException)"),
    ("badrequest", 400, "openai-python _exceptions.py (BadRequestError); " + _API_CORE),
    ("authentication", 401, "openai-python _exceptions.py (AuthenticationError); "
                            + _ANTHROPIC_ERRORS + " (authentication_error)"),
    ("permission", 403, _ANTHROPIC_ERRORS + " (permission_error)"),
    ("unprocessableentity", 422, "openai-python _exceptions.py (UnprocessableEntityError)"),
    ("ratelimit", 429, "openai-python _exceptions.py (RateLimitError); " + _ANTHROPIC_ERRORS
                       + " (rate_limit_error)"),
    ("ratelimitexceeded", 429, _OPENAI_ERRORS + " (rate_limit_exceeded)"),
    ("apitimeout", 408, "openai-python _exceptions.py (APITimeoutError)"),
    ("timeout", 504, _ANTHROPIC_ERRORS + " (timeout_error)"),
    ("invalidrequest", 400, _ANTHROPIC_ERRORS + " (invalid_request_error)"),
    ("requesttoolarge", 413, _ANTHROPIC_ERRORS + " (request_too_large)"),
    ("invalidapikey", 401, _OPENAI_ERRORS + " (invalid_api_key)"),
    ("modelnotfound", 404, _OPENAI_ERRORS + " (model_not_found)"),
    ("deploymentnotfound", 404, "Azure OpenAI (DeploymentNotFound)"),
    ("forbidden", 403, _API_CORE + " (Forbidden)"),
    ("unauthorized", 401, _API_CORE + " (Unauthorized)"),
    ("gatewaytimeout", 504, _API_CORE + " (GatewayTimeout)"),
    ("badgateway", 502, _API_CORE + " (BadGateway)"),
    ("conflict", 409, "openai-python _exceptions.py (ConflictError)"),
)
#: Names that are plain English words: they count only as a bare code in capitals
#: (``INTERNAL``), not with a suffix (HTTP/2's ``INTERNAL_ERROR`` is a stream error).
PROVIDER_STATUS_CODE_ONLY: Final = frozenset({"internal", "unavailable", "cancelled",
                                              "unauthenticated", "unimplemented"})
_NAME_STATUS: Final = {name: status for name, status, _ in PROVIDER_STATUS_NAMES}
_IDENTIFIER: Final = re.compile(r"[A-Za-z][A-Za-z0-9_]*", re.ASCII)
_NAME_SUFFIX: Final = re.compile(r"(?:error|exception)$")
_INNER_CAPITAL: Final = re.compile(r"[a-z][A-Z]", re.ASCII)


_NAME_SUFFIXES: Final = ("error", "exception", "Error", "Exception", "ERROR", "EXCEPTION")


#: Class names an SDK raised for several statuses: they name no one status, and the words of
#: the message decide (openai-python before v1 raised InvalidRequestError for 400, 404 and
#: 415: ``openai.error.InvalidRequestError: The model `x` does not exist``).
PROVIDER_STATUS_NAMES_OF_SEVERAL: Final[tuple[Alias, ...]] = (
    ("openai.error.invalidrequesterror", "openai-python v0 openai/api_requestor.py "
     "handle_error_response (rcode in [400, 404, 415]: InvalidRequestError)"),
)


def without_names_of_several(message: str) -> str:
    """``message`` less the names of :data:`PROVIDER_STATUS_NAMES_OF_SEVERAL` (neither their
    status nor their words count)."""
    if "error." in message:
        lowered = ascii_lower(message)
        for name, _ in PROVIDER_STATUS_NAMES_OF_SEVERAL:
            at = lowered.find(name)
            while at >= 0:
                message = message[:at] + " " * len(name) + message[at + len(name):]
                at = lowered.find(name, at + len(name))
    return message


#: A status named by its reason phrase alone, as azure-core's HttpResponseError prints it
#: (``Operation returned an invalid status 'Conflict'``): the phrase's status, where the
#: phrase names one status (STATUS_REASON_PHRASES).
STATUS_PHRASE_FORM: Final = re.compile(r"invalid status ['\"]([a-z ]+)['\"]", re.ASCII)


def status_of_phrase(lowered: str) -> int | None:
    """The status a quoted reason phrase names in ``lowered`` (see above), else None."""
    if "invalid status" not in lowered:
        return None
    m = STATUS_PHRASE_FORM.search(lowered)
    if m is None:
        return None
    low, high = STATUS_REASON_PHRASES.get(m.group(1), (0, 1))
    return low if low == high else None


#: Step 3, last: a gRPC status written as its number (``grpc_status:9``, as gRPC core prints
#: a call's error: ``Error received from peer ... {grpc_status:9, grpc_message:"..."}``),
#: read as the HTTP status code.proto maps it to (:data:`GRPC_CODE_STATUS`; the
#: numbers of the codes whose names :data:`PROVIDER_STATUS_NAMES` reads).
GRPC_STATUS_FORM: Final = re.compile(r"grpc_status\s*[:=]\s*\"?([0-9]{1,2})(?![0-9])", re.ASCII)
GRPC_STATUS_SOURCE: Final = (_GOOGLE_CODES + "; grpc/grpc src/core (debug_error_string: "
                             "grpc_status:9, grpc_message:\"User location is not supported "
                             "for the API use.\", H-T-H/Gemini-Telegram-Bot#1; Google Cloud "
                             "Pub/Sub and Spanner clients' FAILED_PRECONDITION errors)")


#: Step 4, last: the status as the gRPC libraries of other languages print a call's error,
#: by its code's name (grpc/grpc-go status.Error: ``rpc error: code = Internal desc = ...``;
#: hyperium/tonic Status, Debug ``Status { code: Internal, ... }`` and Display ``status:
#: Internal, message: "..."``) or by its number (elixir-grpc ``%GRPC.RPCError{status: 8,
#: ...}``).  It counts only where the words name nothing (the text after ``desc =`` is the
#: server's own, often more specific: ``code = Unavailable desc = ... connection refused`` is
#: a refused connection), and a name only as one of the codes of code.proto less UNKNOWN,
#: which names no status (Go spells CANCELLED ``Canceled``).
GRPC_CODE_NAME_FORM: Final = re.compile(
    r"(?:rpc error: code = |status \{ code: |(?<![a-z0-9_\"'])status: (?=[a-z]+, message: ))"
    r"([a-z]+)\b|rpcerror\{status: ([0-9]{1,2})(?![0-9])", re.ASCII)
GRPC_CODE_NUMBERS: Final[Mapping[str, int]] = {
    "canceled": 1, **{name.replace("_", ""): number for number, name in enumerate(GRPC_CODES)
                      if name not in ("ok", "unknown")}}
GRPC_CODE_NAME_SOURCE: Final = ("grpc/grpc-go status/status.go (rpc error: code = %s desc = %s, "
                                "the code's String()); hyperium/tonic "
                                "src/status.rs (Status Debug and Display); "
                                "elixir-grpc/grpc lib/grpc/rpc_error.ex (%GRPC.RPCError{status: "
                                "8, ...})")


def status_of_grpc_code(lowered: str) -> int | None:
    """The HTTP status of a gRPC status number in ``lowered`` (see above), else None."""
    if "grpc_status" not in lowered:
        return None
    m = GRPC_STATUS_FORM.search(lowered)
    return None if m is None else GRPC_CODE_STATUS.get(int(m.group(1)))


def status_of_grpc_name(lowered: str) -> int | None:
    """The HTTP status of a gRPC code name or number in another language's rendering in
    ``lowered`` (:data:`GRPC_CODE_NAME_FORM`), else None."""
    if "code" not in lowered and "status" not in lowered:
        return None
    m = GRPC_CODE_NAME_FORM.search(lowered)
    if m is None:
        return None
    number = GRPC_CODE_NUMBERS.get(m.group(1)) if m.group(1) else int(m.group(2))
    return None if number is None else GRPC_CODE_STATUS.get(number)


#: Error types that providers send with several statuses: their status counts only where
#: the message's words (step 4) name nothing more specific (``The model `x` does not
#: exist`` with type invalid_request_error is a missing model, not a bad request).
PROVIDER_STATUS_NAMES_FALLBACK: Final[tuple[Alias, ...]] = (
    ("invalidrequest", _OPENAI_ERRORS + " (type invalid_request_error with 401 "
     "invalid_api_key: Incorrect API key provided, and 404 model_not_found: The model `x` "
     "does not exist or you do not have access to it); OpenAI-compatible servers' 404 "
     "bodies (ztjhz/BetterChatGPT#627; josStorer/chatGPT-search-engine-extension#14: That "
     "model does not exist; LiteLLM-style proxies: Model 'x' not found, type "
     "invalid_request_error, code model_not_found)"),
)
_NAMES_FALLBACK: Final = frozenset(name for name, _ in PROVIDER_STATUS_NAMES_FALLBACK)


def status_of_name(message: str) -> int | None:
    """The status of the first status-shaped name in ``message`` (see above), else None."""
    name = status_name(message)
    return None if name is None else _NAME_STATUS[name[0]]


#: Namespaces whose exception names are no provider's status: .NET's
#: System.Security.Authentication.AuthenticationException is a TLS handshake that failed
#: (dotnet/runtime SslStream: Authentication failed because the remote party has closed the
#: transport stream.; The SSL connection could not be established, see inner exception. --->
#: System.Security.Authentication.AuthenticationException: The remote certificate is invalid
#: ...), not a 401: the words decide (network).
NOT_STATUS_NAMESPACES: Final = ("Security.Authentication.",)


def status_name(message: str) -> tuple[str, str] | None:
    """The key of the first status-shaped name in ``message`` (see above) and the name as
    written, else None."""
    for m in _IDENTIFIER.finditer(message):
        token = m.group()
        if "_" not in token and (token.islower() or token[1:].islower()) and not (
                token.endswith(_NAME_SUFFIXES)):
            continue  # a plain word: never a name
        key = token.lower().replace("_", "")
        stripped = _NAME_SUFFIX.sub("", key)
        if stripped not in _NAME_STATUS:
            continue
        if stripped in PROVIDER_STATUS_CODE_ONLY:
            if token.isupper() and stripped == key:
                return stripped, token
        elif (stripped != key or "_" in token or (token.isupper() and len(token) >= 4) or (
                _INNER_CAPITAL.search(token) is not None)) and not message.endswith(
                    NOT_STATUS_NAMESPACES, 0, m.start()):
            return stripped, token
    return None


#: Step 4 in v3: message words for every label, in the order of the label list, tried
#: after the keyword table above and before ``other``.
PROVIDER_ERROR_FAMILIES: Final[AliasTable] = (
    ("auth", (
        # facts37: an account that is not in the organization it asks for
        ("not in organization | not in the organization | not a member of an organization | "
         "not a member of the organization | must be a member of an organization",
         "VapiAI/server-sdk-csharp CallEndedReason.cs "
         "(pipeline-error-openai-401-account-not-in-organization); OpenAI API (You must be a "
         "member of an organization to use the API.); coder/coder (Template is not in "
         "organization, answered 401): a caller outside the organization"),
        ("授权失败 | 授權失敗 | 認證失敗", _COW + " (AuthenticationError: 授权失败, 请检查API "
         "Key是否正确); 1Panel-dev/MaxKB apps/locales/zh_Hant django.po (認證失敗, 請檢查參數是否"
         "正確)"),
        ("未提供 + api key | apikey | access key | secret key | ak | sk | 密钥 | 令牌",
         "MetaGLM/zhipuai-sdk-python-v4 zhipuai/_client.py (未提供api_key, 请通过参数或环境变量"
         "提供); " + _QIANFAN_SDK + " (未提供 access_key 或 secret_key): no key to send"),
        ("获取 | 獲取 + 令牌 | 权杖 | 權杖 + 失败 | 失敗", _MAXKB + " (Failed to get WeCom access "
         "token: 获取企业微信访问令牌失败, 獲取 WeCom 訪問權杖失敗)"),
        ("未登录 | 未登錄 | 请先登录 | 請先登錄", _MAXKB + " (Not logged in, please log in first: "
         "未登录, 请先登录)"),
        ("access token | 令牌 | 密钥 + 获取失败", _COW + " (baidu/baidu_wenxin.py: [BAIDU] access "
         "token 获取失败): no credential to send"),
        ("请设置 + access key | secret key | ak | sk | bearer token | api key | apikey",
         "baidubce/bce-qianfan-sdk javascript at 6cacf6002140 (请设置AK/SK或QIANFAN_ACCESS_KEY/"
         "QIANFAN_SECRET_KEY; 请设置QIANFAN_ACCESS_KEY/QIANFAN_SECRET_KEY或BEARER_TOKEN; 生成 "
         "BearerToken 出错, 请设置正确的QIANFAN_ACCESS_KEY/QIANFAN_SECRET_KEY): set the key"),
        ("访问 | 存取 + 被拒绝 | 遭拒", _ROO_EMBEDDINGS + " (访问 Amazon Bedrock 服务被拒绝)"),
        ("api キー + 無効", _ROO_EMBEDDINGS + " (無効なAPIキーです)"),
        ("zugriff + verweigert", _ROO_EMBEDDINGS + " (Zugriff auf den Amazon Bedrock-Dienst "
         "verweigert)"),
        ("アクセスが拒否 | 액세스가 거부 | 잘못된 api 키 | ungültiger api schlüssel | clé api "
         "invalide | accès refusé | clave de api no válida | acceso denegado | chave de api "
         "inválida | acesso negado | неверный ключ api", _ROO_EMBEDDINGS + " (invalidApiKey, "
         "bedrock.accessDenied)"),
        ("токен | токена | 토큰 | jeton + недопустимый | не предоставлен | истёк | истек | "
         "недоступен | не имеет доступа | 유효하지 않 | 제공되지 않 | 만료 | 사용할 수 없 | 권한이 "
         "없 | invalide | non fourni | a expiré | indisponible | pas accès | aucun accès",
         _NEW_API_LOCALES
         + " (token.invalid, token.not_provided, token.expired, token.status_unavailable, "
         "distributor.token_model_forbidden)"),
        ("token + inválido | não fornecido | expirou | indisponível | não tem acesso",
         _NEW_API_LOCALES + " (pt-BR token.invalid, token.not_provided, token.expired, "
         "distributor.token_model_forbidden)"),
        ("não autorizado | foi banido | sem permissão | нет прав доступа | 권한이 없 | a été banni "
         "| pas de permission", _NEW_API_LOCALES + " (distributor.group_access_denied, "
         "oauth.user_banned)"),
        ("canal | usuário | utilisateur | канал | пользователь | 채널 | 사용자 + foi desativado | "
         "a été désactivé | отключён | заблокирован | 비활성화되었습니다 | 차단되었습니다",
         _NEW_API_LOCALES + " (distributor.channel_disabled, user.disabled, oauth.user_banned: "
         "a channel or user the relay disabled; not anything else disabled or blocked, as "
         "Roo-Code ko checkpoints or ru output blocked by safety settings)"),
        ("令牌 | トークン + 未提供 | 状态不可用 | 狀態不可用 | 已過期 | 無效 | 无权 | 無權 | "
         "验证失败 | 驗證失敗 | 無効 | 提供されていません | 有効期限が切れ | 利用不可 | "
         "アクセスできません", _NEW_API_LOCALES + " (token.not_provided, token.expired, "
         "token.status_unavailable, distributor.token_model_forbidden)"),
        ("无权访问 | 無權存取 | 無權訪問 | 无权使用 | 無權使用 | 被封禁 | 権限がありません | ban "
         "されて | アクセス許可リスト",
         _NEW_API_LOCALES + " "
         "(distributor.group_access_denied, channel_disabled, user.disabled, oauth.user_banned, "
         "auth.permission_denied, auth.ip_not_allowed)"),
        ("渠道 | 管道 | 用户 | 使用者 | チャンネル | ユーザー + 已被禁用 | 無効化されています",
         _NEW_API_LOCALES + " (distributor.channel_disabled 该渠道已被禁用, user.disabled)"),
        ("key | ключ + недействителен", _LOBE_RESPONSES + " (ru-RU InvalidAnthropicAPIKey: "
         "Anthropic API Key недействителен)"),
        ("pas l autorisation | pas la permission | autorisations insuffisantes | no tiene "
         "permiso | no tienes permiso | permisos insuficientes | api key incorrecta | não tem "
         "permissão | falta de permissão | api key inválido | senha de acesso inválida | нет "
         "разрешения | аутентификация | неверный или пустой ключ | 鉴权 | "
         "没有访问 - n existe pas | no existe | não existir | не существует",
         _LOBE_RESPONSES + " (401, 403, PermissionDenied, InvalidProviderAPIKey, "
         "InvalidBedrockCredentials)"),
        ("驗證失敗 | 身分驗證 | 身份驗證 | 存取被拒 | 沒有權限 | 權限不足 | 未授權 | 无权限",
         _LOBE_ZH_TW + " (401 權限不足或身分驗證無效; 403 您沒有權限存取此內容); " + _ROO_ZH_TW
         + " (API 驗證失敗; API 存取被拒絕); " + _MINIMAX_ZH),
        ("金鑰 + 不正確 | 無效 | 為空 | 過期", _LOBE_ZH_TW + " (API 金鑰不正確或為空)"),
        ("zugriff verweigert | authentification | accès interdit | autenticación | acceso "
         "prohibido | autenticação | 인증 | 액세스가 금지 | 访问被禁止 | kimlik doğrulama | "
         "erişimi yasak | xác thực",
         _ROO_LOCALES_MORE),
        ("negado",
         _ROO_LOCALES_MORE),
        ("truy cập ~ bị từ chối",
         _ROO_LOCALES_MORE),
        ("認証 | キーが正しくない | キーが空 | キーに無効 | 権限 | アクセスが禁止 | "
         "authentifizierung | keine berechtigung | аутентификации | запрещен | 키가 잘못 | "
         "không có quyền truy cập - không tồn tại", _LOBE_LOCALES + "; " + _ROO_LOCALES),
        ("lacks permission | lacks the required scope | lacks required scope | model not "
         "allowed | gateway credential | gateway credentials | gateway token", "nutrient.io "
         "dws-ai-gateway "
         "errors (403 Key lacks permission); developers.wpengine.com ai/api/errors (403 "
         "permission_error: Valid key, but it lacks the required scope.); langfuse.com "
         "ai-gateway-error-codes (401 Invalid gateway credential; 403 model_not_allowed); "
         "gpustack/gpustack gpustack/api/auth.py (401 Invalid gateway token): the "
         "key may not do this"),
        ("insufficient authentication scopes | insufficient authentication scope | "
         "reported as leaked | key was leaked | key has been leaked | missing authentication "
         "token | no cookie auth credentials", "Google APIs' 403 PERMISSION_DENIED "
         "ACCESS_TOKEN_SCOPE_INSUFFICIENT (Request had insufficient authentication scopes.), "
         "as gcloud and Workspace clients print it; the Gemini API's 403 (Your API key was "
         "reported as leaked. Please use another API key.); Amazon API Gateway's 403 "
         "MissingAuthenticationTokenException (Missing Authentication Token); OpenRouter's "
         "401 (No cookie auth credentials found), as agents that sent no key print it: the "
         "credential is missing, too narrow or revoked"),
        ("insufficient permissions | insufficient permission | insufficient scope | missing "
         "scopes | do not have permission | don t have permission | does not have permission",
         "OpenAI 401 (You have insufficient permissions for this operation. Missing scopes: "
         "model.request); API servers' 403s (insufficient permissions for this operation); "
         + _GOOGLE_CODES + " (The caller does not have permission)"),
        ("authorization header + missing | is missing | required | invalid | malformed | not "
         "provided", "API servers' and Supabase functions' 401s (Missing Authorization "
         "header; HTTPException(401, Missing Authorization header); gRPC Unauthenticated: "
         "missing authorization header)"),
        ("no logged in | logged in account | 正确的 api key | 正确的 api keys",
         "chathub-dev/chathub chatgpt-webapp client.ts (There is no logged-in ChatGPT account "
         "in this browser); openai-translator/bob-plugin-openai-translator (填入了正确的 API "
         "Keys)"),
        ("api key | api keys + 错误 | 无效 | 不正确", "AgaveTech/bob-plugin-openl-translate#2 (API "
         "Key 错误)"),
        ("token not provided | no token provided | token status is unavailable | no "
         "permission to access | no permission to use", "QuantumNous/new-api "
         "i18n/locales/en.yaml (token.not_provided: Token not provided; "
         "token.status_unavailable: This token status is unavailable; "
         "distributor.group_access_denied: No permission to access this group), the relays "
         "agents put in front of providers: the caller's token may not be used"),
        ("token is missing | missing token | token missing | no auth | noauth",
         "LLM-Red-Team/step-free-api#16 (token is missing); CCLMSY/nonebot-plugin-sparkapi#8 "
         "(iFlytek Spark 11200 AppIdNoAuthError)"),
        ("not signed in | sign in to use | invalid username or password | incorrect username "
         "or password | default credentials were not found | determine credentials",
         "GitHub Copilot (You are not signed in to GitHub. Please sign in to use Copilot.); "
         "googleapis/google-auth-library-python _default.py (DefaultCredentialsError: Could "
         "not automatically determine credentials.; Your default credentials were not "
         "found.); huggingface_hub and git hosts (Invalid username or password.): the client "
         "has no usable identity"),
        ("client secret | config profile + not found | could not be found | invalid | expired "
         "| missing | provided", "Microsoft Entra ID (AADSTS7000215: Invalid client secret "
         "provided.), as Azure OpenAI clients print it; boto/botocore exceptions.py "
         "(ProfileNotFound: The config profile (x) could not be found): the client's "
         "credential or profile is wrong or missing"),
        ("not been granted access | not granted access | haven t been granted access",
         "stripe/ai (Stripe AI SDK Provider Access Required: You are probably seeing this error "
         "because you have not been granted access to the Stripe AI SDK Provider private "
         "preview): the caller may not use it"),
        ("not logged in | login required | please log in | log in again | please sign in | "
         "sign in again | run login | session expired | token refresh failed | failed to "
         "refresh token | reauthentication is needed | reauthentication required | "
         "reauthenticate", "anthropics/claude-code (Not logged in · Please run /login; Invalid "
         "API key · Please run /login); OAuth clients whose refresh failed (invalid_grant: "
         "the session must sign in again); googleapis/google-auth-library-python "
         "(RefreshError: Reauthentication is needed. Please run `gcloud auth "
         "application-default login` to reauthenticate.)"),
        ("has not been used in project | before or it is disabled", "Google APIs' 403 "
         "PERMISSION_DENIED SERVICE_DISABLED (Generative Language API has not been used in "
         "project 123 before or it is disabled. Enable it by visiting ...; the same for Drive, "
         "Calendar, Compute Engine APIs, googleapi: Error 403: Access Not Configured)"),
        ("unregistered callers", "Google APIs' 403 (Method doesn't allow unregistered callers "
         "(callers without established identity). Please use API Key or other form of API "
         "consumer identity to call this API.), as Gemini clients report a missing key"),
        ("please set | must set | you need to set + api key | api keys | apikey | api token",
         "mlfoundations/evalchemy#54 (ValueError: Please set OPENAI_API_KEY); simonw/"
         "llm-mistral#6 (You must set the 'mistral' key ...): no key to send"),
        ("key environment variable | key env var", "simonw/llm-mistral#6 (You must set the "
         "'mistral' key or the LLM_MISTRAL_KEY environment variable.); simonw/llm "
         "(NeedsKeyException: ... set the OPENAI_API_KEY environment variable); Gemini apps' "
         "missing-key errors (Please set the GEMINI_API_KEY environment variable.; "
         "GROQ_API_KEY environment variable is not set.): no key to send"),
        ("country region or territory | unsupported country | user not found", _OPENAI_ERRORS
         + " (403 unsupported_country_region_territory: Country, region, or territory not "
         "supported); OpenRouter (401 User not found: the key's user)"),
        ("api not enabled | api is not enabled | api was not enabled | api to be enabled - "
         "billing", "Google Cloud's SERVICE_DISABLED (403 PERMISSION_DENIED) as gcloud words it "
         "(API [sqladmin.googleapis.com] not enabled on project [x]., its prompt 'Would you like "
         "to enable and retry?') and as the Firebase AI SDKs word it (firebase/firebase-ios-sdk"
         "#13007: The Vertex AI for Firebase SDK requires the Firebase ML API ... to be enabled "
         "for your project.; firebase/flutterfire#13542 the same for firebasevertexai."
         "googleapis.com): the project may not call that API; not billing that must be enabled "
         "(This API method requires billing to be enabled)"),
        ("身份验证失败 | 鉴权失败 | 认证失败 | 无效的令牌 | 令牌无效 | 令牌已过期 | 无权访问 | "
         "权限不足 | 未授权 | 密钥错误 | 密钥无效",
         _ZHIPU + " (1000 身份验证失败; 1220 您无权访问); " + _KIMI_ZH + " ("
         "鉴权失败); "
         "docs.crazyrouter.com/error-handling (401 认证失败; 403 权限不足)"),
        ("api key | apikey | token | 令牌 | 密钥 + 非法 | 无效 | 已过期", _ZHIPU + " (1002 "
         "Authentication Token 非法; 1003 Authentication Token 已过期)"),
        ("unauthorized | unauthorised | unauthenticated | not authenticated | not authorized",
         "HTTP 401 reason phrase; " + _GOOGLE_CODES),
        ("authentication + failed | failure | fails | error | required | invalid - remote "
         "party | remote certificate | transport stream | tls alert | ssl connection",
         "openai-python (AuthenticationError); " + _ANTHROPIC_ERRORS + "; round 32: not "
         ".NET SslStream's System.Security.Authentication.AuthenticationException, a TLS "
         "handshake that failed (network): Authentication failed because the remote party "
         "has closed the transport stream. / ... sent a TLS alert: 'HandshakeFailure'. (NATS "
         ".NET client docs, PolarProxy logs); The SSL connection could not be established, "
         "see inner exception. ---> ... The remote certificate is invalid because of errors "
         "in the certificate chain: UntrustedRoot (NuGet restore troubleshooting docs)"),
        ("auth failure | auth failed", "Abilityai/trinity#361 ([Headless Task] Auth failure "
         "(fallback detection): ...)"),
        ("token has been invalidated | token invalidated | try signing in again | signature "
         "we calculated does not match", "openai/codex (401 token_invalidated: Your "
         "authentication token has been invalidated. Please try signing in again.; matched "
         "by several ChatGPT-login proxies); AWS SigV4 (403 SignatureDoesNotMatch: The "
         "request signature we calculated does not match the signature you provided)"),
        ("cannot read credentials | could not read credentials | unable to read credentials",
         "aws/aws-sdk-php CredentialProvider (Aws\\Exception\\CredentialsException: Cannot "
         "read credentials from ~/.aws/credentials); CLI tools' own (cannot read credentials "
         "from file or keychain/keyring); not a JavaScript TypeError (Cannot read properties "
         "of undefined (reading 'credentials'))"),
        ("error signing in | sign in failed | signing in failed | failed to sign in | unable "
         "to sign in | could not sign in | login failed | failed to log in | unable to log in | "
         "log in failed - firewall | allowlist | proxy | network | connection | timed out | "
         "timeout", "augmentcode/augment.vim#50 (Error signing in: Failed to process user "
         "code.); editors' and CLIs' OAuth sign-in failures (GitHub Copilot: Sign in failed; "
         "login failed: invalid_grant): the account could not sign in; not where the "
         "connection was what failed (augmentcode/augment.vim#51: firewall)"),
        ("failed to authenticate | unable to authenticate | could not authenticate",
         "zed-industries/zed#61435 (Failed to authenticate provider: ...); Express and Node "
         "APIs' 401 bodies (Failed to authenticate token); Salesforce and Redis clients "
         "(Failed to authenticate with ...)"),
        ("api key | apikey | admin key | access token | auth token | bearer token | api token | "
         "authorization token | authentication token | oauth token | o auth token | oauth "
         "login | o auth login | "
         "subscription token | authentication key | auth key | admin token | refresh token | "
         "credentials | x api key + invalid | incorrect | missing | expired | revoked | "
         "not valid | required | wrong | bad | not found | not set | not provided | failed to "
         "retrieve | unable to retrieve | could not retrieve | unable to locate | failed to load "
         "| unable to load | could not load | failed to refresh | rejected | isn t provided | "
         "is not provided | wasn t provided | should start with "
         "| must start with | must be set",
         _OPENAI_ERRORS + " (Incorrect API key provided); Gemini (API key not valid); "
         "Anthropic (invalid x-api-key); theroyallab/tabbyAPI common/auth.py (The provided "
         "authentication key is missing.); Portkey-AI/gateway adminAuth (Invalid admin "
         "token.); xorbitsai/inference api (Invalid or expired refresh token); botocore "
         "exceptions.py (NoCredentialsError: Unable "
         "to locate credentials); langwatch/langwatch#7602 (Bifrost: failed to retrieve aws "
         "credentials); microsoft/magentic-ui _ai_client.py (The model server rejected the API "
         "key); mscraftsman/generative-ai (API key should start with 'AIza'); "
         "Abilityai/trinity#361 (Subscription token may be expired or revoked: the token of a "
         "Claude subscription made by 'claude setup-token'); openai-python _client.py "
         "(OpenAIError: The api_key client option must be set either by passing api_key to "
         "the client or by setting the OPENAI_API_KEY environment variable)"),
        ("jwt expired | jwt malformed | invalid jwt | jwt must be provided | signature "
         "verification failed | signature has expired", "auth0/node-jsonwebtoken "
         "(TokenExpiredError: jwt expired; JsonWebTokenError: jwt malformed, jwt must be "
         "provided); jpadilla/pyjwt (InvalidSignatureError: Signature verification failed; "
         "ExpiredSignatureError: Signature has expired), as gateways and front-ends with "
         "token auth answer a stale or broken token"),
        ("could not resolve authentication method | authentication method - requested to "
         "change | change authentication | change auth", "anthropic-sdk-"
         "typescript src/client.ts (Could not resolve authentication method. Expected either "
         "apiKey or authToken to be set.); not the user's choice to switch methods "
         "(google-gemini/gemini-cli packages/core/src/utils/errors.ts ChangeAuthRequestedError: "
         "User requested to change authentication method)"),
        ("google cloud project | cloud project id | account requires + env var | environment "
         "variable | environment variables | must be set", "google-gemini/gemini-cli "
         "packages/core/src/code_assist/setup.ts (ProjectIdRequiredError: This account requires "
         "setting the GOOGLE_CLOUD_PROJECT or GOOGLE_CLOUD_PROJECT_ID env var.; "
         "InvalidNumericProjectIdError: ... The GOOGLE_CLOUD_PROJECT (or "
         "GOOGLE_CLOUD_PROJECT_ID) environment variable must be set to your string-based "
         "Project ID); packages/cli/src/config/auth.ts (When using Vertex AI, you must specify "
         "either: GOOGLE_CLOUD_PROJECT and GOOGLE_CLOUD_LOCATION environment variables.): the "
         "account's Google Cloud project, part of its sign-in, is not set"),
        ("access to + was denied | is denied | been denied | were denied - path | file | "
         "directory | folder", "google-gemini/gemini-cli packages/core/src/code_assist/"
         "server.ts (on PERMISSION_DENIED: Access to the default Cloud Shell Gemini project was "
         "denied. Please set your own Google Cloud project); Google APIs' 403 PERMISSION_DENIED "
         "(Permission denied on resource project x); not a local file (.NET: Access to the path "
         "x is denied, a tool's error)"),
        ("provide | supply + api authentication | authentication credentials",
         "tghamm/Anthropic.SDK EndpointBase.cs (AuthenticationException: You must provide API "
         "authentication.)"),
        ("no api key | no apikey | no credentials | no auth credentials | provide an api key "
         "| provide a valid api key | provide your api key | provide api key | no keys found | "
         "no key found | no keys available | no valid keys | no valid key",
         "OpenAI (You didn't provide an API key); OpenRouter (No auth credentials found); "
         "langwatch/langwatch#7602 (Bifrost gateway: no keys found that support model)"),
        ("access + terminated | revoked | suspended | withdrawn", "kimi.com/code/docs "
         "kimi-code/error-reference (403 Access terminated)"),
        ("only available for | only available to | only accessible to | only accessible by",
         "kimi.com/code/docs kimi-code/error-reference (403 Kimi For Coding is currently only "
         "available for Coding Agents): access withheld from this client or user"),
        ("requires admin | admin required | admin only | only admin | only admins | only proxy "
         "admin | admin privileges | admin access", "mudler/LocalAI core/http (403 "
         "localai_assistant requires admin); BerriAI/litellm proxy route checks (401 "
         "Authentication Error, Only proxy admin can be used to generate, delete, update info "
         "for new keys/users/teams): the caller's role may not do this"),
        # facts35: a role-based access check that the caller fails
        ("lacks the required data action | lacks the required permission | lacks the "
         "required permissions | lacks the required role | not authorized to perform",
         "Azure RBAC as Azure OpenAI and AI Foundry answer it (PermissionDenied: The principal "
         "`x` lacks the required data action `Microsoft.CognitiveServices/accounts/OpenAI/"
         "deployments/chat/completions/action` to perform `POST /openai/deployments/"
         "{deployment-id}/chat/completions` operation.); AWS IAM as Bedrock answers it "
         "(AccessDeniedException: User: arn:... is not authorized to perform: bedrock:"
         "InvokeModel; Model access is denied due to IAM user or service role is not "
         "authorized to perform the required AWS Marketplace actions): the caller's identity "
         "may not do this"),
        ("account | organization | organisation | key | channel + suspended | disabled | "
         "deactivated | banned | not active | inactive | blocked | restricted - safety | "
         "image safety | moderation | generated image | generated content | image generation",
         "Groq "
         "(organization_restricted: Organization has been restricted. Please reach out to "
         "support if you believe this was in error.); ""OpenAI (Your account is not "
         "active); QuantumNous/new-api middleware/distributor.go (403 This channel has been "
         "disabled); "
         "Anthropic (This organization has been disabled.); BerriAI/litellm proxy auth (Key is "
         "blocked. Update via `/key/unblock` if you're admin.); API servers' 403s (The owner "
         "of this API key is blocked; Firebase: API key is blocked for this domain); facts35: "
         "not generated content blocked for safety (jeffstric/ZJT#494 gateway channel_error: "
         "Gemini image generation blocked [IMAGE_SAFETY]; Gemini finishReason IMAGE_SAFETY)"),
        ("access key | secret key | secret access key | security token | session token + set | "
         "missing | no | not found | invalid | required | not enough | expired", "baidubce/bce-"
         "qianfan-sdk (Please set AK and SK or AccessKey and SecretKey); AWS SDKs (The security "
         "token included in the request is invalid; ExpiredTokenException: The security token "
         "included in the request is expired; the session token of temporary credentials, "
         "AWS_SESSION_TOKEN); anthropics/claude-code CHANGELOG.md (Session token not found or "
         "invalid, the sign-in's session token)"),
        ("don t have access | do not have access | does not have access | no access to - does "
         "not exist | not found | doesn t exist", _AWS_ERRORS + " (AccessDeniedException: "
         "You don't have access to the model with the specified model ID.); OpenAI 403 "
         "(Project does not have access to model x); not a model that does not exist (The "
         "model `x` does not exist or you do not have access to it)"),
        ("terms | license + not agreed | agree to | accept", "Cloudflare Workers AI errors (User "
         "has not agreed to Llama3.2 model terms): access to the model is withheld"),
        ("invalid token | expired token | token expired | token has expired | token is "
         "expired | invalid authentication | invalid credentials",
         "OAuth 2.0 (RFC 6750 invalid_token)"),
        ("authorization failed | authorizationfailed", "Azure Resource Manager error code "
         "AuthorizationFailed (The client x does not have authorization to perform action y); "
         "n8n-io/n8n packages/workflow/src/errors/node-api.error.ts (401: Authorization failed "
         "- please check your credentials)"),
        ("access denied | denied access | forbidden | permission denied | does not have access "
         "| do not have access | not have permission | not allowed to access | not authorized "
         "to access | not permitted to access - does not exist | not found | extra forbidden",
         "HTTP 403 reason phrase; " + _AWS_ERRORS + " (AccessDeniedException); "
         "microsoft/magentic-ui "
         "_ai_client.py (The model server denied access); not pydantic v2's error type "
         "extra_forbidden (Extra inputs are not permitted) in a FastAPI-based server's 422 "
         "body (partITech/php-mistral#76: Mistral's {\"type\":\"extra_forbidden\", "
         "\"loc\":[\"body\",\"tools\"]})"),
        ("api key | apikey | api keys | access key | secret key | access token | bearer token "
         "| auth type | authtype | ak and sk | ak sk | ad token + must be provided | need to be "
         "provided | needs to be provided | should be provided | must provide | cannot be "
         "undefined | can not be undefined | is empty", _WATSONX_NODE
         + " (authType and apiKey cannot be undefined! Please specify an authType or an "
         "apikey); " + _AI21_SDK + " (Must provide "
         "either api_key or azure_ad_token_provider or azure_ad_token); " + _QIANFAN_SDK
         + " (both ak and sk must be provided, otherwise access_token should be provided; "
         "access_key and secret_key must be provided!; (bearer_token) must be provided): an SDK "
         "set up without its credentials, not a request argument"),
        ("could not get | couldn t get | unable to get | failed to get | cannot get | could not "
         "obtain | unable to obtain | failed to obtain | failed to acquire | unable to acquire ~ "
         "access token | service token | auth token | oauth token | credentials | credential",
         _AI21_SDK + " (vertex: Could not get access token for GCP project x; Could not get "
         "credentials for GCP project): the client has no credential to send; not a token of "
         "the answer (failed to get token: failed to deserialize api response, batch 28)"),
        ("get | obtain | acquire ~ access token | service token | auth token | credentials + "
         "failed | failure", _QIANFAN_SDK + " (APIErrorCode.GetServiceTokenFailed, 13: get "
         "service token failed)"),
        ("certification + failed | failure - certificate | certification path | pkix | ssl | "
         "handshake | certpath", _QIANFAN_SDK + " (APIErrorCode.IAMCertificationFailed, 14: "
         "IAM Certification failed): the identity check failed; not a TLS certificate or its "
         "path (javax.net.ssl.SSLHandshakeException: PKIX path building failed: ... unable to "
         "find valid certification path)"),
        ("authenticator | authentication | auth type | authtype + unable to create | could not "
         "create | cannot create | failed to create | not provided | is necessary | only valid | "
         "cannot be undefined", _WATSONX_NODE + " (Unable to create an authenticator from the "
         "environment.; requestToken function not provided. This function is necessary for zen "
         "authentication.; requestToken function is only valid for zen authentication)"),
        ("credentials | credential + mismatch | do not match | does not match | doesn t match",
         _AI21_SDK + " (gcp_authorization.py: Mismatch between credentials project id and "
         "'project_id')"),
        ("requires authentication | requires iam authentication | failed to sign request",
         _QIANFAN_SDK + " (Console request requires IAM authentication; Failed to sign "
         "request)"),
        ("ak and sk | ak sk | access key | secret key + not registered", _QIANFAN_SDK
         + " (provided ak and sk are not registered)"),
        ("invalid credential | no valid credential | no valid credentail | secret id should | "
         "secret key should", "TencentCloud/tencentcloud-sdk-python tencentcloud/common at "
         "bf297176cf0f (TencentCloudSDKException InvalidCredential: secret id should not be "
         "none or empty; secret key should not contain spaces; ClientSideError: no valid "
         "credentail.; printed [TencentCloudSDKException] code:InvalidCredential message:...)"),
        ("service not activated | 服务未开通", _HUNYUAN + " (FailedOperation.ServiceNotActivated: "
         "服务未开通, 请前往控制台申请试用): the account may not use the service yet"),
        ("auth error", "infiniflow/ragflow rag/llm/chat_model.py (LLMErrorCode.AUTH_ERROR, as "
         "its errors name the kind)"),
        ("not currently signed in | api key is nil | enter your api key", "ollama/ollama "
         "server/routes.go (401: you are not currently signed in); nshkrdotcom/gemini_ex "
         "lib/gemini/auth/gemini_strategy.ex (API key is nil); Kochava-Studios/witsy "
         "locales/en.json (missingApiKey: You need to enter your API key in the Models tab): "
         "no credential to send"),
        # round 25: SDK pre-flight checks that find no credential to send, and access to a
        # model the account may not use.
        ("credential | credentials + resolve | resolved | to be set | not enabled | not loaded "
         "| providers in chain | provided credentials | unavailable | not available",
         "openai/openai-java openai-java-bedrock BedrockAuth.kt (Failed to resolve a bearer "
         "credential for Bedrock.; Failed to resolve AWS credentials for Bedrock.); "
         "anthropics/anthropic-sdk-go bedrock/bedrock.go (expected AWS credentials to be set); "
         "awslabs/aws-sdk-rust aws-config (no providers in chain provided credentials; the "
         "credential provider was not enabled; CredentialsNotLoaded); aws/aws-sdk-go "
         "(NoCredentialProviders: no valid providers in chain); tensorzero/tensorzero "
         "crates/tensorzero-error (Autopilot credentials unavailable): the SDK found no "
         "credential to sign with"),
        ("no token found | no oauth token found | no auth token found | no access token found | "
         "no token configured | token is not set | token not set | token was not set",
         "mlverse/chattr (R, openai_token(): No token found); huggingface/huggingface_hub "
         "utils/_headers.py (Token is required (`token=True`), but no token found.); "
         "cli/cli (no oauth token found): no token to send"),
        ("access to ~ denied - path | file | directory | folder", "Alibaba Cloud Model Studio "
         "error codes (AccessDenied.Unpurchased: Access to model denied.)"),
        ("eligible + use | using | access - throughput | device", "Alibaba Cloud Model Studio "
         "error codes (AccessDenied.Unpurchased: Please make sure you are eligible for using "
         "the model.): the account may not use the model"),
        ("organization must be verified | verify organization | organization verification",
         "OpenAI API (Your organization must be verified to use the model `o3`. Please go to: "
         "https://platform.openai.com/settings/organization/general and click on Verify "
         "Organization.; openai/openai-agents-python#1050, as clients quote it): the account "
         "may not use the model until it is verified"),
        ("unable to refresh | failed to refresh | could not refresh | cannot refresh | couldn t "
         "refresh | error refreshing + token | tokens | access token | credentials | credential "
         "| session", "API clients' OAuth refresh (Unable to refresh access token; Unable to "
         "refresh access token for request due to token refresh error: ...), as wrappers of "
         "OAuth-signed model APIs throw it: the credential could not be renewed"),
        ("api schlüssel | clave de api + leer | vacía", "lobehub/lobe-chat locales/{de-DE,es-ES}/"
         "error.json (NoOpenAIAPIKey: Der OpenAI-API-Schlüssel ist leer; La clave de API de "
         "OpenAI está vacía): no key to send"),
        ("authorization required | authorization is required", "nginx and Apache httpd 401 "
         "pages (401 Authorization Required), as proxies in front of a model answer"),
        ("denied on resource | denied on the resource", "googleapis google/rpc PERMISSION_DENIED "
         "(403: Permission 'aiplatform.endpoints.predict' denied on resource '...' (or it may "
         "not exist).; Permission denied on resource project x.), as Vertex AI and the Gemini "
         "API send it: not allowed, whether or not it exists"),
        ("api key | apikey | api token | access token + did not find | could not find | unable to "
         "find | cannot find | couldn t find | can t find | setting | passing in | not "
         "configured | configure your", "tidyverse/ellmer R/utils.R (Can't find env var "
         "`OPENAI_API_KEY`.); apps' checks (API key not configured; Please configure your API "
         "key); langchain-ai/langchain "
         "utils/env.py get_from_dict_or_env (Did not find openai_api_key, please add an "
         "environment variable `OPENAI_API_KEY` which contains it); cohere-ai/cohere-python "
         "client.py (The client must be instantiated be either passing in token or setting "
         "CO_API_KEY): no key to send"),
        ("need to use | you need | need an | needs an | requires an + api key | apikey | api "
         "token", "continuedev/continue core/llm/llms/Replicate.ts (You need to use an API "
         "key); providers' docs (This endpoint requires an API key): no key sent"),
        ("non ~ api key | api keys", "huggingface/huggingface.js packages/inference/src/"
         "providers/providerHelper.ts (InferenceClientRoutingError: Cannot select auto-router "
         "when using non-Hugging Face API key.): the key is not one that may use it"),
        ("not available for this account | not available for your account | not enabled for "
         "your account | not enabled for this account | not available to your account",
         "Amazon Bedrock via theopenco/llmgateway#3393 (401: x is not available for this "
         "account. ... contact AWS Sales); apps' entitlement checks (not enabled for your "
         "account): the account may not use it"),
        ("cannot be null | must not be null | can not be null + credential | apikey | api key | "
         "key credential", "openai/openai-dotnet, Azure SDKs for .NET (ArgumentNullException: "
         "Value cannot be null. (Parameter 'credential')): no credential given"),
        # round 30: an OAuth grant refused, a request signature refused.
        ("invalid grant | invalid client | unauthorized client | expired or revoked | been "
         "revoked | was revoked - certificate | cert | invalid client request | invalid client "
         "version | invalid client side | invalid client config", "RFC 6749 section 5.2 (token "
         "endpoint errors invalid_grant, invalid_client, unauthorized_client); "
         "googleapis/google-auth-library-python google/oauth2/_client.py (RefreshError: "
         "('invalid_grant: Token has been expired or revoked.', ...)), as Vertex AI and Gemini "
         "OAuth users meet it: the sign-in is no longer accepted; not a revoked TLS "
         "certificate (network)"),
        ("signature expired | signature has expired | signature does not match | signature "
         "mismatch | request signature - thought | thinking", "AWS Signature Version 4 "
         "(403 InvalidSignatureException / SignatureDoesNotMatch: Signature expired: "
         "20191205T142350Z is now earlier than 20191205T211850Z (... - 5 min.); The request "
         "signature we calculated does not match the signature you provided), as Bedrock "
         "callers with a skewed clock meet it: the request's credentials are refused; not a "
         "model's thought signature (Gemini, Anthropic thinking blocks: bad_request)"),
        # round 32: a framework's credential lookup that found nothing to send.
        ("authentication environment variable | authentication environment variables | api "
         "key environment variable | api key environment variables + not set | are set | is "
         "unset | are unset | missing | empty", "deepset-ai/haystack haystack/utils/auth.py "
         "EnvVarSecret (ValueError: None of the following authentication environment "
         "variables are set: ('OPENAI_API_KEY',)), as Haystack components and their tests "
         "raise it when no API key is found"),
    )),
    ("billing", PROVIDER_ERROR_REFINEMENT_FAMILIES[1][1]),
    ("bad_request", (
        # facts37: a message the server could not parse
        ("unparsable | unparseable + message | request | json | body | payload | input",
         "developers.deepgram.com docs voice-agent-errors-warnings (UNPARSABLE_CLIENT_MESSAGE); "
         "the client sent what the server cannot read"),
        # facts37: a model or option the server does not support yet
        ("not yet supported | not supported yet | isn t yet supported - internal server error | "
         "internal error | server error | was not found | were not found",
         "xllm-go/bypass#138 (a gateway's 400 body: model "
         "'windsurf/claude-3-7-sonnet' is not not yet supported); apps' own checks (This model "
         "is not yet supported.): the request asks for what the server cannot do, as with "
         "not supported"),
        # round 27: request-validation and capability wordings of servers, gateways and SDKs,
        # read from the message alone (a request the server cannot take as built).
        ("only supports | only support | only supported | only accepts | only accept | only "
         "allows | only handles | only works with - up to | tokens | token | context | "
         "characters | bytes | size | length | api key | apikey | account | organization | "
         "plan | tier | subscription | concurrent | " + _RATE_WORDS,
         "Kong/kong kong/llm/plugin/shared-filters/normalize-request.lua (400: this LLM route only"
         " supports application/json requests; this LLM route only supports llm/chat type "
         "requests); Alibaba Cloud Model Studio error codes (400 InvalidParameter: This model only"
         " support stream mode, please enable the stream parameter; parameter.enable_thinking only"
         " support stream call); NVIDIA NIM via lidge-jun/opencodex#126 (400: This model only "
         "supports single tool-calls at once!); ollama/ollama server/prompt.go (this model only "
         "supports one image); triton-inference-server/server examples (this example only supports"
         " model with data type FP32): what the request asks for is not what the server or model "
         "serves; not a size or a rate"),
        ("not allowed for this endpoint | not allowed for this model | not allowed with this "
         "model | not allowed when streaming | not allowed with streaming", "huggingface/text-"
         "generation-inference router/src/validation.rs (BestOfDisabled: `best_of` != 1 is not "
         "allowed for this endpoint; TopNTokensDisabled: `top_n_tokens` != 0 is not allowed for "
         "this endpoint): a parameter value the endpoint does not take"),
        ("no longer supported | no longer accepted | not supported anymore | no longer "
         "allowed", "huggingface/huggingface.js packages/inference/src/lib/makeRequestOptions.ts "
         "(InferenceClientInputError: Model URLs are no longer supported. Use endpointUrl "
         "instead.); Groq 400 model_decommissioned (... has been decommissioned and is no longer "
         "supported): a request in a form the API took once and takes no more"),
        ("unsupported ~ image | images | url | urls | media | mime | content | role | method | "
         "input | inputs | modality | request | requests | mode | feature | encoding | message | "
         "messages | type | types | part | parts | audio | video | document | file type",
         "Kimi Code error reference (400: unsupported image url); ollama/ollama "
         "(anthropic: unsupported image source; unsupported mime type); ml-explore/mlx-examples"
         "#1060 (http.server: Unsupported method ('GET')); baidubce/bce-qianfan-sdk (Unsupported "
         "openapi method); aws-samples/bedrock-access-gateway (Unsupported input type): a part "
         "of the request the server does not take"),
        ("at the same time | simultaneously | together | in the same request + cannot | can not "
         "| can t | may not | must not | not allowed | not be used | not supported - too many | "
         "concurrent | concurrency | busy | capacity | so many | more than | limit | "
         + _RATE_WORDS,
         "Kong/kong kong/plugins/ai-proxy drivers (400: cannot run raw 'prompt' and chat history "
         "'messages' requests at the same time - refer to schema); TGI router validation "
         "(`best_of` != 1 is not supported when streaming tokens); request validators' "
         "wording for parameters that exclude each other (x and y cannot be used together): "
         "two parts the request may not send together; not a server with too much to do"),
        ("but not both | not both at once", "ggml-org/llama.cpp tools/server (Either "
         "\"json_schema\" or \"grammar\" can be specified, but not both): two parameters of "
         "which the request may send one"),
        ("may be provided in one request | can be provided in one request | may be provided "
         "per request | allowed in one request", "vllm-project/vllm entrypoints/chat_utils.py "
         "(400: At most 1 image(s) may be provided in one request. You can set "
         "`--limit-mm-per-prompt` to increase this limit), as NVIDIA NIM and lmms-eval users "
         "meet it: more parts of a kind than the server takes in one request"),
        ("expected last role | message order | assistant messages at the end | must end with a "
         "user message | conversation must end with", "Mistral API 400 "
         "invalid_request_message_order, code 3230 (Expected last role User or Tool (or "
         "Assistant with prefix True) for serving but got assistant); ggml-org/llama.cpp "
         "common/chat (Cannot have 2 or more assistant messages at the end of the list.); "
         "Anthropic 400 (This model does not support assistant message prefill. The "
         "conversation must end with a user message.): the request's messages in an order the "
         "API does not take"),
        ("mutually exclusive | only one of | exactly one of | either one of", "request "
         "validators' wording (x and y are mutually exclusive; only one of `prompt` or "
         "`messages` may be set; exactly one of ... must be provided), as vLLM, TGI and gateways "
         "check a request's parameters: parameters that exclude each other"),
        ("must use | must set | must enable | must disable | must pass | must send | must be "
         "enabled | must be disabled | please enable | please disable | need to enable | needs to "
         "be enabled + when | if | with | parameter | stream | streaming - env file | environment "
         "variable | api key | apikey | token | credential | credentials | plan | subscription "
         "| credits | " + _RATE_WORDS, "huggingface/text-generation-inference router/src/"
         "validation.rs (BestOfSampling: you must use sampling when `best_of` is > 1; BestOfSeed: "
         "`seed` must not be set when `best_of` > 1); Alibaba Cloud Model Studio (This model only "
         "support stream mode, please enable the stream parameter): a parameter another one "
         "needs; not the program's own setup"),
        ("unexpected datatype | unexpected data type | unexpected dtype | unexpected shape | "
         "unexpected numpy array shape | unexpected numpy shape | invalid datatype | invalid "
         "dtype | invalid shape | inputs but got + expected | expecting | expects | input | "
         "inputs - output | outputs | response | returned", "triton-inference-server/client "
         "tritonclient http/grpc _infer_input.py (got unexpected datatype BYTES from numpy "
         "array, expected FP32; got unexpected numpy array shape [1,], expected [2]); "
         "triton-inference-server/core (unexpected datatype TYPE_FP32 for inference input "
         "'INPUT0', expecting TYPE_FP16; unexpected shape for input 'x' for model 'y'; expected 2 "
         "inputs but got 1 inputs for model 'add_sub'): an input tensor of the wrong type or "
         "shape; not a model's output"),
        ("content type | content types + does not match | do not match | mismatch | must be | "
         "expected | not supported | unsupported | invalid | isn t | missing boundary | no "
         "multipart boundary - response | responses | responded | "
         "returned | received | upstream | from server", "Kong/kong kong/llm/plugin/shared-"
         "filters/normalize-request.lua (400: content-type header does not match request body, "
         "or bad JSON formatting); API servers' 400 and 415 bodies (Unsupported Content-Type; "
         "expected application/json.); golang/go src/net/http/request.go (ErrNotMultipart: request "
         "Content-Type isn't multipart/form-data; ErrMissingBoundary: no multipart boundary "
         "param in Content-Type): the request's body is not in the format its header "
         "names; not a response's"),
        ("bad json | json formatting | improperly formatted json | json body is invalid - "
         "response | responses | responded | "
         "returned | received | upstream | from server | model output", "Kong/kong (400: ... or "
         "bad JSON formatting); OpenAI API 400 (We could not parse the JSON body of your request."
"): a request body that is no valid JSON; not an "
         "answer that is not (JavaScript's JSON.parse: Unexpected token '<', ... is not valid "
         "JSON; Python's JSONDecodeError, a client reading the answer)"),
        ("mmproj | multimodal projector | clip model + not configured | provide | missing | not "
         "loaded | without | no | not set - failed to load | error loading | unable to load | "
         "could not load", "JamePeng/llama-cpp-python (ValueError: Image input detected, but the "
         "loaded model is not configured with a mmproj module.); ggml-org/llama.cpp tools/server "
         "(image input is not supported - hint: if this is unexpected, you may need to provide "
         "the mmproj): an image sent to a model loaded without its vision projector"),
        ("not a multimodal model | not a vision model | is not multimodal | text only model | "
         "does not accept images | images are not supported | vision is not supported",
         "OpenAI-compatible servers' 400 as agents quote them (openai/codex logs: stream "
         "disconnected before completion: DeepSeek-V4-Flash-0731 is not a multimodal model); "
         "agents' matchers of providers' image refusals (Image input is not supported for this "
         "model; vision is not supported by this model; images are not supported): an image "
         "sent to a model that cannot read it"),
        ("grammar + parse | parsing | parser | not valid | invalid | undefined rule | "
         "unrecognized rule - panic", "ggml-org/llama.cpp src/llama-grammar.cpp (failed to parse "
         "grammar; parse: error parsing grammar: Undefined rule identifier 'x'), as llama-server "
         "and Ollama answer a request whose JSON schema or GBNF grammar does not build (400 "
         "Failed to initialize samplers: failed to parse grammar); huggingface/text-generation-"
         "inference (grammar is not valid: x): the grammar the request sent is wrong"),
        ("template + generate parser | parser generation | jinja exception | raise exception | "
         "callexpression | roles are supported | must alternate - not found | bad alloc | out of "
         "memory", "ggml-org/llama.cpp common/chat.cpp (std::invalid_argument, answered 400: "
         "Unable to generate parser for this template. Automatic parser generation failed: ... "
         "While executing CallExpression ... Jinja Exception: System message must be at the "
         "beginning.); karthink/gptel#861 (Failed to parse chat template: Only user and "
         "assistant roles are supported); vLLM jinja2 TemplateError (Conversation roles must "
         "alternate): the model's chat template refused the request's messages; not a server "
         "without a template (Template error: template not found) or out of memory"),
        ("reasoning content | thinking block | thinking blocks + missing | is required | "
         "required | must | expected - response | returned | output", "Kimi/Moonshot API 400 "
         "(thinking is enabled but reasoning_content is missing in assistant tool call message "
         "at index 2); api-docs.deepseek.com thinking mode (400: Missing `reasoning_content` "
         "field in the assistant message); Anthropic 400 (Expected `thinking` or "
         "`redacted_thinking`, but found `text`...): the request's history lacks the model's "
         "reasoning it must send back"),
        ("is fixed at | are fixed at | beta limitations | only the default", "sashabaranov/go-"
         "openai reasoning_validator.go (ErrReasoningModelLimitationsOther: this model has "
         "beta-limitations, temperature, top_p and n are fixed at 1 ...); OpenAI API 400 for "
         "o1 models (Unsupported value: 'temperature' does not support 0.7 "
         "with this model. Only the default (1) value is supported.): a parameter the model "
         "does not let the request set"),
        ("invalid ~ type | types | choice - api key | key | token | response | responses | "
         "returned | output | responded", "alibaba/page-agent#613 (LM Studio's local server: "
         "Invalid tool_choice type: 'object'. Supported string values: none, auto, "
         "required): a parameter of a kind the server does not take"),
        ("不能为空 | 不能為空 | 是必填项 | 是必填項 | 是必需的 | 暂不支持 | 暫不支持 | "
         "仅支持 | 僅支持 | 格式无效 | 格式無效 | 模型不支持 | 类型不支持 | 類型不支持",
         _MAXKB + " (cannot be empty: 不能为空; is required: 是必填项, 是必需的; not "
         "supported yet: 暂不支持; only ... supported: 仅支持; Invalid json format: json "
         "格式无效; The model does not support: 模型不支持): an argument the request must carry "
         "or may not"),
        ("nome do modelo não especificado | requisição inválida | имя модели не указано | "
         "невозможно разобрать модель | недопустимый запрос | 모델 이름이 "
         "지정되지 | 모델을 분석할 수 없 | 잘못된 요청 | nom du modèle non spécifié | requête "
         "invalide", _NEW_API_LOCALES + " (distributor.model_name_required, invalid_request)"),
        ("未指定模型 | 无法解析模型 | 無法解析模型 | 无效的请求 | 無效的請求 | モデル名が指定されて"
         "いません | 無効なリクエスト", _NEW_API_LOCALES + " (distributor.model_name_required, "
         "invalid_request, invalid_request_parse_model)"),
        ("ne comprend pas | no comprende | não entendeu | не понимает | 不明白",
         _LOBE_RESPONSES + " (400: le serveur ne comprend pas votre requête)"),
        ("無法理解 | 无法理解 | 參數錯誤 | 參數無效 | 請求無效 | 涉敏 | 格式错误 - 响应",
         _LOBE_ZH_TW + " (400 伺服器無法理解您的請求); " + _DEEPSEEK_ZH + "; " + _MINIMAX_ZH),
        ("理解できません | 意味エラー", _LOBE_LOCALES),
        ("unprocessable entity | unprocessable content", "HTTP 422 reason phrase (RFC 9110 "
         "Unprocessable Content, earlier Unprocessable Entity); openai-python "
         "UnprocessableEntityError; usestrix/strix llm.py (LLM request failed: Unprocessable "
         "entity)"),
        ("request is invalid | request was invalid", "ASP.NET Web API's 400 for an invalid "
         "model state (The request is invalid.); n8n-io/n8n packages/workflow/src/errors/"
         "node-api.error.ts (4XX: Your request is invalid or could not be processed by the "
         "service)"),
        ("no model specified | must provide a model | model not specified | model must be "
         "specified", "OpenAI API 400 (you must provide a model parameter); ai-forever/gigachat "
         "ModelNotSpecifiedError (No model specified. Pass `model` in the request payload)"),
        ("request is missing", "RFC 6749 section 5.2 invalid_request (The request is missing "
         "a required parameter, ...), as OAuth servers answer it with 400; cloudflare/"
         "cloudflare-docs workers-ai/platform/errors.mdx (Request is missing headers or body); "
         "Google APIs' 401 (Request is missing required authentication credential.) is "
         "auth's, whose words rank first: the request lacks a part it needs"),
        ("location is not supported", "Gemini API troubleshooting (400 FAILED_PRECONDITION: "
         "User location is not supported for the API use), as Gemini clients, proxies and the "
         "Firebase AI SDKs report it (PublicAffairs/openai-gemini#4; firebase/firebase-android-"
         "sdk firebase-ai type/Exceptions.kt UnsupportedUserLocationException): the status "
         "Gemini answers it with, 400, read from the words alone"),
        ("issue with the format or content | format or content of your request",
         "docs.anthropic.com errors (invalid_request_error: There was an issue with the format "
         "or content of your request.)"),
        ("additional properties | unexpected property | unknown property | string too long | "
         "string above max length | should match pattern | does not match pattern",
         "python-jsonschema (Additional properties are not allowed ('x' was unexpected)); "
         + _OPENAI_ERRORS + " (string_above_max_length: Invalid 'messages[0].content': string "
         "too long); pydantic v2 (String should match pattern) in FastAPI-based servers' 400 "
         "bodies"),
        ("max tokens | max completion tokens | max output tokens | maximum tokens + too large "
         "| at most | maximum allowed | greater than | exceeds the model limit | exceed the "
         "model limit", _OPENAI_ERRORS + " (max_tokens is too large: N. "
         "This model supports at most M completion tokens); Anthropic (max_tokens: N > M, "
         "which is the maximum allowed number of output tokens); " + _AWS_ERRORS + " "
         "(ValidationException: The maximum tokens you requested exceeds the model limit of "
         "10000. Try again with a maximum tokens value that is lower than 10000; "
         "RooCodeInc/Roo-Code#248)"),
        ("response cancel not active | no active response | already has active response | "
         "already has an active response", "the OpenAI Realtime API's error codes for an "
         "event the session's state does not allow (response_cancel_not_active: Cancellation "
         "failed: no active response found; conversation_already_has_active_response), as "
         "pipecat-ai/pipecat#3755 and openai/openai-agents-python's realtime session meet "
         "them: the request was wrong, nothing was canceled"),
        ("tool call id | tool use id | tool call ids | tool use ids + not found | unable to "
         "find | could not find | cannot find | no matching | unexpected | invalid | did not "
         "have", "a tool call's ID the conversation does not hold: the OpenAI Realtime API's "
         "invalid_tool_call_id (Tool call ID 'call_x' not found in conversation., as "
         "livekit/agents#3344 shows it); Anthropic (unexpected `tool_use_id` found in "
         "`tool_result` blocks); OpenAI Chat Completions (The following tool_call_ids did not "
         "have response messages)"),
        ("tool use ids were found without | without tool result blocks | tool result block "
         "must have a corresponding | tool use block must have a corresponding",
         "Anthropic Messages API 400 invalid_request_error (`tool_use` ids were found "
         "without `tool_result` blocks immediately after: toolu_...; unexpected "
         "`tool_use_id` found in `tool_result` blocks ... Each `tool_result` block must have a "
         "corresponding `tool_use` block), also through Bedrock and gateways"),
        ("on demand throughput + isn t supported | is not supported | not supported",
         _AWS_ERRORS + " (ValidationException: Invocation of model ID x with on-demand "
         "throughput isn't supported. Retry your request with the ID or ARN of an inference "
         "profile; anomalyco/opencode#396; awslabs and agents' Bedrock setup notes)"),
        ("参数错误 | 参数有误 | 参数非法 | 参数缺失 | 参数无效 | 缺少参数 | 敏感内容 | 安全策略 | "
         "内容违规 | 请求无效 | 格式错误 - 响应",
         _ZHIPU + " (1210 API 调用参数有误; 1214 参数非法; 130"
         "1 不安全或"
         "敏感内容); " + _ALIYUN + " (100004 参数缺失; 100005 参数非法; 100008 请求内容没有通过安"
         "全策略); "
         + _KIMI_ZH + " (请求无效)"),
        ("invalid request | bad request | malformed request | invalid json | malformed json "
         "| invalid input - returned malformed | returned invalid | json response | invalid "
         "response | in response | in the response | when parsing | while parsing | model "
         "output | model produced | produced invalid | json chunk | json chunks | responded | "
         "responds",
         _ANTHROPIC_ERRORS
         + " (invalid_request_error); HTTP 400 reason phrase; cursor/cursor#3930 (reason "
         "invalid_input); not the server's answer that was invalid (stanford-oval/storm "
         "knowledge_storm/lm.py: Received invalid JSON response from server; agents' model "
         "clients: Invalid JSON response from AI, Invalid JSON response (attempt 1/3); "
         "google-gemini/gemini-cli code_assist/server.ts InvalidChunkEvent: Malformed JSON "
         "chunk, a streamed chunk of the answer), nor "
         "the model's own output (openai/openai-agents-python ModelBehaviorError: Invalid JSON "
         "when parsing {...} for TypeAdapter(...); Invalid JSON when parsing model output)"),
        ("invalid | malformed ~ request | requests - too large | status",
         "OpenHands/software-agent-sdk "
         "llm/exceptions/types.py (LLMMalformedConversationHistoryError: ... produced an "
         "invalid LLM request)"),
        ("unable to parse | could not parse | cannot parse | failed to parse + request | "
         "requests | body | payload - stream | response | responses", "sigoden/aichat#1389 "
         "(Azure OpenAI: Unable to parse and estimate tokens from incoming request); not a "
         "client that could not parse the answer (Failed to parse stream)"),
        ("malformed + request | input | json | body | payload - returned | response | server "
         "error | chunk | chunks", _AWS_ERRORS
         + " (ValidationException: Malformed input request); not JSON the model or server "
         "returned (Nano-Collective/nanocoder: Ollama server error: The model returned "
         "malformed JSON)"),
        ("unable to submit request because - capacity | overloaded | unavailable | quota | "
         "rate", "Vertex AI's 400 INVALID_ARGUMENT, whose every validation message starts so "
         "(Unable to submit request because it has an empty text parameter; ... it must have "
         "a text parameter; ... it has a maxOutputTokens value of -1 but the supported range "
         "is ...; ... the schema is invalid), as agents and gateways print them; not its 429 "
         "(Unable to submit request because the service is temporarily out of capacity)"),
        ("is too short | is not one of | is not of type | is not valid under any of the given "
         "schemas | is greater than the maximum of | is less than the minimum of | cannot both "
         "be specified | cannot both be set", "python-jsonschema "
         "validation messages as the OpenAI API answers a request body with a 400 ([] is too "
         "short - 'messages', copied by ollama/ollama openai/openai.go and OpenAI-compatible "
         "servers; None is not of type 'string' - 'messages.0.content'); Anthropic's 400 "
         "invalid_request_error, also through Bedrock (`temperature` and `top_p` cannot both "
         "be specified for this model. Please use only one.): the request's body breaks the "
         "API's schema"),
        ("function calling is not enabled | not enabled for this model | does not work with "
         "the specified model | alternate between user and model | cannot find field",
         "the Gemini API's 400 INVALID_ARGUMENT (Function calling is not enabled for "
         "models/gemma-3-27b-it; Please ensure that multiturn requests alternate between user "
         "and model.; Invalid JSON payload received. Unknown name \"x\": Cannot find field.) "
         "and Mistral's 400 (Function calling is not enabled for this model, code 3051), as "
         "agents' capability checks match them; Azure OpenAI's 400 OperationNotSupported (The "
         "chatCompletion operation does not work with the specified model, gpt-35-turbo): "
         "the request asks the model for what it does not take"),
        ("invalid model | model name is invalid | model is invalid | invalid model name | "
         "invalid model id | model identifier is invalid", "Cloudflare Workers AI errors (The "
         "model name is invalid); " + _AWS_ERRORS + " (ValidationException: The provided "
         "model identifier is invalid.)"),
        ("must be | must either be | must not be | is required | are required | missing "
         "required | required parameter | required parameters | required property | cannot be "
         "empty | must contain "
         "| must alternate | should alternate | should be a valid | input should be | field "
         "required "
         "| must have | must "
         "match | must include | must start with | must be followed by - server error | "
         "internal error | serial name | serialization | deserialization | deserialize | "
         "illegal input | tokens per | per min | per minute | tpm | rpm | env file | "
         "environment variable | error fetching from", "vllm-project/vllm "
         "(tool_choice "
         "must either be a named tool, 'auto', or 'none'); " + _OPENAI_ERRORS + " ('messages' "
         "must contain the word 'json' in some form, to use 'response_format' of type "
         "'json_object'; an assistant message with 'tool_calls' must be followed by tool "
         "messages); Anthropic Messages API (roles must alternate between \"user\" and "
         "\"assistant\"); pydantic v2 (Input should be a valid list; Field required) in the "
         "400/422 bodies of FastAPI-based servers; not a client that could not decode the "
         "answer (JetBrains/koog#1027: "
         "Field 'object' is required for type with serial name ...), nor a request too large "
         "for a rate (vanna-ai/vanna-flask#11: ... on tokens per min (TPM) ... must be "
         "reduced), nor the program's own setup (Skyvern-AI/skyvern NoProviderEnabledError: "
         "At least one LLM provider must be enabled ... update the .env file)"),
        ("guardrail checks failed | guardrail check failed | blocked by policy | blocked by "
         "guardrail | blocked by guardrails", "portkey.ai/docs aigw error-codes (446 Guardrail "
         "checks failed (request denied)); docs.merge.dev merge-gateway/errors (type "
         "blocked_by_policy): a gateway's guard refused the request for its content"),
        ("content exists risk | repetitive patterns in your prompt", "api-docs.deepseek.com "
         "(400 Content Exists Risk); OpenAI API 400 invalid_prompt (Sorry! We've encountered "
         "an issue with repetitive patterns in your prompt.): the request refused for its "
         "content"),
        ("considered high risk | deemed high risk | high risk content", "MoonshotAI/kimi-cli"
         "#1002 and MoonshotAI/kimi-code#242 (Kimi 400 content_filter: The request was "
         "rejected because it was considered high risk): the request refused for its content"),
        ("content policy | usage policy | content policy violation | safety system | "
         "sensitive content | sensitive chat | sensitive words | inappropriate content | "
         "content management policy | responsible ai policy | content filter - deserialize | "
         "deserialization | unknown variant",
         "OpenAI (Your request was rejected as a result of our safety system; "
         "content_policy_violation); Baidu Qianfan (Sensitive chat messages); Azure OpenAI "
         "content filtering (400 content_filter: The response was filtered due to the prompt "
         "triggering Azure OpenAI's content management policy; ResponsibleAIPolicyViolation)"),
        ("only allowed when | only be defined when | only be set when | only be specified "
         "when | only specify | must be set together", _OPENAI_ERRORS + " (400 The "
         "'stream_options' parameter is only allowed when 'stream' is enabled.); "
         "vllm-project/vllm protocol.py (Stream options can only be defined when "
         "`stream=True`.); mlc-ai/web-llm src/error.ts (Only specify stream_options when "
         "stream=True.); DashScope ('stream' and 'stream_options' must be set together): a "
         "parameter the request may only send with another"),
        ("above max value | below min value | above max length | below min length | empty "
         "array | above maximum value | below minimum value | above maximum length | below "
         "minimum length", _OPENAI_ERRORS + " (400 codes integer_above_max_value: "
         "max_tokens is too large for this model; integer_below_min_value; "
         "decimal_above_max_value; array_above_max_length; empty_array), as "
         "OpenAI-compatible servers and their clients' tests copy them; docs.sambanova.ai "
         "api-error-codes (400 Decimal above maximum value. Expected a value between 0 and 1, "
         "but got 100 instead.): a parameter "
         "out of its range"),
        ("failed to call a function | tool use failed | failed generation", "console.groq.com "
         "errors as groq/groq-typescript#28, agno-agi/agno#4090 and anomalyco/opencode#1018 "
         "show them (400 invalid_request_error tool_use_failed: Failed to call a function. "
         "Please adjust your prompt. See 'failed_generation' for more details.): the model's "
         "tool call did not parse, and the API answers the request with a 400"),
        ("may not include more than | cannot include more than | can not include more than | "
         "cannot have more than | can not have more than | may not have more than | too many "
         "tools | too many functions", "microsoft/vscode-copilot-release#12851 "
         "(Copilot Chat: You may not include more than 128 tools in your request.); OpenAI API "
         "400 for more than 128 tools, as agents' MCP setups meet it (too many tools): the "
         "request holds more than the API takes; the same cap in other words (Cannot have "
         "more than 128 tools per request., batch 110)"),
        ("invalid image | image parse error | invalid base64 | invalid function parameters - "
         "returned | produced | generated",
         _OPENAI_ERRORS + " (400 codes invalid_image, invalid_image_format, invalid_image_url, "
         "image_parse_error, invalid_base64, invalid_function_parameters); APIs' 400 "
         "INVALID_IMAGE_FORMAT (Invalid image format. Expected base64 data URL.): what the "
         "request sent cannot be read, not what the model returned"),
        ("no vision model | not a vision model", "Mozilla-Ocho/llamafile server "
         "v1_chat_completions.cpp (400 no_vision_model); agents' lists of providers' image "
         "refusals (image_url is not supported; does not support vision; not a vision model): "
         "an image sent to a model that cannot read it"),
        ("bad data | request too small - received | response | upstream | from server",
         "developer.android.com AICore GenerativeAIException.ErrorCode (BAD_DATA: the "
         "request's data could not be used; REQUEST_TOO_SMALL); developers.google.com ML Kit "
         "GenAiException.ErrorCode (REQUEST_TOO_SMALL): on-device runtimes' codes for input "
         "the model cannot take; not data the client received"),
        ("prompt is empty | input is empty | messages is empty | messages are empty | empty "
         "prompt", "google-ai-edge/LiteRT-LM runtime/core/session_basic.cc (Input is empty.); "
         "model servers' 400s for a request with nothing to answer (FastAPI "
         "HTTPException(400, Prompt is empty); Go inference servers: prompt is empty)"),
        ("not valid + request", "StanfordSpezi/SpeziLLM (The request sent to the model was "
                                "not valid.)"),
        ("references unknown | unknown tool | unknown tools | undefined tool",
         "EricLBuehler/mistral.rs mistralrs-core/src/tools (tool_choice references unknown "
         "tool `x`: the request names a tool it does not define)"),
        ("deprecated + version | sdk | api | model | endpoint - was not found | were not found",
         "Cloudflare Workers AI errors (Request trying to use deprecated SDK version); not a "
         "model that is not there (IBM watsonx.ai Java SDK ModelNotSupportedException: Model x "
         "was not found. This model may be unsupported, deprecated, or removed.)"),
        ("has been decommissioned | been decommissioned and", "Groq 400 invalid_request_error "
         "model_decommissioned (The model `llama-3.1-70b-versatile` has been decommissioned "
         "and is no longer supported. Please refer to https://console.groq.com/docs/"
         "deprecations), in many clients' issues: a retired model asked for"),
        ("requires + to be set | to be enabled | flag", "vllm-project/vllm (\"auto\" tool "
         "choice requires --enable-auto-tool-choice ... to be set)"),
        ("requires | require + to be provided | exactly one", "triton-inference-server/server "
         "openai_frontend (Named tool choice requires CreateChatCompletionRequest.tools to be "
         "provided); mudler/LocalAI core/http (400: streaming completions require exactly one "
         "prompt string): a request without the part another part needs"),
        ("should be a json | must be a json | should be json | must be json", "ml-explore/"
         "mlx-lm mlx_lm/server.py (400: Request should be a JSON dictionary): a body that is "
         "no JSON object"),
        ("validation error | validation failed | failed validation | failed to validate - "
         "type validation | result validation | output validation | response validation | "
         "when parsing | model output | model behavior",
         _AWS_ERRORS + " (ValidationException); pydantic (validation error); not a client "
         "checking the model's answer (vercel/ai packages/provider/src/errors/"
         "type-validation-error.ts: AI_TypeValidationError: Type validation failed: Value: "
         "...; pydantic/pydantic-ai: Exceeded maximum retries (1) for result validation; "
         "openai/openai-agents-python ModelBehaviorError: Invalid JSON when parsing ... ; 1 "
         "validation error for ...)"),
        ("invalid argument | invalid arguments | invalid parameter | invalid parameters | "
         "invalid param | invalid params | invalid value | invalid type | invalid schema",
         _GOOGLE_CODES + " (INVALID_ARGUMENT); " + _OPENAI_ERRORS),
        ("invalid ~ value | values | option | options | field - api key | key | token | "
         "responded | responds",
         "mlc-ai/mlc-llm protocol/openai_api_protocol.py (Invalid tool_choice value: x); not "
         "a server's answer (ERROR: ChatAPI responded with invalid json \"illegal value\")"),
        ("invalid provider | invalid config | invalid configuration | invalid custom host | "
         "invalid content type | invalid input type | unsupported input | unsupported content "
         "type | unsupported input type | does not have a valid | unknown content type",
         "Portkey-AI/gateway requestValidator (400 Invalid provider passed; Invalid config "
         "passed; Invalid custom host; Invalid content type passed); Cloudflare AI Gateway "
         "(opencodeschool/opencode.school#174: Invalid provider (code 2008)); NexaAI/nexa-sdk "
         "runner/server/handler/chat.go (400: unknown content type); "
         "aws-samples/bedrock-access-gateway (Unsupported input type); envoyproxy/ai-gateway "
         "translator (data uri does not have a valid format): a gateway refusing what the "
         "request names"),
        ("cannot be | cannot use | can t be | can not be + when streaming | with streaming | "
         "while streaming - " + _RATE_WORDS, "mlc-ai/web-llm src/error.ts (When streaming, `n` "
         "cannot be > 1.); API references of request parameters (jsonResponse: Cannot be used "
         "with streaming; parallel_thinking: Cannot be used with streaming): a parameter the "
         "request may not send with stream"),
        ("cannot be more | cannot be less | cannot be greater | cannot be larger | cannot be "
         "smaller | cannot be negative | cannot be higher | cannot be lower - " + _RATE_WORDS,
         "theroyallab/tabbyAPI common/sampling.py (min tokens cannot be more then max tokens); "
         "mlc-ai/web-llm src/error.ts (`n` cannot be > 1 ...); parameter checks of model "
         "servers (top_k cannot be negative): a request parameter out of its range"),
        ("unexpected value | unexpected values + header | parameter | field | argument",
         "Anthropic API 400 through gateways and SDKs (anthropics/anthropic-sdk-typescript#770, "
         "anthropics/claude-code docs CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS: Unexpected "
         "value(s) `x` for the `anthropic-beta` header): a value the request sends that the "
         "API does not take"),
        ("does not match the expected | does not match expected - response | returned | "
         "backend", "Anthropic API 400 as relays pass it on (Calcium-Ion/new-api-horizon#2: "
         "tools.0.input_schema: Input does not match the expected shape.); schema validators' "
         "wording for a request body; not an answer that did not match (clients' "
         "MalformedResponse: The backend returned something that does not match the "
         "expected shape)"),
        ("deserialize the json body | parse the request body | parse the json body",
         "OpenAI API 400 (We could not parse the JSON body of your request.); tokio-rs/axum "
         "JsonRejection "
         "(422 Failed to deserialize the JSON body into the target type: missing field `x`; "
         "400 Failed to parse the request body as JSON) in Rust model servers and gateways; "
         "DeepSeek 400 (Failed to deserialize the JSON body into the target type: "
         "messages[0]: unknown variant `image_url`)"),
        ("unknown field | unknown fields | unsupported generation | unsupported option | "
         "unsupported options | unsupported argument | unsupported field | unsupported "
         "fields", "KoboldAI API as SillyTavern/SillyTavern#93 shows it (stop_sequence: "
         "Unknown field.); lmstudio-ai/mlx-engine server/chat.py (Unsupported generation "
         "controls: x)"),
        ("unsupported parameters | unsupported values | unknown parameters | "
         "unsupported parameter | unsupported value | unknown parameter | unrecognized "
         "request argument | unrecognized parameter | extra inputs are not permitted | "
         "does not support | not supported | not currently supported | is unsupported | are "
         "unsupported | doesn t support | don t support | not compatible with | is "
         "incompatible with - internal server error | internal error | "
         "server error | not found for api version | was not found | were not found",
         _OPENAI_ERRORS + " (Unsupported parameter); "
         + _OLLAMA + " (does not support tools); vllm-project/vllm entrypoints/openai and its "
         "fork aphrodite-engine (suffix is not currently supported; Streaming is not currently "
         "supported with beam search; Echo is unsupported with prompt embeds; prompt_logprobs "
         "is not compatible with prompt embeds; verbose_json format doesn't support streaming "
         "case); not where the server names its own internal error (warpdotdev/warp#8225), nor "
         "a model that is not there (IBM watsonx.ai Java SDK: model_not_supported: Model x was "
         "not found. This model may be unsupported, ...)"),
        ("must be provided | need to be provided | needs to be provided | should be provided "
         "| parameter validation | not found in kwargs | no param has been provided | no "
         "sufficient argument",
         _WATSONX_NODE + " (Either projectId or spaceId need to be provided; Parameter "
         "validation errors: Missing parameter `modelId` for `type: 'model'`); " + _AI21_SDK
         + " (model should be provided 'create' method call); " + _QIANFAN_SDK
         + " (ArgumentNotFoundError: input not found in kwargs; no param has been provided; "
         "no sufficient argument has been provided): an SDK's check of its arguments, before "
         "any request"),
        ("expected a non empty value | cannot be combined with", "MetaGLM/zhipuai-sdk-python-v4 "
         "zhipuai/api_resource at ccbec4c7b53c (ValueError: Expected a non-empty value for "
         "`batch_id` but received ''); voyage-ai/voyageai-python voyageai/chunking.py at "
         "452bbac081ac (chunk_fn cannot be combined with enable_auto_chunking=True): "
         "arguments the SDK refused"),
        ("missing ~ parameter | parameters | argument | arguments", _WATSONX_NODE
         + " (Missing parameter `providerId`); " + _QIANFAN_SDK + " (Missing type parameter.)"),
        ("should be positive | must be positive | should be between | must be non negative",
         _QIANFAN_SDK + " (maxTokens should be positive; similarity_threshold should be between "
         "0 to 1; qpsLimit and rpmLimit must be non-negative): an argument out of its range"),
        ("is empty | are empty - response | responses | candidates | candidate | output | "
         "outputs | content | choices | choice | completion | result | results | reply | answer "
         "| body | stream | dataset | table | parts | token | repo | generated | model list",
         _DASHSCOPE_SDK
         + " (InvalidParameter: phrases is empty!; training_type is empty!; phrase_id is "
         "empty!): an argument left empty; not a reply that came back empty (AstrBotDevs/"
         "AstrBot: Gemini request failed: candidates is empty.)"),
        ("is not a | must be a | should be a + list | dict | str | string | int | integer | "
         "float | bool | boolean | array | tuple", _DASHSCOPE_SDK + " (doc_tag_codes is not a "
         "List[str]): an argument of the wrong type"),
        ("must none | must be none | must be null | no input data | there is no input | invalid "
         "version | invalid api version | invalid http method", _DASHSCOPE_SDK
         + " (auto_history is True, history must None; There is no input data and form "
         "data); " + _QIANFAN_SDK
         + " (InvalidArgumentError: Invalid version; Invalid API version; "
         "APIErrorCode.InvalidHTTPMethod, 336101)"),
        ("not support - location | region | country | territory", "NexaAI/nexa-sdk "
         "runner/server/handler/chat.go (400: model type not support; not support content part "
         "type): servers' terse English for a request they cannot serve; not a place the "
         "provider does not serve (lobehub/lobe-chat AgentRuntimeErrorType "
         "LocationNotSupportError)"),
        ("only + is supported | are supported | is currently supported | are currently "
         "supported", "triton-inference-server/server python/openai/openai_frontend "
         "(only single string input is supported; Only 'text' content type is supported.); "
         "NexaAI/nexa-sdk handler/images.go (400: only 'b64_json' response format is "
         "supported): a request that asks for what the server does not serve"),
        ("can only be used when | can only be defined when | can only be set when | only be "
         "used when", "triton-inference-server/server openai_frontend engine "
         "(`stream_options` can only be used when `stream` is True; `top_logprobs` can only be "
         "used when `logprobs` is True); vllm-project/vllm entrypoints/openai/protocol.py "
         "(Stream options can only be defined when `stream=True`.): parameters that do not go "
         "together"),
        ("content length + invalid | bad | required | missing - response", "ml-explore/mlx-lm "
         "mlx_lm/server.py (Invalid Content-Length header; 411 Content-Length header is "
         "required); Mozilla-Ocho/llamafile llamafile/server/client.cpp (400 Bad "
         "Content-Length): the request's framing is wrong; not a response's (undici "
         "ResponseContentLengthMismatchError)"),
        ("json missing", "Mozilla-Ocho/llamafile llamafile/server/v1_chat_completions.cpp "
         "(400: JSON missing messages array; JSON missing model string): a request body "
         "without a field it needs"),
        ("request body + could not read | cannot read | unable to read | failed to read",
         "mostlygeek/llama-swap internal/server/filters.go (400: could not read request "
         "body)"),
        ("only supports one image | too many plugins | plugins description is too long | only "
         "works in thinking mode", "ollama/ollama server/prompt.go, server/routes.go (400: this "
         "model only supports one image while more than one image requested); "
         "Kochava-Studios/witsy locales/en.json (tooManyTools, pluginDescriptionTooLong, "
         "onlyThinkingMode; src/renderer/services/generator.ts reads the last from a 400): "
         "a request the model cannot take as built"),
        # round 25: a request's parameters wrong, missing or invalid, in SDKs' pre-flight
        # checks and providers' own words.
        ("incorrect | wrong | illegal | erroneous ~ parameter | parameters | param | params | "
         "argument | arguments", "docs.z.ai/api-reference/api-code (1210: Incorrect API call "
         "parameters, please check the documentation); Windows ERROR_INVALID_PARAMETER (The "
         "parameter is incorrect.), as .NET SDKs print it; Baidu Qianfan (illegal parameter)"),
        ("parameter | parameters | param | params | argument | arguments | field | fields ~ "
         "missing | incorrect | is wrong | are wrong | error - missing from response | missing "
         "from the response | missing from model response | missing from gemini response | "
         "missing in response | missing in the response", "Alibaba Cloud Model Studio "
         "error codes (BadRequest.EmptyInput: Required input parameter missing from request.); "
         "Zhipu and Baidu English error texts (Parameter error); Windows "
         "ERROR_INVALID_PARAMETER (The parameter is incorrect.); round 32: not a field the "
         "model's answer lacks (pydantic/pydantic-ai models/gemini.py UnexpectedModelBehavior: "
         "Content field missing from Gemini response, as apps catch it: other)"),
        ("invalid url | invalid urls | invalid uri | malformed url | url is invalid | url is "
         "malformed - post | get | put | delete | patch | error fetching from", "Alibaba Cloud "
         "Model Studio error "
         "codes (InvalidURL: Invalid URL provided in your request.); Node.js WHATWG URL "
         "(TypeError [ERR_INVALID_URL]: Invalid URL); psf/requests exceptions.py (InvalidURL, "
         "MissingSchema: Invalid URL 'x': No scheme supplied): the request names an address "
         "it cannot be sent to; not OpenAI's 404 for a route that does not exist (Invalid URL "
         "(POST /v1/x)), nor the cause inside a fetch wrapper (network, below: Error fetching "
         "from <url>: Invalid URL protocol, RooCodeInc/Roo-Code#1492)"),
        ("unsupported protocol scheme | no scheme supplied | request url is missing",
         "golang/go src/net/http/transport.go (Post \"x\": unsupported protocol scheme "
         "\"\"); psf/requests exceptions.py (MissingSchema: No scheme supplied); encode/httpx "
         "_transports/default.py (Request URL is missing an 'http://' or 'https://' "
         "protocol.): a base URL without its scheme, found before anything is sent"),
        ("schema | parameter | parameters | param | params | value | values | field | fields | "
         "argument | arguments | input | format | body | payload | json | role | message | "
         "messages | content | prompt | option | options | setting | settings ~ is invalid | "
         "are invalid | was invalid | were invalid | is not valid | are not valid - response | "
         "responses | returned | output | upstream", "Alibaba Cloud Model Studio error codes "
         "(InvalidSchema: Database schema is invalid for text2sql.; InvalidParameter: The "
         "parameter is invalid.); openai/openai-go, go-openai (the value of x is invalid): a "
         "part of the request is invalid; not an answer"),
        ("non empty | nonempty + requires | required | require | must | expected | expects | "
         "should", "openai/openai-go azure/azure.go (azure: deployment routing requires a "
         "non-empty model field); anthropics/anthropic-sdk-go (must be non-empty): a field "
         "the request needs is empty"),
        ("missing field | missing fields | unknown variant - response | responses | returned | "
         "reply", "serde-rs/serde de (missing field `model` at line 1 column 20; unknown "
         "variant `x`, expected one of ...), as Rust servers print a request body they cannot "
         "read; not a client's reading of the answer (64bit/async-openai#503: failed to "
         "deserialize api response: missing field `status`)"),
        ("value cannot be null | must provide | must specify | must supply",
         "dotnet/runtime ArgumentNullException (Value "
         "cannot be null. (Parameter 'x')); openai/openai-python lib/azure.py (Must provide one "
         "of the `base_url` or `azure_endpoint` arguments); boto/botocore exceptions.py "
         "(NoRegionError: You must specify a region.): the request lacks what it needs"),
        # round 30: the conversation's shape (tool calls without their results, roles out of
        # order), images the model cannot read, parameters by their short name.
        ("function call | function calls | function response | function responses | tool call "
         "| tool calls | tool use | tool result | tool results | tooluse | toolresult + call "
         "turn | response turn | previous turn | same number | equal to the number | exceeds "
         "the number | immediately after | must define | must be followed | corresponding - "
         "generated | failed to parse | could not parse | cannot process",
         "Gemini API 400 INVALID_ARGUMENT (Please ensure that function response turn comes "
         "immediately after a function call turn.; ... the number of function response parts "
         "is equal to the number of function call parts ...), mistralai/mistral-common "
         "validator (3230: Not the same number of function calls and responses), Anthropic "
         "Messages API 400 (Requests which include `tool_use` or `tool_result` blocks must "
         "define tools.), Bedrock Converse ValidationException (The number of toolResult "
         "blocks ... exceeds the number of toolUse blocks of previous turn.), as agents quote "
         "them: the history's tool calls and results do not pair up; not a model that "
         "produced calls the agent cannot parse"),
        ("unexpected role | after role | must start with a user | must begin with a user | "
         "must alternate | final assistant content | only allowed for messages",
         "mistralai/mistral-common validator (Unexpected role 'user' after role 'tool'; "
         "Unexpected role 'tool' after role 'system'), Bedrock Converse (A conversation must "
         "start with a user message.; must alternate between user and assistant roles), "
         "Anthropic (final assistant content cannot end with trailing whitespace), OpenAI 400 "
         "(Image URLs are only allowed for messages with role 'user' ...): the messages are "
         "not in an order or shape the model takes"),
        ("image | images + could not process | unable to process | failed to process | cannot "
         "process | unknown format | failed to parse | decode | invalid | unsupported | not a "
         "valid | too small - exceeds | exceeded | too large | too big | size limit | maximum "
         "size | timed out | timeout | returned | generated | output | " + _RATE_WORDS,
         "Anthropic Messages API 400 (Could not "
         "process image), Gemini API 400 (Unable to process input image.), ollama/ollama "
         "(Go image package: image: unknown format), OpenAI 400 (Invalid image.), providers' "
         "image rejections as agents match them (invalid image data, image dimensions are too "
         "small, failed to parse image, decode image): the image sent is not one the model "
         "reads; not an image over a size limit (too_large), nor one the model returned"),
        ("unsupported param | unsupported params | unknown param | unrecognized param | "
         "invalid param | does not support parameters", "an OpenAI-compatible server's 500 "
         "(Unsupported param: tools, a corpus row with status 500, bad_request accepted); "
         "BerriAI/litellm UnsupportedParamsError (openai does not support parameters: "
         "['tools'] ...): a parameter the model does not take, by its short name"),
        ("not enabled for models | not enabled for this model | not enabled for the model",
         "Gemini API 400 (JSON mode is not enabled for models/gemini-pro; Function calling is "
         "not enabled for models/gemini-pro-vision): a feature the model named does not "
         "have; not an account's entitlement (auth)"),
        ("not available when | not supported when | not allowed when | param requires | "
         "parameter requires | params require - plan | subscription | tier | account | "
         "billing", "vllm-project/vllm entrypoints/openai "
         "protocol.py (`prompt_logprobs` are not available when `stream=True`.; tool_choice "
         "param requires --enable-auto-tool-choice), copied by Rust and C++ ports: a "
         "parameter that another setting rules out or needs"),
        ("does not match any of the specified | does not match any of the provided | "
         "specified in tool choice", "vllm-project/vllm protocol.py and OpenAI-compatible "
         "ports in Go, TypeScript, Python (The tool specified in `tool_choice` does not match "
         "any of the specified `tools`): the request names a tool it did not define"),
        ("cannot specify both | can not specify both | cannot set both | cannot use both | "
         "only one kind of | only use one kind of", "vllm-project/vllm protocol.py (You can "
         "only use one kind of guided decoding ...); OpenAI-compatible gateways in Rust, "
         "Python, Elixir (400: Cannot specify both max_tokens and max_completion_tokens): two "
         "parameters that exclude each other"),
        ("no messages | empty messages | messages is empty | messages are empty | messages "
         "array is empty | messages list is empty - returned | response | responses | "
         "received | output | generated | stream | found in", "chat endpoints' 400 (No "
         "messages provided: Next.js, FastAPI and Django LLM routes found by code search; "
         "langchain OCI GenAI chat model): a request without its conversation; not an answer "
         "with no messages in it"),
        # facts35: a request without its conversation, said of the request
        ("no messages | no message + in request | in the request | request has | request "
         "contains | request body - response | responses | returned | generated | output",
         "ardanlabs/kronk sdk/kronk/model/chat.go (ErrMessagesMissing: validate-document: no "
         "messages found in request); chat endpoints' 400 (No messages provided, above): a "
         "request without its conversation"),
        # facts35: a request field checked against a pattern (JSON Schema validators)
        ("does not match | doesn t match | did not match | do not match + pattern | regex | "
         "regular expression | a z a z 0 9 | function call name | function name | tool name | "
         "tools | messages - certificate | hostname | host name | checksum | hash | password | "
         "signature | digest | ssl | tls | x 509 | fingerprint",
         "python-jsonschema (ValidationError: 'x' does not match '^[a-zA-Z0-9_-]{1,64}$'), as "
         "OpenAI's API answered a bad function name (BoltAI/BoltAI#72: 'vector_store_getData' "
         "does not match '^[a-zA-Z0-9_-]{1,64}$' - 'messages.9.function_call.name'); OpenAI "
         "(Invalid 'tools[0].function.name': string does not match pattern); pydantic (String "
         "should match pattern): a request field outside its pattern; not a certificate, "
         "checksum or password that does not match"),
        ("response format type | response format of type + unknown | unsupported | invalid | "
         "expected | must | requires | not supported - unexpected", "vllm-project/vllm "
         "protocol.py (Expected 'json_schema' to be provided when response_format type is "
         "'json_schema'; Unknown response_format type): a response_format the server cannot "
         "take; not a client that could not read the answer"),
    )),
    ("context_length", PROVIDER_ERROR_REFINEMENT_FAMILIES[0][1]),
    ("not_found", (
        # facts37: a status and its reason phrase joined into a code
        ("404 not found", "VapiAI/server-sdk-csharp CallEndedReason.cs "
         "(pipeline-error-deepgram-returning-404-not-found): the status inside a hyphenated "
         "code"),
        ("请求路径 | 请求地址 + 错误 | 无效 | 不存在", _LANGBOT + " (NotFoundError: 请求路径错误; "
         "请求地址无效)"),
        ("模型无效", _LANGBOT + " (anthropic NotFoundError naming the model: 模型无效)"),
        ("requested model + no - available | capacity | quota | rate | credits",
         "mostlygeek/llama-swap internal/swaputil/http.go (404: no local "
         "server found for requested model; no router for requested model; no peer found for "
         "requested model): nothing serves the model the request names; not a model the "
         "provider has no capacity or quota for"),
        ("模型 | モデル | 모델 | modelo | модель + 未找到 | 見つかりません | 찾을 수 없 | no se "
         "encuentra | não encontrado | не найдена | не найден", _ROO_EMBEDDINGS + " "
         "(ollama.modelNotFound: 未找到 Ollama 模型; Ollamaモデルが見つかりません; a model, not "
         "anything else not found, as an array missing from a response)"),
        ("page | ressource | modèle | página | recurso | modelo | страницу | ресурс | модель + n a "  # noqa: RUF001
         "pas pu trouver | introuvable | n existe pas | no puede encontrar | no se puede "
         "encontrar | não encontrou | não existir | не может найти | не существует",
         _LOBE_RESPONSES + " (404: la page ou la ressource demandée; ModelNotFound: il se peut "
         "que le modèle n'existe pas; a page, resource or model, not anything else not found)"),
        ("無法找到 | 无法找到 | 資源不存在 | 资源不存在",
         _LOBE_ZH_TW + " (404 伺服器無法找到您請求的頁面或資源); " + _MINIMAX_ZH),
        ("nicht gefunden | 見つけることができません | không tồn tại", _LOBE_LOCALES),
        ("not found for api version", "the Gemini API's 404 NOT_FOUND (models/X is not found "
         "for API version v1beta, or is not supported for generateContent), as "
         "googleapis/python-genai, pipecat-ai/pipecat#3348 and livekit/agents#4414 print it "
         "(the model's name is a path and is not read)"),
        ("unrecognized request url", "Stripe's and OpenAI's 404 invalid_request_error "
         "(Unrecognized request URL (POST: /v1/foo).), copied by OpenAI-compatible servers and "
         "mocks: a wrong base URL or path"),
        ("could not find | couldn t find | cannot find | unable to find | failed to find + "
         "model | models", "theroyallab/tabbyAPI endpoints/core/router.py (Could not find the "
         "model path for load); gptscript-ai/gptscript#508 (failed to find a model provider "
         "for model [gpt-4o])"),
        ("unable to access model", "Together AI's 404 model_not_available (Unable to access "
         "model x. Please visit https://api.together.ai/models to view the list of supported "
         "models.): no such model to serve"),
        ("no available channel | no available channels", "QuantumNous/new-api middleware/"
         "distributor.go (distributor.no_available_channel, error code model_not_found: No "
         "available channel for model x under group default): no upstream serves the model"),
        ("model | models | deployment | deployments | engine | endpoint | endpoints | "
         "resource | route + not found | does not exist | do not exist | doesn t exist | no "
         "such | not exist - failed to load model | internal loader", _OPENAI_ERRORS
         + " (model_not_found: The model X does not exist); "
         + _OLLAMA + " (model \"x\" not found, try pulling it first); not a server that "
         "failed to load a model it has (mudler/LocalAI-examples#5, 500: failed to load model "
         "with internal loader: backend not found)"),
        ("no models | no model + loaded | available | found | running", "lmstudio-ai/lms "
         "(No models loaded)"),
        ("model + is not available for | not available for - currently | temporarily | right "
         "now | at the moment | try again | later", "coder/mux formatSendError.ts (Model x is "
         "not available for OpenAI.)"),
        ("model + not present | couldn t be accessed | could not be accessed | cannot be "
         "accessed", "StanfordSpezi/SpeziLLM (The specified LLM model type is not present; "
         "Model couldn't be accessed)"),
        ("no deployment matched | no deployments matched | no matching deployment | not been "
         "able to find | not able to find + model | deployment | provider", "SAP-samples/btp-"
         "cap-genai-rag#24 (SAP AI Core: No deployment matched the given criteria); "
         "huggingface/mcp-course#193 (We have not been able to find inference provider "
         "information for model x)"),
        ("no endpoints found | no endpoint found | no models found | no model found | no "
         "deployment found", "openrouter.ai (No endpoints found for MODEL)"),
        ("page | url | path | file | project | organization | assistant | thread | entity + "
         "not found "
         "- host | domain | dns | address | decoding | coding path | json", "HTTP 404 reason "
         "phrase (Not Found)"),
        ("invalid url + post | get | put | delete | patch | v1", "OpenAI API 404 for an "
         "unknown route (Invalid URL (POST /v1/...)); not a bare Invalid URL, a client's own "
         "check of a misconfigured endpoint (continuedev/continue#12923)"),
        ("resource | resources | deployment | deployments + cannot be found | could not be "
         "found | can t be found | "
         "couldn t be found", "ASP.NET's 404 page (The resource cannot be found.); n8n-io/n8n "
         "packages/workflow/src/errors/node-api.error.ts (404: The resource you are requesting "
         "could not be found); Azure OpenAI's 404 DeploymentNotFound, a missing deployment "
         "(The API deployment for this resource does not exist), in the same wording"),
        ("detail not found", "fastapi/fastapi (the default 404 body {\"detail\":\"Not "
                             "Found\"}) of OpenAI-compatible servers"),
        ("not found | does not exist + api base | base url | endpoint | verify your api",
         "nanbingxyz/5ire#195 (https://.../chat/completions not found, verify your API base.)"),
        ("不存在 | 找不到", "Tencent/WeKnora#165 (API端点不存在, 请检查Base URL: the API "
                         "endpoint does not exist)"),
        ("not a valid model identifier | is not a local folder", "huggingface/transformers "
         "utils/hub.py (OSError: x is not a local folder and is not a valid model identifier "
         "listed on 'https://huggingface.co/models'), as exo-explore/exo#106 and model servers "
         "built on transformers print it: no such model on the Hub or on disk"),
        ("no such model | unknown model | missing model - unavailable | overloaded",
         "HTTP 404 reason phrase; " + _OLLAMA + "; not a model that is there but down "
         "(Exafunction/codeium#278: Unknown: Model provider is currently unavailable)"),
        ("app | application | api name | policy | project | space | workspace | assistant | "
         "agent + not exist | not exists | does not exist | doesn t exist | do not exist",
         _QIANFAN_SDK + " (APIErrorCode.AppNotExist, 15; APINameNotExist, 336005); "
         + _WATSONX_NODE + " (gateway/policies.ts: Policy with provided id: x does not exist): "
         "what the request names is not there"),
        ("this model is not available | specified model is not available", "Kochava-Studios/"
         "witsy locales/en.json (generator.errors.invalidModel: Sorry, it seems this model is "
         "not available): the model named is not one the provider has"),
        # round 25: no provider serves the model named.
        ("not a valid model id | not a valid model name | is not a valid model", "OpenRouter "
         "(400: x is not a valid model ID), as clients quote it; the same idea as Bedrock's "
         "not a valid model identifier above: no such model"),
        ("model | models ~ not being served | not served | currently not loaded", "awslabs/"
         "multi-model-server (MODEL_CURRENTLY_NOT_LOADED: Model is not being served on model "
         "server); gateways' 404 hint (The requested resource or model is not being served.)"),
        ("no provider | no providers | no inference provider | no inference providers | no "
         "allowed providers | no available provider | no available providers | no endpoints | "
         "no endpoint ~ available | "
         "found | for model | for the selected model | supports | support - try again | "
         "cooldown", "huggingface/huggingface.js packages/inference/src "
         "(InferenceClientInputError: No Inference Provider available for model X.); "
         "OpenRouter (404: No allowed providers are available for the selected model.; "
         "truefoundry/models#826: No endpoints available matching your guardrail restrictions "
         "and data policy): "
         "nobody serves the model named; not a router's cool-down (BerriAI/litellm router: "
         "No deployments available for selected model, Try again in 60 seconds)"),
        # round 30: the model named is not one the provider offers.
        ("model | requested model ~ is not available | not available - region | currently | "
         "temporarily | at the moment | right now | account | plan | subscription | tier | "
         "device | try again | later", "a corpus row (Model gpt-5-codex is not available for "
         "OpenAI.) in other servers' wording (gateways' model_not_available: Requested model "
         "is not available; The requested model is not available on the configured endpoint., "
         "found by code search): no such model here; not a model busy for "
         "now (overloaded), kept from an account or plan (auth, billing) or a region"),
    )),
    ("too_large", (
        # facts37: a text over the provider's character limit
        ("character limit | characters limit + exceeded | exceeds | exceed | over",
         "ElevenLabs API error status max_character_limit_exceeded (VapiAI/server-sdk-csharp "
         "CallEndedReason.cs pipeline-error-eleven-labs-max-character-limit-exceeded; apps map "
         "it to Text exceeds ElevenLabs character limit)"),
        ("trop importante | trop volumineux | demasiado grande | muito grande | слишком велик",
         _LOBE_RESPONSES + " (413: quantité de données trop importante)"),
        ("資料量過大 | 数据量过大 | 請求體過大 | 请求体过大",
         _LOBE_ZH_TW + " (413 您的請求資料量過大)"),
        ("大きすぎ", _LOBE_LOCALES),
        ("request + exceeds + bytes | number of bytes", "docs.anthropic.com errors "
         "(request_too_large: Request exceeds the maximum allowed number of bytes.)"),
        ("body | payload | upload | attachment | image | file + exceeds | exceeded | larger "
         "than - deadline | timeout | timed out | " + _RATE_WORDS,
         "lmstudio-ai/mlx-engine server/http.py (413: Request body exceeds the 64 MiB limit.); "
         "Anthropic Messages API (image exceeds 5 MB maximum); vercel/next.js (Body exceeded "
         "1mb limit); Spring MaxUploadSizeExceededException (Maximum upload size exceeded)"),
        # facts35: a body over the server's limit
        ("body | payload | entity + over limit | over the limit | over size limit | over the "
         "size limit | over max size - " + _RATE_WORDS, "anthropics/claude-agent-sdk-typescript "
         "CHANGELOG.md (StopFailure error_details request_body_over_limit, a conversation over "
         "the API's 32 MB limit); expressjs/body-parser tests (413 when inflated body over "
         "limit, entity.too.large); Go net/http MaxBytesReader handlers (413 body over "
         "limit): a request body larger than the server takes"),
        ("request | payload | entity | body | file | image | upload | attachment + too large "
         "| too big | exceeds the maximum size | size limit | maximum size | size exceeds | "
         "exceeds the limit | exceeds limit - tokens per | per min | per minute | tpm | rpm",
         "HTTP 413 reason phrase (Payload Too Large, Request Entity Too Large); "
         + _ANTHROPIC_ERRORS + " (request_too_large)"),
    )),
    ("rate_limit", (
        # facts37: a usage cap that resets after a window
        ("使用上限 | 用量上限 + 重置 | 小时", "NanmiCoder/cc-haha#1266 and Zhipu GLM code 1308 "
         "(已达到 5 小时的使用上限。您的限额将在 ... 重置。, answered 429): a cap per window, "
         "a rate"),
        ("提问太快 | 请求太快", _COW + " (RateLimitError: 提问太快啦, 请休息一下再问我吧; "
         "请求太快了)"),
        ("server limit exceeded", _HUNYUAN + " (FailedOperation.EngineServerLimitExceeded: "
         "引擎层请求超过限额; 请稍后重试)"),
        ("qps | qpm + limit | exceeded | reached | too high", _QIANFAN_SDK
         + " (APIErrorCode.QPSLimitReached, 18: Open api qps request limit reached; "
         "RPMLimitReached, TPMLimitReached)"),
        ("лимита запросов | лимит запросов | 요청 수 제한 | limite de requêtes | limite de "
         "requisições", _NEW_API_LOCALES
         + " (rate_limit.reached)"),
        ("请求数限制 | 請求數限制 | 最多请求 | 最多請求 | リクエスト制限 | 送信頻度が高すぎ",
         _NEW_API_LOCALES + " (rate_limit.reached: 您已达到请求数限制)"),
        ("trop fréquente | trop de requêtes | demasiadas solicitudes | muito frequente | "
         "слишком частый | слишком много запросов | nombre de requêtes | número de solicitudes | "
         "número de solicitações | 请求次数", _LOBE_RESPONSES + " (429; QuotaLimitReached: le "
         "nombre de requêtes a atteint la limite de quota de cette clé)"),
        ("請求太多 | 请求太多 | 請求過多 | 頻率 | 頻繁 | 速率 | 限流",
         _LOBE_ZH_TW + " (429 您的請求太多); " + _ROO_ZH_TW + " (API 速率限制已超出); "
         + _DEEPSEEK_ZH + "; " + _MINIMAX_ZH + " (请求频率超限)"),
        ("ratenlimit | limite de débit | límite de velocidad | limite de taxa | 속도 제한 | "
         "速率限制 | hız sınırı | giới hạn tốc độ",  # noqa: RUF001
         _ROO_LOCALES_MORE),
        ("多すぎ | レート制限 | 너무 많 | quá nhiều | лимит скорости | anzahl der anfragen",
         _LOBE_LOCALES + "; " + _ROO_LOCALES),
        ("review limit | reviews per hour", "anticipation-labs/canopy#13 (CodeRabbit: you've "
         "reached your PR review limit); CodeRabbit's rate-limit comment (ludeeus/"
         "integration_blueprint#165: CodeRabbit enforces hourly rate limits for each developer "
         "per organization)"),
        ("too quickly | rate increased | cooling down | cooldown | concurrency limit | "
         "concurrency", "paperclipai/paperclip#2885 (Alibaba: Request rate increased too "
         "quickly); router-for-me/CLIProxyAPI#2018 (model_cooldown: All credentials for model x "
         "are cooling down); iflow-ai/iflow-cli#301 (platform concurrency limit)"),
        ("限流 | 频率过高 | 流量限制 | 调用次数限额", _ZHIPU + " (1303 频率过高; 1304 已达今日调"
         "用次数"
         "限额; 1305 已触发流量限制); " + _ALIYUN + " (100002 触发平台限流规则)"),
        ("rate limit | rate limited | rate limiting | ratelimit | ratelimited | rate exceeded",
         "openai-python (RateLimitError); " + _ANTHROPIC_ERRORS + " (rate_limit_error)"),
        ("throttled | throttling | throttle", _AWS_ERRORS + " (ThrottlingException)"),
        ("claude ai usage limit reached | hour limit | weekly limit | session limit + reached "
         "| resets | reset at", "anthropics/claude-code (Claude AI usage limit "
         "reached, a bar and the epoch it resets at; 5-hour limit reached \u2219 resets 3pm; "
         "weekly limit reached; session limit \u00b7 resets 8:20pm), as many wrappers "
         "classify it: a subscription window that resets"),
        ("quota limits", "aws/nova-act src/nova_act/types/act_errors.py "
         "(ActRateLimitExceededError, ActRequestThrottledError: We have quota limits to ensure "
         "sufficient capacity for all users.): a limit on how fast, not on what is left"),
        ("speed limited | speed limit | usage limit + try again later | please wait | try "
         "again in | resets", "microsoft/vscode-copilot-release#5488 (Sorry, your request was "
         "speed limited. Please wait 2 minutes); #8421 (exhausted the agent mode usage "
         "limit ... try again later)"),
        ("exceeded your current requests | exceeded your current request | exceeded the "
         "number of requests | requests exceeded - pending | queue | queued | busy",
         "Felix3322/PotPlayer_ChatGPT_Translate#62 "
         "(Qwen API: You exceeded your current requests list.): more requests than allowed "
         "for now; not a server's queue of pending requests (ollama/ollama server busy, "
         "please try again.  maximum pending requests exceeded: 503, overloaded)"),
        ("too many attempts", "laravel/framework ThrottleRequests (429 Too Many Attempts.), "
         "the throttle of PHP-based API servers and relays: more requests than allowed now"),
        ("too many requests | too many concurrent requests | concurrent requests",
         "HTTP 429 reason phrase; developer.apple.com FoundationModels LanguageModelSession."
         "GenerationError.concurrentRequests and its Rust binding (docs.rs foundation-models "
         "FMError::ConcurrentRequests): more requests at once than allowed"),
        ("request limit | requests limit | request quota | daily quota | daily limit | hourly "
         "quota | hourly limit - credit | credits | spend | budget | allocation",
         "ConnectAI-E/Feishu-Wenxin#11 (Baidu Wenxin: Open api daily request limit reached); "
         "google-gemini/gemini-cli#15576 (You have exhausted your daily quota on this model.): "
         "a limit that resets; not a daily allowance of credit (Cloudflare Workers AI: daily "
         "free allocation of neurons)"),
        ("calls minute | calls hour | calls second | calls day | requests minute | requests "
         "hour | requests second | requests day", "Cohere's 429 for a trial key (You are using "
         "a Trial key, which is limited to 10 API calls / minute.): a rate written with a "
         "slash"),
        ("requests per | tokens per | per minute | per day | rpm | tpm | rpd | tpd",
         _OPENAI_ERRORS + " (Rate limit reached for requests per min (RPM))"),
        ("quota + " + _RATE_WORDS, "Gemini API 429 RESOURCE_EXHAUSTED (Quota exceeded for "
                                   "quota metric ... per minute)"),
        ("resource exhausted | resource has been exhausted", _GOOGLE_CODES
         + " (RESOURCE_EXHAUSTED: Resource has been exhausted (e.g. check quota).)"),
        ("slow down", "providers' 429 bodies (Please slow down)"),
        ("wait before trying again | please wait before", "Amazon Bedrock ThrottlingException "
         "(Too many tokens, please wait before trying again.)"),
        # round 25: a limit that resets by the day or hour, and a count of requests over it.
        ("no deployments available | no healthy deployments", "BerriAI/litellm router "
         "(RouterRateLimitError, 429: No deployments available for selected model, Try again "
         "in 60 seconds; every deployment of the model is cooling down after failures); "
         "BerriAI/litellm#20867, microsoft/agent-lightning#290"),
        ("daily | hourly | weekly | per day | per hour + limit | limits | quota | exceeded | "
         "reached - credit | credits | spend | budget | context", "AI gateways' token "
         "limiters (TokenUsageError::DailyLimitExceeded: daily token limit exceeded; "
         "RateLimitError: Daily token limit reached; weekly limit exceeded): a limit that "
         "resets, a rate"),
        ("number of requests | number of calls + exceeded | exceeds | over the limit | "
         "limit", "Acumatica REST API docs (429: The number of requests has exceeded the limit "
         "imposed by the license); Anthropic's 429 (Number of requests has exceeded your rate "
         "limit)"),
        ("速率限制 | 并发数过高 | 并发 | 请求过多 | 频率 | 频繁",
         "open.bigmodel.cn Zhipu error codes (1302 您当前使用该API的并发数过高: concurrency "
         "too high; 1305 请求过多: too many requests); PaddlePaddle/ERNIE-SDK#107 (Baidu ERNIE: "
         "访问过于频繁: requests too frequent)"),
        # round 30: a limit or quota that names when it resets is a window, a rate.
        ("limit | limits | quota | capacity ~ resets | will reset | reset at | reset after | "
         "reset in | resets at | resets in", "anthropics/claude-code#30399 (You've hit your "
         "limit · resets 7pm (Europe/Madrid)), #8675 (Claude usage limit reached. Your limit "
         "will reset at 10am); google-gemini/gemini-cli#13004 (429: You have exhausted your "
         "capacity on this model. Your quota will reset after 8h44m7s.): the allowance comes "
         "back when its window ends, as a rate limit's does"),
    )),
    ("overloaded", (
        # facts35: a model pool's admission refused for want of memory budget
        ("memory budget | capacity budget | vram budget + insufficient | not enough | "
         "exhausted | exceeded | no", "ardanlabs/kronk sdk/kronk/pool/pool.go (ErrNoCapacity: "
         "pool: insufficient memory budget, served as resource_exhausted); model operators' "
         "admission checks (Insufficient memory budget, cannot create deployment): the "
         "server has no room for the model now; not a machine out of memory (server)"),
        ("not ready + process | model | server | backend | instance | engine", "mostlygeek/"
         "llama-swap internal/process/process_command.go (503: [name] process is not ready); "
         "kserve/kserve errors.py (ModelNotReady: Model with name x is not ready.): the model's "
         "server is still starting, try again later"),
        ("服務不可用 | 利用できません | 사용할 수 없 | est indisponible | недоступен | недоступна",
         _ROO_EMBEDDINGS + " (ollama.serviceUnavailable, validation.serviceUnavailable)"),
        ("nenhum canal upstream | está saturada | вышестоящего канала | нет доступного канала "
         "| насыщена | 업스트림 채널이 없 | 부하가 "
         "포화 | 사용 가능한 채널이 없 | aucun canal amont | est saturée | aucun canal disponible",
         _NEW_API_LOCALES + " (channel.no_valid_upstream, channel.upstream_saturated, "
         "distributor.no_available_channel)"),
        ("无有效上游 | 無有效上游 | 无可用渠道 | 無可用管道 | 負載已飽和 | 負荷が飽和 | 最大負荷 | "
         "利用可能なチャンネルがありません | 有効なアップストリーム", _NEW_API_LOCALES
         + " (channel.no_valid_upstream, distributor.no_available_channel, "
         "channel.upstream_saturated, relay.group_saturated)"),
        ("une surcharge | sobrecarga | sobrecarregado | перегрузки | n est pas disponible | no "
         "está disponible | não está disponível | indisponível",
         _LOBE_RESPONSES + " (503: surcharge ou "
         "maintenance; OllamaServiceUnavailable: le service Ollama n'est pas disponible)"),
        ("過載 | 过载 | 負載過高 | 负载过高 | 暫時無法使用 | 暂时无法使用 | 繁忙 | 忙碌 | "
         "進行維護 | 进行维护", _LOBE_ZH_TW + " (503 可能是因為過載或正在進行維護; Ollama 服務"
         "暫時無法使用); "
         + _DEEPSEEK_ZH),
        ("オーバーロード | 과부하 | nicht verfügbar | không khả dụng", _LOBE_LOCALES),
        ("queue full | queue is full", "chathub-dev/chathub bots/gradio (queue_full: the "
         "LMSYS gradio queue)"),
        ("访问量过大 | 负载已饱和 | 负载已满 | 服务繁忙 | 系统繁忙 | 服务器繁忙 | "
         "暂时无法提供服务 | 暂不可用 | 暂时不可用 | 服务不可用",
         _ZHIPU + " (1305, 1312 该模型当前访问量过大); " + _NEW_API + "; " + _ALIYUN
         + " (100020 模型暂时无法提供服务); "
         + _QIANFAN + " (服务暂不可用); docs.crazyrouter.com/error-handling (503 服务暂时不可用); "
         "songquanpeng/one-api#130 (负载已满, 请稍后再试); Chinese APIs' busy answers "
         "(系统繁忙, 请稍后再试; WeChat -1 系统繁忙 as 502 WECHAT_SYSTEM_BUSY; API servers' 503 "
         "{\"detail\": \"服务器繁忙, 请稍后重试\"}; DeepSeek chat's 服务器繁忙, 请稍后再试), "
         "which their clients retry like a 5xx"),
        ("overloaded | overload | over capacity | at capacity | capacity - out of memory | "
         "total capacity",
         "Anthropic 529 (Overloaded); OpenAI (That model is currently overloaded)"),
        ("service unavailable | temporarily unavailable | currently unavailable | "
         "unavailable - assets unavailable | asset unavailable | unavailable reason",
         "HTTP 503 reason phrase; "
         + _GOOGLE_CODES + " (UNAVAILABLE); not an on-device model whose files are missing "
         "(developer.apple.com FoundationModels LanguageModelSession.GenerationError."
         "assetsUnavailable), nor one the device cannot run at all (developer.apple.com "
         "FoundationModels SystemLanguageModel.Availability.UnavailableReason: "
         "deviceNotEligible, appleIntelligenceNotEnabled, modelNotReady)"),
        ("load is saturated | is saturated | saturated", "QuantumNous/new-api i18n/locales/en.yaml "
         "(channel.upstream_saturated: Current group upstream load is saturated, please try "
         "again later), the English of " + _NEW_API),
        ("no more data centers | no available capacity | no capacity | no healthy upstream | "
         "no available server | no available servers | no available slot | no available slots "
         "| no available worker | no available workers", "Cloudflare Workers AI errors (No "
         "more data centers to forward the request to); Envoy (no healthy upstream); "
         "xorbitsai/inference xinference/core (No available slot found for the model; No "
         "available worker found): nothing free to serve the request now"),
        ("busy | high demand | high traffic | heavy load | currently loading",
         "DeepSeek 503 (Server is busy); Hugging Face Inference API 503 (currently loading)"),
        ("high load", "API servers' 503 bodies (Service temporarily unavailable: The server "
         "is experiencing high load. Please retry.); Gemini clients (The Gemini AI service is "
         "temporarily experiencing high load)"),
        ("under maintenance | maintenance mode | down for maintenance | scheduled maintenance",
         "API servers' 503 during maintenance (res.status(503).json({message: \"Server is "
         "under maintenance. Please try again later.\"}); maintenance-mode middleware): "
         "unavailable for now, like a 503"),
        ("loading model | model is loading | still loading - error loading | failed loading "
         "| failure loading | failed to load | loading model file",
         "ggml-org/llama.cpp tools/server (503 {\"message\":\"Loading model\",\"type\":"
         "\"unavailable_error\"} while the server starts); Hugging Face Inference API 503 "
         "(Model is loading); a server whose model is not loaded yet; not a model that failed "
         "to load (Ollama 500: Error loading model)"),
        ("service is not available", "abetlen/llama-cpp-python llama_cpp/server/app.py (503: "
         "Service is not available, while no model is loaded yet)"),
        # round 25: a proxy's circuit breaker and a local server's full queue, or one not up
        # yet or going down.
        ("being loaded | shutting down | starting up - failed | failure | could not | unable",
         "model servers' 503 while loading (Model is being loaded, please wait...); HTTP "
         "servers' 503 while draining (render::draining: the server is shutting down); "
         "services' 503 with Retry-After while starting (Server is starting up, please retry in "
         "a moment.; project is starting up, please retry): not up to take the request now, "
         "try again"),
        ("reset reason overflow | pending requests exceeded | max pending exceeded",
         "envoyproxy/envoy (503 with flag UO, upstream overflow: upstream connect error or "
         "disconnect/reset before headers. reset reason: overflow; x-envoy-overloaded: true); "
         "ollama/ollama server/sched.go (ErrMaxQueue, 503: server busy, please try again.  "
         "maximum pending requests exceeded)"),
    )),
    ("server", (
        # round 27: a local server that could not load the model a request needs.
        ("internal loader | failed loading model | error loading model - not ready | "
         "unsupported | try a different | canceled | cancelled | not found for | no such | does "
         "not exist | deadline | timed out | timeout | connection refused | no route to host",
         "mudler/LocalAI pkg/model loader (ERR Server "
         "error ... status=500: failed to load model with internal loader: could not load "
         "model: rpc error: ...; "
         "failed to load model with internal loader: backend not found: x), as mudler/LocalAI "
         "issues show it with a 500; ollama/ollama llm/status.go (error loading model) and "
         "server/sched.go; ggml-org/llama.cpp tools/server (failed to load model, "
         "llama_model_load: error loading model); charmbracelet/mods#283 (Error loading model "
         "'llama3' for API 'ollama'., for a 500): the server failed to bring up the model the "
         "request named; not a backend that is not ready yet (overloaded), a model file of a "
         "type it does not take, a load the user canceled, or an app's own load dialog that "
         "asks for another model; a bare failed to load model is an app's or a library's as "
         "often as a server's"),
        ("internal service error", "volcengine/volcengine-python-sdk volcenginesdkcore/"
         "interceptor/interceptors/deserialized_response_interceptor.py at b5be43b5e6b3 "
         "(ApiException reason InternalServiceError)"),
        ("server failed to process | server was unable to process | server could not process",
         "voyage-ai/voyageai-python voyageai/api_resources/api_requestor.py (500: The server "
         "failed to process the request.)"),
        ("rencontrer des difficultés | experimentando dificultades | enfrentando algumas "
         "dificuldades | испытывает некоторые трудности | 一些困难 | 一些困難",
         _LOBE_RESPONSES + " (500: le serveur semble rencontrer des difficultés)"),
        ("伺服器錯誤 | 伺服器內部錯誤 | 內部錯誤 | 服务器故障 | 伺服器故障 | 服务内部错误 | "
         "系统错误 | 系統錯誤 | 下游服务错误 | 遇到一些困難 | 遇到一些困难",
         _LOBE_ZH_TW + " (500 伺服器似乎遇到一些困難); " + _ROO_ZH_TW + " (API 伺服器錯誤); "
         + _DEEPSEEK_ZH + "; " + _MINIMAX_ZH),
        ("一時的 | serververbindung | speicherplatz | beim warten auf eine antwort | "
         "kết nối máy chủ", _LOBE_LOCALES),
        ("内部错误 | 系统异常 | 服务器错误", _ZHIPU + " (500 内部错误); " + _QIANFAN + " (系统内"
         "部错误); " + _ALIYUN + " "
         "(100000 系统异常)"),
        ("internal server error | internal error | server error | server had an error | "
         "internal server | bad gateway - stream error | decoding error | stream was reset | "
         "connection error received | connection error detected | connection error sent",
         "HTTP 500, 502 "
         "reason phrases; " + _OPENAI_ERRORS + "; not the SDK's own failure to decode an "
         "answer (firebase/firebase-ios-sdk#14745: GenerateContentError.internalError("
         "underlying: Swift.DecodingError.keyNotFound(...)); Swift clients' DecodingError "
         "wrapped as an internal error); round 32: not an HTTP/2 stream or connection reset "
         "whose code is INTERNAL_ERROR (square/okhttp StreamResetException: stream was reset: "
         "INTERNAL_ERROR, as Android agents' HTTP/2 workarounds quote it; hyperium/h2 "
         "Error Display: connection error received: unexpected internal error encountered)"),
        ("encountered an unexpected error | encountered an unexpected condition | "
         "encountered an internal error | error was encountered while running the model",
         "ollama/ollama llm/server.go (an error was encountered while running the model: ...; "
         "an unknown error was encountered while running the model CUDA error: ...); "
         "janhq/jan#6961 (LLAMA_CPP_PROCESS_ERROR The model "
         "process encountered an unexpected error.); RFC 9110 500 Internal Server Error (The "
         "server encountered an unexpected condition that prevented it from fulfilling the "
         "request): the server failed on its side"),
        ("error occurred while processing - your input | the input", _OPENAI_ERRORS
         + " (The server had an error while processing your request; An error occurred while "
         "processing your request); not an app that could not handle what the user typed "
         "(kirodotdev/Kiro#9464: An unexpected error occurred while processing your input.)"),
        ("invalid response was received from the upstream | invalid response from the "
         "upstream | invalid response from upstream | web server is returning an unknown error",
         "Kong's 502 body ({\"message\":\"An invalid response was received from the upstream "
         "server\"}, as Supabase's gateway answers it), MDN's 502 Bad Gateway description; "
         "Cloudflare's 520 page (Web server is returning an unknown error): the server behind "
         "the gateway failed"),
        ("unable to process your request | not able to process your request | unable to "
         "process the request", "Amazon Bedrock's ServiceUnavailableException (Bedrock is "
         "unable to process your request.); API servers' 500 bodies (The service was not able "
         "to process your request): the service failed on a request it accepted"),
        ("occurred internal to", "docs.anthropic.com errors (api_error: An unexpected error "
                                 "has occurred internal to Anthropic's systems.)"),
        ("inference failed | inference error - timed out | timeout | connection | connect | "
         "refused | unreachable", "mudler/LocalAI core/http (500 moderation "
         "inference failed); model servers' FastAPI handlers (HTTPException(500, inference "
         "failed: ...); Model inference failed: ...; 502 Inference failed: ...): the model "
         "server's own inference step failed; not where it names a timeout or a connection "
         "that failed (502 Inference failed: {httpx.HTTPError})"),
        ("engine dead | engine core encountered | engine core failed | background loop has "
         "errored | background loop is not running", "vllm-project/vllm "
         "v1/engine/exceptions.py (EngineDeadError: EngineCore "
         "encountered an issue. See stack trace above.; EngineCore encountered a fatal error) "
         "and v0 (AsyncEngineDeadError: Background loop has errored already.), as the servers "
         "built on vLLM and their log watchers report it: the model server's engine died"),
        ("cuda error | illegal memory access | device side assert", "PyTorch's CUDA runtime "
         "errors (RuntimeError: CUDA error: an illegal memory access was encountered; CUDA "
         "error: device-side assert triggered), as vLLM, TGI and other model servers answer "
         "a request with them (500): the model server's GPU step failed"),
        ("more system memory | out of memory | cuda out of memory | insufficient memory | not "
         "enough memory", "ollama/ollama (model requires more system memory than is "
         "available); PyTorch (CUDA out of memory)"),
        ("process has terminated | runner has unexpectedly stopped | runner process "
         "no longer running", "ollama/ollama llm/server.go (500: llama runner process has "
         "terminated; model runner has unexpectedly stopped, this may be due to resource "
         "limitations or an internal error): the model server's own process failed"),
    )),
    ("timeout", (
        # facts37: a status and its reason phrase joined into a code; a join not in time
        ("504 gateway error | 504 gateway timeout | 504 gateway time out",
         "VapiAI/server-sdk-csharp CallEndedReason.cs (pipeline-error-playht-504-gateway-error)"),
        ("in time + did not | didn t | failed to | could not | couldn t - in time for",
         "elevenlabs/elevenlabs-swift-sdk ConversationError.swift (Agent did not join in "
         "time.): what was awaited did not come before the deadline"),
        ("failed within | not established within | could not established within",
         _DASHSCOPE_SDK + " (tts_v2: start speech synthesizer failed within 5s.; websocket "
         "connection could not established within 5s.): the wait ran out"),
        ("連線超過時間", _LOCALE_CAPTURES_ZH_TW + " (ETIMEDOUT)"),
        ("expiré en attendant | délai d attente | agotado el tiempo de espera | tiempo de espera "
         "agotado | excedeu o tempo de espera", _LOBE_RESPONSES + " (408: le serveur a expiré en "
         "attendant la demande)"),
        ("error 10060 | errno 10060", _WINSOCK),
        ("超時 | 逾時 | 一段时间后没有正确答复 | 一段時間並未正確回應 | 正しく応答しなかった | "
         "응답이 없어 | zeitspanne nicht richtig reagiert | no respondió adecuadamente | "
         "за требуемое время", _LOBE_ZH_TW + " (408 伺服器在等待請求時超時); " + _WINSOCK_TEXTS),
        (_STRERROR_TIMEOUT, _STRERROR_CAPTURES),
        ("タイムアウト | 上位サーバー", _LOBE_LOCALES),
        ("upstream server is timing out", "Kong/kong proxy 504 (The upstream server is timing "
         "out), as clients and retry filters match it"),
        ("nsurl error domain + 1001", "Apple Foundation NSURLError.h (NSURLErrorTimedOut = "
         "-1001: NSURLErrorDomain error -1001)"),
        ("deadline expired", _GOOGLE_CODES + " (DEADLINE_EXCEEDED: The deadline expired "
         "before the operation could complete.), as googleapis/python-api-core's "
         "DeadlineExceeded and gRPC clients print it"),
        ("超时", _ALIYUN + " (100013 请求调用超时; 200004 大模型调用超时)"),
        ("esockettimedout", "request/request (Node: Error: ESOCKETTIMEDOUT, the socket's "
         "read timeout)"),
        ("failed after | gave up after | no response after | not ready after ~ s | sec | secs | "
         "second | seconds | ms | min | mins | minute | minutes - refused | reset | "
         "unreachable", "mostlygeek/llama-swap#92 (unable to start process: health check failed "
         "after 15s); docker compose (container x is unhealthy / dependency failed to start, "
         "health checks that gave up after their timeout); agents' retry loops (gave up after "
         "30s): a wait that ran out of time; not one whose cause is named (connection "
         "refused)"),
        ("execution expired", "ruby/timeout lib/timeout.rb (Timeout::Error: execution expired, "
         "as Net::OpenTimeout and Faraday clients print it)"),
        ("deadline has elapsed", "tokio-rs/tokio src/time/error.rs (Elapsed: deadline has "
         "elapsed, as Rust clients wrapped in tokio::time::timeout print it)"),
        ("maximum execution time + exceeded", "php/php-src Zend/zend_execute_API.c (Maximum "
         "execution time of 30 seconds exceeded, a PHP client cut off while it waited)"),
        ("allotted time | respond in time | responded in time | wall clock duration reached",
         "firebase/firebase-android-sdk firebase-ai type/Exceptions.kt (RequestTimeoutException: "
         "The request failed to complete in the allotted time.); Dart clients' "
         "NetworkException.timeout (a request fails to complete within the allotted time); Qt "
         "clients (The connection has not been established in the allotted time.); "
         "supabase/edge-runtime as supabase-community/chatgpt-your-files#2 and #11 show it "
         "(InvalidWorkerCreation: worker did not respond in time; wall clock duration "
         "reached), and apps' troubleshooting pages quoting the latter: the time allowed ran "
         "out"),
        ("timeout | timed out | time out | timeouts | deadline exceeded | etimedout | "
         "took too long - argument | parameter | param | kwarg | keyword | option | field | "
         "property | setting | must be | should be",
         "TIMEOUT_KEYWORDS; httpx (ReadTimeout, ConnectTimeout); openai-python "
         "(APITimeoutError)"),
    )),
    ("network", (
        ("连接不到 | 连不上 | 连接错误", _COW + " (APIConnectionError: 我连接不到你的网络); "
         + _LANGBOT + " (chatcmpl.py APIConnectionError: 连接错误: ...)"),
        ("client connector | client os error", "aio-libs/aiohttp aiohttp/client_exceptions.py "
         "(ClientConnectorError, ClientOSError), as SDKs report them by name (" + _DASHSCOPE_SDK
         + " websocket_request.py: ClientConnectorError)"),
        ("连接 | 連線 + 失败 | 失敗",
         _ROO_EMBEDDINGS + " (连接嵌入器服务失败; 連線至內嵌服務失敗)"),
        ("verbindung + fehlgeschlagen", _ROO_EMBEDDINGS + " (Verbindung zum Embedder-Dienst "
         "fehlgeschlagen)"),
        ("接続に失敗 | 연결하지 못했습니다 | échec de la connexion | error al conectar | falha ao "
         "conectar | не удалось подключиться", _ROO_EMBEDDINGS + " (validation.connectionFailed)"),
        ("連線被拒絕 | 無法接觸網路 | 連線被對方重設 | 通往該主機的路由", _LOCALE_CAPTURES_ZH_TW
         + " (ECONNREFUSED, ENETUNREACH, ECONNRESET, EHOSTUNREACH)"),
        *_winsock_network_rows("检查网络"),
        (_STRERROR_NETWORK, _STRERROR_CAPTURES),
        ("no route to host | http response to https client", "Linux errno 113 as Go and "
         "Python print it (dial tcp ...: connect: no route to host; [Errno 113] No route to "
         "host); golang/go net/http transport (http: server gave HTTP response to HTTPS "
         "client): the connection itself failed"),
        ("header parser received no bytes | stream was reset", "openjdk java.net.http "
         "Http1HeaderParser as HttpClient reports a connection closed before any header "
         "(java.io.IOException: HTTP/1.1 header parser received no bytes; apps' retry filters "
         "match it); square/okhttp StreamResetException (stream was reset: CANCEL, "
         "PROTOCOL_ERROR, INTERNAL_ERROR, REFUSED_STREAM): an HTTP/2 stream reset"),
        ("end of file error | pr end of file", "Firefox NSS PR_END_OF_FILE_ERROR as "
         "MuiseDestiny/zotero-gpt#232 shows it (Encountered end of file Error code: "
         "PR_END_OF_FILE_ERROR)"),
        ("failed host lookup | no address associated with hostname | nodename nor servname | "
         "response payload is not completed | connection broken | incomplete read",
         "dart-lang/sdk SocketException (Failed host lookup: 'api.openai.com'); getaddrinfo's "
         "gai_strerror for EAI_NODATA and EAI_NONAME (No address associated with hostname, as "
         "Android's UnknownHostException adds it; macOS: nodename nor servname provided, or "
         "not known); aio-libs/aiohttp ClientPayloadError (Response payload is not "
         "completed); urllib3 ProtocolError (Connection broken: IncompleteRead(0 bytes read, "
         "512 more expected)) as requests' ChunkedEncodingError prints it: the name or the "
         "connection failed"),
        ("remote name could not be resolved | connection with the server could not be "
         "established | connection with the server was terminated abnormally | host is down",
         ".NET WebException (The remote name could not be resolved: 'api.openai.com', "
         "WebExceptionStatus.NameResolutionFailure); Windows WinHTTP errors 12029 and 12030 "
         "(A connection with the server could not be established; The connection with the "
         "server was terminated abnormally), as Windows clients print them; EHOSTDOWN's "
         "strerror (Host is down): the connection itself failed"),
        ("self signed | leaf signature | issuer cert | cert has expired | cert in chain | "
         "cert not yet valid", "Node.js TLS errors, OpenSSL's X509 verify codes "
         "(SELF_SIGNED_CERT_IN_CHAIN, DEPTH_ZERO_SELF_SIGNED_CERT, "
         "UNABLE_TO_VERIFY_LEAF_SIGNATURE, UNABLE_TO_GET_ISSUER_CERT_LOCALLY, CERT_HAS_EXPIRED), "
         "as anthropics/claude-code#25084 shows one behind a TLS-inspecting proxy: the secure "
         "connection failed"),
        ("net err | type error load failed", _CHROMIUM_NET + " (net::ERR_FAILED and the rest "
         "of Chromium's net errors); WebKit fetch (TypeError: Load failed)"),
        ("empty reply from server | bytes read on a total", "curl (52) Empty reply from "
         "server (LlamaEdge/LlamaEdge#163); aiohttp through xorbitsai/inference#2894 (0 bytes "
         "read on a total of N expected bytes)"),
        ("remote server + closed | disconnected", "xorbitsai/inference#2894 (Remote server x "
         "closed)"),
        ("nsurl error domain + 1003 | 1004 | 1005 | 1009 | 1020 | 1200", "Apple Foundation "
         "NSURLError.h (CannotFindHost -1003, CannotConnectToHost -1004, NetworkConnectionLost "
         "-1005, NotConnectedToInternet -1009, DataNotAllowed -1020, SecureConnectionFailed "
         "-1200)"),
        ("appears to be offline | hostname could not be found | unknown host | could not "
         "resolve host | couldn t resolve host | could not resolve proxy | unable to resolve "
         "host | while sending the request | und err socket | und err closed | und err "
         "destroyed", "Apple Foundation (The Internet connection appears to be offline.; A "
         "server with the specified hostname could not be found.); java.net.UnknownHostException; "
         "curl (6) Could not resolve host; .NET HttpRequestException (An error occurred while "
         "sending the request.); nodejs/undici lib/core/errors.js (UND_ERR_SOCKET, "
         "UND_ERR_CLOSED, UND_ERR_DESTROYED)"),
        ("网络错误 | 网络异常 | 连接失败 | 拒绝连接 | 无法连接", _ZHIPU + " (1234 网络错误); "
         + _ZH_CN + " (ECONNREFUSED 拒绝连接)"),
        ("name not resolved | host not resolved | internet disconnected | http 2 | quic | "
         "spdy | content length mismatch | incomplete chunked encoding | too "
         "many redirects | address invalid | network changed",
         _CHROMIUM_NET + " (ERR_NAME_NOT_RESOLVED, ERR_INTERNET_DISCONNECTED, "
         "ERR_HTTP2_PROTOCOL_ERROR, ERR_QUIC_PROTOCOL_ERROR, ...: the "
         "network errors of Chromium, Electron and Chrome-based apps); "
         "brianpetro/obsidian-smart-connections#627"),
        ("err + cert | invalid response | empty response", _CHROMIUM_NET + " "
         "(ERR_CERT_AUTHORITY_INVALID, ERR_CERT_DATE_INVALID, ERR_INVALID_RESPONSE, "
         "ERR_EMPTY_RESPONSE; a response that was merely empty is no network error)"),
        ("connection + refused | reset | closed | aborted | lost | failed | dropped | "
         "terminated | error | errored | timeout", "openai-python (APIConnectionError: "
         "Connection error.); " + _GO_NET + "; " + _REQUESTS),
        ("web socket | websocket + closed | closing | not connected | not open | is closed | "
         "disconnected | connection closed - 1008 | policy violation | 4001 | 4003 | 4401 | 4403",
         "a WebSocket connection that closed or never opened: the browsers' WebSocket (WebSocket "
         "is already in CLOSING or CLOSED state.), websockets/ws (WebSocket is not open: "
         "readyState 3 (CLOSED)), elevenlabs/examples#167, hkjarral/AVA-AI-Voice-Agent-for-"
         "Asterisk (WebSocket is not connected); not a server that closed it with a policy or "
         "auth close code (1008, 4001/4003, 4401/4403: the reason names the fault)"),
        ("no close frame", "python-websockets ConnectionClosedError (no close frame received or "
         "sent: the TCP connection dropped without a WebSocket close), as google/adk-python#3035 "
         "prints it"),
        ("type error terminated", "nodejs/undici (TypeError: terminated, when the server "
                                  "closes the connection mid-body)"),
        ("error sending request | error sending http request | stream disconnected | "
         "disconnected | trouble connecting | problem connecting | error connecting | issue "
         "connecting | issues connecting | "
         "transport connection | transport error | refused stream | upstream connect error | "
         "connect exception | connectivity | secure connection | establish a connection | "
         "establish connection", "seanmonstar/reqwest (error sending request for url); "
         "openai/codex (stream disconnected before completion); .NET System.Net (Unable to "
         "read data from the transport connection); java.net.ConnectException; Envoy "
         "(upstream connect error or disconnect/reset before headers); HTTP/2 "
         "REFUSED_STREAM; StanfordSpezi/SpeziLLM (Connectivity Error; Couldn't establish a "
         "secure connection)"),
        ("channel closed | channel close | send request | connection closed before message "
         "completed | incomplete message", "hyperium/hyper (hyper::Error(ChannelClosed); "
         "connection closed before message completed), hyper_util legacy client "
         "(Error(SendRequest, ...)) as reqwest prints them (seanmonstar/reqwest#1808)"),
        ("read error | write error | local protocol error | remote protocol error",
         "encode/httpx (ReadError, WriteError, LocalProtocolError, RemoteProtocolError)"),
        ("server + not running | isn t running | is down", "stitionai/devika#187 (Ollama "
         "server not running, please start the server)"),
        ("could not reach | couldn t reach | unable to reach | cannot reach | can t reach | "
         "failed to reach", "coder/mux formatNameGenerationError.ts (Could not reach the AI "
         "provider.)"),
        ("error communicating with", "openai/openai-python 0.x openai/api_requestor.py "
         "(APIConnectionError: Error communicating with OpenAI: ...), as FoundationAgents/"
         "MetaGPT#458 and langchain's retry logs print it: the request never got an answer"),
        ("firewall | firewalls + allowlist | whitelist | allow list | proxy | check your | "
         "your network", "augmentcode/augment.vim#51 (Sign in failed. If you have a "
         "firewall, please add \"https://i1.api.augmentcode.com/\" to your allowlist.); "
         "clients' connection hints (check your firewall or proxy settings): the connection "
         "was blocked on the way"),
        # facts35: a fetch wrapper whose cause has no status (a written status reads first)
        ("error fetching from", "google-gemini/generative-ai-js src/requests/request.ts "
         "(makeRequest: Error fetching from <url>: <the fetch's own error>; with a response "
         "it writes [400 Bad Request], read as that status): the request never got an answer"),
        ("connect error | connecterror | unable to connect | could not connect | cannot "
         "connect | can t connect | couldn t connect | failed to connect | network | "
         "unreachable | dns | proxy error | remote protocol error | econnaborted | "
         "ehostunreach | enetunreach | econnreset | econnrefused | enotfound | eai again | "
         "socket hang up | socket closed | premature close | eof | ssl | tls | certificate | "
         "handshake | x509 | goaway | http2 | fetch failed | failed to fetch - "
         "decoding error | not valid json | data corrupted | failed to parse | parse error | "
         "stream error false | abort error | aborterror | aborted a request | operation was "
         "aborted | request was "
         "aborted", "httpx (ConnectError, RemoteProtocolError); " + _NODE_NET + "; " + _UNDICI
         + "; " + _GO_NET + "; not a stream whose data could not be read (Stream error: failed "
         "to parse SSE event, as in the keyword above)"),
        # facts37: an HTTP/2 stream error, not an agent app's catch-all stream prefix
        ("stream error - agent stream | decoding error | not valid json | data corrupted | "
         "failed to parse | parse error | stream error false | abort error | aborterror | "
         "aborted a request | operation was aborted | request was aborted",
         _GO_NET + " (stream error: stream ID N); not an app's catch-all prefix for whatever its "
         "agent stream raised (mastra-ai/mastra#9870: Error in agent stream { error: undefined, "
         "runId: ... }; apps' console.error(\"Error in agent stream:\", error))"),
        ("session closed | session reconnection | session reconnecting | session disconnected "
         "- user | by the client | canceled | cancelled", "livekit/agents livekit-plugins-"
         "openai realtime_model.py (pending response discarded due to session reconnection; "
         "realtime session closed) and livekit-plugins-aws experimental realtime (Session "
         "closed while waiting for generation; Session closed before response created): a "
         "realtime model's session is its WebSocket or HTTP/2 stream, and it closed under the "
         "request; not a session the user closed"),
        # round 25: transport failures as other languages' HTTP clients name them.
        ("nxdomain | ehostunreach | enetunreach | enetdown", "erlang/otp inet POSIX error atoms "
         "as Elixir clients print them (%HTTPoison.Error{reason: :nxdomain}; "
         "%Mint.TransportError{reason: :ehostunreach}): no such host, no route"),
        ("stream | streams + ended unexpectedly | ended prematurely | terminated unexpectedly | "
         "closed prematurely | ended abruptly", "zed-industries/zed crates/language_model_core "
         "(stream from Anthropic ended unexpectedly); nodejs/node stream.finished "
         "(ERR_STREAM_PREMATURE_CLOSE: Premature close): the answer's stream was cut"),
        ("failed to perform http request | exceptions request error | io exception - canceled "
         "| cancelled | timeout | timed out", "r-lib/httr2 R/req-perform.R (Failed to perform "
         "HTTP request., wrapping curl's transport error); JuliaWeb/HTTP.jl src/Exceptions.jl "
         "(HTTP.Exceptions.RequestError: the request failed before any status); "
         "openai/openai-java (OpenAIIoException: Request failed): the request never got an "
         "answer"),
        # round 32
        ("reqwest error kind request", "seanmonstar/reqwest Error's Debug for Kind::Request, "
         "a request that could not be sent (warpdotdev/warp#7335: Transport(reqwest::Error { "
         "kind: Request, url: ...; vtcode: Failed to connect to Ollama server: reqwest::"
         "Error { kind: Request, url: \"http://localhost:11434/api/tags\", source: ... "
         "ConnectionRefused ...; astral-sh/uv issues: ... source: hyper::Error(Http2, ... "
         "GoAway ...)): no answer came"),
        ("proxy connection | proxy socket + ended | closed | failed | refused | reset",
         "TooTallNate/proxy-agents https-proxy-agent parse-proxy-response (Proxy connection "
         "ended before receiving CONNECT response), bundled by Node CLIs and agents that honour "
         "HTTPS_PROXY (users' notes on a wrong proxy port; retry filters that list it beside "
         "tunneling socket could not be established): the proxy dropped the tunnel"),
        ("remote party | remote peer + closed | has closed | closing", "dotnet/runtime "
         "SslStream (System.IO.IOException / AuthenticationException: Authentication failed "
         "because the remote party has closed the transport stream., as PolarProxy logs and "
         "ASP.NET setup notes quote it): the other side closed the connection during the TLS "
         "handshake"),
    )),
    ("canceled", (
        ("interrompue | annulation | interrompida | cancelou | interrumpida", _LOBE_RESPONSES
         + " (499: votre demande a été interrompue)"),
        ("unterbrochen", _LOBE_LOCALES),
        ("已取消", "cfug/dio and other Chinese HTTP clients' messages (请求已取消: request "
                  "canceled)"),
        ("cancel | canceled | cancelled | cancellation | abort | aborted | abort error | "
         "interrupted", "DOM AbortError; " + _GOOGLE_CODES + " (CANCELLED); Go context"),
        ("client closed request", "abetlen/llama-cpp-python llama_cpp/server/app.py (detail: "
         "Client closed request, when the client disconnects before the answer); nginx's 499 "
         "reason phrase"),
    )),
    ("http_other", (
        ("请求方法 | 請求方法 | 요청 메서드 | méthode de requête | método de "
         "solicitud | método de solicitação | метод запроса",
         _LOBE_RESPONSES + "; " + _LOBE_ZH_TW + "; lobehub/lobe-chat locales/ko-KR/"
         "error.json (405: the server does not support the request method)"),
        ("请求存在冲突 | 請求存在衝突 | 충돌로 인해 | en raison d un conflit | debido a un "
         "conflicto | devido a um conflito | из за конфликта",
         _LOBE_RESPONSES + "; " + _LOBE_ZH_TW
         + "; lobehub/lobe-chat locales/ko-KR/error.json (409: a conflict with the resource's "
         "state)"),
        ("method not allowed", "HTTP 405 reason phrase (RFC 9110 Method Not Allowed); "
         "n8n-io/n8n packages/workflow/src/errors/node-api.error.ts (STATUS_CODE_MESSAGES 405: "
         "Method not allowed - please check you are using the right HTTP method); FastAPI's "
         "{\"detail\":\"Method Not Allowed\"} as OpenAI-compatible servers answer a wrong "
         "path: a status no other label reads"),
    )),
)

_PROVIDER_REFINEMENTS: Final = _Table(PROVIDER_ERROR_REFINEMENTS)
_PROVIDER_REFINEMENT_FAMILIES: Final = _Families(PROVIDER_ERROR_REFINEMENT_FAMILIES)
_PROVIDER_FAMILIES: Final = _Families(PROVIDER_ERROR_FAMILIES)
_PROVIDER_RANK: Final[dict[str | None, int]] = {
    lb: i for i, lb in enumerate(PROVIDER_ERROR_LABELS)}
_OTHER_RANK: Final = PROVIDER_ERROR_LABELS.index("other")
#: family index (``len`` = none) -> rank in PROVIDER_ERROR_LABELS.
_PROVIDER_FAMILY_RANKS: Final = (*(PROVIDER_ERROR_LABELS.index(lb)
                                   for lb in _PROVIDER_FAMILIES.labels), _OTHER_RANK)
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


def _provider_error_label(message: str, status: int | None) -> str:
    """Refinements of the message (the phrase table, then by meaning), else ``status``,
    else a status written in the message (a form, then a status-shaped name), else the
    keyword table and the words of every label, in label order, else ``other``
    (docs/FACTS.md)."""
    message = without_names_of_several(unescaped(message))
    lowered = ascii_lower(message)
    word_list = None
    # Every refinement's first word is in the message if the refinement is: most messages
    # are ruled out by a few substring tests, without splitting them into words.
    if (_REFINEMENT_REGEX.search(lowered) if len(lowered) < _SHORT
            else any(map(lowered.__contains__, _REFINEMENT_SUBSTRINGS))):
        word_list = WORD.findall(lowered)
        label = _PROVIDER_REFINEMENTS.first(lowered, word_list)
        if label is not None:
            return label
    joined = joined_words(message)
    label = _PROVIDER_REFINEMENT_FAMILIES.first(joined)
    if label is not None:
        return label
    if status is not None and is_status(status):
        return status_label(status)
    found = _status_in_lowered(lowered)
    if found is not None and is_status(found):
        return status_label(found)
    name = status_name(message)
    found = ((status_of_phrase(lowered) or status_of_grpc_code(lowered)) if name is None
             else _NAME_STATUS[name[0]])
    if found is not None:
        if name is None or name[0] not in _NAMES_FALLBACK:
            return status_label(found)
        # a fallback name is no part of the words that may name something more specific
        lowered = lowered.replace(ascii_lower(name[1]), " ")
        joined = joined_words(message.replace(name[1], " "))
        word_list = None
    if word_list is None:
        word_list = WORD.findall(lowered)
    rank = _PROVIDER_RANK.get(_PROVIDER_KEYWORDS.first(lowered, word_list), _OTHER_RANK)
    rank = min(rank, _PROVIDER_FAMILY_RANKS[_PROVIDER_FAMILIES.first_index(joined)])
    if rank == _OTHER_RANK:
        if found is not None:
            return status_label(found)  # a fallback name's status
        found = status_of_grpc_name(lowered)
        if found is not None:
            return status_label(found)  # a gRPC code's status, where the words name nothing
    return PROVIDER_ERROR_LABELS[rank]


_PROVIDER_ERROR_MEMO: Final = Memo()


def provider_error_label(message: str, status: int | None) -> str:
    """The label of a ``provider_error`` (see :func:`_provider_error_label`)."""
    return _PROVIDER_ERROR_MEMO.label(
        message, lambda: _provider_error_label(message, status), status)


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
        (r"\btool [\"'`]?[a-z0-9_.:-]+[\"'`]? is disabled", "eclipse-theia/theia "
         "chat-tool-request-service.ts (DenialResult: Tool x is disabled)"),
    )),
    ("timeout", TIMEOUT_KEYWORDS),
    ("canceled", (
        ("interrupted by user", _CLAUDE_CODE + " ([Request interrupted by user for tool use])"),
        ("interrupted by the user", "agents' interrupt handling"),
        ("aborterror", "DOM AbortError"),
    )),
    ("unknown_tool", (
        ("unknown tool", _MCP + " (Unknown tool: x)"),
        ("no such tool", _CLAUDE_CODE + " (No such tool available: x)"),
        ("unavailable tool", "vercel/ai NoSuchToolError, used by sst/opencode (Model tried "
                             "to call unavailable tool 'x')"),
        (r"\btool [\"'`]?[a-z0-9_.:-]+[\"'`]? (?:is |was )?not found", _GEMINI_CLI
         + "/scheduler (Tool \"x\" not found)"),
        (r"\btool [\"'`]?[a-z0-9_.:-]+[\"'`]? (?:does not exist|doesn't exist|is not "
         r"available|is no longer available|is not registered|is unknown)", "the same with the "
         "other wordings of a "
         "tool that is not there (Tool 'x' is not available; Tool 'x' is not registered.)"),
        # The same with the name of a browser agent's action or a function: one identifier
        # however many words its parts make.
        (r"\baction [\"'`]?[a-z0-9_.:-]+[\"'`]? (?:is |was )?not found", "browser-use/"
         "browser-use tools/registry/service.py (Action scroll_to_text not found)"),
        (r"\bfunction ['\"`][^'\"`]{1,80}['\"`] (?:does not exist|doesn't exist|is not "
         r"defined|not found)", "jekalmin/extended_openai_conversation#268 (function "
         "'assistant <recipient tag> all' does not exist: a name of any shape)"),
        (r"\bfunction with (?:id|name) [\"'`]?[a-z0-9_.:-]+[\"'`]? (?:does not exist|doesn't "
         r"exist|is not defined|is not registered|not found)", "eclipse-theia/theia "
         "tool-invocation-registry.ts (Function with id x does not exist.)"),
        (r"\bfunction [\"'`]?[a-z0-9_.:-]+[\"'`]? (?:is |was )?not found", "agents' function "
         "registries (ValueError: Function query_surveys is not found in the tools_dict)"),
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
        (r"\bnot found(?<!api key not found)(?<!api_key not found)(?<!signature not found)"
         r"(?<!argument value not found)(?<!token not found)"
         r"(?! in (?:this|the current) scope| in the arguments)",
         _GEMINI_CLI + " (File not found); "
         + _RUN + " (command not found); not a compiler's name that is not found in this "
         "scope (rustc E0425: cannot find value `x` in this scope ... not found in this "
         "scope; captured here), nor an API key the setup lacks (assafelovic/gpt-researcher "
         "serpapi.py: SerpApi API key not found. Please set the SERPAPI_API_KEY environment "
         "variable; PrefectHQ/marvin slackbot github/client.py: GitHub token not found in any "
         "source), nor a file format's marker (Info-ZIP unzip: End-of-central-directory "
         "signature not found.  Either this file is not a zipfile ...; captured here), nor a "
         "value the call left out for one of its arguments (JetBrains/koog: "
         "Required tool argument value not found: \"x\", an invalid argument)"),
        ("does not exist", _CLAUDE_CODE + " (File does not exist.); " + _CONTINUE),
        ("no module named", "CPython import system; " + _RUN),
        ("cannot find module", "Node.js CJS loader; Go (cannot find module providing "
                               "package); " + _RUN),
        ("did not match any file", "git (pathspec did not match any file(s)); " + _RUN),
        ("unknown revision", "git (unknown revision or path not in the working tree)"),
        ("404", _GEMINI_CLI + "/tools/web-fetch.ts (Status: 404)"),
    )),
    ("invalid_args", (
        (r"\bcurl: \(3\)", "curl CURLE_URL_MALFORMAT, exit code 3 (curl: (3) URL using "
         "bad/illegal format or missing URL; curl: (3) bad range specification in URL "
         "position 9), captured here: the URL the tool passed does not parse"),
        ("inputvalidationerror", _CLAUDE_CODE + " (InputValidationError)"),
        # An edit block whose markers came in the wrong order or not at all: the parser
        # names the marker it expected (the markers themselves make no words).
        (r"\bexpected:? [`'\"]?(?:={5,9}|>{5,9} replace|<{5,9} search)", "Aider-AI/aider "
         "aider/coders/editblock_coder.py (Expected `=======`; Expected `>>>>>>> REPLACE` or "
         "`=======`); entropy-research/Devon devon_agent/tools/editorblock.py (Expected "
         "`=======` not <<<<<<< SEARCH); RooCodeInc/Roo-Code src/core/diff/strategies/"
         "multi-search-replace.ts (Diff block is malformed: ... Expected: =======)"),
        ("unprocessable entity", "HTTP 422 reason phrase"),
        ("validation error", "pydantic (validation error for ...)"),
        ("invalid argument", "agents' argument checks (invalid argument)"),
        ("invalid arguments", _MCP + " (-32602 Invalid arguments for tool)"),
        ("invalid parameter", "agents' argument checks (invalid parameter)"),
        ("invalid parameters", _GEMINI_CLI + " (Invalid parameters provided)"),
        ("invalid input", "zod (Invalid input: expected string)"),
        ("invalid json", _CLINE + " (Invalid JSON argument)"),
        (r"\bmissing required(?! environment| env | api | credential| token| secret| provider)",
         "JSON Schema validators (missing required property); not a setting the tool's setup "
         "lacks (Missing required environment variable: X), nor a plugin the configuration "
         "needs (terraform validate before terraform init, captured here: Error: Missing "
         "required provider)"),
        ("required parameter", _CLINE + " (Missing value for required parameter); "
                               + _CLAUDE_CODE),
        ("required property", _GEMINI_CLI + " (params must have required property)"),
        (r"\bis required(?<!variable is required)(?<!key is required)(?<!token is required)"
         r"(?<!header is required)(?<!authentication is required)(?<!login is required)",
         _CONTINUE + " (filepath (string) is required); not a credential or a setting the "
         "tool's setup lacks (perplexityai/modelcontextprotocol src/server.ts: "
         "PERPLEXITY_API_KEY environment variable is required; ollama/ollama-python 0.6.3 "
         "web_search without OLLAMA_API_KEY: Authorization header with Bearer token is "
         "required for web search, captured here), which no argument of the call fixes"),
        ("unexpected keyword argument", "CPython TypeError; " + _RUN),
        ("unrecognized arguments", "CPython argparse (unrecognized arguments)"),
        ("old_string and new_string", _GEMINI_CLI + "/tools/edit.ts (are identical); "
                                      + _CONTINUE + " (must be different)"),
        ("oldstring and newstring", _OPENCODE + " (must be different)"),
        ("failed to parse function arguments", _CODEX),
        ("parameter was empty", _CLINE + " (The 'command' parameter was empty)"),
        # facts26: the shape an argument must have, written out in brackets.
        (r"\bmust be (?:of the form |in the form |an? )?\[[a-z_]", "anthropics/anthropic-sdk-go "
         "tools/agenttoolset/fs.go (read: view_range must be [start_line, end_line]); "
         "validators found by code search (view_range must be [start, end]; Time range must be "
         "[start_date, end_date]; dates must be [startDate, endDate])"),
        (r"\bshould be (?:of the form |in the form )?\[[a-z_]", "the same with should "
         "(OpenHands str_replace_editor: view_range should be a list of two integers, in "
         "brackets)"),
        # A command-line program's own words for a bad operand: "invalid" and what was
        # invalid, then the operand quoted (GNU coreutils quote(): 'x', or x between
        # U+2018 and U+2019 in a UTF-8 locale).
        # Not in a compiler's diagnostic (file:line:col: error: invalid conversion from 'x').
        (r"\binvalid (?<![0-9]: error: invalid )(?!status line)(?:[a-z0-9-]+ ){0,3}[a-z0-9-]+:? "
         r"(?:'|\"|`|\u2018)",
         "GNU coreutils (date: invalid date 'x'; truncate: Invalid number: 'x'; "
         "head: invalid number of lines: 'x'; chown: invalid user: 'x'; "
         "sleep: invalid time interval 'x'; captured here); findutils xargs "
         "(invalid number \"x\" for -n option; captured here); not a server's answer that "
         "breaks HTTP (OpenJDK java.net.ProtocolException: Invalid status line: \"x\", "
         "captured here)"),
        # A bound on an argument, written as a comparison.
        (r"\bmust be ?(?:<=?|>=?|==?|!=) ?-?[0-9]", "MoonshotAI/kimi-cli src/kimi_cli/tools/shell "
         "(timeout must be <= 300s for foreground commands)"),
        # GNU programs end a usage error with a pointer to --help (emit_try_help).
        (r"\btry [\"'`\u2018]?[a-z0-9_.-]+(?: [a-z0-9_.-]+)? --help\b",
         "GNU coreutils src/system.h emit_try_help (Try 'cut --help' for more information.), "
         "printed only after a usage error (cut: fields are numbered from 1; tr: missing "
         "operand; tar: x: Invalid number of elements; captured here)"),
        # facts22: a bound written as a comparison with another argument, or as a range.
        (r"\bmust be ?(?:<=?|>=?) ?[a-z_]+\b", "langchain-ai/open-swe agent/tools/add_finding.py "
         "(end_line must be >= start_line); OpenBMB/ChatDev functions/function_calling/file.py "
         "(end_line must be >= start_line - 1); DimazzzZ/openrouter-intellij-plugin (End port "
         "must be >= start port)"),
        (r"\bmust be -?[0-9]+ ?(?:-|to|\.\.) ?-?[0-9]+\b", "CoplayDev/unity-mcp (aniso_level must "
         "be 0-16, got x; compression_quality must be 0-100, got x)"),
        (r"\bmust be in (?:the )?(?:range )?[\[(]-?[0-9]", "kyegomez/swarms "
         "swarms/tools/computer_use.py (timeout must be in [1, 600])"),
        # A regular expression argument that does not close its bracket.
        (r"\bunmatched (?:\[|\(|\)|\{|\\)", "GNU grep dfa.c (grep: Unmatched [, [^, [:, [., or "
         "[=; grep: Unmatched ( or \\(), captured here"),
        # A tool naming an argument, then the bad value: "Invalid severity: urgent".
        (r"\binvalid (?<=^invalid )"
         r"(?!config|token|credential|api|auth|password|licen|signature|response|reply"
         r"|status|state|result|header)[a-z_]{3,30}: [^ ]",
         "langchain-ai/open-swe agent/tools/"
         "add_finding.py (Invalid severity: x); UKGovernmentBEIS/inspect_ai _computer.py "
         "(Invalid action: x)"),
        (r"\binvalid (?<=^error: invalid )"
         r"(?!config|token|credential|api|auth|password|licen|signature|response|reply"
         r"|status|state|result|header)[a-z_]{3,30}: [^ ]",
         "langchain-ai/open-swe agent/tools/"
         "add_finding.py (Invalid severity: x); UKGovernmentBEIS/inspect_ai _computer.py "
         "(Invalid action: x)"),
        (r"\bno url(?<=^no url)[.!]?$", "chatchat-space/Langchain-Chatchat tools_factory/"
         "url_reader.py (No URL: the call came without its one argument)"),
    )),
    ("network", (
        (r"\bcould not resolve (?:host|proxy|hostname|address)", "curl (6) Could not resolve "
         "host; git; " + _RUN),
        ("couldn't connect", "curl (7) Couldn't connect to server; " + _RUN),
        ("failed to connect", "curl (7) Failed to connect; " + _RUN),
        ("connection refused", _NODE_FS + " (ECONNREFUSED)"),
        ("unknownhostexception", "OpenJDK java.net.UnknownHostException (the host name did "
                                 "not resolve)"),
        ("econnrefused", _NODE_FS),
        ("enotfound", "npm/cli (getaddrinfo ENOTFOUND)"),
        ("getaddrinfo", "npm/cli; Node.js dns"),
        ("fetch failed", "nodejs/undici (TypeError: fetch failed)"),
    )),
    ("exit_nonzero", (
        (r"\bexit (?:code|status):? ?[`'\"]?-?[1-9]", _CODEX + " (Exit code: N); Go os/exec "
         "(exit status N); the number quoted as Perl-era programs print it "
         "(fusioninventory/fusioninventory-agent#728: exit status: `1')"),
        (r"\bexitcode[\"']?\s*[:=]\s*-?[1-9]", "Trae-AI/TRAE#1982 (getCommandStatus: "
         "{..., \"exitCode\":130}); JSON and log fields exitCode=N"),
        (r"\bexited with (?:(?:code|status):? ?)?-?[1-9](?![0-9]* (?:error|warning)s?\b)",
         _CONTINUE + " (Process exited with "
         "code N); agents' shell tools; travis-ci (The command \"npm test\" exited with 1.); "
         "vercel/vercel build (Command \"npm run build\" exited with 1)"),
        ("non-zero exit", "CPython subprocess.py (returned non-zero exit status N); " + _RUN),
        (r"\berror code:? ?-?[1-9]", "yetone/avante.nvim bash.lua (Error code: 127)"),
        (r"\breturn code:? ?-?[1-9]", "agents' shell tools (return code 2)"),
        (r"\bexit ?= ?-?[1-9]", "the status a script prints after its command (echo "
         "\"EXIT=$?\": parkrw/vanillin#59, FAIL ... EXIT=1; logfmt exit=1 in CI and agents' "
         "run logs found by code search)"),
        (r"\bexit -?[1-9][0-9]*\)", "an exit status in parentheses after a failure "
         "(Godot4-Addons/ai_assistant_for_godot agent_loop.gd: Git commit failed (exit 128).; "
         "agents' shell tools: Error (exit 128): ...)"),
        (r"\bexit with -?[1-9]", "sigoden/aichat src/function.rs (Tool call exit with 1)"),
        (r"\bexited with code some\(-?[1-9]", "graniet/llm llm-cli user_tools/executor.rs "
         "(tool execution failed: lint exited with code Some(1): Rust's Option as Debug "
         "prints it)"),
        (r"\bexit status 0x[0-9a-f]*[1-9a-f]", "a Windows NTSTATUS as Go os/exec prints it "
         "(gptscript-ai/dalle-image-generation#6: exit status 0xc0000135)"),
        (r"\bexit-code:? ?-?[1-9]", "karthink/gptel-agent (Error: search failed with "
         "exit-code 2.)"),
        (r"\bposix exit code was:? [1-9]", "microsoft/autogen autogen_agentchat/agents/"
         "_code_executor_agent.py (The script ran but produced no output to console. The "
         "POSIX exit code was: N.); not exit code 0"),
        (r"\bexit_code ?= ?-?[1-9]", "exit_code=N as CI and agents' run logs print it "
         "(found by code search), like exitCode=N"),
        (r"\bmake[^ *]{0,6}: \*\*\* \[[^\]]*\] (?:error|fehler|erreur|\u30a8\u30e9\u30fc|"
         r"\uc624\ub958|\u9519\u8bef) [1-9]",
         "GNU make (make: *** [Makefile:2: all] Error 1), and in its translations "
         "(po/de.po Fehler, fr.po Erreur, ja.po \u30a8\u30e9\u30fc, ko.po \uc624\ub958, zh_CN.po "
         "\u9519\u8bef: make: *** [Makefile:2: all] Fehler 1), from a sub-make too (make[2]: *** "
         "[x.o] Error 1)"),
        ("nonzero exit", "agents' shell tools"),
        ("command failed", "Node.js child_process (Command failed: ...); execa; " + _RUN),
        (r"\bexited [1-9][0-9]{0,2}\b", "modelscope/ms-agent ms_agent/tools/filesystem_tool.py (rg "
         "exited 2); Kuberwastaken/claurst (Plugin 'x' hook exited N)"),
    )),
)

# --- tool_error, v3: each row read by meaning ---------------------------------------------

_CLAUDE_CODE_V3: Final = "anthropics/claude-code issues (tool results quoted by users)"
_LOCATE_FAILED: Final = (
    "could not find | couldn t find | cannot find | can t find | unable to find | failed to "
    "find | could not locate | couldn t locate | unable to locate | failed to locate | cannot "
    "locate | not found | could not be found | couldn t be found | cannot be found | "
    "no match | no matches | no exact match | did not match | does not "
    "match | doesn t match | didn t match | failed to match | failed to exactly match | "
    "no sufficiently similar | does not appear | did not appear | doesn t appear | not "
    "unique | multiple matches | matches found | matches for | matches of | occurrences | "
    "occurrence | not present | does not contain | doesn t contain | ambiguous | mismatch | "
    "unique | locations | 0 times | zero times | 0 matches | zero matches | multiple times")
_EDIT_ANCHOR: Final = (
    "old string | old str | old text | old content | oldtext | oldstring | search block | "
    "search text | search string | search replace | diff | apply diff | marker | substring | "
    "insert after | insert before | search content | chunk | original | edit | edits | "
    "text to replace | string to "
    "replace | content to replace | replacement | replace | exact text | exact match | the "
    "string | the text | specified text | target text | anchor | snippet | hunk | context "
    "lines | expected lines | lines")
_DENIAL: Final = "denied | blocked | rejected | refused | declined | not allowed | disallowed | " \
                 "prevented | forbids | forbidden | not permitted"

#: Tool errors, second step: the same rows, by the meaning of the words, first row that
#: matches (the rows of :data:`TOOL_ERROR_KEYWORDS` and these are read in one order).
TOOL_ERROR_FAMILIES: Final[AliasTable] = (
    ("denied", (
        # Round 36: an MCP tool the host blocked or switched off.
        ("mcp tool | mcp tools ~ blocked | is blocked | was blocked | disabled | is disabled "
         "- safety | unavailable | not found", "hAcKlyc/MyAgents#73 (MCP tool blocked: x - "
         "MCP 工具已被禁用); the tool-call rows below (Tool execution was blocked)"),
        # Round 34: a hook or policy that blocked the call, in the tool-call words; an
        # approval the call could not get.
        ("tool execution | tool call | tool use | tool invocation ~ was blocked | is blocked | "
         "blocked - safety | unavailable | available", "badlogic/pi-mono packages/agent/src/"
         "agent-loop.ts (beforeToolCall hook: Tool execution was blocked); an agent-guard "
         "policy found by code search (The tool call was blocked by policy); not a "
         "provider's safety check or a guard that was down (This tool call was blocked by "
         "OpenAI's safety checks.; ... blocked because AgentGuard Core was unavailable.)"),
        ("requires explicit approval | require explicit approval | requires explicit user "
         "approval | cannot be auto allowed | cannot be auto approved | run denied | exec "
         "denied | execution denied", "shareAI-lab/Kode-cli src/utils/permissions/"
         "bashToolPermissionEngine.ts (This requires explicit approval and cannot be "
         "auto-allowed by permission rules); openclaw/openclaw#66524 (SYSTEM_RUN_DENIED: "
         "approval cannot safely bind ...); Claude Code (This command requires approval, "
         "quoted in runs found by code search)"),
        ("策略限制 | ポリシー制限 | 정책 제한 | richtlinienbeschränkungen | restrictions de "
         "politique | restricciones de política | restrições de política | ограничений политики",
         _ROO_LOCALES_ALL + " (newTask policy_restriction)"),
        ("政策限制 | 使用者拒絕 | 用戶拒絕 | 未核准",
         _ROO_ZH_TW + " (由於政策限制, 無法建立新工作)"),
        ("不允许执行 | 被拦截 | 拦截 | 用户拒绝 | 被用户拒绝 | 未批准 | 禁止执行", _ZH_AGENTS),
        ("user rejected | user denied | user declined | user refused | rejected by the user "
         "| denied by the user | declined by the user | refused by the user | user chose not "
         "to | user did not approve | user didn t approve | user doesn t want | user does not "
         "want | doesn t want to proceed | user did not allow | user didn t allow",
         _GEMINI_CLI + "; " + _CLINE + "; " + _CLAUDE_CODE_V3 + "; agents' approval refusals "
         "(The user did not allow x. Do not retry it; skipped tool execution because the user "
         "did not allow it)"),
        ("user ~ declined | rejected | refused | denied - permission denied | eacces",
         "block/goose (The user has declined to run this tool)"),
        ("declined | rejected | refused | denied | forbidden ~ by user | by the user",
         "gptme/gptme (Execution declined by user); s-kostyaev/ellama (Forbidden by the user)"),
        ("denied because | not allowed by | ask the user for consent | ask the user for "
         "permission | consent - ignore | clineignore | rooignore | gitignore | geminiignore | "
         "restricted to | outside this directory | outside the workspace",
         "s-kostyaev/ellama (Denied because write access is not allowed by "
         "filesystem.allowWrite); posit-dev/btw (ask the user for consent); not a path outside "
         "the workspace that suggests asking the user (coder/mux fileCommon.ts)"),
        ("tool execution | tool call | tool use ~ not permitted | not allowed | skipped by",
         "mistralai/mistral-vibe vibe/core/agent_loop.py (Tool execution not permitted.); "
         "vibe/core/utils/tags.py (Tool execution skipped by user.)"),
        ("prohibited action | prohibited actions | prohibited command | prohibited operation | "
         "no approvers | no approver | skipped by user | skipped by the user",
         "warpdotdev/warp#7721 (The agent tried to execute a prohibited action); "
         "UKGovernmentBEIS/inspect_ai src/inspect_ai/approval/_policy.py (No approvers "
         "registered for tool x)"),
        ("command | tool | operation ~ is denied | denied | is disabled - access is denied | "
         "access denied "
         "| e accessdenied | permission denied", "smallcloudai/refact (command "
                                                            "'rm -rf /' is denied)"),
        ("no ~ approved", "sourcegraph/cody (No commands approved for execution)"),
        ("no don t do that | no and tell | no continue without | no but continue without",
         "the refusing answers of agents' approval menus, returned as the call's result: "
         "openai/codex codex-cli handle-exec-command.ts and its forks found by code search "
         "(No, don't do that \u2014 keep going though.; No, don't do that \u2014 stop for now.; "
         "openai/codex#830); codex-rs and Claude Code (No, and tell Codex/Claude what to do "
         "differently (esc)); codex-rs (No, continue without running it); ACP bridges "
         "(No, but continue without it)"),
        ("is banned | banned command | not in allowlist | not in the allowlist | not in allow "
         "list | not in allowed | not in the allowed | disallow | disallowed | not whitelisted "
         "| denylisted - path | paths | workspace | outside | directory | directories | "
         "ignore | clineignore | gitignore | rooignore | geminiignore",
         "agents' command and host allow-lists and deny-lists (Claude Code permission "
         "rules; bannedCommands / allowedHosts of agent sandboxes)"),
        ("not allowed - path | paths | directory | directories | traversal | outside | "
         "workspace | empty | folder | permission denied | property | properties | argument | "
         "arguments | parameter | parameters | value | values | character | characters | "
         "method not allowed | not allowed here | not allowed to access | received when | flags "
         "are not allowed | flag is not allowed | as root",
         "microsoft/TaskWeaver "
         "(Importing module 'subprocess' is not allowed); not a configuration's grammar (nginx "
         "src/core/ngx_conf_file.c: \"x\" directive is not allowed here); not a service that "
         "refused the tool's identity (You are not allowed to access this resource), a "
         "permission; not a protocol a client refuses to speak (curl: (1) Received HTTP/0.9 "
         "when not allowed); nor sudo's refusal to run a command as root (permission)"),
        ("blocked url | url blocked | url is blocked | blocked domain | domain is blocked",
         "openai/openai-cua-sample-app utils.py check_blocklisted_url "
         "(Blocked URL: x); browser agents' navigation guards (Go: errors.New(\"blocked "
         "URL\")); not a service's temporary block (Domain x blocked until ...)"),
        ("command denied | command blocked | command is blocked | are blocked | is blocked - "
         "ignore | clineignore | gitignore | rooignore | geminiignore | gooseignore",
         "gptme/gptme shell (Command denied: ... Destructive git operations are blocked)"),
        ("blocked + command | bypass attempt", "aliasrobotics/cai "
         "src/cai/tools/reconnaissance/generic_linux_command.py (Error: Blocked curl/wget "
         "command ...; Blocked Unicode homograph bypass attempt); gptme/gptme shell (Command "
         "denied: ... operations are blocked)"),
        ("guardrail + triggered | tripwire | blocked", "openai/openai-agents-python (Tool "
         "input guardrail triggered tripwire)"),
        ("only ~ are allowed | is allowed | allowed - invalid | file type | file types | files "
         "are allowed | file is allowed | extension | extensions", "laravel/boost "
         "DatabaseQuery (Only read-only queries are allowed); not a kind of file the tool "
         "takes, an argument error (Significant-Gravitas/AutoGPT code_executor.py "
         "InvalidArgumentError: Invalid file type. Only .py files are allowed.)"),
        ("permission from user | permission from the user | approval required | requires "
         "approval | needs approval | disabled by user | disabled by the user | disabled by "
         "policy | disabled by your", "github/copilot-cli (could not request permission from "
         "user); aws/amazon-q-developer-cli (Tool approval required); "
         "microsoft/vscode-copilot-chat (disabledByUser)"),
        ("mode + not allowed | can only | may only | cannot | can not | restricted | blocked in "
         "| not available in",
         "mongodb-js/mongodb-mcp-server (In readOnly mode you can not run pipelines with $out "
         "or $merge stages.); RooCodeInc/Roo-Code "
         "validateToolUse.ts (Tool \"x\" is not allowed in ask mode); MoonshotAI/kimi-cli "
         "tools/file/plan_mode.py (Plan mode is active. You may only edit ...; Blocked in plan "
         "mode; TaskStop is not available in plan mode.)"),
        ("rejected | declined ~ confirmation | confirmation request | confirmation requests",
         "a confirmation the user turned down, in the other word order: "
         "embabel/embabel-agent hitl/ConfirmationRequest.kt (Rejected confirmation request: "
         "x)"),
        ("blocked by ~ middleware", "a middleware that refused the call: "
         "microsoft/agent-framework python/samples/02-agents/middleware (Request was blocked "
         "by security middleware)"),
        ("rejected + tool | call | invocation | command | operation | action | execution - "
         "model produced", "dotnet/extensions (Tool call invocation rejected.); "
         "aws/amazon-q-developer-cli (Tool use with execute_bash was rejected); not a call "
         "the runtime's parser rejected, whose reason decides (ml-explore/mlx-swift-lm "
         "RejectedToolCall.swift: The model produced a rejected tool call (reason))"),
        ("failed in sandbox | request denied | review denied", "openai/codex#4859 (failed in "
         "sandbox); openai/codex#44901 (Automatic approval review denied; Request denied for "
         "codex to run ...)"),
        ("authorization denied | not authorized to use | not authorized to call | not "
         "authorized to run", "VoltAgent/voltagent mcp/authorization (MCPAuthorizationError: "
         "Authorization denied for tool x on server y)"),
        ("denied by | was denied | been denied | were denied | not approved | approval "
         "denied | not been granted | not granted | haven t granted | hasn t granted | "
         "has not granted | have not granted - 403 | access to repository",
         _CLAUDE_CODE_V3 + " (Permission to use X has been denied; permissions you haven't "
         "granted); not a server's 403 (github/copilot-cli#3041: remote: Write access to "
         "repository not granted. ... returned error: 403 is the remote refusing the token)"),
        ("hook | hooks | policy | policies | sandbox | settings | rule | rules | allowlist | "
         "allow list | allowed list | allowed tools | permissions config | approval mode | "
         "gateway sidecar | sidecar + "
         + _DENIAL + " - ignore | clineignore | gitignore | geminiignore | aiderignore | "
         "permission denied | eacces | eperm | operation not permitted | connection refused | "
         "econnrefused",
         _GEMINI_CLI + "/scheduler/policy.ts (denied by policy); " + _CLAUDE_CODE_V3
         + " (blocked by hook); jwbron/egg#2028 (the sandbox's gateway sidecar blocked this "
         "push operation); not a refused connection whose message suggests checking the "
         "firewall settings (mchristopher/PokemonGo-DesktopMap#198; localtunnel client: "
         "connection refused: x (check your firewall settings))"),
        ("host | domain | url | command + not allowed | not in the allowed | disallowed | "
         "is blocked | blocked by | not permitted by - flags are not allowed | flag is not "
         "allowed | as root", _GEMINI_CLI + "/tools/web-fetch.ts; "
         "agents' command allow-lists; not a flag the call may not pass (OpenBMB/ChatDev "
         "uv_related.py: flags are not allowed in packages list: --index-url), an argument; "
         "nor sudo's refusal (Sorry, user x is not allowed to execute 'y' as root on z.), "
         "a permission"),
        ("plan rejected | execution blocked | rejected the | rejected this | rejected by - "
         "access token | api key | authorization expired | query rejected",
         _GEMINI_CLI + "/tools/exit-plan-mode.ts; " + _CODEX + " (rejected by user); not a "
         "service that rejected the tool's credentials (getsentry/sentry-mcp "
         "error-handling.ts: Authorization Expired ... Sentry rejected the stored access "
         "token)"),
        ("tool call limit | tool calls limit | max calls | maximum calls | call limit | calls "
         "limit | max tool calls | maximum tool calls | tool call budget + exceeded | exceed | "
         "reached | hit", "a per-tool call budget that refused the call before it ran: "
         "julep-ai/julep julep/agent_loop.py (CallDenial: tool 'x' exceeded maxCalls=N); "
         "langchain-ai/langchain agents/middleware/tool_call_limit.py (ToolCallLimitMiddleware: "
         "Tool call limit exceeded. Do not call 'x' again.); agents' permission hooks and MCP "
         "servers found by code search (permissionDecision deny: Tool call limit exceeded (N); "
         "mcp_send_error: Tool call limit exceeded)"),
        ("private address | private addresses | private ip | private ips | private network | "
         "private networks | internal address | internal addresses | internal network | "
         "internal networks | local address | local addresses | loopback address | loopback "
         "addresses | link local address | link local addresses + restricted | refusing | "
         "not allowed | blocked | forbidden | disallowed | prohibited | not permitted | cannot "
         "access | ssrf - connection refused | econnrefused | permission denied | eacces",
         "a fetch tool's guard against server-side request forgery, refusing the address "
         "before any request: Significant-Gravitas/AutoGPT classic/forge/forge/components/"
         "http_client/http_client.py (Access to internal/private addresses is restricted); "
         "fetch tools and indexers found by code search (Refusing to fetch local/private "
         "addresses; Public indexers cannot access local/private addresses); not a refused "
         "connection to a local address"),
        ("not confirmed by the user | not confirmed by user | user did not confirm | user "
         "didn t confirm | confirmation declined | confirmation was declined | declined "
         "confirmation", "a code-running agent's confirm step found by code search (The code "
         "block was not confirmed by the user and so was not run.); shell scripts' confirm "
         "prompts (The operation was not confirmed by the user!): the user did not let it run"),
        ("requires user confirmation | requires confirmation | needs user confirmation | "
         "confirmation required | requires user approval", "google-gemini/gemini-cli "
         "core/src/core/coreToolScheduler.ts and its forks (Tool execution for \"x\" requires "
         "user confirmation, which is not supported in non-interactive mode.), as headless "
         "runs found by code search quote it: the call needed an approval nobody could give"),
        ("builtin | builtins | strict mode | privileged ~ is denied | are denied - access | "
         "permission | eacces", "danny-avila/agents src/tools/local/bashAst.ts (Zsh "
         "privileged builtin \"zmodload\" is denied.; In strict mode, \"eval\" is denied.): "
         "the agent's shell policy refused the command; not an access the system refused"),
        ("code verification failure | code verification failed", "microsoft/TaskWeaver "
         "code_interpreter.py (No code is executed due to code verification failure.): the "
         "agent's own check refused the code before it ran; not its code generation failure, "
         "which refused nothing"),
        ("contains + command substitution | backtick", "kardolus/chatgpt-cli agent/core/"
         "policy.go (shell arg contains backtick command substitution: arg=x), like gemini-cli's "
         "Command substitution using $(), <(), or >() is not allowed for security reasons: the "
         "agent's shell policy refused the command"),
        ("dangerous command | dangerous operation | dangerous system operation | destructive "
         "command + detected | blocked", "anthropics/claude-code plugins/plugin-dev hook-"
         "development examples/validate-bash.sh (Dangerous command detected: rm -rf; "
         "Dangerous system operation detected): a hook that refused the command"),
        ("confirmation request rejected | confirmation rejected | confirmation denied | "
         "confirmation request denied", "embabel/embabel-agent shell confirmation (Confirmation "
         "request rejected: x): the user refused the call"),
        # facts22: the agent's own lists and rules (a policy, not the OS).
        ("on the deny list | on the denylist | on a deny list | on the blocklist | not on the "
         "allow list | not on the allowlist | forbidden substring | forbidden substrings | "
         "forbidden pattern | contains forbidden",
         "kyegomez/swarms swarms/tools/computer_use.py (path x is on the deny-list; binary "
         "'curl' is not on the allow-list; argv contains forbidden substring 'rm -rf'); "
         "AstrBotDevs/AstrBot (Template contains forbidden pattern (x).)"),
        ("action denied | capability denied | call was refused | auto denied | refusing input | "
         "input blocked | guard blocked", "MervinPraison/PraisonAI (Action denied: x; "
         "PermissionMode.DONT_ASK: auto-denied prompt for x; Loop guard blocked x: y); coder/mux "
         "(Capability denied); bosun-ai/swiftide (This tool call was refused); "
         "NVIDIA/NeMo-Agent-Toolkit (Input blocked: security verification unavailable; "
         "Pre-Tool Verifier refusing input to x): the agent's own guards"),
        ("only + admins | admin | administrators | owners + can | may - permission denied",
         "langchain-ai/open-swe "
         "agent/tools/admin_gate.py (Only workspace admins can manage environments.); "
         "AgentOps-AI/agentops (Only owners and admins can manage licenses.); AstrBotDevs/"
         "AstrBot (Only admins can use the `test` command.): a role the agent's rules require"),
        # facts26: a fetch the tool's own rule refuses, worded as an error code.
        ("url | urls ~ not in prior context | not in the prior context | not previously "
         "appeared | not appeared in the conversation | not in the conversation context",
         "anthropics/anthropic-sdk-go and anthropic-sdk-csharp WebFetchToolResultErrorCode "
         "(url_not_in_prior_context); docs.anthropic.com web fetch tool, URL validation (for "
         "security reasons the tool can only fetch URLs that have previously appeared in the "
         "conversation context): the tool's rule refused the URL before any request"),
        ("egress ~ blocked | denied | not allowed | refused", "anthropics/anthropic-sdk-go "
         "(mcp_egress_blocked_error); sandboxes' egress policies: the outbound request was "
         "refused by rule, not by the network"),
        ("blocked by blocklist | blocked by the blocklist | blocked by a blocklist | blocked "
         "by blacklist | blocked by the blacklist | blocked by denylist | blocked by the "
         "denylist", "ChromeDevTools/chrome-devtools-mcp src/McpContext.ts (Blocked by "
         "blocklist: x: the server's URL blocklist refused the navigation), like "
         "openai-cua-sample-app's Blocked URL"),
        ("deletion | removal | operation | action | change | changes | request ~ was not "
         "confirmed | were not confirmed | not confirmed", "github/github-mcp-server "
         "pkg/github/repositories.go (Repository deletion was not confirmed. The repository "
         "was not deleted.): the user did not confirm, like not confirmed by the user"),
        ("forbidden access to module | forbidden access to dunder | forbidden access to "
         "function | forbidden call to dunder | forbidden function evaluation | not permitted "
         "to evaluate | authorized imports", "huggingface/smolagents src/smolagents/"
         "local_python_executor.py (InterpreterError: Forbidden access to module: x; "
         "Forbidden access to dunder attribute: __class__; Forbidden access to function: x; "
         "Forbidden call to dunder function: x; "
         "Forbidden function evaluation: 'x' is not among the explicitly allowed tools; It is "
         "not permitted to evaluate other functions than the provided tools ...; Import of x "
         "is not allowed. Authorized imports are: [...]), huggingface/smolagents#640: the "
         "interpreter's sandbox refused the code"),
        ("auto rejecting | auto rejected | auto reject | auto rejects | permission requested + "
         "external directory", "sst/opencode run as jamesmurdza/background-agents#205 and "
         "paperclipai/paperclip#1362 quote it (permission requested: external_directory; "
         "auto-rejecting): the permission prompt nobody answers rejects the call"),
        ("execution denied | execution was denied", "google-gemini/gemini-cli "
         "packages/core/src/tools/tool-error.ts (ToolErrorType.EXECUTION_DENIED, "
         "execution_denied: a tool excluded by the approval mode), read by its words"),
        # facts29: a tool or command the agent's settings do not list as allowed.
        ("not in | not on | not part of | not among ~ list of allowed | list of permitted | "
         "allowlist | allow list | whitelist | allowed list - value | values | option | "
         "options | choice | choices | character | characters | argument | arguments | "
         "parameter | parameters | field | fields | format | formats | path | paths | "
         "directory | directories | workspace | outside | files | folder | folders",
         "google-gemini/gemini-cli packages/core/src/tools/shell.ts (Command \"x\" is not in "
         "the list of allowed tools for non-interactive mode.); agents' tool gates found by "
         "code search (Tool 'x' is not in the list of allowed tools, with the allowed tools "
         "as its cause; Tool 'x' is not in the list of allowed tools for agent 'y', reason "
         "TOOL_ACCESS_DENIED; MCP servers wrapping gcloud: The command tool 'x' is not in the "
         "list of allowed tools, answered with 403); hashicorp/terraform-mcp-server "
         "pkg/client/org_allowlist_tool_middleware.go (Rejecting tool call x: organization x "
         "is not in the configured allowlist, logged as it refuses the call); not a value "
         "outside an argument's "
         "choices, an invalid argument, nor a path outside the allowed ones (permission)"),
        ("prevents you from using | prevent you from using | prevents you from running | "
         "prevent you from running | prevents you from calling | prevent you from calling",
         "sst/opencode packages/opencode/src/permission (DeniedError: The user has specified a "
         "rule which prevents you from using this specific tool call. Here are some of the "
         "relevant rules [...]), as transcripts found by code search quote it"),
        ("hook returned blocking error | hook returned a blocking error | hook blocking error "
         "| blocking hook", "Claude Code hooks (PreToolUse:Bash hook returned blocking error; "
         "PostToolUse:Write hook returned blocking error), as transcripts and hook guides "
         "found by code search quote them: a hook the user set up stopped the call"),
    )),
    ("timeout", (
        # Round 34: the code execution tool's time limit, in its error code's words.
        ("code execution exceeded | execution time exceeded | exceeded execution time | "
         "maximum execution time | max execution time - memory | output | tokens",
         "anthropic docs agents-and-tools/tool-use/code-execution-tool (error_code "
         "code_execution_exceeded: execution exceeded the maximum time); PHP (Maximum "
         "execution time of 30 seconds exceeded)"),
        ("連線超過時間", _LOCALE_CAPTURES_ZH_TW + " (ETIMEDOUT)"),
        ("타임아웃 | zeitüberschreitung | a expiré | tiempo de espera | tempo limite - certificat "
         "| jeton | mot de passe", _ROO_LOCALES_ALL + " (command_timeout, url_timeout; not a "
         "certificate or token that expired)"),
        ("시간 + 초과", _ROO_LOCALES_ALL + " (명령 실행 시간이 N초 후 초과되었습니다)"),
        ("истекло + время", _ROO_LOCALES_ALL + " (Время выполнения команды истекло)"),
        ("error 10060 | errno 10060", _WINSOCK),
        ("超時 | 逾時 | 一段时间后没有正确答复 | 一段時間並未正確回應 | 正しく応答しなかった | "
         "응답이 없어 | zeitspanne nicht richtig reagiert | no respondió adecuadamente | "
         "за требуемое время - 設定 | 设置", _ROO_ZH_TW + " (命令執行超時; 網站載入超時); "
         + _WINSOCK_TEXTS),
        (_STRERROR_TIMEOUT, _STRERROR_CAPTURES),
        ("таймаут", _ROO_LOCALES),
        ("连接超时 | 超时", _ZH_CN + " (ETIMEDOUT 连接超时)"),
        ("タイムアウトしました | 接続がタイムアウト | 연결 시간 초과 | 시간 초과",
         "ETIMEDOUT and tools' deadlines in Japanese and Korean, as programs found by code "
         "search word them (接続がタイムアウトしました; 연결 시간 초과)"),
        ("max duration exceeded | maximum duration exceeded | execution time exceeded | "
         "exceeded maximum duration | exceeded the maximum duration",
         "Anthropic server tools' error codes (anthropic-sdk-go BashCodeExecutionToolResultError "
         "and CodeExecutionToolResultErrorCode: execution_time_exceeded, with its Rust, Swift "
         "and C# ports found by code search; davidmigloz/langchain_dart anthropic_sdk_dart "
         "CodeExecutionToolResultErrorCode.maxDurationExceeded); job and call runners' "
         "MAX_DURATION_EXCEEDED, which voice-agent code maps to timeout"),
        ("returned error 504 | returned error 408", "curl CURLE_HTTP_RETURNED_ERROR with "
         "--fail (curl: (22) The requested URL returned error: 504; older curl adds Gateway "
         "Time-out) and git's HTTP transport (The requested URL returned error: 504), which "
         "CI retry lists found by code search match as transient; captured here"),
        ("time limit - execution time", "a deadline or limit named, not the trailer a code "
         "interpreter prints after every run (WecoAI/aideml aide/interpreter.py and "
         "SakanaAI/AI-Scientist-v2 ai_scientist/treesearch/interpreter.py: Execution time: N "
         "seconds (time limit is N); their timeout says Execution exceeded the time limit)"),
        ("took more than | took longer than | ran longer than | of inactivity | "
         "did not respond within | didn t respond within | no response within | "
         "no new output after | no output after | no output for | "
         "status code 408 | status 408 | status code 504 | status 504",
         "SWE-agent/SWE-agent agents.py (was cancelled because it took more than N seconds); "
         "voideditor/void (killed after 8s of inactivity); axios (status code 408); "
         "OpenHands/OpenHands#6429 (The command has no new output after 30 seconds); tools' "
         "own deadlines (ToolException: Civil 3D did not respond within N seconds)"),
        ("did not complete within | didn t complete within | did not finish within + seconds "
         "| second | s | ms | minutes | minute | timeout", "agents' and SDKs' polling waits "
         "found by code search (JobTimeoutError: Job x did not complete within Ns; "
         "AGENT_TIMEOUT: x did not complete within Nms; Superglue run x did not complete "
         "within Ns), not a count of iterations"),
        ("maximum execution time | max execution time + exceeded | exceeds", "PHP (Fatal "
         "error: Maximum execution time of 30 seconds exceeded); GitHub Actions (The job "
         "running on runner x has exceeded the maximum execution time of 360 minutes.)"),
        ("not ready after + seconds | second | s | ms | minutes | minute", "trycua/cua "
         "computer/src/interface/base.ts (Interface not ready after N seconds); readiness "
         "waits (Postgres not ready after Ns; server not ready after Nms)"),
        ("exceeded timeout | exceeded the timeout | exceeded its timeout | timeout exceeded | "
         "exceeded the time limit", "coder/mux tools/bash.ts (Command exceeded timeout of N "
         "seconds. You can increase the timeout by setting the `timeout_secs` parameter)"),
        ("timeout | timed out | time out | deadline exceeded | etimedout | took too long - "
         "argument | parameter | param | kwarg | keyword | option | field | property | setting "
         "| must be | should be | invalid timeout | timeout value | cannot be | greater than | "
         "less than | specify both | mutually exclusive | not allowed with | cannot be used "
         "with | if it s a timeout | invalid time interval | failed to run command",
         "TIMEOUT_KEYWORDS; agents' shell "
         "tools (Command timed out "
         "after N ms); not an argument check that names a timeout option (ValueError: Cannot "
         "specify both timeout and exit_code., found by code search), nor a hint that a "
         "failure might be one (oraios/serena#281: ... Consider restarting the language "
         "server (especially, if it's a timeout of a symbolic search)), nor the timeout "
         "program's own usage error (GNU coreutils timeout: invalid time interval 'x', "
         "captured here) or its failure to start the command (GNU coreutils timeout.c: "
         "timeout: failed to run command 'x': No such file or directory)"),
        ("time limit exceeded | time limit reached | time limit expired | cpu time limit",
         "an execution stopped at its time limit: the judges' verdict as code-running tools "
         "report it (Execution Time Limit Exceeded; Time Limit Exceeded); GNU bash and glibc "
         "strsignal(SIGXCPU) (CPU time limit exceeded (core dumped)), with the RLIMIT_CPU "
         "limits of sandboxes"),
        ("did not become ready | not become ready | did not respond within | no response "
         "within | no response received within | did not complete within | did not finish "
         "within", "waits on a server or process that did not come up in time, found by code "
         "search (Error: wrangler dev did not become ready within 30s; RuntimeError: SLLM "
         "server at x did not become ready within 60s; Docker engine did not become ready "
         "within 60 seconds), like the Interface not ready after N seconds the corpus holds"),
        ("returning control to agent after | returning control to the agent after | process "
         "might be still running | process might still be running | process may still be "
         "running | did not start in time | not start in time | failed to start in time | did "
         "not start within", "agent0ai/agent-zero _code_execution prompts fw.code.max_time.md "
         "and fw.code.no_out_time.md (Returning control to agent after N seconds of "
         "execution. Process might be still running.); EtiennePerot/safe-code-execution#45 "
         "(Sandbox did not start in time)"),
        ("http 524 | http 504 | http 408 | status 524 | error 524", "Cloudflare's 524 (A "
         "timeout occurred) and the gateway timeouts as MCP clients print them "
         "(modelcontextprotocol/typescript-sdk StreamableHTTPError: Error POSTing to endpoint "
         "(HTTP 524), obot-platform/obot#3266)"),
        ("exceeded ~ ms | milliseconds | seconds | secs | minutes - memory | limit mb | rate "
         "limit | quota | retry in | retry after | try again in",
         "zhu1090093659/deepseek-pp#254 (MCP request exceeded 20000 ms.), like Playwright's "
         "Timeout 30000ms exceeded"),
        ("no output has been received | no output received in the last | stalled build",
         "docs.travis-ci.com common build problems (No output has been received in the last "
         "10m0s, this potentially indicates a stalled build or something wrong with the build "
         "itself.): a command stopped for producing nothing in time, like agent-zero's "
         "Returning control to agent after N seconds with no output"),
        ("running time | run time | execution time | elapsed time ~ exceeds | exceeded | exceed",
         "microsoft/RD-Agent rdagent/utils/env.py (The running time exceeds N seconds, so the "
         "process is killed.)"),
        ("confirmation expired | confirmation has expired | confirmation request expired | "
         "approval expired | approval request expired | confirmation timed out | approval "
         "timed out", "github/github-mcp-server pkg/github/repositories.go (Repository "
         "deletion confirmation expired. The repository was not deleted.): the answer did not "
         "come in time"),
    )),
    ("canceled", (
        # Round 36: a call transfer or other voice-agent tool cut off by the caller
        # hanging up before it finished.
        ("caller | user | customer | participant | channel ~ hung up | hangs up | has hung up "
         "| disconnected + before | during | while",
         "livekit/agents-js agents/src/workflows/warm_transfer.ts (caller hung up before the "
         "transfer completed); Asterisk app_directory (DIRECTORY_RESULT HANGUP: The channel "
         "hung up before the application finished)"),
        ("被中止 | 中断されました | キャンセルされました | 중단되었습니다 | 중단됨 | "
         "취소되었습니다 | 취소됨 | abgebrochen | unterbrochen | interrompue | interrompida | "
         "interrumpida | cancelada | прерван - verbindung | connexion | conexión | conexão | "
         "соединение | 连接 | 連線 | 接続 | 연결", _ROO_LOCALES_ALL + " (url_request_aborted: the "
         "request was aborted; not a connection that was)"),
        ("中斷 | 被使用者停止 | 已被使用者", _ROO_ZH_TW + " (回應被使用者中斷)"),
        ("был прерван", _ROO_LOCALES),
        ("中断 | 取消 | 中止 - 连接 | 連線 | 连线", _ZH_AGENTS + "; not a connection that was "
         "aborted (Winsock WSAECONNABORTED: 你的主机中的软件中止了一个已建立的连接: network)"),
        ("interrupted | interrupt | cancelled | canceled | cancellation | aborted | abort | "
         "abort error - file not found | no such file | during collection | crashed | core "
         "dumped | interrupted flag | interrupt flag | terminate called | no merge to abort | "
         "nothing to abort | connection aborted | connection was aborted | econnaborted",
         _CLAUDE_CODE + " ([Request interrupted by user for tool use]); "
         + _GEMINI_CLI + " (Operation cancelled by user; Tool call cancelled); Go context "
         "(context canceled); MCP -32800 Request canceled; DOM AbortError; not pytest's stop "
         "after "
         "errors (Interrupted: 1 error during collection; captured here); not a process that "
         "aborted itself, which crashed (glibc abort(): the shell's Aborted (core dumped); "
         "libstdc++ vterminate.cc: terminate called after throwing an instance of x); not "
         "git's nothing to abort (fatal: There is no merge to abort (MERGE_HEAD missing).; "
         "captured here); not a connection the peer aborted (urllib3 ProtocolError and "
         "requests ConnectionError: ('Connection aborted.', ConnectionResetError(104, ...)), "
         "captured here; Node.js ECONNABORTED)"),
        ("keyboard interrupt | keyboardinterrupt", "CPython KeyboardInterrupt (Ctrl-C); "
         "microsoft/vscode-jupyter#2149 (Keyboard interrupt crashed the kernel. Kernel "
         "restarted.); scripts' own handlers found by code search (Caught keyboard interrupt, "
         "exiting; Program terminated with keyboard interrupt)"),
        ("user exited | user quit | user has exited | user has quit", "synthetic-lab/octofriend "
         "state.ts (The user exited while this tool was running)"),
        ("stopped by | killed by + user | the user", "agents' sub-agent tools (stopped by "
                                                     "user)"),
        ("stopped by the user | user stopped | killed by the user | terminated by the user | "
         "signal killed | signal interrupt | sigint | sigkill | sigterm | terminated by signal "
         "| killed by signal", "agents' turn "
         "controls; golang/go os/exec (signal: killed)"),
        ("cancel + by user | by the user", "coze-dev/coze-studio backend/types/errno/"
         "workflow.go (workflow cancel by user)"),
        ("skipped due to queued user message", "can1357/oh-my-pi packages/agent/src/"
         "agent-loop.ts (Skipped due to queued user message.): the user's next message "
         "took over before the call ran"),
        ("ignored | skipped | dropped | discarded + new prompt | new user prompt | new message | "
         "new user message", "aws/language-servers agenticChatController.ts "
         "(ToolApprovalException: Command ignored: new prompt: a pending call dropped when the "
         "user sends a new prompt), like oh-my-pi's Skipped due to queued user message"),
    )),
    ("unknown_tool", (
        # Round 36: a tool the session does not offer now, said as its availability.
        ("tool ~ is not currently available | not currently available | not available right "
         "now | not available at the moment - network | service | server | api | quota | "
         "rate",
         "CodebuffAI/codebuff backend/src/tools/tool-executor.ts (Tool `x` is not currently "
         "available. Make sure to only use tools listed in the system instructions.; ... only "
         "use tools provided at the start of the conversation)"),
        # Round 34: the tool registry named as the place the called name is missing from,
        # whatever the name looks like (a model leaking channel tokens into it).
        ("not found in the tools | not found in tools | not found in the tool registry | not "
         "found in tool registry | not found in the toolset | not found in available tools | "
         "not found in the available tools",
         "google/adk-python flows/llm_flows/functions.py (Function x is not found in the "
         "tools_dict.; kagent-dev/kagent#1061: the same with a model's channel tokens leaked "
         "into the name); a Zig agent found by code search (The tool with "
         "name 'x' is not found in the tools list.); run-llama/llama_index (the selected tool "
         "is not found in the tools sequence)"),
        ("不明なツール | 알 수 없는 도구 | unbekanntes tool | outil inconnu | herramienta "
         "desconocida | ferramenta desconhecida | неизвестный инструмент", _ROO_LOCALES_ALL
         + " (unknownToolError)"),
        ("未知工具 | 未知的工具", _ROO_ZH_TW + " (嘗試使用未知工具)"),
        ("工具 + 不存在 | 未找到 | 找不到 | 未注册", _ZH_AGENTS),
        ("tool | function | tool with name | tool name | tool named | action | plugin | agent ~ "
         "not "
         "found | "
         "is not found | was not found | is not available | does not exist | doesn t exist | "
         "don t exist | did not exist | didn t exist | not recognized | is not recognized | "
         "not registered | is not registered | "
         "not defined | wasn t defined | is not defined - rpc function | argument value | "
         "file not found | "
         "path not found | directory not found | module not found | command not found | file "
         "does not exist | path does not exist | directory does not exist | not recognized as "
         "the name of | not recognized as a name of | cmdlet | tool error does "
         "not exist | tool exception does not exist | tool error not found | tool exception "
         "not found",
         "modelcontextprotocol/typescript-sdk (Tool X not found); run-llama/llama_index "
         "(Tool with name x not found); microsoft/semantic-kernel (a function that wasn't "
         "defined); crewAIInc/crewAI (Action 'x' don't exist); agent kernels' TOOL_NOT_FOUND "
         "(Tool 'x' is not registered.); not a database's RPC function the tool called "
         "(HenkDz/selfhosted-supabase-mcp#2: execute_sql RPC function not found), which "
         "not_found reads"),
        ("could not find tool | couldn t find tool | failed to find tool | unable to find tool "
         "| cannot find tool | can t find tool", "HolmesGPT/holmesgpt tool_calling_llm.py "
         "(Failed to find tool x), tools_utils/tool_executor.py (Could not find tool named "
         "x); agent frameworks' registries (Could not find tool 'x' for agent 'y')"),
        ("found for tool | only available actions | only available tools | available tools | "
         "non existing tool | nonexistent tool | non existent tool",
         "spring-projects/spring-ai (No ToolCallback found for tool name); crewAI "
         "(these are the only available Actions)"),
        ("action | tool | function + not exists | don t exist - file | path | directory | "
         "folder | installed | install | downloading", "nanobrowser/nanobrowser navigator.ts "
         "(Action x not exists); agents' tool maps in Go and Java (tool not exists; Tool not "
         "exists: x, with JSON-RPC METHOD_NOT_FOUND); crewAIInc/crewAI, as agents print it "
         "(abvijaykumar/crewai-blogs#1: Action 'Delegate work to coworker (x)' don't exist, "
         "a name too long for the near rule); not \"does not exist\", which names "
         "what the tool looked for (MCP error: relation \"x\" does not exist)"),
        ("unknown command | unknown commands - for | help | usage | with args beginning | exists "
         "but is not | fish",
         "The-PR-Agent/pr-agent#1993 (the PR-comment "
         "command dispatcher: Unknown command: x); not a CLI's usage error, which names "
         "its own help (cobra: unknown command \"x\" for \"kubectl\"; docker: Run 'docker "
         "--help' for more information; Redis: ERR unknown command 'x', with args beginning "
         "with:): invalid_args; nor the fish shell's word for a program it cannot find "
         "(fish: Unknown command: x, captured here): not_found"),
        ("function with name + not found | was found | could not be found | does not exist - "
         "file | path | directory | module", "function registries' lookups found by code search "
         "(No function with name x was found.; function with name 'x' not found), as "
         "run-llama/llama_index words it for tools (Tool with name x not found)"),
        ("function that wasn t defined | function that wasnt defined | function that was not "
         "defined | requested function could not be found | plugin collection does not "
         "contain - library", "microsoft/semantic-kernel dotnet FunctionCallsProcessor and "
         "the OpenAI, Gemini and Mistral connectors' ClientCore (Error: Requested function "
         "could not be found.; Error: Function call request for a function that wasn't "
         "defined.), KernelPluginCollection (The plugin collection does not contain a plugin "
         "and/or function with the specified names.); microsoft/semantic-kernel#8472, #9850, "
         "#4724 as users quote them; not a native library's missing symbol (cupy: The "
         "requested function could not be found in the library)"),
        ("unknown action | unrecognized action | is not a command | unrecognized node type | "
         "unknown node type - use | valid | supported | allowed | available | one of",
         "an agent's own verbs and a workflow's node kinds, named but "
         "not there: stuartcrobinson/slupe#8 (Unknown action: str_replace); "
         "kolbytn/mindcraft src/agent/commands/index.js (!x is not a command.); "
         "n8n-io/n8n#23322 (Unrecognized node type: n8n-nodes-base.executeCommand); not an "
         "action value with the tool's choices listed (zhayujie/chatgpt-on-wechat "
         "env_config.py: Unknown action 'x'. Use 'set', 'get', 'list', or 'delete'.), an "
         "invalid argument"),
        ("undeclared tool", "ml-explore/mlx-swift-lm RejectedToolCall.swift (rejected tool "
         "call (undeclared_tool): a tool the request did not declare)"),
        ("unknown tool | no such tool | tool not found | tool does not exist | invalid tool name | "
         "not a valid tool | unrecognized tool | unregistered tool | tool is not available | "
         "tool not available | no tool named | no tool with | unknown function | no such "
         "function | function not found | method not found | 32601 | unsupported call | "
         "unavailable tool | unknown tools | missing tool | tool not registered | unsupported "
         "tool | invalid function name | "
         "unregistered | invalid server name | unknown "
         "server | no such "
         "server - missing tool name | unknown server error | rpc function",
         _MCP + "; " + _GEMINI_CLI + "; vercel/ai NoSuchToolError; charmbracelet/mods "
         "mcp.go (mcp: invalid server name: the model named an MCP server that is not "
         "there; not a server's Unknown server error, huggingface/smolagents#1731); "
         "codestoryai/sidecar tool/errors.rs (ToolError::MissingTool: Missing tool); "
         "agents' tool registries (Unsupported tool: x, for a name the registry lacks)"),
        ("tool | tools | function | functions + do not recognize | does not recognize | don t "
         "recognize | we do not recognize", "pepperoni21/ollama-rs error.rs (Ollama attempted "
         "to call a tool with a name we do not recognize)"),
        ("unknown mcp server | no such mcp server | unknown mcp servers",
         "julep-ai/julep MCP transport (McpTransportError: unknown MCP server 'x'); agents' "
         "MCP routers found by code search (Go: error: unknown mcp server %q; Rust: "
         "anyhow!(\"unknown MCP server: {}\"); Python: ValueError(Unknown MCP server `x` "
         "(configured: [...])); TypeScript: unknown MCP server \"trello\"): the model named "
         "a server whose tools are not there, like mods' invalid server name"),
        ("not in declared tools | not in the declared tools | not among the declared tools | "
         "not in the tools list | not in the list of tools | not in the list of available "
         "tools | not in available tools | not one of the available tools | no tool found",
         "dwgx/WindsurfAPI#153 (ToolGuard: dropping 1 tool_call(s) not in declared tools[]); "
         "agents' tool routers found by code search (Tool 'x' is not in the list of available "
         "tools.; Model requested tool x but it was not in the list of available tools; "
         "Chosen tool 'x' is not in the list of available tools)"),
        ("tool + not supported by the client | not supported by this client | not a supported "
         "tool",
         "aws/amazon-q-developer-cli#859 (Tool validation failed: The tool, \"x\" is not "
         "supported by the client: a tool name the client does not have, whatever the name's "
         "length)"),
        ("no handler registered for tool | no handler for tool | no handler found for tool | "
         "no handler registered for", "agents' tool dispatchers found by code search (Error: "
         "No handler registered for tool 'x'; ToolCallError: no handler registered for tool "
         "'x'; error_code not_found): the called name has nothing behind it"),
        ("not found in loaded tools | not found in the loaded tools | not found in available "
         "tools | not found in the available tools | not found in registered tools | not "
         "found in the tool registry | not found in tool registry | not in loaded tools",
         "mims-harvard/ToolUniverse execute_function.py (Invalid function call: Function name "
         "x not found in loaded tools.); agents' registries found by code search (Tool x not "
         "found in registry; not found in available tools): whatever the name's length"),
        ("unknown method | no such method | hallucinate name | hallucinated name | "
         "hallucinated tool | hallucinated function", "agent0ai/agent-zero "
         "_text_editor/tools/text_editor.py (unknown method 'x'); JSON-RPC -32601 in other "
         "words; OpenBMB/XAgent XAgent/utils.py (ToolCallStatusCode: HALLUCINATE_NAME)"),
        ("plugin | plugins + is not loaded | not loaded | are not loaded",
         "microsoft/TaskWeaver taskweaver/ces/runtime/executor.py (plugin x is not loaded, "
         "whatever the name's length)"),
        ("tool | tools | function ~ is not loaded | not loaded | are not loaded",
         "microsoft/TaskWeaver taskweaver/ces/runtime/executor.py (plugin x is not "
         "loaded)"),
        ("unknown command | invalid command + available commands | commands list | list of "
         "commands | command list", "Significant-Gravitas/AutoGPT#1557 (Unknown command 'x'. "
         "Please refer to the 'COMMANDS' list for available commands): the agent's own verbs"),
        ("not found in agent | not found on agent | not registered in agent | not available "
         "in agent | not available for agent", "openai/openai-agents-python#1196 (Tool x not "
         "found in agent y)"),
        ("invalid action | unknown action + following actions | available actions | one of "
         "the actions | did not execute", "openai/evals hr_ml_agent_bench environment.py "
         "(Invalid action: x. Action did not execute. Please use one of the following "
         "actions: ...)"),
        ("unexpected call | unexpected function call - unexpected call to | expected calls | "
         "mock", "sigoden/aichat src/function.rs (Unexpected call: x {...}: a call to a "
         "function the request did not declare); not a test double's unexpected call "
         "(golang/mock: Unexpected call to *mocks.MockX.Foo(...) because: there are no "
         "expected calls)"),
        ("unknown skill | no such skill", "anthropics/claude-code "
         "CHANGELOG.md (Unknown skill: x): a skill the model named that is not there"),
        ("unknown ~ tool - error | exception | unknown tool error", "mcp-use/mcp-use code-mode "
         "client (Unknown code mode tool: x), like the Unknown tool of MCP clients"),
        ("tool + because it is not defined | because it isn t defined", "JetBrains/koog "
         "agents-core (Unable to force call to tool `x` because it is not defined)"),
        ("未知的方法名 | 未知的方法", "AstrBotDevs/AstrBot astrbot/core/astr_agent_tool_exec.py "
         "(未知的方法名: x: an unknown method name)"),
        # facts26: a sub-agent the model named that is not there (the Task tool's
        # subagent_type): the same as a tool that does not exist.
        ("subagent | subagents | sub agent | agent type | subagent type ~ "
         "not found | is not found | was not found | does not exist | doesn t exist | is not "
         "registered | not registered | is not available - file not found | path not found | "
         "directory not found | file does not exist",
         "QwenLM/qwen-code#9509 (Subagent \"x\" not found); Claude Code's Task tool as users "
         "quote it in notes found by code search (Agent type 'x' not found. Available agents: "
         "...); not a skill, which the corpus's readers take for a missing file "
         "(continuedev/continue: Skill \"x\" not found. Available skills: none)"),
        ("unknown subagent | unknown agent type | no such subagent | no subagent named | not a "
         "valid agent type | not a valid subagent | invalid subagent type | invalid agent type",
         "sst/opencode packages/opencode/src/tool/task.ts "
         "and its ports found by code search (Unknown agent type: x is not a valid agent "
         "type)"),
        # facts31: a called tool that is not among those the app gave the model.
        ("not part of the provided | not one of the provided | not part of the supplied | not "
         "one of the supplied | tool call could not be found | function call could not be "
         "found - schema | schemas | argument | arguments | parameter | parameters | value | "
         "values | option | options | file | files",
         "microsoft/semantic-kernel python/semantic_kernel/kernel.py and its TypeScript port "
         "(The tool call with name `x` is not part of the provided tools, please try again with "
         "a supplied tool call name ...; logged: The function `x` is not part of the provided "
         "functions: ...; older: The tool call could not be found, please try again and make "
         "sure to validate the name.); not an argument outside its choices, nor a tool's "
         "schema that could not be found"),
        ("call | action | calls | actions ~ without a | without any + tool - id | ids | name "
         "| names | arguments | argument | result | results | response | output | approval",
         "openai/openai-agents-python src/agents/run_internal (ModelBehaviorError: Model "
         "produced shell call without a shell tool.; Model produced computer action without a "
         "computer tool.): the model called a kind of tool the agent was not given; not a call "
         "that lacks its id, name or arguments"),
        ("doesn t exist | does not exist | not exist + one of the following tools | following "
         "tools | one of these tools", "crewAIInc/crewAI lib/crewai/src/crewai/translations/"
         "en.json (wrong_tool_name: You tried to use the tool x, but it doesn't exist. You must "
         "use one of the following tools, use one at time: ...): the tools it lists are the "
         "ones that exist"),
    )),
    ("edit_mismatch", (
        # Round 36: edit-block failure codes (the block matched nowhere, or in more than one
        # place); search/replace edit blocks of which none applied.
        ("ambiguous match | ambiguous matches | no match - command | option | options | "
         "argument | subcommand | flag | abbreviation | pattern | patterns | grep | glob | "
         "query | result | results | route | host | user | package | version | files | "
         "directory",
         "BrokkAi/brokk app/src/main/java/ai/brokk/EditBlock.java (EditBlockFailureReason "
         "NO_MATCH, AMBIGUOUS_MATCH), like the edit tools' 'No match found' and 'found N "
         "matches' of the rows below; not a command line's ambiguous option, nor a search "
         "that found nothing (grep: no match for pattern)"),
        # Round 36: search/replace edit blocks of which none applied.
        ("search replace blocks | search replace block | replace blocks ~ could be applied | "
         "could not be applied | couldn t be applied | failed to apply | were applied | not "
         "applied - invalid | format | empty | malformed | parse",
         "dyad-sh/dyad src/pro/main/ipc/processors/search_replace_processor.ts (No "
         "search/replace blocks could be applied); a Python edit tool found by code search "
         "(EDIT_FILE_NO_BLOCKS_APPLIED: No SEARCH/REPLACE blocks could be applied.); "
         "not a block that does not parse (Invalid diff format), an invalid argument"),
        # Round 34: a fuzzy edit that found no close match; an anchor not found in the
        # file, said with the edit's outcome (no changes made) instead of its name.
        ("could not find | couldn t find | unable to find | failed to find | no | cannot find "
         "+ close enough match | close match | similar enough match | fuzzy match | similar "
         "match - file not found | no such file | file does not exist | path not found",
         "can1357/oh-my-pi packages/coding-agent/src/core/tools/edit-diff.ts (Could not find a "
         "close enough match in x.); RooCodeInc/Roo-Code multi-search-replace (No sufficiently "
         "similar match found)"),
        ("not found | could not find | couldn t find | cannot find | not present | does not "
         "contain + no changes made | no changes were made | no changes applied | no edits "
         "made | file unchanged | file was not modified | file not modified - file not found "
         "| no such file | file does not exist | path not found | directory not found | enoent",
         "Doriandarko/claude-engineer tools/diffeditortool.py ('x' not found in the file. No "
         "changes made.); an inline site editor found by code search (No changes could be "
         "applied: The text you edited could not be found in the file)"),
        ("修補失敗 | 未套用修補檔",
         _LOCALE_CAPTURES_ZH_TW + " (git apply: 修補失敗; 未套用修補檔)"),
        ("lỗi khi vá | miếng vá không được áp dụng",
         _LOCALE_CAPTURES),
        ("patch konnte nicht angewendet werden | anwendung des patches "
         "fehlgeschlagen | le patch a échoué | patch ne s applique pas | 打补丁失败 | "
         "补丁未应用 | ошибка применения изменений | не удалось применить патч | 패치 실패 "
         "| 패치를 적용하지 | el parche falló | el parche no aplica | yama başarısız | "  # noqa: RUF001
         "yama uygulanamıyor", _LOCALE_CAPTURES),  # noqa: RUF001
        ("找不到要替换 | 未找到要替换 | 未找到可匹配 | 找不到匹配 | 次匹配 | 匹配到", _ZH_AGENTS),
        (_LOCATE_FAILED + " + " + _EDIT_ANCHOR + " - file not found | no such file | file "
         "does not exist | path does not exist | path not found | directory not found | "
         "enoent | embedding | embeddings | not found in line | boolean",
         _OPENCODE + "; " + _CLAUDE_CODE + "; "
         "Aider-AI/aider editblock_coder.py; " + _CODEX + "/apply-patch; " + _CLINE + "; an "
         "inline site editor's commit endpoint, found by code search (No changes could be "
         "applied: The text you edited could not be found in the file); not a RAG pipeline's "
         "count of chunks and embeddings that does not match (weaviate/Verba#182: Embedding not "
         "successful: Chunk mismatch; chroma-core/chroma InvalidDimensionException: Embedding "
         "dimension N does not match collection dimensionality M); not a code navigation "
         "that did not find a symbol near a line (entropy-research/Devon: Symbol 'x' not "
         "found in line 12 or within ±2 lines of it), which not_found reads; nor an argument's "
         "type check that names the occurrences it would replace (smallcloudai/refact "
         "update_textdoc: The 'multiple' argument must be a boolean (true/false) indicating "
         "whether to replace all occurrences), an invalid argument"),
        ("patch does not apply | patch doesn t apply | patch failed | hunk failed | hunks "
         "failed | failed to apply | could not apply | does not apply | doesn t apply | could "
         "not be applied | couldn t be applied | cannot be applied | none of them could be "
         "applied | "
         "cannot apply | can t apply | patch apply failed | apply patch fail | while searching "
         "for - file not found | no such file | file does not exist "
         "| path does not exist | enoent | permission denied | eacces | eperm | operation not "
         "permitted | merge conflict | resolve all conflicts | apply override | not available "
         "| apply settings | apply configuration | apply config | invalid diff format | "
         "invalid patch format | malformed diff | malformed patch",
         "git apply; GNU patch; " + _RUN
         + "; SWE-bench/SWE-bench "
         "swebench/harness/constants/__init__.py (APPLY_PATCH_FAIL: >>>>> Patch Apply Failed); "
         "git apply.c (error: while searching for: the hunk's context lines it did not find); "
         "not git rebase's merge conflict (CONFLICT (content): Merge conflict in f; error: "
         "could not apply abc... msg; hint: Resolve all conflicts manually; captured here); "
         "nor settings a program failed to apply (smallcloudai/refact integrations: failed to "
         "apply settings: x)"),
        ("search section must exactly match | search block must exactly match",
         "Aider-AI/aider editblock_coder.py and its ports found by code search (The SEARCH "
         "section must exactly match an existing block of lines including all white space, "
         "..., printed after the blocks that failed to match), Aider-AI/aider#770"),
        ("appears + times", _CONTINUE + " (String \"x\" appears N times in the file)"),
        ("failed to find context", _CODEX + "/apply-patch (Failed to find context 'x' in "
         "path: the hunk's @@ context line is not in the file), and the apply_patch ports of "
         "other agents (TypeScript, Python, C#, Rust: Failed to find context '${chunk."
         "changeContext}' in ${path})"),
        ("not found | no match | could not find + changed since | modified since | changed "
         "since you last read", "Nano-Collective/nanocoder string-replace.tsx (Content not "
         "found in file. The file may have changed since you last read it.)"),
        ("matched more than once | matches more than once | found more than once | appears "
         "more than once | occurs more than once", "rusiaaman/wcgw search_replace.py (The "
         "following block matched more than once)"),
        ("expected 1 occurrence | expected 1 occurrences | expected one occurrence | expected "
         "1 match | expected one match | multiple occurrences",
         "wonderwhy-er/DesktopCommanderMCP edit.ts (Expected 1 occurrences but found 3)"),
        ("no sufficiently similar | sufficiently similar | more than one occurrence | more "
         "than one match | unique match | uniquely identify | no occurrences | 0 occurrences "
         "| zero occurrences | invalid context | context not found", "RooCodeInc/Roo-Code "
         "multi-search-replace (No sufficiently similar match found); block/goose edit.rs "
         "(Found 3 matches ... unique match); aws/amazon-q-developer-cli (no occurrences of "
         "x were found); microsoft/vscode-copilot-chat apply_patch (Invalid context)"),
        ("patch | patches | diff | hunk | edit | edits ~ is not applicable | not applicable | "
         "cannot be matched | could not be matched | could not be located | cannot be located",
         "nus-apr/auto-code-rover app/agents/agent_write_patch.py (Patch is not applicable), "
         "app/post_process.py (Edits number 1 cannot be matched to the original program.)"),
        ("no suitable match | no confident match | no confident matches | first mismatch | "
         "mismatch at line | search block lines more than file lines | more than file lines",
         "ravitemer/mcphub.nvim edit_file search_engine.lua (No suitable match found; SEARCH "
         "block lines more than file lines); olimorris/codecompanion.nvim insert_edit (No "
         "confident matches found with any strategy); kardolus/chatgpt-cli agent (apply patch "
         "x: first mismatch at line 7)"),
        ("hunk + past eof | past end of file | beyond eof | beyond end of file | beyond the end "
         "of the file", "kardolus/chatgpt-cli agent patch applier (hunk starts past EOF: "
         "start=40 len=3)"),
        ("mutation not applied | mutations not applied | edit not applied | edits not applied "
         "| change not applied | changes not applied", "dlants/magenta.nvim edl executor.ts "
         "(x: narrow: no matches for pattern /y/ (1 mutation not applied)): the text an edit "
         "targets is not there"),
        ("fuzzy match | fuzzy matches | fuzz level | fuzz factor | string not found", "opencode-ai/"
         "opencode internal/llm/tools/patch.go (patch contains fuzzy matches (fuzz level: 2). "
         "Please make your context lines more precise); ai-christianson/RA.Aid "
         "file_str_replace.py (String not found: x): the anchor text is not there as given"),
        ("match count mismatch | previously applied patch detected | reversed or previously "
         "applied", "kyegomez/swarms swarms/tools/computer_use.py (match count mismatch: the "
         "anchor was not found the expected number of times); GNU patch (Reversed (or "
         "previously applied) patch detected!  Assume -R? [n]), captured here"),
        # facts26: the text an edit replaces, named as "text" or "content", not found in the
        # file (the path after "in" is no word).
        ("text | content | contents | target content | targetcontent ~ not found in | was not "
         "found in | not found in file | not found in the file | does not exist in the file - "
         "element | page | selector | screen | dom | html | snapshot | response | output | "
         "stdout | log | logs | results | object | cache | database | db | clipboard | index | "
         "store | storage | memory | knowledge base | collection | table",
         "MiniMax-AI/Mini-Agent mini_agent/tools "
         "(Text not found in file: x), captured here; agents' edit tools found by code search "
         "(Text not found in {path}; Error: targetContent not found in file: x. Please ensure "
         "the string matches exactly.; Target content not found in file: x); not a browser's "
         "text not found in an element or page"),
        ("old string | old str | oldstring | old text | search text | search string | text to "
         "replace | string to replace ~ does not exist in | doesn t exist in | is not in the "
         "file | not present in", "coder/xum#484 (EDIT FAILED - file was NOT modified. The "
         "old_string does not exist in the file.)"),
        ("no match | no matches | not found | matches for | matches of | occurrences + search "
         "expression | regex | revise the expression | allow multiple occurrences - invalid | "
         "parse error | unterminated | unclosed | missing closing | error parsing",
         "oraios/serena src/serena/util/text_utils.py and tools (replace_content: No matches "
         "of search expression found.; No match found for regex: x; Expression matches N "
         "occurrences. Please revise the expression to be more specific or enable "
         "allow_multiple_occurrences); not a regex that does not parse, an invalid argument"),
        ("match must be unique | matches must be unique | must match exactly once | must match "
         "only once", "oraios/serena src/serena/util/text_utils.py (Match must be unique; "
         "found N matches for regex: x), like block/goose's unique match"),
    )),
    ("too_large", (
        ("大きすぎ | 너무 큽 | zu groß | trop volumineux | demasiado grande | muito grande | "
         "слишком большой", _ROO_LOCALES_ALL + " (readFile.imageTooLarge)"),
        ("過大 | 超過了最大 | 最大允許", _ROO_ZH_TW + " (圖片檔案過大。允許的最大大小為 N MB)"),
        ("greater than + gi b | gb | mi b | mb | ki b | kb | bytes", "nodejs/node "
         "lib/internal/errors.js (ERR_FS_FILE_TOO_LARGE: File size (N) is greater than 2 GiB)"),
        ("exceeds | exceeded + mb limit | kb limit | gb limit | mib limit | kib limit | bytes "
         "limit | byte limit | mb size limit", "vercel/next.js#53087 (413 Body exceeded 1mb "
         "limit); tools' size checks found by code search (Content exceeds 2MB limit; File "
         "exceeds 25 MB limit; Image exceeds the 10 MB limit.; response body exceeded 1MB "
         "limit)"),
        ("exceeds + character limit | characters limit | char limit | line limit | token "
         "limit", "n4ze3m/page-assist page-scripts.ts (Output exceeds 50000 character limit)"),
        ("过大 | 超过了最大 | 最大允许 | 超过了限制 | 超过 token 限制", _ZH_AGENTS),
        ("size exceeded the maximum | size exceeds the maximum | exceeded the maximum allowed "
         "size | exceeded the maximum size", "Skyvern-AI/skyvern exceptions.py "
         "(DownloadFileMaxSizeExceeded: Download file size exceeded the maximum allowed size "
         "of N MB); frappe (Password size exceeded the maximum allowed size); AWS API 413 "
         "(The request size exceeded the maximum accepted size)"),
        ("max buffer | buffer exceeded | buffer overflow | output exceeded",
         "sourcegraph/cody shell.ts (stdout maxBuffer exceeded); Node.js child_process "
         "(maxBuffer length exceeded)"),
        ("too many + characters | lines | bytes | tokens | maximum character | character "
         "count | character limit", "block/goose shell.rs (has too many characters (N). "
         "Maximum character count is M.)"),
        ("too large | too big | too long | exceeds maximum | exceeds the maximum | exceeds "
         "the limit | exceeds limit | exceeds the token limit | size limit | maximum allowed "
         "tokens | larger than | file size exceeds | output limit | e2big - name too long | "
         "filename too long | path too long | enametoolong | filename or extension is too long | "
         "too big expected | validation error | should have at most | too long to be a simple",
         _CLAUDE_CODE + " (exceeds maximum allowed tokens); " + _CONTINUE + "; "
         + _GEMINI_CLI + "/utils/fileUtils.ts; not a name over the file system's limit "
         "(ENAMETOOLONG: File name too long; git for Windows: unable to create file x: "
         "Filename too long, msysgit/git#376, git-for-windows/git#277; WASI strerror "
         "Filename too long; Windows ERROR_FILENAME_EXCED_RANGE: The filename or extension is too "
         "long., CrowdStrike/CAST#3): the output is not over any limit; nor an argument a "
         "schema found too long (pydantic-core: String should have at most N characters "
         "[type=string_too_long]; zod v4: Too big: expected ...), an invalid argument"),
        ("exceeds ~ bytes | kb | mb | kib | mib - offset | position | index | per",
         "modelcontextprotocol/servers src/everything/tools/gzip-file-as-resource.ts "
         "(Response from x exceeds N bytes); google/adk-go skilltoolset (resource \"x\" in "
         "skill \"y\" exceeds 65536 bytes limit); not an offset or position past a file's end"),
        ("exceeds cap | exceeds the cap | exceeded cap | exceeded the cap | exceeds size cap | "
         "exceeds byte cap | over the cap | above the cap",
         "CherryHQ/stella#1122 (bridge: read_file: x: N bytes exceeds cap M); size checks "
         "found by code search (locks dict size N exceeds cap M; Ballroom x has N heats, "
         "exceeds cap of 2): the same over-the-limit idea, cap for limit"),
        ("is limited to | are limited to | should not exceed | should not exceeded | must not "
         "exceed ~ lines | characters | bytes | tokens | chars - per minute | per hour | per "
         "day | per second | rate", "openai/evals "
         "hr_ml_agent_bench high_level_actions.py (the number of lines to display is limited "
         "to 100 lines); SWE-agent/SWE-agent sweagent/tools/tools.py (Observations should not "
         "exceeded N characters. M characters were elided.); not a rate (limited to N tokens "
         "per minute)"),
        ("characters were elided | lines were elided | bytes were elided | characters elided",
         "SWE-agent/SWE-agent sweagent/tools/tools.py (N characters were elided)"),
        ("pages + more than | pages per request", "agentscope-ai/agentscope tool/_builtin/"
         "_read.py (Error: PDF has 120 pages, more than 10. You must provide the pages "
         "parameter ..., max 20 pages per request.)"),
        ("exceeds | exceeded + limit | cap + bytes | byte | size | content | response | output "
         "| inline | mi b | mb | gi b | gb | ki b | kb - rate | per minute | per hour | per "
         "day | quota | requests | retries | "
         "attempts | calls | budget | time limit | timeout | memory | context length | context "
         "window",
         "bytedance/deer-flow sandbox/tools.py (write_file content (N bytes) exceeds the "
         "M-byte single-call limit.); langchain-ai/open-swe agent/tools/http_request.py "
         "(Response exceeded the inline limit ...); kyegomez/swarms computer_use.py ('old' "
         "exceeds content size cap); EricLBuehler/mistral.rs (exceeds max output size (N "
         "bytes; cap is M bytes)); not a rate or a retry budget"),
        ("exceeds max | exceeded max + size | bytes | length - redirects | redirect | retries | "
         "attempts | calls | steps | rate | memory | context length | context window | name",
         "VRSEN/agency-swarm (Remote file exceeds "
         "max inline size (N bytes)); EricLBuehler/mistral.rs (exceeds max output size); not "
         "a redirect or retry budget (Exceeded max redirects (N)), a model's context or a name's "
         "length (aws/amazon-q-developer-cli: tool name exceeds max length of 64)"),
        ("maximum file size exceeded | maximum filesize exceeded", "curl lib/strerror.c "
         "(CURLE_FILESIZE_EXCEEDED: curl: (63) Maximum file size exceeded), captured here"),
        # facts26: a file too big to read whole, in tokens, or the advice to read it in parts.
        ("greater than | more than | larger than | bigger than ~ tokens | token - per minute | "
         "per second | per hour | per day | rate | rpm | tpm", "mpfaffenberger/code_puppy "
         "code_puppy/tools/file_operations.py (The file is massive, greater than 10,000 tokens "
         "which is dangerous to read entirely. Please read this file in chunks.), like Claude "
         "Code's File content (N tokens) exceeds maximum allowed tokens (M); not a rate"),
        ("read this file in chunks | read the file in chunks | read it in chunks | read in "
         "chunks | in smaller chunks | read specific portions | read a slice | to read entirely "
         "| dangerous to read | too big to read | too large to read | too long to read",
         "mpfaffenberger/code_puppy file_operations.py (Please read this file in chunks; File is "
         "too large (N bytes > M bytes). Please read this file in chunks using start_line and "
         "num_lines.); Claude Code's Read tool (Use offset and limit parameters to read "
         "specific portions of the file); anthropics/anthropic-sdk-go tools/agenttoolset/fs.go "
         "(x is N bytes, exceeds M-byte limit. Use bash (head/tail/sed) to read a slice.); "
         "Google Drive MCP servers found by code search (File size limit exceeded (N MB). Use "
         "gdrive_read_large_file to read this file in chunks.); Go agents' read tools (file is "
         "N bytes (limit M); pass offset and limit to read it in chunks)"),
        ("file | output | content | response ~ is massive | is huge | is enormous",
         "mpfaffenberger/code_puppy file_operations.py (The file is massive, ...)"),
        # facts29: an HTTP client's own cap on the body it reads, named by its option.
        ("max content length | max body length | max response size | max response length + "
         "exceeded | exceeds | exceed | larger than",
         "axios lib/adapters/http.js (AxiosError ERR_BAD_RESPONSE: maxContentLength size of N "
         "exceeded), as a WebFetch tool result quotes it in a public agent transcript found by "
         "code search (Error: maxContentLength size of 10485760 exceeded); axios (Request body "
         "larger than maxBodyLength limit)"),
    )),
    ("permission", (
        # Round 36: a database role the user is not a member of (SQLSTATE 42501,
        # insufficient_privilege); a directory the tool may not enter.
        ("must be member of role | must be a member of role | must be able to set role | "
         "must have admin option on role | permission denied to set role | 42501",
         "PostgreSQL src/backend/utils/adt/acl.c (must be member of role \"x\"; must be "
         "able to SET ROLE \"x\"), Appendix A Error Codes (42501 insufficient_privilege); "
         "cockroachdb/cockroach pkg/sql (current user must be member of role x)"),
        ("system directory | system directories | protected directory | protected path ~ "
         "denied | not allowed | forbidden | refused | blocked",
         "BeehiveInnovations/pal-mcp-server utils/file_utils.py (Access to system "
         "directory denied: "
         "x), like modelcontextprotocol/servers (Access denied - path outside allowed "
         "directories)"),
        ("directory | folder | path ~ is not accessible | not accessible | is inaccessible - "
         "not found | no such | does not exist | network | offline | unreachable",
         "tumf/mcp-shell-server src/mcp_shell_server/directory_manager.py (Directory is not "
         "accessible: x); "
         "Windows (The network path was not found is not this: a share that is not there)"),
        ("outside the app | outside of the app | outside the application | outside the app s "
         "- window | screen | link | browser",
         "dyad-sh/dyad src/ipc/utils/path_utils.ts and bounded_text_file.ts (Cannot "
         "modify files outside the app: x; Cannot "
         "read files outside the app: x), like a path outside the workspace above"),
        # Round 34: a fetch tool refused by the site's robots.txt (the MCP fetch server's
        # "not allowed" wording stays denied, the corpus reads it so); a path outside the
        # session's allowed working directories.
        ("robots txt + restrictions | restriction | prohibited | disallowed | disallows | "
         "blocked | due to - connection issue | failed to fetch",
         "tailcallhq/forgecode crates/forge_services/src/tool_services/fetch.rs (cannot be "
         "fetched due to robots.txt restrictions); nanos/FediFetcher#126 (prohibited by "
         "robots.txt); not a robots.txt that could not be read (modelcontextprotocol/servers "
         "fetch: Failed to fetch robots.txt ... due to a connection issue)"),
        ("allowed working directories | allowed working directory", "Claude Code (ls in 'x' "
         "was blocked. For security, Claude Code may only list files in the allowed working "
         "directories for this session: 'y', quoted in runs found by code search); "
         "shareAI-lab/Kode-cli bashToolPermissionEngine.ts (rm in 'x' was blocked. For "
         "security, Kode may only remove files from the allowed working directories ...)"),
        ("拒絕不符權限的操作 | 此項操作並不被允許", _LOCALE_CAPTURES_ZH_TW + " (EACCES, EPERM)"),
        ("身份验证 | 身分驗證 | 身份驗證 | 認証 | 인증 | authentifizierung | authentification | "
         "autenticación | autenticação | аутентификация | аутентификации", _ROO_LOCALES_ALL
         + " (share_auth_required, manual_url_auth_error: authentication required or failed)"),
        ("访问 | 存取 | 접근이 | zugriff | accès | acceso | acesso + 被禁止 | 금지 | verboten | "
         "interdit | prohibido | proibido", _ROO_LOCALES_ALL + " (url_forbidden)"),
        ("已停用指令碼執行 | exécution de scripts est désactivée | ejecución de scripts está "
         "deshabilitada | execução de scripts foi desabilitada | выполнение сценариев отключено",
         "PowerShell's execution policy refusing a script in Traditional Chinese, French, "
         "Spanish, Portuguese and Russian, as pasted in READMEs found by code search (npx : "
         "因為這個系統上已停用指令碼執行, 所以無法載入 ...; Impossible de charger le fichier "
         "npm.ps1, car l'exécution de scripts est désactivée sur ce système; No se puede cargar "
         "el archivo npx.ps1 porque la ejecución de scripts está deshabilitada en este sistema; "
         "O arquivo npm.ps1 não pode ser carregado porque a execução de scripts foi desabilitada "
         "neste sistema; Невозможно загрузить файл npm.ps1, так как выполнение сценариев "
         "отключено в этой системе)"),
        ("win error 5", _WINERROR),
        ("存取被拒 | 拒絕存取 | 權限不足 | 沒有權限 | accès refusé | acesso negado | acceso "
         "denegado | zugriff verweigert", _WIN_TEXTS),
        ("keine berechtigung | permiso denegado | 許可がありません | 허가 거부 | 权限不够",
         _STRERROR_CAPTURES),
        ("отказано в доступе | permission non accordée | erişim engellendi | "
         "không đủ quyền | permissão negada", _LOCALE_CAPTURES),
        ("アクセスが禁止 | запрещен", _ROO_LOCALES),
        ("工作区目录之外 | 工作区之外 | 允许的工作区", _ZH_AGENTS),
        ("access permissions | write access", "github/copilot-cli#3041 (Copilot cloud agent: "
         "The push failed due to access permissions; The GITHUB_TOKEN doesn't have write "
         "access via git push or the git API)"),
        ("bad credentials | requires authentication | authentication required | resource not "
         "accessible by integration | could not read username | denied to - proxy "
         "authentication | proxy", "not a proxy that refused the tunnel (urllib3 ProxyError: "
         "Unable to connect to proxy, Tunnel connection failed: 407 Proxy Authentication "
         "Required), a connection failure; docs.github.com "
         "REST API troubleshooting (401 Bad credentials; 401 Requires authentication; 403 "
         "Resource not accessible by integration); git (could not read Username for "
         "'https://github.com': terminal prompts disabled; remote: Permission to a/b.git "
         "denied to user): the service refused the tool's access"),
        ("unable to locate credentials | invalid access key | access key id you provided | "
         "security token included in the request is invalid", "boto/botocore "
         "botocore/exceptions.py (NoCredentialsError: Unable to locate credentials); "
         "docs.aws.amazon.com S3 error responses (InvalidAccessKeyId: The AWS access key ID "
         "you provided does not exist in our records.), STS (The security token included in "
         "the request is invalid): the cloud refused the tool's missing or unknown "
         "credentials"),
        ("权限不够 | 不允许的操作 | 拒绝访问 | 权限不足 | 没有权限", _ZH_CN + " (EACCES 权限不够; "
         "EPERM 不允许的操作); Windows in Chinese (拒绝访问: Access is denied)"),
        ("permission denied | operation not permitted | eacces | eperm | access denied | "
         "access is denied | zugriff verweigert | keine berechtigung | permission non accord e | "
         "permiso denegado | acceso denegado | 許可がありません | アクセスが拒否されました | "
         "허가 거부 | 액세스가 거부되었습니다 | forbidden | 403 | insufficient permissions "
         "| not have permission "
         "| don t have permission | doesn t have permission | doesn t have permissions | "
         "does not have permissions | read only file system | erofs | not writable | write "
         "protected | is read only - not be found or you do not",
         _NODE_FS + "; Windows (Access is denied.; The media is write protected.; in German "
         "Zugriff verweigert, learn.microsoft.com system error codes de-DE); EACCES in "
         "German, French, Spanish, Japanese and Korean as bash and coreutils print it (cat: x: "
         "Keine Berechtigung; Permission non accordee; Permiso denegado; bash: x: "
         "許可がありません; 허가 거부), Windows Access is denied in Spanish, Japanese "
         "and Korean (Acceso denegado.; アクセスが拒否されました; 액세스가 거부되었습니다), "
         "quoted in logs found by code search; " + _RUN
         + "; not npm's E404, whose status decides (404 Not Found ... could not be found or "
         "you do not have permission to access it; captured here)"),
        ("readonly database | read only database | read only transaction", "PostgreSQL "
         "(ERROR: cannot execute INSERT in a read-only transaction); SQLite (SQLITE_READONLY: "
         "attempt to "
         "write a readonly database), as the sqlite3 shell and drivers print it (Error: "
         "stepping, attempt to write a readonly database (8)); Django and SQLAlchemy "
         "(OperationalError: attempt to write a readonly database)"),
        ("not a registered workspace | not a workspace directory | not in the workspace | "
         "path not in workspace",
         "google-gemini/gemini-cli#5669 (Directory 'x' is not a registered workspace "
         "directory.); gemini-cli's read_file as RyderFreeman4Logos/cli-sub-agent#756 quotes "
         "it (Error executing tool read_file: Path not in workspace)"),
        ("outside | not within | escapes | escape | beyond + workspace | allowed directories | "
         "folder | project "
         "| root | "
         "directory | directories | working directory | sandbox - not an absolute path | "
         "provide an absolute path | must be absolute | gopath | main module", _GEMINI_CLI
         + "/services/sandboxedFileSystemService.ts; modelcontextprotocol/servers; "
         "MoonshotAI/kimi-cli tools/file/replace.py (the failure named is a path that is not "
         "absolute: ... is not an absolute path. You must provide an absolute path to edit a "
         "file outside the working directory.); agno-agi/agno tools/workspace.py (path "
         "escapes workspace root); not the Go command's module layout (go: cannot determine "
         "module path for source directory x (outside GOPATH, module path must be "
         "specified), captured here; golang/go cmd/go: directory x outside main module or "
         "its selected dependencies)"),
        ("must be superuser | must be root | are you root | only root | requires root | root "
         "privileges | superuser privileges | run as administrator | elevated privileges",
         "util-linux mount (must be superuser to use mount.), apt-get (are you root?), "
         "captured here as an unprivileged user"),
        ("sudo + password is required | terminal is required | no tty present | askpass",
         "sudo plugins/sudoers (sudo: a password is required; sudo: a terminal is required "
         "to read the password; no tty present and no askpass program specified): the agent's "
         "shell cannot gain the privilege, as programs that run sudo read it (sudo -n "
         "results classified NotAuthenticated / AUTH-FAIL in public agents' and monitors' "
         "tests)"),
        ("unauthorized | 401 | authentication failure | authentication failed | not "
         "authenticated | unauthenticated | invalid credentials | path traversal | not "
         "digitally signed | execution policy | running scripts is disabled | ps security "
         "exception | 禁止运行脚本 | "
         "进行数字签名 | 无法在当前系统上运行该脚本 | skripts auf diesem system deaktiviert | "
         "スクリプトの実行が無効になっているため | 스크립트를 실행할 수 없으므로",
         "sooperset/mcp-atlassian (401 Client Error: Unauthorized); microsoft/vscode-copilot-"
         "chat (Path traversal is not allowed); PowerShell about_Execution_Policies (is not "
         "digitally signed), in Chinese (无法加载文件 x.ps1, 因为在此系统上禁止运行"
         "脚本; 未对文件 x 进行数字签名。无法在当前系统上运行该脚本: "
         "yongxin-ms/DisableSogouNetwork#2 and READMEs "
         "found by code search), in German, Japanese and Korean (x kann nicht geladen werden, da "
         "die Ausfuehrung von Skripts auf diesem System deaktiviert ist; "
         "このシステムではスクリプトの実行が無効になっているため; 이 시스템에서 스크립트를 "
         "실행할 수 없으므로 x 파일을 로드할 수 없습니다: READMEs found by code search)"),
        ("security token + is expired", "botocore / AWS CLI (The security token included "
         "in the request is expired)"),
        ("authorization expired | missing scope | insufficient scope | insufficient "
         "authentication scopes | not in channel | invalid auth | not authed | admin rights",
         "getsentry/sentry-mcp error-handling.ts "
         "(Authorization Expired); Slack Web API error codes as MCP servers return them "
         "(missing_scope: korotovsky/slack-mcp-server#228; not_in_channel: "
         "archestra-ai/archestra#405; invalid_auth, not_authed: api.slack.com error codes); "
         "Google APIs (Request had insufficient authentication scopes.); GitHub OAuth "
         "(insufficient_scope); GitHub REST API (Must have admin rights to Repository.)"),
        ("expiredtoken | expired token | token has expired | token is expired | token has been "
         "expired", "botocore / AWS CLI (An error "
         "occurred (ExpiredToken) ...: The security token included in the request is "
         "expired); googleapis/google-auth-library-python (RefreshError: invalid_grant: Token "
         "has been expired or revoked.): the credentials the tool ran with no longer hold"),
        ("no | without | lack | lacks | missing | insufficient + permission | permissions | "
         "write access | read access", "smallcloudai/refact tool_mv.rs (No write permission "
         "to parent directory)"),
        ("no permission | without permission | lacks permission | path not allowed | must be "
         "within | not within", "yetone/avante.nvim (No permission to access path); "
         "wonderwhy-er/DesktopCommanderMCP (Path not allowed ... Must be within one of these "
         "directories)"),
        ("access to the path + denied", ".NET UnauthorizedAccessException (Access to the path "
                                        "'x' is denied.)"),
        ("path | paths | file operations | file | files + is restricted | are restricted | "
         "restricted to", "microsoft/magentic-ui magui_tools/read.py (Path x is restricted); "
         "coder/mux fileCommon.ts (File operations are restricted to the workspace directory)"),
        ("is ignored | ignored by | ignore file | ignore patterns | restricted by | "
         "gooseignore | rooignore | cursorignore | clineignore | gitignore | "
         "geminiignore | aiderignore | cursorignore - error parsing | failed to parse",
         _GEMINI_CLI + "/tools/read-file.ts; " + _CLINE + " (.clineignore); not an ignore "
         "file the tool could not read (entropy-research/Devon devon_agent: Error parsing "
         ".gitignore file: ...)"),
        ("could not access | couldn t access | unable to access | cannot access | can t access "
         "+ director | directory | directories | folder | folders | file | "
         "files | path - no such | not found | does not exist | doesn t exist | enoent | "
         "cannot find | no file | used by another process | being used by", "FoundationAgents/"
         "MetaGPT metagpt/tools/libs/editor.py "
         "(PermissionError: Could not access or create directories.); not ls's missing file "
         "(ls: cannot access 'x': No such file or directory, captured here), nor Windows' "
         "sharing violation (The process cannot access the file because it is being used by "
         "another process.): the cause named decides"),
        ("insufficient privileges | insufficient privilege | not authorized to perform | "
         "requires elevation | elevation required | do not have access | don t have access | "
         "does not have access | doesn t have access - does not exist | doesn t exist | not "
         "found", "Oracle ORA-01031 and PostgreSQL SQLSTATE 42501 insufficient_privilege "
         "(insufficient privileges); docs.aws.amazon.com IAM AccessDenied (User: arn:... is "
         "not authorized to perform: s3:GetObject); learn.microsoft.com system error codes "
         "ERROR_ELEVATION_REQUIRED 740 (The requested operation requires elevation.); not "
         "a name that may only be missing (The model x does not exist or you do not have "
         "access to it), which not_found reads"),
        ("access to ~ is not allowed | not allowed | is restricted | are restricted | is "
         "forbidden", "n8n-io/n8n Read/Write Files from Disk (Access to the file is not "
         "allowed. Allowed paths: ...); Significant-Gravitas/AutoGPT http_client.py (Access to "
         "internal/private addresses is restricted)"),
        ("prohibited by robots | disallowed by robots | blocked by robots",
         "a crawler tool that the site's robots.txt refused (Querying x prohibited by robots; "
         "the site's rules, not the user's)"),
        ("resource not accessible by | must have push access | must have admin rights | must "
         "have write access | must have pull access | does not have authorization | "
         "authorizationfailed | authorization failed | not allowed to access | not authorized "
         "to access - or requested resource not found | not authorized or not found",
         "not OCI's NotAuthorizedOrNotFound (404: Authorization failed or requested resource "
         "not found), which the 404 decides; docs.github.com REST API (Resource not accessible "
         "by personal access "
         "token; Must have admin rights to Repository.; Must have push access to repository); "
         "learn.microsoft.com Azure RBAC troubleshooting (AuthorizationFailed: The client 'x' "
         "... does not have authorization to perform action 'y' over scope 'z'); services' "
         "403 texts found by code search (You are not allowed to access this resource): the "
         "service refused the tool's identity, not the user's policy"),
        ("cd to ~ blocked | was blocked", "dnakov/anon-kode src/tools/BashTool/BashTool.tsx "
         "(ERROR: cd to 'x' was blocked. For security, ... may only change directories to "
         "...): the guard's verdict, whatever it then says of the allowed directories"),
        ("child directories of | child directory of | subdirectories of | subdirectory of + "
         "working directory | workspace | project directory | project root", "Claude Code's "
         "Bash tool cd guard and its ports found by code search (ERROR: cd to 'x' was "
         "blocked. For security, Claude Code may only change directories to child directories "
         "of the original working directory (y) for this session.): outside the workspace"),
        ("invalid username or password | incorrect username or password | username or "
         "password is incorrect", "GitHub's git over HTTPS as git prints it (remote: Invalid "
         "username or password.; fatal: Authentication failed for 'https://github.com/x'): "
         "the service refused the tool's credentials"),
        ("no allowed directories | no allowed paths | allowed directories configured",
         "Mintplex-Labs/anything-llm aibitat/plugins/filesystem (Error: No allowed "
         "directories configured): the tool may touch no path"),
        ("read only file | readonly file | file is read only", "openai/evals hr_ml_agent_bench "
         "low_level_actions.py (cannot write file x because it is a read-only file.), like "
         "EROFS"),
        ("not subscribed to | blocked user | user is blocked | account is blocked | account "
         "has been blocked", "RapidAPI response texts as OpenBMB/ToolBench "
         "toolbench/inference/server.py matches them (You are not subscribed to this API.; "
         "Blocked User. Please contact your API provider.): the service refused the tool's "
         "account"),
        ("ps1 + cannot be loaded | kann nicht geladen werden", "PowerShell about_Execution_"
         "Policies (File x.ps1 cannot be loaded because running scripts is disabled on this "
         "system), cut short as google-gemini/gemini-cli#21399 shows it"),
        ("escapes ~ base | basedir | base dir | base directory", "a path past the base "
         "directory a tool may touch: modelcontextprotocol/python-sdk src/mcp/shared/"
         "path_security.py (PathEscapeError: Path x escapes base y); agentscope-ai/agentscope "
         "_bubblewrap_workspace_manager.py (PermissionError: Bubblewrap workdir escapes "
         "basedir.)"),
        ("escapes | outside | outside of ~ workdir | work dir | cwd | sandbox root",
         "kardolus/chatgpt-cli agent policy (path escapes workdir: workdir=x path=y)"),
        ("token + requires + scope | scopes", "supabase/mcp#152 (MCP error -32600: OAuth token "
         "requires the database:write scope), like GitHub's missing scope"),
        ("is not readable | not readable - as text | binary", "karthink/gptel-agent "
         "gptel-agent-tools.el (Error: File x is not readable); microsoft/promptflow "
         "yaml_utils.py (File Permissions Error: ... file is not readable.)"),
        ("dubious ownership | unsafe repository", "git setup.c (fatal: detected dubious "
         "ownership in repository at 'x'; older git: unsafe repository ('x' is owned by someone "
         "else)), captured here"),
        ("cwd | working directory | workdir ~ is outside | outside | is not allowed | not "
         "allowed", "kyegomez/swarms swarms/tools/computer_use.py (cwd x is outside y and not in "
         "[...]); ThinkInAIXYZ/deepchat (Working directory is not allowed: x)"),
        ("modifications to | modification of | writes to | writing to + not allowed | not "
         "permitted", "OpenBMB/ChatDev functions/function_calling/file.py (Modifications to the "
         "attachments directory are not allowed): a protected part of the workspace"),
        # facts26: a path or pattern form the tool's confinement refuses; a token the service
        # will not serve; a file the agent keeps away as a security concern.
        ("absolute pattern | absolute patterns | absolute path | absolute paths | path | paths "
         "| pattern | patterns ~ not permitted | is not permitted | are not permitted",
         "anthropics/anthropic-sdk-go tools/agenttoolset/search.go (glob: absolute pattern not "
         "permitted: the glob is confined to the working directory), like EPERM's operation "
         "not permitted"),
        ("absolute pattern | absolute patterns | absolute path | absolute paths ~ not allowed "
         "| are not allowed | is not allowed | forbidden | disallowed", "the same confinement "
         "in other words (agents' path guards found by code search: Absolute paths are not "
         "allowed)"),
        ("access to ~ is not permitted | not permitted", "the same as Access to x is not "
         "allowed (n8n-io/n8n Read/Write Files from Disk) with EPERM's word"),
        ("not accessible to | not accessible by | not accessible with | not accessible using + "
         "token | tokens | api key | key | credentials | credential | account | user",
         "grafana/mcp-grafana tools/datasources.go (the datasource metadata API is not "
         "accessible to this token); GitHub REST API (Resource not accessible by personal "
         "access token): the service refused the tool's credentials"),
        ("authorization header | auth header | bearer token | authorization token ~ is required "
         "| required | is missing | missing | not provided | was not provided", "ollama/"
         "ollama-python ollama/_client.py (Authorization header with Bearer token is required "
         "for web search; captured here without OLLAMA_API_KEY); MCP servers' and APIs' auth "
         "checks found by code search (Authorization header is missing; Bearer token "
         "required): the service refuses a call that carries no credentials, like a 401"),
        ("missing authorization header | missing auth header | missing bearer token | no "
         "authorization header | no bearer token | missing or invalid authorization header",
         "the same in the other word order (MCP servers' auth middleware found by code search: "
         "Missing Authorization header; Missing or invalid Authorization header)"),
        ("security concern | security concerns", "continuedev/continue core/indexing/ignore.ts "
         "and core/util/errors.ts (Reading or Editing .env is not allowed because it is a "
         "security concern; file_is_security_concern): the agent keeps the file out of reach, "
         "like an ignore file"),
        ("exists but is not an executable | not an executable file | exists but is not "
         "executable", "fish-shell (fish: Unknown command. './x' exists but is not an "
         "executable file.), captured here with fish 3.6 after chmod -x: the same refusal bash "
         "words as Permission denied"),
        # facts29: a file or path the tool may not touch because it is not among those it
        # was given.
        ("not in | not among | not part of ~ set of allowed | list of allowed | allowed + "
         "file | files | path | paths | directory | directories | folder | folders",
         "microsoft/vscode-copilot-chat src/extension/tools/node/editFileToolUtils.tsx (File x "
         "is not in the set of allowed files for this edit request.), like outside allowed "
         "directories; google-gemini/gemini-cli sandboxedFileSystemService.ts (... is outside "
         "the workspace and not in allowed paths)"),
        ("not in the sudoers file | not in the sudoers | may not run sudo | not allowed to run "
         "sudo", "sudo plugins/sudoers (x is not in the sudoers file.  This incident will be "
         "reported.; Sorry, user x may not run sudo on y.), as transcripts found by code "
         "search quote it: the system refuses the user root, like Permission denied"),
        ("not allowed to execute + as root", "sudo plugins/sudoers (Sorry, user x is not "
         "allowed to execute 'y' as root on z.), the same refusal for one command"),
        # facts31: a path the app did not hand the agent's tools.
        ("file path | path ~ is not available | not available + available file paths | "
         "allowed file paths | allowed paths", "browser-use/browser-use browser_use/tools/"
         "service.py (File path x is not available. To fix: The user must add this file path "
         "to the available_file_paths parameter when creating the Agent.): like a file not in "
         "the set of allowed files"),
    )),
    ("not_found", (
        # Round 36: things that are not there, named by what they are.
        ("can t get uid for | can t get gid for | no such user | user does not exist | user "
         "doesn t exist | no such group | group does not exist", "lsof (lsof: can't get UID "
         "for x), captured here; GNU coreutils id (id: 'x': no such user); util-linux su "
         "(su: user x does not exist)"),
        ("unable to access jarfile | unable to access jar file | jarfile not found | jar file "
         "not found | no such jar - corrupt | invalid",
         "openjdk/jdk src/java.base/share/classes/sun/launcher/resources/launcher.properties "
         "(Error: Unable to access jarfile x), captured here (java -jar nofile.jar); not an "
         "unreadable one (Invalid or corrupt "
         "jarfile x)"),
        ("no manual entry for | no manual page for | no man page for", "man-db src/man.c (No "
         "manual entry for x)"),
        ("no entry for ~ in the manual", "mandoc main.c (No entry for x in the manual.)"),
        ("no toolchain installed | toolchain is not installed | toolchain not installed | "
         "toolchain x is not installed", "rust-lang/rustup (info: no toolchain installed for "
         "'x'; error: toolchain 'x' is not installed)"),
        ("there is no pom in this directory | no pom in this directory | non readable pom | "
         "could not find the pom | pom xml not found | no build file found",
         "apache/maven MissingProjectException (The goal you specified requires a project to "
         "execute but there is no POM in this directory (x)); Maven (Non-readable POM x)"),
        # Round 34: git's missing source path.
        ("fatal bad source", "git builtin/mv.c (fatal: bad source, source=x, destination=y)"),
        ("沒有此一檔案或目錄 | 不是一個 git 版本庫 | 未符合任何 | 沒有規則可製作目標",
         _LOCALE_CAPTURES_ZH_TW + " (ENOENT; git: not a repository, pathspec did not match; "
         "make: no rule to make target)"),
        ("introuvable | non trouvé | non trouvée | pas été trouvé | no encontrado | no "
         "encontrada | no se encontró | não encontrada | не найден | не найдены - adresse | "
         "dirección | endereço | адрес", _ROO_LOCALES_ALL + " (message.message_not_found, "
         "customModes modeNotFound, command_not_found)"),
        ("찾을 수 없 | n a pas été trouvée | no fue encontrada | não foi encontrada - 주소 | "
         "adresse | dirección | endereço", _ROO_LOCALES_ALL + " (url_page_not_found; not "
         "url_not_found, an address: network)"),
        ("win error 2 | win error 3", _WINERROR),
        ("系統找不到 | 不是內部或外部命令 | не удается найти | не является внутренней или "
         "внешней | не распознано как имя | não pode encontrar | não é reconhecido como",
         _WIN_TEXTS),
        ("無法辨識 + cmdlet", _WIN_TEXTS),
        ("nicht gefunden | orden no encontrada | não encontrado | commande introuvable | "
         "команда не найдена | không tìm thấy | stimmt mit keinen dateien überein | ne "
         "correspond à aucun fichier | не соответствует ни одному файлу | hiçbir dosya ile "
         "eşleşmedi - adresse | endereço | dirección | 주소",
         _LOCALE_CAPTURES + "; not an address that was not found (a host name: network)"),
        ("datei oder verzeichnis nicht gefunden | no existe el fichero | そのようなファイル | "
         "파일이나 디렉터리가 없 | dosya ya da dizin yok | 没有那个文件或目录",
         _STRERROR_CAPTURES),
        ("нет такого файла | нет такого каталога | aucun fichier ou dossier | "
         "không có tập tin hoặc thư mục | không khớp với bất kỳ tập tin | arquivo "
         "ou diretório inexistente | komut yok | 명령어를 찾을 수 없 | 경로명세 | no concordó "
         "con ningún archivo", _LOCALE_CAPTURES),
        ("не найдена | не найдено | 見つかり | 見つから - адрес | アドレス", _ROO_LOCALES),
        ("could not resolve | unable to resolve + file id | file | for path", "nextcloud/"
         "context_agent all_tools/files.py (Could not resolve file ID for path: x)"),
        ("不存在 | 未找到 | 找不到 - 有效 | 地址 | 位址 | 主机的路由 | "
         "主機的路由",
         _ZH_AGENTS + "; not an address that was "
         "not found (Roo-Code zh-CN url_not_found 找不到网站地址: network)"),
        ("没有那个文件或目录 | 未找到命令 | 不是 git 仓库 | 未匹配任何 | 没有规则可制作目标",
         _ZH_CN + " (ENOENT 没有那个文件或目录; bash 未找到命令); git zh_CN (不是 git 仓库; 路径"
         "规格 "
         "未匹配任何 git 已知文件); GNU make zh_CN (没有规则可制作目标), captured here"),
        ("no such file | no such | enoent | not found | does not exist | doesn t exist | "
         "do not exist | cannot find | can t find | could not find | couldn t find | unable "
         "to find | no module named | not recognized as an internal or external command | "
         "os error 2 | did not match any | unknown revision | 404 | missing file | missing "
         "script | missing module | missing package | must exist | not point to | not a git "
         "repository | not "
         "recognized as the name of | not recognized as a name of | not installed | not in "
         "path | does not match any | no "
         "rule to make target | unable to locate package | no matching package - in this scope "
         "| api key | api keys | environment variable | key error | token not found | file path "
         "parameter | file path argument | operand "
         "| indentation level | no such host | no such command | no such subcommand "
         "| no such option | no such flag "
         "| cannot find symbol | cannot find name | cannot find value | cannot find type | "
         "cannot find function | cannot find macro | cannot find main module | argument value "
         "not found | not found in the arguments | signature not found | or no results found",
         "PowerShell (The term 'x' is not recognized as the "
         "name of a cmdlet; PowerShell 7: ... as a name of a cmdlet, function, script file, "
         "or executable program, PowerShell/command-not-found#11); npm/cli (Missing "
         "script); aws/amazon-q-developer-cli (The "
         "provided path must exist); github/github-mcp-server (Path did not point to a file); "
         + _NODE_FS + " (ENOENT); Windows (The system cannot find the file specified. (os "
         "error 2)); olimorris/codecompanion.nvim (ripgrep (rg) is not installed or not in "
         "PATH); git (error: src refspec x does not match any), GNU make (No rule to make "
         "target), apt (E: Unable to locate package x), cargo (no matching package named x "
         "found), captured here where installed; not a compiler's unknown name (javac: cannot "
         "find symbol, captured here; TypeScript TS2304: Cannot find name 'x'; rustc E0425; "
         "not CPython's IndentationError: unindent does not match any outer indentation "
         "level); nor a credential the program's setup lacks (assafelovic/gpt-researcher "
         "serpapi.py: SerpApi API key not found. Please set the SERPAPI_API_KEY environment "
         "variable; web apps' OpenAI API key not found in environment; PrefectHQ/marvin: GitHub "
         "token not found in any source); nor a key a program looked up (deepset-ai/haystack"
         "#11754: KeyError: 'does_not_exist'), nor an argument named for a file "
         "(coder/claudecode.nvim: Missing filePath parameter); " + _RUN),
        ("can t locate | can t cd to", "perl (Can't locate JSON/XS.pm in @INC (you may need "
         "to install the JSON::XS module); captured here); dash and BusyBox ash cd (sh: 1: cd: "
         "can't cd to /app; InftyAI/Nebula#68; captured here), and shells written after it "
         "found by code search (print_error(info, \"can't cd to \"))"),
        ("cannot open | could not open | unable to open | failed to open | can t open | "
         "couldn t open | cannot be opened | could not be opened + file | files | for loading | "
         "for reading - too many open files | database file",
         "a file the program could not open, no other cause named: "
         "facebookresearch/fastText src/fasttext.cc "
         "(x cannot be opened for loading!); terminal-bench pytorch-model-cli (Error: Cannot "
         "open weights file x); with a cause the cause decides (sed: couldn't open "
         "temporary file x: Permission denied; bash: Too many open files, EMFILE, captured "
         "here); not sqlite3's unable to open database file, which names no cause "
         "(SQLITE_CANTOPEN, captured here)"),
        ("프로그램 이름으로 인식되지 않습니다 | 배치 파일이 아닙니다 | "
         "项识别为 cmdlet | 可运行程序的名称 | "
         "プログラムの名前として認識されません | "
         "バッチ ファイルとして認識されていません",
         "PowerShell's CommandNotFoundException in Korean, Chinese "
         "and Japanese Windows (microsoft/vscode#137991: 'x' 용어가 "
         "cmdlet, 함수, 스크립트 파일 또는 실행할 수 있는 프로그램 "
         "이름으로 인식되지 않습니다; 无法将“x”项识别为 cmdlet、函数、"
         "脚本文件或可运行程序的名称; 用語 'x' は、コマンドレット、"
         "関数、スクリプト ファイル、または操作可能なプログラムの"
         "名前として認識されません, as READMEs and agents' transcripts "
         "found by code search quote them); cmd.exe in Korean and "
         "Japanese (내부 또는 외부 명령, 실행할 수 있는 프로그램, 또는 "
         "배치 파일이 아닙니다; 'x' は、内部コマンドまたは外部コマンド、"
         "操作可能なプログラムまたはバッチ ファイルとして認識されて"
         "いません): the command is not there"),
        ("wurde nicht als name eines cmdlet | nicht als name eines cmdlets | entweder falsch "
         "geschrieben oder | angegebenen pfad nicht finden | angegebene datei nicht finden | "
         "pas reconnu comme nom d applet | pas reconnu en tant que commande interne | no se "
         "reconoce como nombre de un cmdlet | no se reconoce como un comando interno | "
         "reconhecido como nome de cmdlet",
         "PowerShell's CommandNotFoundException and cmd.exe in German, French, Spanish and "
         "Portuguese Windows, as READMEs, agents' transcripts and command-not-found detectors "
         "found by code search quote them (Die Benennung \"x\" wurde nicht als Name eines "
         "Cmdlet, einer Funktion, einer Skriptdatei oder eines ausfuehrbaren Programms erkannt; "
         "Der Befehl \"x\" ist entweder falsch geschrieben oder konnte nicht gefunden werden; "
         "Le terme x n'est pas reconnu comme nom d'applet de commande; 'x' n'est pas reconnu "
         "en tant que commande interne ou externe; El termino 'x' no se reconoce como nombre "
         "de un cmdlet; 'x' no se reconoce como un comando interno o externo; O termo 'x' nao "
         "e reconhecido como nome de cmdlet); Windows ERROR_PATH_NOT_FOUND and "
         "ERROR_FILE_NOT_FOUND in German (Das System kann den angegebenen Pfad nicht finden; "
         "CPython: FileNotFoundError: [WinError 3] ...)"),
        ("requires xcode but active developer directory | command not found exception",
         "xcode-select (error: tool 'xcodebuild' requires Xcode, but active developer "
         "directory '/Library/Developer/CommandLineTools' is a command line tools instance: "
         "Xcode is not installed; READMEs and build logs found by code search); PowerShell's "
         "error record (CategoryInfo: ObjectNotFound: (x:String) [], "
         "CommandNotFoundException)"),
        ("datei oder verzeichnis nicht gefunden | aucun fichier ou dossier de ce nom | no "
         "existe el archivo o el directorio | befehl nicht gefunden | commande introuvable | "
         "kein git repository | no puede encontrar el archivo especificado | est introuvable | "
         "そのようなファイルやディレクトリはありません | コマンドが見つかりません | "
         "指定されたファイルが見つかりません | 그런 파일이나 디렉터리가 없습니다 | "
         "명령을 찾을 수 없습니다 | 지정된 파일을 찾을 수 없습니다",
         "ENOENT, bash's command not found, git's not a git repository and Windows "
         "ERROR_FILE_NOT_FOUND in German, French, Spanish, Japanese and Korean, from the "
         "programs' translations as logs and transcripts found by code search quote them "
         "(cat: x: Datei oder Verzeichnis nicht gefunden; Aucun fichier ou dossier de ce nom; "
         "No existe el archivo o el directorio; そのようなファイルやディレクトリはありません; "
         "그런 파일이나 디렉터리가 없습니다; fatal: kein Git-Repository; [WinError 2] El sistema "
         "no puede encontrar el archivo especificado; Le fichier specifie est introuvable; "
         "지정된 파일을 찾을 수 없습니다; bash: x: "
         "コマンドが見つかりません)"),
        ("invalid active developer path | missing xcrun", "Apple xcrun when the Command Line "
         "Tools are gone (xcrun: error: invalid active developer path (/Library/Developer/"
         "CommandLineTools), missing xcrun at: ...; npm/npm#11962, alexylem/jarvis#165, "
         "t-lark/Auto-Update#7, and troubleshooting notes found by code search): the "
         "developer tools are not installed, no argument is invalid"),
        ("不是内部或外部命令 | 找不到指定的 | 系统找不到 | 找不到文件",
         "Windows cmd.exe in Chinese (OpenHUTB/mcp#78: 'x' 不是内部或外部命令: not recognized "
         "as an internal or external command; 系统找不到指定的路径: the system cannot find the "
         "path specified)"),
        ("no ~ found - diff | blocks | formatted | missing required | is required | in the "
         "response | in response | found in code | result found error | is disabled | prompt "
         "output | edit history | argument | arguments | tool call found | tool calls found | or "
         "no results found | closing fence | no open | no pending | no active",
         "laravel/boost BrowserLogs (No log file found); not a model's reply that lacked what "
         "the pipeline looked for (sinaptik-ai/pandas-ai#777: No code found in the response; "
         "awslabs/mcp#1022: No DataFrames found in code; pandas-ai#1420: NoResultFoundError), "
         "nor a feature switched off (Mintplex-Labs/anything-llm web-browsing.js: Search is "
         "disabled and no content was found; griptape-ai/griptape tool_task.py: No action found "
         "in prompt output.); not an argument the call lacks "
         "(hashicorp/terraform: Missing required argument. The argument \"x\" is required, "
         "but no definition was found.); nor a search that failed or came back empty, which "
         "says neither "
         "(microsoft/RD-Agent: Context7: Documentation search failed or no results found); "
         "nor a state the call needs first (ChromeDevTools/chrome-devtools-mcp: No open "
         "dialog found; github/github-mcp-server: No pending review found for the viewer; "
         "oraios/serena: No active project), which names no missing thing"),
        ("does not appear to be a git repository | does not appear to contain | not a valid "
         "reference | no file or directory at",
         "git (fatal: 'x' does not appear to be a git repository, for a remote "
         "or clone source that is not there; error: stash@{5} is not a valid reference), "
         "CMake (The source directory \"x\" does not appear to contain CMakeLists.txt), "
         "hashicorp/terraform fmt (Error: No file or directory at x.tf), captured here"),
        ("could not be found | couldn t be found | cannot be found | can t be found - "
         "permission | matches parameter name | accepts argument | specified hostname | "
         "remote name", "not a host name the resolver could not find (Apple "
         "NSURLErrorCannotFindHost: A server with the specified hostname could not be found.), "
         "a network failure; rust-lang/cargo (error: "
         "the crate `x` could not be found in registry "
         "index.), captured here; Windows ERROR_MOD_NOT_FOUND as CPython, .NET and Node print "
         "it (ImportError: DLL load failed: The specified module could not be found.; Unable "
         "to load DLL 'x': The specified module could not be found.); not npm's E404 that "
         "may be a permission (could not be found or you do not have permission)"),
        ("invalid reference | bad revision | is not a commit | not something we can merge | "
         "invalid upstream | no stash entries - reference format", "git (fatal: invalid "
         "reference: x; fatal: bad revision 'x'; 'x' is not a commit; merge: x - not something "
         "we can merge; fatal: invalid upstream 'x'), captured here: a revision or branch the "
         "command names that is not there, like git's unknown revision; not docker's image "
         "name that does not parse (docker/cli, distribution/reference: invalid reference "
         "format), a bad argument"),
        ("doesn t have a resource type | does not have a resource type", "kubernetes kubectl "
         "(error: the server doesn't have a resource type \"x\"), quoted by HolmesGPT/"
         "holmesgpt test fixtures and kubectl notes found by code search: a kind the cluster "
         "does not have"),
        ("unknown database | unknown table | unknown column", "MySQL server error messages "
         "(ERROR 1049 (42000): Unknown database 'x'; 1054: Unknown column 'x' in 'field "
         "list'; 1109: Unknown table 'x')"),
        ("no + exists with the name | exists with name - already exists | already exist",
         "kubernetes kubectl (error: no context exists with the name: \"x\"), captured "
         "here, and the tools that wrap kubeconfig in Go (fmt.Errorf(\"no context exists "
         "with the name: %q\")); programs' lookups found by code search (No house exists "
         "with the name 'x'; no dataset exists with the name x); not a name already taken "
         "(A playlist already exists with the name x)"),
        ("no + with given id | with the given id | with id", "Chromium extensions API "
         "(chrome.tabs: No tab with id: N.; No window with id: N.), as browser MCP servers "
         "return it (BrowserMCP/mcp#85: No tab with given id N.)"),
        ("could not resolve to a | could not resolve to an", "GitHub GraphQL API as the gh "
         "CLI prints it (GraphQL: Could not resolve to a Repository with the name 'x/y'. "
         "(repository); Could not resolve to a PullRequest with the number of N.)"),
        ("neither + nor + installed | found | available | exists | exist",
         "mistralai/mistral-vibe vibe/core/tools/builtins/grep.py (Neither ripgrep (rg) nor "
         "grep is installed)"),
        ("could not locate | couldn t locate | unable to locate | cannot locate | can t "
         "locate | failed to locate - credentials | credential | ai model | no element",
         "programs' lookups of a file "
         "or name found by code search (Could not locate file x; Unable to locate the file; "
         "node-bindings: Could not locate the bindings file), like apt's Unable to locate "
         "package; not botocore's Unable to locate credentials, a permission, nor a vision model "
         "that found no element (web-infra-dev/midscene#1234: AI model failed to locate: ... no "
         "element can be identified)"),
        ("no ~ file found | files found | file was found | config file found | configuration "
         "file found - diff | blocks | formatted", "docker compose and agents' project tools "
         "(No docker-compose file found; no configuration file provided: not found, "
         "docker/compose), like laravel/boost's No log file found"),
        ("has no installation candidate | no installation candidate | is not available but is "
         "referred to", "Debian apt (E: Package 'x' has no installation candidate; Package x "
         "is not available, but is referred to by another package), like apt's Unable to "
         "locate package"),
        ("command ~ not available | is not available | not executable | is not executable - "
         "tool | tools | function | remote", "karthink/gptel-agent gptel-agent-tools.el (Error: "
         "Command \"patch\" not available, cannot apply diffs.); ravitemer/mcphub.nvim "
         "terminal.lua (Command is not executable: jobstart found nothing to run)"),
        ("not available + this tool cannot be used | tool cannot be used", "karthink/gptel-agent "
         "gptel-agent-tools.el (Error: ripgrep/grep not available, this tool cannot be used)"),
        ("could not access | couldn t access - permission | eacces | eperm | connection | url "
         "| host | server | internet | network", "git diff-no-index.c (error: Could not access "
         "'x'), captured here for paths that are not there; a path word with it reads as "
         "permission first (MetaGPT: Could not access or create directories)"),
        ("fish: unknown command - exists but is not", "captured here: fish 3.6.0 (fish -c "
         "'frobnicate --help': fish: Unknown command: frobnicate)"),
        # facts26
        ("could not resolve | couldn t resolve | unable to resolve | cannot resolve | failed to "
         "resolve + ref | refs | revision | branch | tag | commit", "github/github-mcp-server "
         "pkg/github/repositories_helper.go (could not resolve ref \"x\" as a branch or a "
         "tag), like git's unknown revision"),
        ("may not exist | might not exist | may no longer exist | might no longer exist",
         "idosal/git-mcp fetch_url_content (Content at x could not be retrieved. The resource "
         "may not exist or may require authentication.)"),
        ("unknown resource | unknown resource template | unknown prompt", "jlowin/fastmcp "
         "src/fastmcp/server/server.py (NotFoundError: Unknown resource: 'x'; Unknown prompt: "
         "'x'), the MCP server's own word for a name it does not hold"),
        # facts29: the same lookup in the past tense, or of a thing that was there before.
        ("did not exist | didn t exist | no longer exists | no longer exist - api key | api "
         "keys | environment variable | function | tool | tools",
         "voideditor/void src/vs/workbench/contrib/void/browser/toolsService.ts (Kill "
         "Terminal: Terminal with ID x did not exist.); smallcloudai/refact refact-agent/engine"
         "/src/tools (Failed to Add: x; Its parent dir x did not exist and attempt to create "
         "it failed.); lookups found by code search (The category no longer exists.; Default "
         "instance 'x' no longer exists!), like does not exist; not a function the model "
         "called (unknown_tool)"),
        # facts31: a page element a browser tool looks up by its index or reference.
        ("element | element index | element ref | element reference ~ not available | is not "
         "available | no longer available | is no longer available",
         "browser-use/browser-use browser_use/tools/service.py (Element index N not available "
         "- page may have changed. Try refreshing browser state.) and its ports found by code "
         "search (Element ref e1 is not available - page may have changed.): the element the "
         "call names is not on the page"),
        # facts31: package managers that name a package, module or formula they cannot find.
        ("is not in goroot | is not in std | no required module provides | no packages loaded "
         "from | no available formula | no formulae or casks found | no formula or cask found",
         "golang/go cmd/go, captured here with go 1.19 (package foo/bar is not in GOROOT (x); "
         "no required module provides package x; to add it: go get x; go: no packages loaded "
         "from ./x; newer go: package x is not in std (x)); Homebrew/brew (Error: No available "
         "formula with the name \"x\".; Error: No formulae or casks found for x.), as "
         "transcripts and wrappers found by code search quote it"),
    )),
    ("invalid_args", (
        # Round 36: a shell tool's own argument checks and CLI argument errors.
        ("unexpected shell operator | shell operators are not allowed | shell operator not "
         "allowed", "tumf/mcp-shell-server src/mcp_shell_server/command_validator.py "
         "(Unexpected shell operator: ;)"),
        ("illegal process id | invalid process id | bad process id | process id list syntax "
         "error | invalid pid | illegal pid", "lsof (lsof: illegal process ID: x); procps ps "
         "(error: process ID list syntax error); util-linux kill (kill: failed to parse "
         "argument) has no such wording"),
        ("unknown gnu long option | unrecognized long option | unknown long option",
         "procps ps/parser.c (error: unknown gnu long option); glibc getopt (unrecognized "
         "option '--x')"),
        ("filename argument required | argument required | requires an argument - network | "
         "connection", "GNU bash builtins/source.def (source: filename argument required); "
         "GNU getopt (option requires an argument -- 'x')"),
        ("line | line number | start line | offset ~ beyond end of file | past end of file | "
         "beyond the end of the file | past the end of the file | exceeds file length - read "
         "| unexpected | seek | eof",
         "tumf/mcp-text-editor src/mcp_text_editor/text_editor.py (Line number x is "
         "beyond end of file (total lines: "
         "N); offset past the end of the file)"),
        ("failed to parse timestamp | failed to parse date | cannot parse date | could not "
         "parse date | unable to parse date | failed to parse time",
         "systemd journalctl (Failed to parse timestamp: x); GNU date (date: invalid date "
         "'x')"),
        # Round 34: a tool's own argument checks.
        ("names no scheme | no scheme | no scheme supplied | missing scheme | without a scheme "
         "| unsupported scheme | unsupported url scheme | url scheme not supported | invalid "
         "url scheme | relative url without a base | includes credentials | embedded "
         "credentials | carries credentials | failed to parse url | could not parse url | "
         "unable to parse url", "canvascomputing/agentwerk crates/agentwerk/src/"
         "prompts/directives/fetch_url.md (`url` names no scheme; `url` carries embedded "
         "credentials); psf/requests (MissingSchema: Invalid URL 'x': No scheme supplied); "
         "seanmonstar/reqwest (relative URL without a base); nodejs/undici (Request cannot be "
         "constructed from a URL that includes credentials); Node's fetch and Chromium's Request "
         "(TypeError: Failed to parse URL from /api/x: a URL without a scheme or host)"),
        ("scheme ~ cannot be fetched | not supported | is not supported | unsupported | "
         "invalid", "canvascomputing/agentwerk fetch_url.md (Scheme `ftp` cannot be fetched. "
         "Use http or https.); psf/requests (InvalidSchema)"),
        ("only one | at most one | exactly one | more than one + in progress + at a time | "
         "simultaneously | at once", "shareAI-lab/Kode-cli TodoWriteTool.tsx (Only one task "
         "can be in_progress at a time); a Go agent's TodoManager found by code search (only "
         "one task can be in_progress at a time)"),
        ("requires a | requires an ~ message | value | name | path | argument | parameter + "
         "provide | specify | supply | pass", "can1357/oh-my-pi packages/coding-agent/src/"
         "core/tools/git.ts (Git commit requires a message to avoid an interactive editor. "
         "Provide `message`.)"),
        ("unknown + available hosts | available commands | available options | available "
         "values | available choices | available modes | available profiles | available "
         "types | valid options | valid values | valid choices | must be one of | expected one "
         "of | supported values | supported options", "can1357/oh-my-pi packages/coding-agent/"
         "src/core/tools/ssh.ts (Unknown SSH host: x. Available hosts: ...); argparse and "
         "click-style choice checks (must be one of, valid choices)"),
        ("無法識別 | 無效的 | 取得更多訊息", _LOCALE_CAPTURES_ZH_TW + " (ls: 無法識別「--x」選項; "
         "head: 無效的列數; 請嘗試執行「ls --help」取得更多訊息)"),
        ("无效 | 無效 | 無効 | 잘못된 | 유효하지 않 | ungültig | ungültige | ungültiges | "
         "ungültigen | invalide | non valide | no válido | no es válido | inválido | inválida | "
         "недействителен | недействительный | неверный | неверная | неверное | недопустимый | "
         "недопустимая | недопустимое - 無効になっ | 無効化", _ROO_LOCALES_ALL + " "
         "(invalid_data_uri, condense_handler_invalid, manual_url_no_query: invalid input; not "
         "ja 無効になっています: has been disabled)"),
        # Round 21: the parser of an edit block or of a command line said which part of the
        # call it could not read.
        ("same as old content | resulted in identical content | exceeds file length",
         "an edit that would change nothing, or a range past the file's end: "
         "charmbracelet/crush internal/agent/tools/edit.go (new content is the same as old "
         "content. No changes made.), multiedit.go (no changes made - all edits resulted in "
         "identical content), lsp_replace_symbol.go (symbol range exceeds file length)"),
        ("invalid + valid ~ levels | values | types - key | keys | token | tokens | "
         "credential | credentials | configuration | config file", "a value outside the list "
         "the tool then gives (not a configuration the program read, as google-gemini/"
         "gemini-cli's Invalid configuration: ...): "
         "cased/kit src/kit/pr_review/priority_utils.py (Invalid priority levels: [x]. Valid "
         "levels: [...]); MervinPraison/PraisonAI praisonai-code cli/features/thinking.py "
         "(Invalid level: x. Valid levels: ...), praisonai/jobs/router.py (Invalid status: x. "
         "Valid values: [...]); cline/cline createHook.ts (Invalid hook type: \"x\". Valid "
         "hook types are: ...)"),
        ("cannot start with | can not start with", "modelcontextprotocol/servers "
         "src/git/src/mcp_server_git/server.py (Invalid target: '-x' - cannot start with '-'; "
         "Invalid branch name / revision / start_timestamp: ... cannot start with '-')"),
        ("parsing search replace | parse search replace | missing filename | empty hunk | "
         "any search blocks", "Doriandarko/claude-engineer Claude-Eng-v2/main.py (AI response "
         "does not contain any <SEARCH> blocks); "
         "entropy-research/Devon devon_agent/tools/editorblock.py (^^^ Error parsing "
         "SEARCH/REPLACE block: ...; Missing filename); Aider-AI/aider editblock_coder.py "
         "(Bad/missing filename); MervinPraison/PraisonAI praisonaiagents/tools/edit_tools.py "
         "(Error: Empty hunk in update for 'x')"),
        ("arguments | args | parameter | parameters | params ~ must be | must - argument 1 | "
         "argument 2 | arg 1 | arg 2 | first argument | second argument | typeerror",
         "a tool's check of the shape of its arguments: evalstate/fast-agent "
         "tools/filesystem_tool_args.py (Error: arguments must be a dict); "
         "aphrodite-engine/aphrodite-engine tool_parsers/utils.py (Tool call arguments must be "
         "literals); trycua/cua libs/fleet/src/browser-sdk-commands.ts (arguments must be a "
         "JSON array); OpenBMB/ChatDev functions/function_calling/uv_related.py (extra args "
         "must be flags, got x); not a runtime's own type error over a function it was given "
         "(CPython: exec() arg 1 must be a string, ...)"),
        ("parameter | argument | param ~ out of range | out of bounds", "agnaistic/agnai "
         "(volume parameter out of range N)"),
        ("opening fence | closing fence - found in code", "Aider-AI/aider "
         "aider/coders/editblock_coder.py (Bad/missing filename. The filename must be alone "
         "on the line before the opening fence); entropy-research/Devon devon_agent/tools/"
         "__init__.py (No closing fence found)"),
        ("expected one argument | expected at most one argument | expected at least one "
         "argument | ignored explicit argument | ambiguous option | unexpected option string",
         "CPython Lib/argparse.py, captured here (python3: error: argument --count: expected "
         "one argument; ignored explicit argument 'y'; ambiguous option: --c could match "
         "--count, --color; unexpected option string: --x)"),
        ("expected ~ arguments + argument - got | were given | typeerror", "CPython "
         "Lib/argparse.py (argument --n: expected 2 arguments); not a compiler's or a "
         "runtime's count of a function's arguments (TypeScript TS2554: Expected 2 "
         "arguments, but got 1.; CPython TypeError: expected 2 arguments, got 1)"),
        ("must be of type | args but requires | arguments but requires", "an argument of the "
         "wrong type or count: kolbytn/mindcraft src/agent/commands/index.js (Error: Param "
         "'x' must be of type int.; Command !x was given 1 args, but requires 2 args.); "
         "CPython's compile() of a malformed tree (AST identifier must be of type str)"),
        ("alphanumeric character | alphanumeric characters + contains | contain | consist | "
         "consists | must | only | start | starts | end | ends | begin | begins",
         "a name that breaks its naming rule: chroma-core/chroma (Expected collection name "
         "that (1) contains 3-63 characters, (2) starts and ends with an alphanumeric "
         "character, ..., as Mintplex-Labs/anything-llm#1481 shows it); Kubernetes RFC 1123 "
         "validation (must consist of lower case alphanumeric characters or '-', and must "
         "start and end with an alphanumeric character); Pinecone index names (must consist "
         "of lower case alphanumeric characters or '-')"),
        ("parameter cannot be found that matches | positional parameter cannot be found | "
         "parameter set cannot be resolved | cannot bind parameter | cannot validate argument "
         "on parameter | cannot bind argument to parameter",
         "PowerShell ParameterBinderStrings (NamedParameterNotFound: A parameter cannot be "
         "found that matches parameter name 'x'.; PositionalParameterNotFound: A positional "
         "parameter cannot be found that accepts argument 'x'.; AmbiguousParameterSet: "
         "Parameter set cannot be resolved using the specified named parameters.; Cannot "
         "bind parameter 'x'; Cannot validate argument on parameter 'x'), adbertram/"
         "PSAirTable#3, michelderooij/Remove-MessageClassItems#4 and Pester tests found by "
         "code search"),
        ("positional arguments but | positional argument but | not marked as ignorable",
         "CPython TypeError (f() takes 2 positional arguments but 3 were given), as agents' "
         "Python tool runners print a call the model made with the wrong arguments "
         "(huggingface/smolagents, langchain-ai/langchain tools); Jackson "
         "UnrecognizedPropertyException (Unrecognized field \"x\" (class y), not marked as "
         "ignorable), as JVM tool frameworks print arguments with an unknown key "
         "(spring-ai, langchain4j)"),
        ("syntax of the command is incorrect | wrong number of arguments | parameter binding "
         "exception | json value could not be converted | value cannot be null parameter",
         "cmd.exe (The syntax of the command is incorrect.), as agents' notes on Windows "
         "shells found by code search quote it; Ruby ArgumentError (wrong number of arguments "
         "(given 1, expected 2)); PowerShell's error record (InvalidArgument: ... "
         "ParameterBindingException); .NET System.Text.Json (The JSON value could not be "
         "converted to System.Int32. Path: $.x), ArgumentNullException (Value cannot be null. "
         "(Parameter 'x'))"),
        ("is not one of | expected string got | expected number got | expected integer got | "
         "expected boolean got | expected object got | expected array got",
         "python-jsonschema (_keywords.py enum: 'x' is not one of ['a', 'b']); validators of "
         "tool and config arguments found by code search (APISIX schema: property \"key\" "
         "validation failed: wrong type: expected string, got number; TypeScript validators: "
         "Field 'name' expected string, got number)"),
        ("line | start line | end line | offset | line number | page | column ~ out of range "
         "| out of bounds", "file and edit tools' range checks found by code search (Go: "
         "errors.New(\"edit: start line out of range\"); TypeScript: RangeError(\"line out of "
         "range\"); Kotlin: error(\"Line $line out of range\")), like the end-of-file check "
         "below"),
        ("conversion from json + failed", "spring-projects/spring-ai ModelOptionsUtils "
         "(Conversion from JSON to x failed, the tool call's arguments), "
         "spring-projects/spring-ai#4987"),
        ("do not map onto | does not map onto | after property value in json | after array "
         "element in json | unterminated string in json | expected double quoted property name "
         "in json", "langchain4j "
         "ToolArgumentsException (params 'x' from request do not map "
         "onto the parameters needed by 'y'), quarkiverse/quarkus-langchain4j#2569; V8 "
         "JSON.parse as agents "
         "print a tool call's arguments cut short or malformed (Expected ',' or '}' after "
         "property value in JSON at position N; Unterminated string in JSON at position N), "
         "y13sint/FreeQwenApi#7; not an HTML page read as JSON (Unexpected token < in JSON at "
         "position 0), which says nothing of the arguments"),
        ("unsupported ~ mode | value | type | format | option | parameter | argument | field | "
         "operator | encoding | file type | media type | scheme - platform | architecture | "
         "operating system | os | version | python | node | browser | cpu | content type | "
         "file read | binary file | binary files",
         "getsentry/sentry-mcp tools/catalog update-issue.ts (UserInputError: Unsupported "
         "ignore mode); validators of tools' arguments found by code search (Unsupported "
         "format: x; Unsupported value for x; Unsupported operator: x); not a platform or "
         "version the program does not run on (Unsupported platform; unsupported Python "
         "version), which no argument fixes; nor content the tool fetched or read in a form it "
         "cannot handle (alvinunreal/tmuxai web_fetch.go: cannot fetch: unsupported content "
         "type (PDF); langchain-ai/open-swe read_repo_file.py: unsupported content type for x; "
         "Codium-ai/cover-agent: File read 'x' failed: Unsupported encoding.)"),
        # facts31: a value outside a tool's choices, the choices listed after it.
        ("unsupported + options | choices | supported values | valid values - platform | "
         "architecture | operating system | os | version | python | node | browser | cpu | "
         "content type | binary file | binary files", "browser-use/browser-use browser_use/"
         "tools/service.py (Unsupported search engine: x. Options: duckduckgo, google, bing), "
         "like Unsupported format: x with the formats listed"),
        ("is invalid | are invalid - connection refused | econnrefused | failed to establish "
         "| new connection error | name resolution | connection reset | connection aborted | "
         "max retries exceeded", "not a wrapper that blames an input while the cause it "
         "shows is a refused connection (langgenius/dify#21836: GitHub API Key and Api Version "
         "is invalid. HTTPSConnectionPool(...): Max retries exceeded ... Failed to establish a "
         "new connection: [Errno 111] Connection refused): the cause decides; "
         "CopilotKit/CopilotKit#1455 (an action's handler: "
         "Condition definition is invalid)"),
        ("too short | should be a | should be an | not both | provide either | unsupported "
         "action | unsupported operation | unexpected tool argument | unexpected tool "
         "arguments", "mattermost/mattermost-plugin-ai mmtools/search.go (search term too "
         "short); nextcloud/context_agent memory.py (Memory file should be a markdown file); "
         "n4ze3m/page-assist page-action tools.ts (Unsupported action: x; Provide either ref "
         "or coordinate, not both); skye-harris/llm_intents#155 (Unexpected tool argument "
         "response)"),
        ("invalid tool call | malformed tool call | unterminated heredoc | unclosed tool tag "
         "| unclosed tag | malformed syntax | missing tool name | parse tool call | parse tool "
         "calls | parse the tool call",
         "Exafunction/codeium#125 (The model produced an invalid tool call); "
         "dlants/magenta.nvim edl parser (Unterminated heredoc); kodu-ai/claude-coder "
         "tool-parser.ts (Unclosed tool tag at end of input); ml-explore/mlx-swift-lm "
         "RejectedToolCall.swift (malformed_syntax, missing_tool_name); agents' tool routers "
         "in Go, Kotlin, Rust and TypeScript (failed to parse tool call JSON; Failed to parse "
         "tool call: x; Failed to parse tool calls)"),
        ("缺少必需参数 | 必需参数 | 缺少参数 | 参数错误 | 参数无效 | 不能为空 | 必须是 | "
         "未找到有效的 | 格式错误", _ZH_AGENTS),
        ("validation | validation error + 422 | unprocessable", "HTTP 422 with a validation "
         "code from the API a tool called (egoist/chatwise-releases#936: failed to search with "
         "status 422: ... \"code\":\"VALIDATION\"); a 422 alone is no argument error "
         "(nearai/ironclaw#2780: Brave API error (HTTP 422): SUBSCRIPTION_TOKEN_INVALID)"),
        ("未识别的选项 | 无效的 | 缺少操作对象 | 获取更多信息",
         "GNU coreutils zh_CN (ls: 未识别的选项; head: 无效的行数; date: 无效的日期; tr: "
         "缺少操作对象; 请尝试执行 \"ls --help\" 来获取更多信息), captured here"),
        ("invalid arguments | invalid argument | invalid params | invalid parameters | "
         "invalid parameter | invalid input | invalid json | invalid value | invalid type | "
         "invalid option | validation error | validation failed | failed validation | "
         "schema validation | input validation | inputvalidationerror | 32602 - binary | "
         "toml decode error | std "
         "invalid argument | connection refused | econnrefused | failed to establish | new "
         "connection error | credential validation | credentials validation",
         _MCP + " (-32602 Invalid params); " + _CLAUDE_CODE + " (InputValidationError); "
         "OpenHands/software-agent-sdk file_editor (File validation failed ...: File appears "
         "to be binary: a file the tool cannot read, not an argument error; nor a C++ "
         "program's own std::invalid_argument, thrown at its own check; nor a check of the "
         "tool's credentials whose cause shown is a refused connection (langgenius/dify#21836: "
         "ToolProviderCredentialValidationError ... Failed to establish a new connection: "
         "[Errno 111] Connection refused))"),
        ("required parameter | required property | required argument | "
         "required field | missing argument | missing "
         "parameter | unexpected argument | unexpected keyword argument | unrecognized "
         "argument | unrecognized arguments | unknown argument | unrecognized option | "
         "unknown option | missing operand | extra operand | embedded null byte | null byte | "
         "no such option | flag provided but not defined | unknown flag | unknown shorthand "
         "flag | garbage option | unknown long option | invalid option | unknown options | "
         "flag needs an argument | required flag | required flags | no command named | "
         "unknown command | unknown commands | unrecognized subcommand | no such command | "
         "no such subcommand | arg s received | arg s only received | unrecognized command "
         "line option | no input files | invalid flag | bad configuration option | "
         "unexpected extra argument | unexpected extra arguments | which wasn t expected | is "
         "not a git command - environment variable is required | environment variables are "
         "required | api key is required | env var is required",
         "JSON Schema validators; CPython argparse; GNU coreutils (tr: missing operand; "
         "captured here); pip (no such option: --frob), Go flag (flag provided but not "
         "defined: -frob), procps ps (error: unknown gnu long option; garbage option), "
         "spf13/cobra (unknown flag), captured here; CPython (ValueError: embedded null byte), "
         "UKGovernmentBEIS/inspect_ai _call_tools.py (contained an embedded null byte); "
         "a shell tool's command line a CLI refused (spf13/cobra: unknown command \"x\" for "
         "\"kubectl\", required flag(s) \"image\" not set; spf13/pflag: flag needs an "
         "argument; docker/cli: docker: unknown command ... Run 'docker --help'; "
         "hashicorp/terraform: Terraform has no command named \"x\"; aws-cli: Unknown "
         "options: --bogus; clap: unrecognized subcommand, Found argument 'x' which wasn't "
         "expected; pallets/click core.py: No such command 'x'., Got unexpected extra "
         "argument (x); git help.c: git: 'x' is not a git command; rust-lang/cargo: error: no "
         "such subcommand: `x`; spf13/cobra args.go: accepts 1 arg(s), received 0, requires "
         "at least 1 arg(s), only received 0; gcc: unrecognized command-line option, fatal "
         "error: no input files; javac: invalid flag: --x; OpenSSH readconf.c: Bad "
         "configuration option: x), the agent's own tool being "
         "there; " + _RUN),
        ("expected + received", "colinhacks/zod (Expected string, received number)"),
        ("beyond the end of the file", "file tools' range checks found by code search (Go: "
         "fmt.Errorf(\"%w: %q is beyond the end of the file\", ErrArguments, ...); Python: "
         "Line offset 'x' is beyond the end of the file which has N lines; start line is "
         "beyond the end of the file), like jupyter-mcp-server's index out of range"),
        ("provide at least one | choose only one | cannot both", "pydantic/"
         "pydantic-ai toolsets/_tool_search.py (ModelRetry: Please provide at least one "
         "non-empty search query.); getsentry/sentry-mcp tools/catalog (UserInputError: "
         "Provide at least one field to update; Choose only one ignore condition; Cannot both "
         "set a rate limit and disable it)"),
        ("too many arguments - to function | in call to | for format string", "langchain-ai/"
         "langchain tools/base.py (ToolException: Too many arguments to single-input tool x); "
         "GNU bash builtins (bash: cd: too many arguments); not a compiler's call that does "
         "not fit its function (gcc: too many arguments to function; Go: too many arguments "
         "in call to f)"),
        ("error validating | not provided", "kubernetes kubectl (error: error validating "
         "\"x.yaml\": error validating data: apiVersion not set), captured here; "
         "GoogleCloudPlatform/kubectl-ai kubectl_tool.go (kubectl command not provided or is "
         "nil); Go and Lua checks of a caller's argument (x is required but not provided or "
         "is nil)"),
        ("invalid | not a valid | not valid | supply a valid | provide a valid | provide valid ~ "
         "input | inputs "
         "| argument | arguments | args | parameter | parameters | param | params | value | "
         "json | "
         "dictionary | offset | line | lines | path | url | uri | range | format | output | id "
         "| key | entries | entry | name | names | option | field | fields | type | query | "
         "mode | operation | regex | regexp | pattern | specification | spec - failed to launch "
         "| failed to pull | "
         "return type | must return | api key | api token | std invalid argument | doctype | "
         "notebook is not valid | toml decode error | output value mismatch | status line",
         "crewAIInc/crewAI (the Action Input is not a valid key, value dictionary); "
         "microsoft/vscode-copilot-chat (Invalid offset); github/copilot-cli (Invalid session "
         "ID); voideditor/void (Invalid LLM output); not the type check of a result the "
         "generated code returned (sinaptik-ai/pandas-ai InvalidOutputValueMismatch: Value "
         "must match with type string); not an HTML page read as JSON (V8: "
         "Unexpected token '<', \"<!DOCTYPE \"... is not valid JSON), no argument of the call, "
         "nor a server that failed to launch (obot-platform/mcp-catalog#565: failed to pull "
         "image x: invalid reference format)"),
        ("missing + parameter | parameters | argument | arguments | field | name | input | "
         "value | command | query | url | path | positional argument | required positional | "
         "new str | new string | old str | old string | content | text - invalid "
         "configuration",
         "charmbracelet/crush (missing command); strands-agents (tool name missing); CPython "
         "(missing 1 required positional argument); not a configuration the program read "
         "(google-gemini/gemini-cli mcp-client.ts: Invalid configuration: missing httpUrl ...)"),
        ("arg | args | argument | arguments ~ not in | unknown | unexpected | invalid | "
         "missing",
         "stanfordnlp/dspy (Arg x is not in the tool's args); huggingface/smolagents (Argument "
         "x is not in the tool's input schema)"),
        ("has type + should be | but should be | expected", "huggingface/smolagents (Argument x "
         "has type 'integer' but should be 'string')"),
        ("cannot be empty | can t be empty | must not be empty | should not be empty | may "
         "not be empty | must be non empty", "agno-agi/agno tools (Query cannot be empty)"),
        ("empty + not supported | not allowed | is required | cannot use | can t use",
         "TabbyML/pochi diff-utils.ts (Cannot use empty search content on non-empty file); "
         "wonderwhy-er/DesktopCommanderMCP "
         "(Empty search strings are not allowed); bhauman/clojure-mcp (Empty old_string is "
         "not supported)"),
        ("unrecognized subcommand | unknown subcommand | unused argument | unused arguments | "
         "pass a valid | enter a valid | called without "
         "| error in calling | not an absolute path | must be absolute | should be absolute | "
         "cannot be absolute | must be relative | must not be absolute | cannot be greater "
         "than | cannot be less than | cannot exceed | must not exceed | "
         "should start with | requires a non empty", "R (unused argument); laravel/boost "
         "(Please pass a valid query); bytedance/trae-agent (requires a non-empty 'command' "
         "string argument; called without a 'command'; is not an absolute path); "
         "i-am-bee/beeai-framework (must be absolute); superagent-ai/vibekit#98 (E2B: "
         "Timeout cannot be greater than 1 hours); olimorris/codecompanion.nvim (You made "
         "an error in calling the tool)"),
        ("do not match | does not match + argument | arguments | parameters | schema",
         "StanfordSpezi/SpeziLLM (The parameters specified by the LLM Function Call do not "
         "match the argument)"),
        ("additional properties | was unexpected | unexpected property | unknown property | "
         "unknown field | extra fields | extra inputs | unrecognized key | unrecognized keys",
         "python-jsonschema (Additional properties are not allowed ('x' was unexpected)); ajv "
         "(must NOT have additional properties); pydantic (Extra inputs are not permitted); "
         "colinhacks/zod (Unrecognized key(s) in object)"),
        ("not supported | are not supported | is not supported - binary file | binary files | "
         "binary content | binary data | supported on this | supported on the | supported on "
         "windows | supported on macos | supported on linux | supported on darwin | supported by "
         "this server | supported by the server | not supported yet | not yet supported",
         "smallcloudai/refact tool_rm.rs (Wildcards and shell patterns are not supported); not "
         "a file the tool cannot read (AstrBotDevs/AstrBot file_read_utils.py: binary files "
         "are not supported by this tool; langchain4j/langchain4j langchain4j-mcp "
         "GetResourceToolExecutor.java: binary content was requested, this is not supported "
         "yet), nor what the server or deployment the tool talks to cannot do "
         "(grafana/mcp-grafana tools/datasources.go: checking datasource health is not "
         "supported on this Grafana deployment ...), which no argument of the call fixes"),
        ("expected + but found | but got | but received", "JSON parsers (Expected comma or "
                                                          "object end but found T_STRING)"),
        ("no ~ provided | given | specified | set | supplied | passed - key | keys | token | "
         "tokens | credentials | password | with given id | with the given id | not configured",
         "anthropics/"
         "claude-quickstarts computer-use-demo "
         "tools/bash.py (no command provided.); tghamm/Anthropic.SDK Function.cs (Function x "
         "has parameters but no arguments are set.); not an object the id names that is not "
         "there (BrowserMCP/mcp#85: No tab with given id N.); nor a feature not set up "
         "(kyegomez/swarms handoffs_tool.py: No agent registry provided. Handoffs are not "
         "configured.)"),
        ("empty command | empty query | empty input | empty path | empty pattern | empty "
         "string | empty argument | empty arguments | error parsing regexp | regex parse error "
         "| invalid regular expression", "docker/docker-agent builtin/shell.go (Error: empty "
         "command); Go regexp (error parsing regexp: missing closing ), captured here)"),
        ("invalid request | invalid tool input - token | oauth | grant | authorization",
         "Anthropic server tools' error codes "
         "(invalid_tool_input in anthropic-sdk-go and its ports; davidmigloz/langchain_dart "
         "anthropic_sdk_dart WebSearchToolResultErrorCode and CodeExecutionToolResultErrorCode "
         ".invalidRequest); JSON-RPC 2.0 -32600 Invalid Request, as MCP servers answer a "
         "malformed call; not OAuth's invalid_request for a token request (RFC 6749 5.2; "
         "obot-platform/obot#5089: token exchange failed: invalid_request)"),
        ("mandatory + parameter | parameters | argument | arguments", "google/adk-python "
         "function_tool.py (mandatory input parameters are not present)"),
        ("offset | index + exceeds | out of range | beyond | is out of bound | is out of "
         "bounds - list index out of range | tuple index out of range | string index out of "
         "range | list assignment index | out of bounds for axis | out of bounds for "
         "dimension | accelerator error | cuda error | device side assert | runtime error",
         "datalayer/jupyter-mcp-server "
         "(Cell index N is out of range); VoltAgent/voltagent filesystem/utils.ts "
         "(Line offset N exceeds file length); Skyvern-AI/skyvern exceptions.py (Option index "
         "is out of bound. element_id=x); not a program's own panic (rustc: index out of "
         "bounds: the len is 0 but the index is 1), nor CPython's IndexError in the code a "
         "tool ran (Objects/listobject.c: list index out of range; tuple, string index out "
         "of range; huggingface/smolagents#2072), nor an array library's index error inside "
         "a model (numpy: index N is out of bounds for axis 0 with size M; pytorch: index N "
         "is out of bounds for dimension 0, CUDA error: device-side assert triggered, Go's "
         "panic: runtime error: index out of range [3] with length 3, "
         "torch.AcceleratorError as datalab-to/marker#1036 prints it)"),
        ("the correct + properties | parameters | arguments | params",
         "danny-avila/LibreChat#1407 (use an API function call with the correct "
         "properties/parameters)"),
        ("no diff blocks | formatted correctly | correct format", "yetone/avante.nvim "
         "replace_in_file (No diff blocks found. Please make sure the diff is formatted "
         "correctly)"),
        ("must start with | must begin with | must end with | must contain | must match | "
         "must use | must not contain | should not contain | cannot contain | "
         "must not be | must have | must include | deserialization | deserialize | "
         "unmarshal | no search replace blocks - call message | tool message | assistant "
         "message | match with type | valid handler", "charmbracelet/crush fetch.go (URL must "
         "start with http://); rusiaaman/wcgw bash_state.py (Command should not contain newline "
         "character); microsoft/semantic-kernel (Deserialization failed); voideditor/void "
         "(No Search/Replace blocks were received!); not the type check of a result the "
         "generated code returned (sinaptik-ai/pandas-ai: Value type <class 'list'> must "
         "match with type dataframe); not the shape of a message of the "
         "conversation the framework keeps (inngest/agent-kit: Tool call message must have "
         "at least one tool); not a tool whose code lacks its handler (AstrBotDevs/AstrBot: "
         "Tool must have a valid handler or override 'run' method.)"),
        ("must be + greater | less | positive | non negative | a string | a number | an "
         "integer | one of | a json object | json object | an object | an array | "
         "between | at least | at most | non empty | provided | specified | character | "
         "characters | hexadecimal | a single - code object | illegal state",
         _CONTINUE + " (startLine must be 1 or greater); JSON Schema validators; "
         "getsentry/sentry-mcp schema.ts (Trace ID must be a 32-character hexadecimal "
         "string); not CPython's own TypeError in the code a tool ran (exec() arg 1 must be "
         "a string, bytes or code object); modelcontextprotocol/python-sdk src/mcp/server/"
         "_streamable_http_modern.py (Body must be a single JSON-RPC request or notification "
         "object); not a Java object in the wrong state, the program's own (langchain4j/"
         "langchain4j#5087: IllegalStateException: One of resultText, ... must be provided)"),
        ("invalid patch | malformed patch | corrupt patch | invalid diff | malformed diff | "
         "invalid hunk | invalid edit | malformed edit | no valid patches | only garbage | "
         "unrecognized input | patch format | invalid format | malformed | fragment without "
         "header | lacks filename | missing marker | missing markers | unclosed block | "
         "unclosed search | special marker | marker found - protocol error | protocol "
         "exception | transport connection", "git apply "
         "(corrupt patch, No valid patches in input); git apply.c (patch fragment without "
         "header at line N; git diff header lacks filename information; captured here); GNU "
         "patch (Only garbage was found in the patch input.); " + _CODEX + "/apply-patch "
         "(Invalid patch); rusiaaman/wcgw search_replace.py (Unclosed SEARCH block - missing "
         "======= marker); RooCodeInc/Roo-Code#1713 (Special marker '=======' found in your "
         "diff content); not a server that broke HTTP (httpx RemoteProtocolError: malformed "
         "chunk footer; Go net/http: HTTP/1.x transport connection broken: malformed HTTP "
         "status code; captured here)"),
        ("parse | parsing | could not parse | failed to parse | convert | could not convert | "
         "failed to convert + patch | diff | edit | schema "
         "| tool schema | "
         "arguments | argument | input | json | params | parameters - is not a function | "
         "json response | response json | response from | response body | api response | "
         "server response",
         _CODEX + " (failed to parse function arguments); not a program's missing method "
         "(mrgoonie/claudekit-cli#70: TypeError: resultSchema.parse is not a function), nor "
         "the answer of the API the tool called (perplexityai/modelcontextprotocol "
         "src/server.ts: Failed to parse JSON response from Perplexity Search API)"),
        ("must be different | must differ | cannot be the same | can t be the same | must not "
         "be the same | should be different | must not be identical | are exactly the same | "
         "str identical | string identical | strings identical | are identical",
         "FoundationAgents/MetaGPT metagpt/tools/libs/editor.py (`to_replace` and "
         "`new_content` must be different.); Claude Code's Edit tool (No changes to make: "
         "old_string and new_string are exactly the same.); validators found by code search "
         "(Source and destination must be different.)"),
        ("requires a | requires an ~ argument | parameter | param | field | value | input",
         "glibc getopt (grep: option requires an argument -- 'e', captured here); "
         "Lexus2016/hermes-agent-evolution#1392 (tool_call requires a 'name' argument); "
         "bytedance/trae-agent (requires a non-empty 'command' string argument)"),
        ("expected an expression | invalid expression | unknown "
         "predicate | paths must precede expression | unknown argument to | missing argument "
         "to", "GNU findutils find (find: expected an expression after '-o'; find: unknown "
         "predicate `-foo'; find: paths must precede expression: `b'; find: invalid "
         "expression; find: missing argument to `-name'), captured here"),
        ("unsupported http method | invalid http method | unsupported request method | http "
         "method not supported", "Significant-Gravitas/AutoGPT classic/forge/forge/components/"
         "http_client/http_client.py (Unsupported HTTP method: PATCH); HTTP tools' request "
         "builders found by code search (ValueError: Unsupported HTTP method: x; Go: "
         "invalidRequest(\"unsupported http method %q\"))"),
        ("only one of | exactly one of + may | can | must | should | allowed | required | "
         "specified | provided | permitted | expected", "tools' argument checks found by code "
         "search (Exactly one of x or y must be provided; Only one of x or y may be "
         "specified), like sentry-mcp's Choose only one; not a count (Only one of 3 tests "
         "passed)"),
        ("mutually exclusive | not allowed with argument | cannot be used with argument | "
         "cannot be used with - token | key | credentials | account | plan | model",
         "CPython argparse (error: argument --b: not allowed with argument --a, captured "
         "here); clap (the argument '--a' cannot be used with '--b'); not a credential or plan "
         "that cannot be used with a service"),
        ("jsondecodeerror | json decode error | unterminated string | expecting property name "
         "| unexpected end of json input | unexpected end of json - line 1 column 1 char 0 | "
         "doctype | literal | syntax error | quoted string | most recent call last | at json parse "
         "| json decoder json decode error",
         "the arguments of a call cut short or malformed: CPython json "
         "(JSONDecodeError: Unterminated string starting at: line 1 column 7; Expecting "
         "property name enclosed in double quotes), V8 JSON.parse (Unterminated string in "
         "JSON at position N), Go encoding/json (unexpected end of JSON input), captured "
         "here; not an empty or HTML body read as JSON (Expecting value: line 1 column 1 "
         "(char 0)), which names no argument, nor a program's own syntax (CPython SyntaxError: "
         "unterminated string literal; dash: Syntax error: Unterminated quoted string), nor "
         "a program the tool ran that failed to read its JSON (a CPython traceback: "
         "Traceback (most recent call last): ... JSONDecodeError)"),
        ("not a deferrable tool | call it directly instead", "Lexus2016/hermes-agent-evolution"
         "#1392 and hermes-agent tools/tool_search.py (x is not a deferrable tool. If it "
         "appears in the model-facing tools list already, call it directly instead of via "
         "tool_call: a real tool called the wrong way)"),
        ("is not of type | cannot specify both | can t specify both | cannot be specified "
         "together | cannot be used together | ensure this value | not a valid integer | not "
         "a valid float | not a valid boolean | not a valid list | not a valid dict | not a "
         "valid enumeration member | not a valid email | not a valid uuid", "python-jsonschema "
         "_keywords.py type (None is not of type 'string'); pydantic v1 errors.py (value is "
         "not a valid integer; ensure this value is greater than 0); argument checks found by "
         "code search (ValueError: Cannot specify both timeout and exit_code.; Cannot specify "
         "both --prepare and --publish.; fmt.Errorf(\"cannot specify both x and y flags\"))"),
        ("parameter | argument | option | flag ~ is not allowed when | not allowed when | "
         "cannot be used when | only allowed when", "OpenHands/openhands-aci editor.py and "
         "its Go and TypeScript ports found by code search (The `view_range` parameter is "
         "not allowed when `path` points to a directory.); Azure OpenAI (api-version query "
         "parameter is not allowed when using /v1 path)"),
        ("unknown url type | no connection adapters | unsupported protocol | no scheme "
         "supplied | invalid url scheme | unsupported url scheme - ssl | tls | version | "
         "handshake", "a URL argument the HTTP library cannot use: CPython urllib.request "
         "(ValueError: unknown url type: 'example.com'); psf/requests (InvalidSchema: No "
         "connection adapters were found for 'x'; MissingSchema: No scheme supplied); axios "
         "(Unsupported protocol ftp:); not OpenSSL's TLS version refusal (SSL routines::"
         "unsupported protocol), a connection failure"),
        ("does not fall within the expected range | not fall within the expected range",
         ".NET System.ArgumentException for E_INVALIDARG (Value does not fall within the "
         "expected range.), as PowerShell and .NET tools print it"),
        ("arguments were truncated | arguments truncated | arguments are truncated | "
         "truncated arguments | truncated tool call", "agents' stream assemblers found by code "
         "search (Tool call arguments were truncated or malformed (invalid JSON). Retry the "
         "tool call.; ERROR: Your function call arguments were truncated and could not be "
         "parsed; Streamed tool arguments were truncated by the model output limit): the "
         "arguments of the call are cut short, not a tool's output over its limit"),
        ("give a valid | please give a valid | invalid characters | invalid character in | "
         "invalid action - identifier | syntax error | syntaxerror",
         "OpenBMB/XAgent ToolServer web.py (URL x is not a http or https "
         "url, please give a valid url!); sierra-research/tau-bench calculate.py (Error: "
         "invalid characters in expression); UKGovernmentBEIS/inspect_ai _computer.py "
         "(Invalid action: scroll_left); not a program's own syntax (CPython 3.8 SyntaxError: "
         "invalid character in identifier)"),
        ("format error + tool call status | toolcallstatuscode | tool call | tool calls",
         "OpenBMB/XAgent XAgent/utils.py (ToolCallStatusCode: FORMAT_ERROR)"),
        ("missing ~ prompt | prompts", "web-infra-dev/midscene#2081 (missing prompt for "
         "aiTap)"),
        ("too small | too big + expected", "colinhacks/zod packages/zod/src/v4/locales/en.ts "
         "(Too small: expected string to have >=1 characters; Too big: expected number to be "
         "<=100): a value outside the schema's bounds, as TypeScript MCP servers return it"),
        ("input should be | string should have | list should have | tuple should have | "
         "dictionary should have | value should have | field required | should have at least "
         "| should have at most", "pydantic/pydantic-core src/errors/types.rs (Input should "
         "be a valid integer; Input should be 'a' or 'b'; String should have at most N "
         "characters; Field required), as Python MCP servers and agents' tools return them"),
        ("unknown variant", "serde-rs/serde de/mod.rs (unknown variant `x`, expected one of "
         "`a`, `b`), as Rust tools report arguments that do not deserialize"),
        ("invalid unified diff | missing hunk header | malformed unified diff | no valid search "
         "replace blocks | no valid search replace block | incomplete search block | "
         "incomplete replace block | missing separator - separator stop | makefile",
         "kardolus/chatgpt-cli agent patch "
         "parser (invalid unified diff: missing hunk header); ravitemer/mcphub.nvim edit_file "
         "diff parser (No valid SEARCH/REPLACE blocks found; Incomplete search block - missing "
         "separator or replace section); not make's (Makefile:2: *** missing separator.  "
         "Stop., captured here)"),
        ("tool requires ~ path | command | argument | arguments | parameter | url | query | "
         "name | content | input | file", "kardolus/chatgpt-cli agent (file tool requires path; "
         "shell tool requires command)"),
        ("must be a valid | must be valid | should be a valid | must be either | should be "
         "either | can only set to | can only be set to | must also be", "korotovsky/slack-mcp-"
         "server pkg/handler (thread_ts must be a valid timestamp in format ...; content_type "
         "must be either 'text/plain' or 'text/markdown'); mongodb-js/mongodb-mcp-server "
         "(Cannot apply override for readOnly: Can only set to true); BrainBlend-AI/atomic-"
         "agents mcp_factory.py (When `client_session` is provided an `event_loop` must also "
         "be supplied.)"),
        ("cannot be combined with | can t be combined with | can not be combined with | may "
         "not be combined with", "korotovsky/slack-mcp-server (x cannot be combined with y); "
         "evalstate/fast-agent shell tool (Error: 'background=true' cannot be combined with "
         "'timeout')"),
        ("must be ~ or - root | sudo | administrator | or later | or newer | tensor | tensors "
         "| dtype",
         "korotovsky/slack-mcp-server (action "
         "must be 'list', 'join', or 'leave'): a value outside the listed choices; not a "
         "privilege (must be run as root or with sudo)"),
        ("not a ~ url | uri | timestamp | date | number | integer | email | uuid",
         "korotovsky/slack-mcp-server (not a slack timestamp); GLips/Figma-Context-MCP (Not a "
         "Figma URL: x)"),
        ("could not extract | unable to extract | failed to extract | cannot extract + url | "
         "uri | link", "GLips/Figma-Context-MCP (Could not extract file key from Figma URL); "
         "getsentry/sentry-mcp (Could not extract trace ID and span ID from URL.)"),
        ("invalid date | invalid datetime | invalid timestamp | invalid time | url format | "
         "400 bad request", "griptape-ai/griptape date_time tool (invalid date string); "
         "deepset-ai/haystack-core-integrations github (Invalid GitHub issue URL format); "
         "httpx raise_for_status as bobmatnyc/claude-mpm#294 shows it (Client error '400 Bad "
         "Request' for url ...: the API refused the tool's request as malformed)"),
        ("missing destination file operand | missing file operand | unterminated s command | "
         "unknown option to s | unterminated address regex", "GNU coreutils cp, mv and ln "
         "(cp: missing destination file operand after 'a.txt'; ln: missing file operand) and "
         "GNU sed (sed: -e expression #1, char 3: unterminated `s' command; unknown option to "
         "`s'; unterminated address regex), captured here: the command line the tool ran is "
         "malformed, like tr's missing operand"),
        ("edits | edit | diff | diffs | patch | blocks ~ can be parsed | could be parsed | "
         "cannot be parsed | could not be parsed", "nus-apr/auto-code-rover app/post_process.py "
         "(No edits can be parsed.), like a patch whose format the tool could not parse"),
        ("suspicious characters | misinterpreted log fragment | path appears to be | path "
         "contains suspicious", "google-gemini/gemini-cli packages/core/src/utils/path-"
         "validator.ts (Path appears to be a misinterpreted log fragment.; Path contains "
         "suspicious characters (double quotes or ellipses) and is too long to be a simple "
         "filename.)"),
        ("closing fence | multiline argument | no value for argument | no value for option | "
         "no value for parameter | unrecognized command | invalid git ref | invalid ref | "
         "contains no operations | patch is empty | empty patch", "entropy-research/Devon "
         "tools parsing (No closing fence (>>>) found for multiline argument.); "
         "ipa-lab/hackingBuddyGPT capability parser (No value for argument --host); "
         "All-Hands-AI/openhands-aci editor.py (Unrecognized command x. The allowed commands "
         "for the str_replace_editor tool are: ...); cased/kit repository (Invalid git ref: "
         "x); MervinPraison/PraisonAI edit_tools.py (Error: Patch contains no operations)"),
        ("expects + got | received", "google/adk-go tool/agenttool (agentTool expects "
         "map[string]any arguments, got string)"),
        ("cell | cell number | cell index ~ out of bounds | is out of bounds | out of range",
         "dnakov/anon-kode NotebookEditTool.tsx (Cell number is out of bounds. Notebook has N "
         "cells.), like jupyter-mcp-server's Cell index N is out of range"),
        ("argument value not found | required tool argument | no tool call found | no tool "
         "calls found", "JetBrains/koog agents (Required tool argument value not found: "
         "\"x\"); cloudwego/eino compose (no tool call found in input message)"),
        # facts22: a bound or a shape the call's arguments broke, worded without "invalid".
        ("cannot be null | must not be null - exception", "CoplayDev/unity-mcp (Settings "
         "cannot be null; Output path cannot be null); not a thrown exception's rendering "
         "(java.lang.IllegalArgumentException: text cannot be null), the program's own"),
        ("coordinate | coordinates | position | point | replace range ~ out of bounds | are out "
         "of bounds | is out of bounds | out of range",
         "anthropics/claude-quickstarts computer-use-demo "
         "tools/computer.py as vendored by Arize-ai/phoenix (Coordinates x, y are out of "
         "bounds); OpenInterpreter/open-interpreter computer_use/tools/computer.py; "
         "CoplayDev/unity-mcp (replace_range out of bounds)"),
        ("choose between | beyond the total number of lines | beyond the number of lines | "
         "ranges overlap | edits overlap | overlapping ranges | overlapping edits",
         "OpenInterpreter/open-interpreter core/computer/display/display.py (Invalid quadrant. "
         "Choose between 1 and 4.); OpenBMB/ChatDev functions/function_calling/file.py "
         "(start_line is beyond the total number of lines in the file; edit ranges overlap; "
         "merge them before calling apply_text_edits); CoplayDev/unity-mcp (detect "
         "overlapping ranges)"),
        ("must be before | must be after", "VRSEN/agency-swarm (Start date must be before end "
         "date.): one argument bounded by another"),
        ("must be in + format", "NVIDIA/NeMo-Agent-Toolkit (since must be in ISO 8601 format)"),
        ("incorrect ~ format | date format", "IBM/ibm-watsonx-orchestrate-adk (Error: Incorrect "
         "date format x, should be YYYY-MM-DD)"),
        ("must be iso | must be an iso", "AstrBotDevs/AstrBot cron_tools.py (error: run_at must "
         "be ISO datetime, e.g., ...)"),
        ("at least one of + expected | required | provide | provided | specify",
         "HolmesGPT/holmesgpt (At least one of the following argument is expected but none "
         "were set: x)"),
        ("provide exactly one of | specify exactly one of | provide only one of | specify only "
         "one of | requires exactly one of",
         "OpenBMB/ChatDev uv_related.py (Provide exactly one of module or script); "
         "64bit/async-openai (Provide exactly one of `image_url` or `file_id`.); "
         "browserbase/stagehand (run requires exactly one of code or actions)"),
        ("cannot be none | can not be none | must not be none | should not be none | cannot "
         "be zero | must not be zero | is only valid for | are only valid for",
         "kyegomez/swarms swarms/tools/base_tool.py (Item parameter cannot be None); "
         "AstrBotDevs/AstrBot (abconf_id cannot be None); Cerebras/cerebras-cloud-sdk-python "
         "(max_retries cannot be None): a Python argument left unset; Intelligent-Internet/"
         "ii-agent (indented_new_str should not be None); PrefectHQ/ControlFlow (Time cannot "
         "be zero.); browserbase/stagehand (quality is only valid for jpeg screenshots)"),
        ("must be + a list | a dict | a dictionary | a mapping | a mapping object | a boolean | "
         "a list of | a dict or | a tuple | a json array | an absolute path | numbers | strings | "
         "integers | numeric | lists - indices | "
         "code object | tensor | tensors | dtype | argument after",
         "OpenBMB/ChatDev file.py (each edit entry must be a mapping object); kyegomez/swarms "
         "handoffs_tool.py (handoffs must be a list of handoff requests); Doriandarko/claude-"
         "engineer (Each file must be a dictionary with 'path' and 'instructions'.); "
         "CoplayDev/unity-mcp (import_settings must be a dict, got str); Arize-ai/phoenix (x "
         "must be a tuple of length 2); Skyvern-AI/skyvern (files must be a JSON array); "
         "OpenHands/software-agent-sdk (plan_path must be an absolute path, got: x); "
         "not CPython's own "
         "call-syntax TypeError in the code a tool ran (FoundationAgents/MetaGPT data: argument "
         "after ** must be a mapping, "
         "not NoneType; string indices must be integers, not 'str')"),
        ("unknown mode | unknown modes | unknown operation | unknown action", "kyegomez/swarms "
         "computer_use.py (unknown mode 'replace'); CoplayDev/unity-mcp (Unknown mode 'x'. "
         "Valid: ...); BrainBlend-AI/atomic-agents datetime_tool.py (Unknown operation 'x'.); "
         "zhayujie/chatgpt-on-wechat env_config.py (Unknown action 'x'. Use 'set', 'get', "
         "...): a value outside the tool's choices (an action with its choices listed; a bare "
         "unknown action is an unknown tool, above)"),
        ("argv | arguments | args | tokens + cap is | limit is | maximum is | max is",
         "kyegomez/swarms computer_use.py (argv has 300 tokens; cap is 256)"),
        ("flag injection | option injection | argument injection | unsafe characters | unsafe "
         "character", "kyegomez/swarms computer_use.py (glob '-rf' starts with '-' (flag "
         "injection risk)); OpenBMB/ChatDev uv_related.py (unsafe characters detected in "
         "package spec x)"),
        ("pass | set | use | specify ~ recursive", "kyegomez/swarms computer_use.py (x is a "
         "directory; pass recursive=True to remove); OpenBMB/ChatDev file.py (Set "
         "recursive=True to delete directories): a flag the call left out"),
        ("flags | flag | arguments | argument | options | option ~ are not allowed | not allowed "
         "| is not allowed", "OpenBMB/ChatDev uv_related.py (flags are not allowed in packages "
         "list: --index-url); HolmesGPT/holmesgpt (File arguments are not allowed - tr can only "
         "process piped input)"),
        ("must be number | must be numbers | must be string | must be strings | must be integer "
         "| must be boolean | empty hunk", "bhauman/clojure-mcp (Error parameter must be number: "
         "timeout_ms); MervinPraison/PraisonAI apply-patch parser (Error: Empty hunk in update "
         "for x)"),
        ("query | input | arguments | argument ~ rejected by | rejected - user | policy | "
         "guardrail | safety | moderation", "langchain-ai/open-swe agent/tools/"
         "search_repo_code.py (query rejected by GitHub code search); not a user or a policy "
         "that refused it (denied)"),
        ("parameter | parameters | argument | arguments | param | params ~ is empty | was "
         "empty | are empty", "AstrBotDevs/AstrBot knowledge_base_tools.py (error: Query "
         "parameter is empty.; messages parameter is empty or invalid.)"),
        ("must be formatted | formatted as a valid | requires passing | requires providing | "
         "requires specifying | requires a valid",
         "QwenLM/Qwen-Agent qwen_agent/tools/base.py (Parameters must "
         "be formatted as a valid JSON!); qwen_agent/tools/storage.py (The scan operation "
         "requires passing in a folder path as the key.); NVIDIA/NeMo-Agent-Toolkit (ERROR: "
         "Tool x requires a valid query.)"),
        ("option ~ is unknown", "curl src/tool_getparam.c (curl: option --x: is unknown), "
         "captured here"),
        ("bad option | shell quoting issues | non integer argument | "
         "numeric argument required | integer expression expected | could not identify "
         "command", "Node.js (node: bad option: --x), curl (curl: option --x: is unknown), "
         "jq src/parser.y (jq: error: syntax error, unexpected $end (Unix shell quoting "
         "issues?)), GNU coreutils expr (expr: non-integer argument), GNU bash (exit: x: "
         "numeric argument required; [: x: integer expression expected), captured here; "
         "neovateai/neovate-code src/tools/bash.ts (Could not identify command root.)"),
        ("缺 少 ~ 名 称 | 参 数 | 字 段 | 类 型 | 值 | id", "zhayujie/chatgpt-on-wechat "
         "agent/tools/scheduler/scheduler_tool.py (错误: 缺少任务名称 (name); 缺少调度类型 "
         "(schedule_type); 缺少任务ID (task_id): a missing argument)"),
        ("必 须 提 供 | 只 能 提 供", "zhayujie/chatgpt-on-wechat scheduler_tool.py (错误: "
         "必须提供 message ... 或 ai_task ... 之一; message 和 ai_task "
         "只能提供其中一个: one of two arguments)"),
        ("unexpected args type | does not equal any of",
         "google/adk-go internal/llminternal/agent_transfer.go (unexpected args type: %T); "
         "google/jsonschema-go jsonschema/validate.go (enum: %v does not equal any of: %v)"),
        ("was not found in the arguments", "google/adk-java core/src/main/java/com/google/adk/"
         "tools/FunctionTool.java (The parameter '%s' was not found in the arguments provided "
         "by the model.): an argument the model left out, not a missing file"),
        # round 28: a tool's own check of its arguments, as the tools of agents and MCP
        # servers word it, and what only looks like one (a credential or setting the
        # tool's setup lacks, the answer of the API it called, what a server cannot do).
        ("missing required | is required | are required - environment variable | "
         "environment variables | env var | env variable | api key | api keys | api token | "
         "access token | bearer | authorization header | authorization | authentication | "
         "credentials | credential | login | token is | token are | required provider | "
         "required providers",
         "JSON Schema validators (missing required property); " + _CONTINUE + " (filepath "
         "(string) is required); github/github-mcp-server pkg/github (repo is required; "
         "confidence is required); not a credential or a setting the tool's setup lacks "
         "(perplexityai/modelcontextprotocol src/server.ts: PERPLEXITY_API_KEY environment "
         "variable is required; ollama/ollama-python 0.6.3, captured here: Authorization "
         "header with Bearer token is required for web search), nor a plugin the "
         "configuration needs that is not installed (terraform validate before terraform "
         "init, captured here: Error: Missing required provider)"),
        ("must specify | must provide | must supply | need to specify | needs to specify | "
         "must set either | must set one of - api key | api keys | key is | "
         "token | tokens | credentials | credential | password | environment variable | "
         "environment variables | env var | env vars | secret | license | region | profile | "
         "config | configuration | which branch | authentication | login | sign in",
         "mpfaffenberger/code_puppy code_puppy/tools/browser/browser_interactions.py (Must "
         "specify value, label, or index); github/github-mcp-server pkg/github (issue field "
         "x must specify either value or field_option_name); argument checks found by code "
         "search (parser.error(\"Must "
         "specify either (--baseline AND --followup) OR --data\"); ValueError: Must specify "
         "either input_dir or train_files/test_files; must specify either --all or --source); "
         "not a credential or a setting the setup lacks (You must provide an API key; You "
         "must specify an API key), nor git's advice (git pull: Please specify which branch "
         "you want to merge with.)"),
        ("cannot be after | cannot be before | can t be after | can t be before | can not be "
         "after | can not be before | must not be after | must not be before | should not be "
         "after | should not be before | should be before | should be after | must be later "
         "than | must be earlier than | is after end | is before start | cannot be earlier than | "
         "cannot be later than | can t be earlier than | can t be later than | must not be "
         "earlier than | must not be later than",
         "hangwin/mcp-chrome app/chrome-extension/entrypoints/background/tools/browser/"
         "history.ts (Start time cannot be after end time.); validators found by code search "
         "(Start date cannot be after end date; startDate cannot be after endDate; "
         "start_date cannot be after end_date.; view_range end N is before start M), like "
         "agency-swarm's Start date must be before end date"),
        ("on itself | to itself | into itself | of itself | with itself | from itself + "
         "cannot | can t | can not | may not | must not | not allowed | not permitted",
         "github/github-mcp-server pkg/github/issue_dependencies.go (an issue cannot block or "
         "depend on itself); GNU coreutils mv and cp (mv: cannot move 'a' to a subdirectory "
         "of itself, 'a/sub/x'; cp: cannot copy a directory, 'a', into itself, 'a/sub/a'; "
         "captured here); task and module graphs found by code search (A task cannot depend "
         "on itself; module x cannot depend on itself): a call whose arguments name the same "
         "thing twice"),
        ("self referential | self referencing | self reference | self dependency | self "
         "dependencies + rejected | not allowed | cannot | can t | invalid | disallowed | not "
         "permitted", "google-gemini/gemini-cli packages/core/src/tools/trackerTools.ts "
         "(Self-referential dependency rejected.), like github-mcp-server's an issue cannot "
         "block or depend on itself"),
        ("can only be used when | can only be used with | can only be provided when | can "
         "only be specified when | can only be set when | can only be combined with | may only "
         "be used when | may only be used with | only be provided when - logged in | signed "
         "in | subscription | plan | license | administrator | admin | root | sudo",
         "github/github-mcp-server pkg/github (comment_id can only be provided when reaction "
         "is provided; duplicate_of can only be used when state_reason is 'duplicate'; "
         "state_reason can only be used when state is 'closed'): an argument that needs "
         "another; not an account or a privilege the user lacks"),
        ("requires either | require either | requires at least one of | require at least one "
         "of - plan | plans | subscription | license | version | versions | python | node | "
         "permission | permissions | scope | scopes | role | roles",
         "github/github-mcp-server pkg/github (updated_field requires either id or name; "
         "update_project_item requires either item_id, or item_owner + item_repo + "
         "issue_number; update_project_view requires at least one of name, layout, ...); "
         "not a plan, a version or a scope the user lacks"),
        ("cannot | can t | can not | may not | must not + specify | specified | provide | "
         "provided | pass | passed | combine | combined + together with | in combination with "
         "| along with", "github/github-mcp-server pkg/github (issue field x cannot specify "
         "'delete' together with 'value' or 'field_option_name'), like the tools' cannot be "
         "combined with"),
        ("parameter | parameters | argument | arguments | param | params | variable | field "
         "| fields | value | input ~ missing or invalid | missing or empty | missing or "
         "malformed", "github/github-mcp-server pkg/github (issueNumber variable is missing "
         "or invalid): an argument of the call, not any resource that is missing or invalid "
         "(spctl: a sealed resource is missing or invalid)"),
        ("cannot be negative | can t be negative | can not be negative | must not be negative "
         "| may not be negative | should not be negative | non integer numeric | non finite "
         "numeric | is not numeric | is not a numeric",
         "github/github-mcp-server pkg/github (perPage value N cannot be negative; "
         "non-integer numeric value: x; non-finite numeric value), like the tools' must be "
         "non-negative"),
        ("could not be coerced | cannot be coerced | can not be coerced | could not coerce | "
         "cannot coerce | failed to coerce | unable to coerce",
         "github/github-mcp-server pkg/github (parameter x could not be coerced to []string, "
         "is y): an argument of the wrong type"),
        ("invalid ~ timestamp | timestamps | time format | date format | datetime format | "
         "iso 8601 | iso8601 - certificate | cert | token | signature | system time | clock",
         "github/github-mcp-server pkg/github (invalid since timestamp: x; invalid lastReadAt "
         "time format, should be RFC3339/ISO8601; invalid ISO 8601 timestamp: x); "
         "modelcontextprotocol/servers src/git/src/mcp_server_git/server.py (Invalid "
         "start_timestamp: 'x' - cannot start with '-'); not a certificate or a clock "
         "(x509: certificate has expired or is not yet valid)"),
        ("should be rfc | must be rfc | should be iso | must be an iso | should be an iso | "
         "should be in iso | must be yyyy | should be yyyy | must be in yyyy | should be in "
         "yyyy", "github/github-mcp-server pkg/github (should be RFC3339/ISO8601; invalid x "
         "'y': must be YYYY-MM-DD format), like AstrBot's run_at must be ISO datetime"),
        ("specified more than once | provided more than once | given more than once | passed "
         "more than once | included more than once | duplicate field | duplicate parameter | "
         "non unique elements - function definition",
         "github/github-mcp-server pkg/github (project field x is included more than once); "
         "serde-rs/serde de/mod.rs (duplicate field `x`), as Rust tools report arguments that "
         "do not deserialize; python-jsonschema _keywords.py uniqueItems (x has non-unique "
         "elements); not a program's own syntax (CPython SyntaxError: duplicate argument 'x' "
         "in function definition)"),
        ("less than the minimum of | greater than the maximum of | not valid under any of the "
         "given schemas | is valid under each of | should be non empty | must not have fewer "
         "than | must not have more than | must match exactly one schema | must match a schema "
         "in anyof | must be equal to constant | is too short - token | password | passphrase "
         "| secret | key",
         "python-jsonschema jsonschema/_keywords.py (0 is less than the minimum of 1; 101 is "
         "greater than the maximum of 100; x is not valid under any of the given schemas; x "
         "is valid under each of ...; [] should be non-empty; [] is too short); ajv-validator/"
         "ajv lib/vocabularies (must NOT have fewer than 1 characters; must NOT have more "
         "than 10 items; must match exactly one schema in oneOf; must be equal to constant), "
         "as MCP SDKs and agents return a schema check of a call's arguments "
         "(google-gemini/gemini-cli: params/paths must NOT have fewer than 1 items); not a "
         "credential (github/github-mcp-server: token is too short)"),
        ("should be a list | should be an array | should be a list of | must be a pair | "
         "should be a pair", "OpenHands/openhands-aci editor.py (Invalid `view_range` "
         "parameter: x. It should be a list of two integers.), and validators found by code "
         "search (ranges must be [start, end] integer pairs)"),
        ("non whitespace character after json | bad control character in string literal in "
         "json | expected property name or in json | bad escaped character in json | no "
         "number after minus sign in json | exponent part is missing a number in json | "
         "unterminated fractional number in json - syntax error",
         "V8 JSON.parse (Node.js 20, captured here: Unexpected non-whitespace character "
         "after JSON at position N; Bad control "
         "character in string literal in JSON at position N; Expected property name or '}' "
         "in JSON at position 1), as agents print a tool call's arguments that do not parse, "
         "like the V8 messages above; not a program's own SyntaxError thrown by JSON.parse "
         "(node -e \"JSON.parse('{bad')\", captured here)"),
        ("eof while parsing a | eof while parsing an | trailing characters at line | trailing "
         "comma at line | key must be a string at line - line 1 column 0 | line 1 column 1",
         "serde-rs/json src/error.rs (EOF while parsing a string at line 1 column 30; "
         "trailing characters at line 1 column 12; trailing comma; key must be a string), as "
         "Rust agents print a tool call's arguments that do not parse (openai/codex: failed "
         "to parse function arguments: ...); not an empty answer (EOF while parsing a value "
         "at line 1 column 0)"),
        ("line of the patch must be | update hunk to start with | not a valid hunk header | "
         "valid hunk headers | update file hunk for path", "openai/codex codex-rs/apply-patch/"
         "src/parser.rs (The first line of the patch must be '*** Begin Patch'; Expected "
         "update hunk to start with a @@ context marker, got: 'x'; 'x' is not a valid hunk "
         "header. Valid hunk headers: ...; Update file hunk for path 'x' is empty) and its "
         "ports (RooCodeInc/Roo-Code src/core/tools/apply-patch/parser.ts; Go, Kotlin and "
         "TypeScript ports found by code search): a patch whose format the tool could not "
         "parse"),
        ("parameter | parameters | argument | arguments | param | params ~ is not valid | are "
         "not valid | not valid - key | keys | token | tokens | credential | credentials | "
         "password", "RooCodeInc/Roo-Code src/core/tools/UpdateTodoListTool.ts (The todos "
         "parameter is not valid markdown checklist or JSON); not a credential"),
        ("unknown parameter | unknown parameters | unrecognized parameter | unrecognized "
         "parameters | unexpected parameter | unexpected parameters | not a valid choice | "
         "select a valid choice", "boto/botocore botocore/validate.py (Parameter validation "
         "failed: Unknown parameter in input: \"x\", must be one of: ...), as AWS tools "
         "print it; " + _CLAUDE_CODE + " (InputValidationError: An unexpected parameter `x` "
         "was provided); encode/django-rest-framework fields.py ChoiceField (\"x\" is not a "
         "valid choice.)"),
        ("must all be provided together | must be provided together | must be specified "
         "together | must be used together | must be set together | must be passed together",
         "github/github-mcp-server pkg/github (item_owner, item_repo, and issue_number must "
         "all be provided together): arguments that go in pairs"),
        ("only absolute paths | absolute path required | absolute path is required | relative "
         "paths are not | relative path is not | relative paths not", "programs' checks of a "
         "path argument found by code search (Rust: Err(\"Only absolute paths are "
         "supported\"); Python: Cannot publish artifact path \"x\" because only absolute "
         "paths are supported), like the agents' file path must be absolute"),
        ("url | uri | link | path | query | input | value | id | name | range | regex | "
         "pattern | selector | date | timestamp ~ is not valid | was not valid | are not "
         "valid - key | keys | token | tokens | certificate | credentials | credential | "
         "license | session | signature | password", "checks of a call's URL and other "
         "arguments found by code search (Go: errors.New(\"Url is not valid\"); Python: "
         "return None, \"url is not valid\"; FastAPI: Your provided URL is not valid), "
         "like the tools' not a valid URL; not a credential or a certificate"),
        ("argument | arguments | parameter | param | value ~ is not a string | is not an int | "
         "is not an integer | is not a float | is not a float64 | is not a bool | is not a "
         "boolean | is not a number | is not an object | is not an array | is not a list | is "
         "not a map | is not a string slice", "mark3labs/mcp-go mcp/tools.go "
         "(RequireString: argument \"x\" is not a string; argument \"x\" is not an "
         "object), as Go MCP servers built on it return it: an argument of the wrong type"),
        ("empty file path | empty file name | empty filename | empty url", "MoonshotAI/"
         "kimi-cli src/kimi_cli/tools/file/read.py (Empty file path), like docker-agent's "
         "empty command"),
        ("labels | names | ids | keys | options | titles ~ must be unique | should be unique",
         "MoonshotAI/kimi-cli src/kimi_cli/tools/plan/__init__.py (Option labels must be "
         "unique. Found duplicate label(s).): the call's list holds one value twice"),
        ("end | end line | end index | end offset | end position | end date | end time ~ is "
         "before | comes before | is less than | is smaller than + start | begin | beginning",
         "anthropics/anthropic-sdk-go tools/agenttoolset/fs.go (read: view_range end line N is "
         "before start line M), like end_line must be >= start_line"),
        ("start | start time | start date | start line | start index | begin ~ cannot be after "
         "| can t be after | must not be after | is after | must be before | should be before + "
         "end | end time | end date | end line", "hangwin/mcp-chrome tools/browser/history.ts "
         "(Start time cannot be after end time.), like end_line must be >= start_line"),
        ("missing filepath | missing file path | missing filename | array required | array is "
         "required | identical old and new | empty old string | empty old str",
         "continuedev/continue core/util/errors.ts (ContinueErrorReason: "
         "find_and_replace_missing_filepath, multi_edit_edits_array_required, "
         "find_and_replace_identical_old_and_new_strings, multi_edit_empty_old_string_not_first;"
         " edits array is required): error codes read by their words"),
        ("use | pass | set ~ parameter | argument | param | option + instead of - identical "
         "arguments | same arguments | repeating",
         "github/github-mcp-server pkg/github/issues.go (This tool uses cursor-based "
         "pagination. Use the 'after' parameter with the 'endCursor' value from the previous "
         "response instead of 'page'.): the call used the wrong argument; not a loop guard "
         "(cline/cline responses.ts: ... called N times consecutively with identical arguments "
         "... use a different tool or different arguments instead of repeating the same call)"),
    )),
    ("network", (
        ("連線被拒絕 | 無法接觸網路 | 連線被對方重設 | 通往該主機的路由", _LOCALE_CAPTURES_ZH_TW
         + " (ECONNREFUSED, ENETUNREACH, ECONNRESET, EHOSTUNREACH)"),
        ("无网络连接 | 网站地址 | 網站位址 | 주소를 찾을 수 없 | 인터넷 연결이 없 | "
         "keine internetverbindung | website adresse | pas de connexion internet | adresse du "
         "site | sin conexión a internet | dirección del sitio | sem conexão com a internet | "
         "endereço do site", _ROO_LOCALES_ALL + " (url_not_found, no_internet)"),
        *_winsock_network_rows("无法连接"),
        (_STRERROR_NETWORK, _STRERROR_CAPTURES),
        ("нет подключения к интернету | インターネット接続 | адрес веб сайта не найден | "
         "アドレスが見つかりません", _ROO_LOCALES),
        ("error during fallback fetch", _GEMINI_CLI + "/tools/web-fetch.ts (Error during "
         "fallback fetch for x: fetch failed) and its ports in Go and Python found by code "
         "search; google-gemini/gemini-cli#9967"),
        ("verbindungsaufbau abgelehnt | connexion refus e | 接続を拒否されました | 연결이 거부됨",
         "ECONNREFUSED in German, French, Japanese and Korean, as curl, ftp and other programs "
         "print it in those locales (curl: (7) Failed to connect to localhost port 80: "
         "接続を拒否されました; failed to connect to x: Verbindungsaufbau abgelehnt; Winsock "
         "WSAECONNREFUSED 연결이 거부됨), quoted in logs found by code search"),
        ("拒绝连接 | 未知的名称或服务 | 无法解析主机 | 没有到主机的路由 | 网络不可达 | 连接被对方"
         "重设",
         _ZH_CN + " (ECONNREFUSED 拒绝连接; EAI_NONAME 未知的名称或服务; EHOSTUNREACH; ENETUNREA"
         "CH; "
         "ECONNRESET); wget zh_CN (无法解析主机地址), captured here"),
        ("could not resolve | couldn t resolve | unable to resolve | cannot resolve | failed "
         "to resolve - dependency | dependencies | dependency tree | peer | version | package "
         "| ref | refs | branch | tag | revision | commit | path | paths "
         "| module | import | symbol | reference | type | eresolve | file id | for path | "
         "resolve to a",
         "curl (Could not resolve host); wget (unable to resolve host address); not GitHub "
         "GraphQL's missing object (gh: GraphQL: Could not resolve to a Repository with the "
         "name 'x'.); not a "
         "package manager that cannot resolve a dependency tree (npm/cli: ERESOLVE unable to "
         "resolve dependency tree); not a git ref (github/github-mcp-server: could not resolve "
         "ref \"x\" as a branch or a tag) nor a path (continuedev/continue: Failed to resolve "
         "path)"),
        ("connection refused | connection reset | "
         "connection closed | connection error | connection failed | network | econnrefused | "
         "econnreset | ehostunreach | enetunreach | econnaborted | "
         "enotfound | getaddrinfo | eai again | fetch failed | failed to fetch | unable to "
         "connect | could not connect | couldn t connect | can t connect | failed to connect | "
         "cannot "
         "connect | no route to host | name resolution | unreachable | socket hang up | "
         "ssl | certificate | dns | net err | no internet | offline | internet connection | "
         "no such host | dial tcp | "
         "name or service not known | nodename nor "
         "servname | temporary failure in name resolution - service process | conversion "
         "error | conversion failed | failed to convert", "chromium "
         "net/base/net_error_list.h "
         "(net::ERR_NAME_NOT_RESOLVED); CPython socket.gaierror; curl; nodejs/undici (fetch "
         "failed); browsers' fetch (Failed to fetch); MySQL client (ERROR 2002 (HY000): Can't "
         "connect to local MySQL server through socket); " + _NODE_FS + "; not a server process "
         "that failed to start (lobehub/lobehub#17529: Failed to fetch tools from MCP server: "
         "Failed to start MCP service process); round 34: nor a page fetched whose conversion "
         "failed (zcaceres/fetch-mcp src/Fetcher.ts: Failed to fetch x: Conversion error)"),
        ("name not resolved | host not resolved | internet disconnected | http 2 | quic | "
         "address unreachable | network changed",
         _CHROMIUM_NET + " (ERR_NAME_NOT_RESOLVED, ERR_INTERNET_DISCONNECTED, "
         "ERR_HTTP2_PROTOCOL_ERROR: Chromium's network errors without "
         "their net:: prefix)"),
        ("err + cert | invalid response | empty response", _CHROMIUM_NET + " "
         "(ERR_CERT_AUTHORITY_INVALID, ERR_INVALID_RESPONSE, ERR_EMPTY_RESPONSE)"),
        ("failed to establish | could not establish | unable to establish | not established "
         "+ connection | websocket", "trycua/cua computer/interface/generic.py (Failed to "
         "establish WebSocket connection after multiple retries; WebSocket connection is not "
         "established); urllib3 NewConnectionError (Failed to establish a new connection); "
         "WebSocket clients in Go and TypeScript (websocket connection is not established)"),
        ("tls recv error | remote end hung up | early eof | transfer closed with "
         "outstanding read data", "git's HTTP transport (error: RPC failed; curl 56 GnuTLS "
         "recv error (-9): A TLS packet with unexpected length was received.; fatal: the "
         "remote end hung up unexpectedly; fatal: early EOF), which CI scripts and agents' "
         "retry lists match as transient network failures"),
        ("url not accessible | url could not be accessed", "Anthropic's web fetch tool "
         "(anthropic-sdk-python WebFetchToolResultErrorCode url_not_accessible: the URL could "
         "not be fetched), as its SDK ports and agents' tests found by code search carry it"),
        ("site can t be reached | site cannot be reached | url could not be retrieved",
         "Chromium's network error page as browser tools read it (This site can't be "
         "reached); Squid proxy error page (ERROR: The requested URL could not be "
         "retrieved)"),
        ("connection + was refused | were refused", "kubernetes kubectl (The connection to "
         "the server x:6443 was refused - did you specify the right host or port?); "
         "connection refused in other words (ECONNREFUSED)"),
        ("incomplete read | connection broken | connection aborted | transfer closed with | "
         "payload is not completed | not enough data to satisfy | header parser received no "
         "bytes | remote protocol error | post eof | get eof | put eof | patch eof | delete eof",
         "CPython http.client IncompleteRead (IncompleteRead(9 bytes read, 491 more expected)); "
         "urllib3 response.py and requests ChunkedEncodingError (Connection broken: "
         "IncompleteRead(...)), which ETL and CI retry lists found by code search match as "
         "transient; urllib3 connectionpool.py (ProtocolError: ('Connection aborted.', x)); "
         "curl CURLE_PARTIAL_FILE (curl: (18) transfer closed with N bytes remaining to read); "
         "aiohttp ClientPayloadError (Response payload is not completed: <ContentLengthError: "
         "Not enough data to satisfy content length header>); OpenJDK HttpClient "
         "(java.io.IOException: HTTP/1.1 header parser received no bytes); all captured here; "
         "httpx RemoteProtocolError (Server disconnected without sending a response; malformed "
         "chunk footer); Go net/http's url.Error when the server closed the connection "
         "(Post \"https://api.moonshot.ai/v1/chat/completions\": EOF; Get \"x\": EOF), as "
         "gateways and agents found by code search quote and retry it"),
        ("other side closed | type error terminated | socket closed | premature close | "
         "sse error - non 200 status", _UNDICI + " (SocketError: other side closed; TypeError: "
         "terminated); supercorp-ai/supergateway#30 (SseError: SSE error: TypeError: "
         "terminated: other side closed); not a server that answered with an HTTP status "
         "(ravitemer/mcphub.nvim#273: SSE error: Non-200 status code (405))"),
        ("closed the connection | closed connection | remote disconnected | server "
         "disconnected | abnormal closure | socket is closed | websocket is not open | "
         "websocket is closed | websocket closed | websocket connection closed | web socket is "
         "not open | web socket is closed | web socket closed | web socket connection closed | "
         "connection "
         "cannot be established | connection could not be established | enotcached | only if "
         "cached", "PostgreSQL libpq (server closed the connection unexpectedly); CPython "
         "http.client RemoteDisconnected (Remote end closed connection without response, "
         "captured here); aiohttp ServerDisconnectedError (Server disconnected); "
         "gorilla/websocket (websocket: close 1006 (abnormal closure): unexpected EOF); "
         "WebSocket clients found by code search (WebSocket is not open: readyState 3 "
         "(CLOSED)); Node.js ERR_SOCKET_CLOSED (Socket is closed); n8n (The connection cannot "
         "be established); npm/cli offline (npm error code ENOTCACHED: cache mode is "
         "'only-if-cached' but no cached response is available, captured here with "
         "--offline): the tool could not reach the network"),
        ("connection was closed | connection is closed | connection has been closed | "
         "connection closed unexpectedly | empty reply from server | server returned nothing",
         "Bun's fetch (ConnectionClosed: The socket connection was closed unexpectedly. For "
         "more information, pass `verbose: true` ...), as agents on Bun print it (OpenCode: "
         "Cannot connect to API: The socket connection was closed unexpectedly; found by code "
         "search); curl CURLE_GOT_NOTHING (curl: (52) Empty reply from server)"),
        ("all connection attempts failed | actively refused | forcibly closed by the remote "
         "host | remote name could not be resolved | specified hostname could not be found | "
         "tls handshake | handshake failure | remote error tls | und err socket",
         "encode/httpcore and agronholm/anyio connect_tcp (httpx.ConnectError: All connection "
         "attempts failed); Winsock WSAECONNREFUSED 10061 and WSAECONNRESET 10054 as .NET and "
         "CPython print them on Windows (No connection could be made because the target "
         "machine actively refused it; An existing connection was forcibly closed by the "
         "remote host); .NET WebException NameResolutionFailure (The remote name could not be "
         "resolved: 'x'); Apple NSURLErrorCannotFindHost (A server with the specified "
         "hostname could not be found.); Go crypto/tls (remote error: tls: handshake "
         "failure); nodejs/undici SocketError (UND_ERR_SOCKET)"),
        ("connection was reset | connection was aborted | host is not responding | server is "
         "not responding | host not responding | server not responding", "curl on Windows "
         "(curl: (56) Recv failure: Connection was reset, keldenl/gpt-llama.cpp#50); "
         "microsoft/OmniParser#156 (Windows Host is not responding)"),
        ("no data received | no response received - model | llm | agent",
         "GNU wget (HTTP request sent, awaiting response... No data received.), captured here; "
         "langchain-ai/open-swe agent/tools/fetch_url.py (Fetch URL error: no response "
         "received); not a model that sent nothing (mistral.rs: No response received from "
         "the model.; IBM/ibm-watsonx-orchestrate-adk: No response received from agent.)"),
        # facts26: a tool that could not reach the service behind it.
        ("could not reach | couldn t reach | unable to reach | cannot reach | can t reach | "
         "failed to reach | could not contact | unable to contact | failed to contact ~ "
         "server | service | upstream | host | endpoint | api | backend | remote | mcp server",
         "0xPlaygrounds/rig crates/rig-core/src/tool/result.rs (ToolErrorKind: the tool could "
         "not reach its upstream service); agents' MCP clients and fetch tools found by code "
         "search (Could not reach the server; Unable to reach the MCP server)"),
        ("connection lost | connection was lost | lost connection | lost the connection | "
         "connection dropped | server went away | server has gone away",
         "MySQL client errors 2006 and 2013 (MySQL server has gone away; Lost connection to "
         "MySQL server during query); cline/cline StreamableHttpReconnectHandler, which "
         "reconnects an MCP transport on a lost connection: the link to the service broke"),
        # facts29: an MCP client whose link to its server is down when the call is made.
        ("not connected | no longer connected | transport closed | transport is closed | "
         "transport has been closed | transport was closed | client closed - page | account | "
         "accounts | integration | integrations | wallet | token | credentials | oauth | login "
         "| logged | signed | authenticated | billing | subscription | device | bluetooth | "
         "closed request",
         "modelcontextprotocol/typescript-sdk src/client/sse.ts and src/shared/protocol.ts "
         "(Error: Not connected); cline/cline#3431 (Not connected); glowingjade/"
         "obsidian-smart-composer src/core/mcp/mcpManager.ts (MCP server x is not connected) "
         "and other MCP clients found by code search (MCP server is not connected: x.); "
         "modelcontextprotocol/rust-sdk crates/rmcp (Transport closed), as Codex reports it; "
         "Cursor's MCP log (Error in MCP: Client closed: BrowserMCP/mcp#9, GLips/"
         "Figma-Context-MCP#77, AgentDeskAI/browser-tools-mcp#123); not a browser page "
         "(nanobrowser: Puppeteer page is not connected), an account or integration a setup "
         "lacks, nor nginx's 499 client closed request"),
        # facts31: Firefox's network error names, as Playwright reports a failed page load.
        ("ns error unknown host | ns error unknown proxy host | ns error net interrupt | ns "
         "error net reset | ns error offline | ns error proxy connection refused",
         "mozilla-central netwerk error codes (NS_ERROR_UNKNOWN_HOST, NS_ERROR_NET_RESET, "
         "NS_ERROR_OFFLINE, ...), as Playwright's Firefox reports them (page.goto: "
         "NS_ERROR_UNKNOWN_HOST) and scrapers found by code search test for them (Error getting "
         "page: NS_ERROR_UNKNOWN_HOST)"),
        ("type error load failed", "WebKit's fetch (TypeError: Load failed: Safari and iOS "
         "report every failed fetch so, DNS, TLS or a dropped link; apps' unreachable-backend "
         "checks found by code search test for it beside Chromium's Failed to fetch)"),
    )),
    ("exit_nonzero", (
        ("退出碼 | 結束代碼 | 返回碼", _ROO_ZH_TW + " (程序退出, 退出碼: N)"),
        ("退出码 | 返回码 | 代码 + 退出", _ZH_AGENTS),
        ("command | process + returned + error code | exit code - exit code 0 | error code "
         "0", "screetsec/Sudomy#40 (Shell "
         "command PID N returned an abnormal error code: '1'); pidgin (Process returned error "
         "code N); not a server that returned one (Server returned error code N)"),
        ("elifecycle | subprocess exited with error", "npm/cli (npm ERR! code ELIFECYCLE: a "
         "package script exited non-zero); pypa/pip (error: subprocess-exited-with-error, a "
         "build step that exited non-zero)"),
        ("non zero | nonzero | returned non | command failed | exitcode | returncode",
         _CODEX + " (Exit code: N); Go os/exec; CPython "
         "subprocess; Node.js child_process"),
        # facts26: an exit that was not clean, with or without its number.
        ("did not exit cleanly | didn t exit cleanly | exited uncleanly | exited abnormally | "
         "unclean exit", "mpfaffenberger/code_puppy code_puppy/tools/command_runner.py (The "
         "process didn't exit cleanly!, returned when exit_code != 0); GNU Emacs process "
         "sentinels (Process x exited abnormally with code N)"),
    )),
)

_TOOL_KEYWORDS: Final = _Table(TOOL_ERROR_KEYWORDS)
_TOOL_FAMILIES: Final = _Families(TOOL_ERROR_FAMILIES)
_TOOL_OTHER_RANK: Final = TOOL_ERROR_LABELS.index("other")
_TOOL_FAMILY_RANKS: Final = (*(TOOL_ERROR_LABELS.index(lb) for lb in _TOOL_FAMILIES.labels),
                             _TOOL_OTHER_RANK)
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


#: The name of a test in a test runner's report: a Python test function or method
#: (pytest collects ``test_*``: docs.pytest.org "Conventions for Python test discovery")
#: or a Go test (``func TestXxx(t *testing.T)``: pkg.go.dev/testing).  It names the test,
#: not the failure: ``FAILED tests/test_api.py::test_returns_404`` is no missing thing,
#: ``--- FAIL: TestTimeout`` no timeout, so its words are not read.
TEST_NAME: Final = re.compile(r"(?<![A-Za-z0-9_])(?:test_[A-Za-z0-9_]+|Test[A-Z0-9][A-Za-z0-9_]*)",
                              re.ASCII)


def _tool_error_label(error: str) -> str:
    """The first row, in label order, that the keyword table or the words of the error
    match; else ``other``."""
    error = unescaped(error)
    if "est" in error:
        error = TEST_NAME.sub(" ", error)
    lowered = ascii_lower(error)
    first = _TOOL_KEYWORDS.first(lowered, WORD.findall(lowered))
    rank = TOOL_ERROR_LABELS.index(first) if first is not None else _TOOL_OTHER_RANK
    by_words = _TOOL_FAMILY_RANKS[_TOOL_FAMILIES.first_index(joined_words(error))]
    return TOOL_ERROR_LABELS[min(rank, by_words)]


_TOOL_ERROR_MEMO: Final = Memo()


def tool_error_label(error: str) -> str:
    return _TOOL_ERROR_MEMO.label(error, lambda: _tool_error_label(error))


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
