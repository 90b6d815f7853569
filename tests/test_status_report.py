"""The one status report: the daemon's reply and the command's text come from it."""

from __future__ import annotations

import msgpack

from metricsd.core.consent import NO_ENDPOINT
from metricsd.core.status import UPLOADS_YES, StatusReport
from metricsd.core.wire import status_reply

RUNNING = StatusReport(
    consent="on", config="/c/config.toml", config_problem=None, enabled=True, dev=False,
    veto=None, endpoint="https://metrics.example.com", endpoint_problem=None, uploads=True,
    database="/s/metrics.sqlite3", counts={"turns": 3, "finish_reason": {"stop": 3}},
    health={"invalid_events": 1, "unknown_events": 0}, last_upload=None, pid=42,
    version="0.1.0", socket="/r/m.sock", connections=1, max_connections=1000)


def test_the_reply_round_trips_to_the_same_text() -> None:
    wire = msgpack.unpackb(status_reply(RUNNING.to_reply()), raw=False)
    assert wire["type"] == "status" and wire["pid"] == 42
    assert StatusReport.from_reply(wire).render() == RUNNING.render()


def test_what_the_uploads_line_says() -> None:
    assert RUNNING.uploads_line() == UPLOADS_YES
    none = StatusReport(**{**RUNNING.__dict__, "uploads": False, "endpoint": None})
    assert none.uploads_line() == f"no: {NO_ENDPOINT}"
    vetoed = StatusReport(**{**RUNNING.__dict__, "uploads": False, "enabled": False,
                             "veto": "DO_NOT_TRACK is set"})
    assert vetoed.uploads_line() == ("no: metrics are off (DO_NOT_TRACK is set): nothing is "
                                     "counted or uploaded")


def test_running_and_local_reports_differ_only_where_they_should() -> None:
    lines = RUNNING.render()
    assert lines[0].startswith("daemon:      running (pid 42")
    assert any(line.startswith("connections: 1 other than this one") for line in lines)
    local = StatusReport(**{**RUNNING.__dict__, "pid": None, "pending_batches": 2,
                            "connections": None}).render()
    assert not any(line.startswith(("daemon:", "connections:")) for line in local)
    assert "pending:     2 batch(es); turns 3" in local
    assert "             health           invalid_events                          1" in local


def test_the_report_says_why_nothing_is_sent_in_the_consent_modules_words() -> None:
    """One vocabulary: whatever the decision, the status line is the sentence the consent
    module gives every command and log line, built from the decision in one place."""
    from dataclasses import replace

    from metricsd.core.consent import ConfigFile, Decision
    from metricsd.core.endpoint import validate_endpoint

    on, off = ConfigFile(opted_in=True), ConfigFile(opted_in=False)
    good = validate_endpoint("https://metrics.example.com/v1/metrics", "--endpoint")
    decisions = [Decision(on, "DO_NOT_TRACK is set", False, good), Decision(off, None, False),
                 Decision(on, None, True, good), Decision(on, None, False),
                 Decision(on, None, False, None, "--endpoint must be https")]
    for decision in decisions:
        report = StatusReport.of(decision, config="/c/config.toml", database="/s/m.sqlite3",
                                 counts={}, health={}, last_upload=None)
        assert report.uploads_line() == f"no: {decision.why_nothing_is_sent()}", decision
        wire = StatusReport.from_reply(msgpack.unpackb(status_reply(report.to_reply()),
                                                       raw=False))
        assert wire.uploads_line() == report.uploads_line()
    sending = StatusReport.of(replace(decisions[0], veto=None), config="/c", database="/s",
                              counts={}, health={}, last_upload=None)
    assert sending.uploads and sending.uploads_line() == UPLOADS_YES
