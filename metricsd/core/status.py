"""One status report: built by the daemon (its own view, sent as the ``status`` reply) or
by ``metricsd status`` from the database when no daemon runs, and rendered the same way.

Pure: values in, lines out.  Every string in a report is daemon-side (its own paths,
consent wording, endpoint scheme and host, allow-listed labels); none came from a client.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from metricsd.core import consent
from metricsd.core.consent import Decision

#: What the uploads line says when counts do leave (the schedule, docs/UPLOAD.md).
UPLOADS_YES = ("yes: each completed UTC day's counts, at daemon start, shortly after "
               "midnight UTC and on `metricsd flush`")


@dataclass(frozen=True)
class StatusReport:
    consent: str
    config: str
    config_problem: str | None
    enabled: bool
    dev: bool
    veto: str | None
    endpoint: str | None
    endpoint_problem: str | None
    uploads: bool
    database: str
    counts: Mapping[str, Any]
    health: Mapping[str, int]
    last_upload: str | None
    #: The running daemon's own view (None when read from the database).
    pid: int | None = None
    version: str | None = None
    socket: str | None = None
    connections: int | None = None
    max_connections: int | None = None
    #: Read from the database when no daemon runs.
    pending_batches: int | None = None
    dev_turns: int | None = None

    @classmethod
    def of(cls, decision: Decision, **rest: Any) -> StatusReport:
        """The report of ``decision`` (its consent and endpoint fields) and ``rest``: the
        daemon and ``metricsd status`` both build it here."""
        endpoint = decision.endpoint
        return cls(consent=decision.describe(), enabled=decision.counting, dev=decision.dev,
                   veto=decision.veto,
                   config_problem=None if decision.file.missing else decision.file.problem,
                   endpoint=endpoint.where if endpoint is not None else None,
                   endpoint_problem=decision.endpoint_problem,
                   uploads=decision.why_nothing_is_sent() is None, **rest)

    def to_reply(self) -> dict[str, Any]:
        """The fields of the ``status`` reply (docs/PROTOCOL.md)."""
        return {k: (dict(v) if isinstance(v, Mapping) else v)
                for k, v in asdict(self).items() if v is not None or k in _ALWAYS}

    @classmethod
    def from_reply(cls, reply: Mapping[str, Any]) -> StatusReport:
        """A running daemon's reply (an older daemon's missing fields read as absent)."""
        values: dict[str, Any] = {f.name: reply.get(f.name) for f in fields(cls)}
        values["counts"] = values["counts"] or {}
        values["health"] = values["health"] or {}
        for flag in ("enabled", "dev", "uploads"):
            values[flag] = bool(values[flag])
        for text in ("consent", "config", "database"):
            values[text] = str(values[text] or "")
        return cls(**values)

    def uploads_line(self) -> str:
        """What will happen to the counts, or why nothing will be sent (the consent
        module's sentence)."""
        if self.uploads:
            return UPLOADS_YES
        why = consent.why_nothing_is_sent(
            veto=self.veto or None, opted_in=self.enabled, dev=self.dev,
            has_endpoint=self.endpoint is not None, endpoint_problem=self.endpoint_problem)
        return f"no: {why or 'uploads are not running'}"

    def render(self) -> list[str]:
        """The lines of ``metricsd status``."""
        running = self.pid is not None
        lines = []
        if running:
            lines.append(f"daemon:      running (pid {self.pid}, version {self.version}) "
                         f"on {self.socket}")
        lines.append(f"metrics:     {self.consent} ({self.config})")
        if self.config_problem:
            lines.append(f"             {self.config_problem}")
        lines.append(f"build:       {'dev (never uploaded)' if self.dev else 'release'}")
        if self.endpoint_problem:
            lines.append(f"endpoint:    invalid: {self.endpoint_problem}")
        elif running:
            lines.append(f"endpoint:    {self.endpoint or 'none configured (nothing is uploaded)'}")
        else:
            lines.append(f"endpoint:    {self.endpoint or 'none configured'}")
        lines.append("uploads:     " + self.uploads_line())
        lines.append(f"database:    {self.database}")
        turns = self.counts.get("turns", 0)
        if running:
            lines.append(f"connections: {self.connections} other than this one "
                         f"(at most {self.max_connections})")
            lines.append(f"held:        turns {turns} (committed, pending and in memory"
                         f"{'; this dev build never uploads them' if self.dev else ''})")
        else:
            lines.append(f"pending:     {self.pending_batches or 0} batch(es); turns {turns}")
        lines.extend(f"           {row}" for row in count_rows(self.counts, self.health))
        if self.dev_turns:
            lines.append(f"dev counts:  turns {self.dev_turns} of these were counted under a "
                         "dev build: kept on this machine and never uploaded")
        lines.append(f"last upload: {self.last_upload or 'never'}")
        return lines


#: Keys the reply always carries, even when None (what clients and older tools read).
_ALWAYS = frozenset({"config_problem", "veto", "endpoint", "endpoint_problem", "last_upload"})


def count_rows(counts: Mapping[str, Any], health: Mapping[str, int]) -> list[str]:
    """One aligned line per counter and label, then the non-zero health counters."""
    rows = []
    for counter, value in counts.items():
        if isinstance(value, Mapping):
            for label, n in value.items():
                rows.append(f"  {counter:<16} {label:<30} {n:>10}")
        else:
            rows.append(f"  {counter:<16} {'':<30} {value:>10}")
    for name, n in health.items():
        if n:
            rows.append(f"  {'health':<16} {name:<30} {n:>10}")
    return rows
