"""What metricsd collects, for people: the text of a desktop app's first-run dialog and
settings page (``metricsd disclosure``), generated from the tables the daemon enforces.

Every counter and label, and every label's meaning, comes from :mod:`metricsd.core.facts`
(``COUNTERS``, ``HEALTH_COUNTERS``, ``LABEL_MEANINGS``, the alias, status and keyword
tables) and the upload labels from :mod:`metricsd.core.batches`; the only thing written here
is a one-line meaning for each counter, in :data:`COUNTER_MEANINGS`.  :func:`check_meanings`
runs at import: a counter or label added to the facts without a meaning (or a meaning left
for one that no longer exists) makes this module, and the ``disclosure`` command, fail to
load — so the dialog cannot drift from the code.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from metricsd import __version__
from metricsd.core.batches import (
    ARCH_LABELS,
    MAX_BATCH_AGE_SECONDS,
    MAX_BATCHES,
    MIDNIGHT_SPREAD_SECONDS,
    OS_LABELS,
    OTHER,
)
from metricsd.core.consent import (
    CONSENT_KEY,
    CONSENT_TABLE,
    ENDPOINT_KEY,
    ENDPOINT_TABLE,
    ENV_DEV_BUILD,
    ENV_DO_NOT_TRACK,
    ENV_METRICS,
    Decision,
)
from metricsd.core.endpoint import Endpoint
from metricsd.core.facts import (
    COUNTERS,
    FINISH_REASON_ALIASES,
    FINISH_REASON_FAMILIES,
    HEALTH_COUNTERS,
    LABEL_MEANINGS,
    PROVIDER_ERROR_FAMILIES,
    PROVIDER_ERROR_KEYWORDS,
    PROVIDER_ERROR_REFINEMENT_FAMILIES,
    PROVIDER_ERROR_REFINEMENTS,
    PROVIDER_STATUS_LABELS,
    TOOL_ERROR_FAMILIES,
    TOOL_ERROR_KEYWORDS,
    UNKNOWN_VERSION,
)

#: Version of the ``--json`` document's schema: bumped only for incompatible changes
#: (removing or renaming a key); new keys may appear at any time.
SCHEMA_VERSION: Final = 1

#: counter -> what it counts.  The meaning of each label comes from the facts tables
#: (:data:`~metricsd.core.facts.LABEL_MEANINGS`), like the labels themselves.
COUNTER_MEANINGS: Final[Mapping[str, str]] = {
    "turns": "Agent turns that ended (one per answer the agent finished).",
    "finish_reason": "How the last model call of each turn ended.",
    "empty_final": "Turns whose final answer came back empty.",
    "cache_hit": ("For each model call, the share of prompt tokens served from the "
                  "provider's prompt cache, in buckets."),
    "provider_error": ("Failed calls to the model provider, by kind of failure (from words "
                       "in the error and its HTTP status; the error text itself is not "
                       "kept)."),
    "tool_error": ("Tool calls that failed, by kind of failure (from words in the error; "
                   "the error text, the tool and its arguments are not kept)."),
    "compaction": "Times the conversation context was compacted to fit the model.",
    # The daemon's own losses (sent under "health").
    "invalid_events": "Events the app sent with a field of the wrong type (dropped).",
    "unknown_events": "Events of a kind this version of metricsd does not know (ignored).",
    "dropped_batches": ("Batches of counts that were discarded unsent (refused by the "
                        "server, or too old)."),
    "clipped": ("Daily counts above 100,000 that were sent as 100,000 (no one's agent "
                "does that much in a day)."),
}

#: counter -> (what it counts, {label: what the label means}), for every counter.
MEANINGS: Final[Mapping[str, tuple[str, Mapping[str, str]]]] = {
    name: (meaning, LABEL_MEANINGS.get(name, {})) for name, meaning in COUNTER_MEANINGS.items()
}

#: What is never collected.  (A statement about the code: every stored value is a number
#: or a label of the tables above; tests/test_privacy.py checks it.)
NEVER_COLLECTED: Final = (
    "prompts, messages, model answers or reasoning",
    "code, file contents, file names or paths",
    "tool names, tool arguments or tool output",
    "the text of any error message (only the kind of error is counted)",
    "API keys, tokens or other credentials",
    "names, e-mail addresses, user, machine or installation identifiers",
    "times finer than the day (a batch covers whole UTC days)",
)

#: The fields sent with the counts of each batch, and what they hold.
SENT_WITH_EACH_BATCH: Final = (
    ("batch_id", "a random id made for this batch only, so a retried upload is not "
                 "counted twice; it is never reused and identifies nobody"),
    ("daemon.version", f"the metricsd version ({__version__})"),
    ("daemon.os", "the operating system: " + ", ".join(sorted({*OS_LABELS.values(), OTHER}))),
    ("daemon.arch", "the processor family: "
                    + ", ".join(sorted({*ARCH_LABELS.values(), OTHER}))),
    ("client.version", "the app's version, if it is a version number MAJOR.MINOR.PATCH, "
                       "alone or followed by -dev, -alpha.N, -beta.N or -rc.N (rewritten "
                       "from its numbers, each at most 9999), else "
                       f"{UNKNOWN_VERSION!r}"),
    ("period", "the first and last UTC day the counts were made"),
)

CONSENT_COMMAND_ON: Final = "metricsd consent on"
CONSENT_COMMAND_OFF: Final = "metricsd consent off"


def check_meanings() -> None:
    """Every counter and label of the facts tables has a meaning, and nothing else does."""
    expected = {**{name: set(labels) for name, labels in COUNTERS.items()},
                **{name: set() for name in HEALTH_COUNTERS}}
    got = {name: set(labels) for name, (_, labels) in MEANINGS.items()}
    if got != expected:
        missing = sorted(f"{n}:{lb}" if lb else n for n, labels in expected.items()
                         for lb in (labels or {""}) if n not in got or (lb and lb not in got[n]))
        extra = sorted(f"{n}:{lb}" if lb else n for n, labels in got.items()
                       for lb in (labels or {""}) if n not in expected
                       or (lb and lb not in expected[n]))
        raise AssertionError(f"disclosure MEANINGS out of date: missing {missing}, "
                             f"extra {extra}")
    for name, (meaning, labels) in MEANINGS.items():
        for text in (meaning, *labels.values()):
            if not text or "\n" in text:
                raise AssertionError(f"disclosure meaning of {name} must be one line")


check_meanings()


# --- the state it describes ------------------------------------------------------------

def build(*, config_path: Path, decision: Decision, endpoint: Endpoint | None,
          endpoint_problem: str | None = None, dev_marker: Path) -> dict[str, Any]:
    """The disclosure as a JSON-ready document (the schema of ``metricsd disclosure
    --json``; README "Showing users what is collected").  ``decision`` is the consent
    authority's; ``endpoint`` the one in effect (``endpoint_problem`` says why config.toml's
    cannot be used)."""
    veto_var = None
    if decision.veto is not None:
        veto_var = ENV_DO_NOT_TRACK if decision.veto.startswith(ENV_DO_NOT_TRACK) \
            else ENV_METRICS
        why_off: str | None = f"the environment turns metrics off ({decision.veto})"
    elif not decision.file.opted_in:
        problem = decision.file.problem
        why_off = problem if problem and not decision.file.missing else "you have not opted in"
    else:
        why_off = None
    if why_off is not None:
        upload_blocker: str | None = why_off
    elif decision.dev:
        upload_blocker = "this is a dev build: counts stay on this computer"
    elif endpoint_problem is not None:
        upload_blocker = endpoint_problem
    elif endpoint is None:
        upload_blocker = "no endpoint is configured"
    else:
        upload_blocker = None
    return {
        "version": SCHEMA_VERSION,
        "daemon_version": __version__,
        "state": {
            "enabled": why_off is None,
            "why_off": why_off,
            "env_veto": veto_var,
            "dev_build": decision.dev,
            "uploads": upload_blocker is None,
            "why_not_uploaded": upload_blocker,
            "config": str(config_path),
        },
        "summary": ("With metrics on, metricsd counts how the agent's turns, model calls "
                    "and tool calls go, as numbers in fixed categories, and sends those "
                    "totals once a day. It never collects what you write, your code or "
                    "anything that identifies you."),
        "counters": [
            {"name": name, "meaning": MEANINGS[name][0],
             "labels": [_label_entry(name, label) for label in labels]}
            for name, labels in COUNTERS.items()
        ],
        "health": [{"name": name, "meaning": MEANINGS[name][0]} for name in HEALTH_COUNTERS],
        "sent_with_each_batch": [{"field": f, "meaning": m} for f, m in SENT_WITH_EACH_BATCH],
        "never_collected": list(NEVER_COLLECTED),
        "sending": {
            "when": ("when metricsd starts, and shortly after midnight (UTC) while it runs "
                     f"(within {MIDNIGHT_SPREAD_SECONDS // 60} minutes), and on 'metricsd "
                     "flush', only while metrics are on; each upload sends the counts of "
                     "the days that are over, at most one batch per day and version; "
                     "today's counts wait until the day is over"),
            "where": endpoint.where if endpoint is not None else None,
            "transport": "HTTPS (plain HTTP only to this computer), JSON bodies",
            "dev_builds": ("dev builds never upload, and counts made by a dev build are "
                           "never uploaded later either"),
            "environment_veto": (f"{ENV_DO_NOT_TRACK} set to anything but 0, or "
                                 f"{ENV_METRICS}=off, turns metrics off whatever the "
                                 "settings say"),
            "retention_local": (f"unsent batches are kept at most "
                                f"{MAX_BATCH_AGE_SECONDS // 86400} days (the newest "
                                f"{MAX_BATCHES}) on this computer"),
            "server_sees": ("like any web request, the server sees the connection's IP "
                            "address; metricsd sends no identifier"),
        },
        "opt_out": {
            "command": CONSENT_COMMAND_OFF,
            "opt_in_command": CONSENT_COMMAND_ON,
            "config_key": f"[{CONSENT_TABLE}] {CONSENT_KEY} = false",
            "config_file": str(config_path),
            "env": [f"{ENV_DO_NOT_TRACK}=1", f"{ENV_METRICS}=off"],
            "effect": ("counting stops (a running metricsd follows the change without a "
                       "restart) and every stored count and unsent batch is deleted; nothing "
                       "already sent can be tied to you, so there is nothing to delete on "
                       "the server"),
        },
        "settings": {
            "consent": f"[{CONSENT_TABLE}] {CONSENT_KEY} (true or false; absent means off)",
            "endpoint": f"[{ENDPOINT_TABLE}] {ENDPOINT_KEY}, --endpoint or METRICSD_ENDPOINT",
            "dev_build": f"{ENV_DEV_BUILD} (non-empty, not 0) or the file {dev_marker}",
        },
    }


#: counter -> the word-family tables that read its labels by meaning (facts v3).
_FAMILIES: Final[Mapping[str, tuple[Any, ...]]] = {
    "finish_reason": (FINISH_REASON_FAMILIES,),
    "provider_error": (PROVIDER_ERROR_REFINEMENT_FAMILIES, PROVIDER_ERROR_FAMILIES),
    "tool_error": (TOOL_ERROR_FAMILIES,),
}


def _label_words(counter: str, label: str) -> list[str]:
    """The word-family entries of a label, each once, in table order."""
    out: list[str] = []
    for table in _FAMILIES.get(counter, ()):
        for entry, _ in dict(table).get(label, ()):
            if entry not in out:
                out.append(entry)
    return out


def _label_entry(counter: str, label: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"label": label, "meaning": MEANINGS[counter][1][label]}
    words = _label_words(counter, label)
    if words:
        entry["words"] = words
    if counter == "finish_reason":
        aliases = [a for a, _ in dict(FINISH_REASON_ALIASES).get(label, ()) if a]
        if aliases:
            entry["aliases"] = aliases
    elif counter == "provider_error":
        statuses = sorted(s for s, lb in PROVIDER_STATUS_LABELS.items() if lb == label)
        if statuses:
            entry["statuses"] = statuses
        keywords = [k for k, _ in (*dict(PROVIDER_ERROR_REFINEMENTS).get(label, ()),
                                   *dict(PROVIDER_ERROR_KEYWORDS).get(label, ()))]
        if keywords:
            entry["keywords"] = keywords
    elif counter == "tool_error":
        keywords = [k for k, _ in dict(TOOL_ERROR_KEYWORDS).get(label, ())]
        if keywords:
            entry["keywords"] = keywords
    return entry


# --- text for people ------------------------------------------------------------------

def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


#: Stands for a space that must not break a line while wrapping (never in the input).
_GLUE: Final = "\x00"


def render_text(doc: Mapping[str, Any], width: int = 78) -> str:
    """The disclosure as plain text, for a dialog or a terminal."""
    out: list[str] = []

    opt = doc["opt_out"]
    # Paths and commands are never split: not at a hyphen, not inside, not at a space.
    whole = sorted({opt["command"], opt["opt_in_command"], opt["config_key"],
                    opt["config_file"], *opt["env"]}, key=len, reverse=True)

    def wrap(text: str, width: int, indent: str = "") -> list[str]:
        for phrase in whole:
            text = text.replace(phrase, phrase.replace(" ", _GLUE))
        lines = textwrap.wrap(text, width, break_on_hyphens=False, break_long_words=False,
                              initial_indent=indent, subsequent_indent=indent)
        return [line.replace(_GLUE, " ") for line in lines]

    def para(text: str, indent: str = "") -> None:
        out.extend(wrap(text, width, indent) or [""])

    def item(head: str, text: str, indent: str, col: int) -> None:
        lines = wrap(text, width - len(indent) - col) or [""]
        out.append(f"{indent}{head:<{col}}{lines[0]}")
        out.extend(f"{indent}{'':<{col}}{line}" for line in lines[1:])

    state = doc["state"]
    out.append("What metricsd collects")
    out.append("")
    if state["enabled"]:
        para("Metrics are ON." + ("" if state["uploads"]
                                  else f" Nothing is sent: {state['why_not_uploaded']}."))
    else:
        para(f"Metrics are OFF: {state['why_off']}. Nothing is counted or sent.")
    out.append("")
    para(doc["summary"])
    out.append("")
    out.append("Counted (numbers only, in these categories):")
    for counter in doc["counters"]:
        item(counter["name"], counter["meaning"], "  ", 16)
        for label in counter["labels"]:
            item(label["label"], label["meaning"], "      ", 30)
    out.append("")
    out.append("metricsd's own health, sent with the counts:")
    for h in doc["health"]:
        item(h["name"], h["meaning"], "  ", 18)
    out.append("")
    out.append("Sent with each batch of counts:")
    for f in doc["sent_with_each_batch"]:
        item(f["field"], f["meaning"], "  ", 16)
    out.append("")
    out.append("Never collected:")
    for thing in doc["never_collected"]:
        para(thing, "  - ")
    out.append("")
    sending = doc["sending"]
    out.append("When and where it is sent:")
    para(f"Sent {sending['when']}.", "  ")
    where = sending["where"]
    para(f"To: {where}." if where else "To: nowhere (no usable endpoint is configured).",
         "  ")
    para(f"Over {sending['transport']}.", "  ")
    para(_sentence(sending["dev_builds"]), "  ")
    para(_sentence(sending["environment_veto"]), "  ")
    para(_sentence(sending["retention_local"]), "  ")
    para(_sentence(sending["server_sees"]), "  ")
    out.append("")
    out.append("Turning it off:")
    para(f"Run '{opt['command']}', or set {opt['config_key']} in {opt['config_file']}, or "
         f"set {' or '.join(opt['env'])} in the environment. {_sentence(opt['effect'])}",
         "  ")
    para(f"Turn it on with '{opt['opt_in_command']}'.", "  ")
    return "\n".join(out)
