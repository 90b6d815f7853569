"""finish_reason by meaning, round 33: a survey of how voice-agent platforms record the end of
a call, the run state apps keep as the reason a turn ended.  Each string is real; its source is
in the comment above it (and in the row of metricsd/core/facts.py that reads it)."""

from __future__ import annotations

import pytest

from metricsd.core.facts import finish_reason_label


@pytest.mark.parametrize(("reason", "label"), [
    # --- a phase name ("call.in-progress.") followed by how the call ended: the outcome
    # counts, not the phase.  VapiAI/server-sdk-csharp src/Vapi.Net/Types/CallEndedReason.cs
    # (endedReason of a call's end-of-call report)
    ("call.in-progress.error-providerfault-transport-never-connected", "error"),
    ("call.in-progress.error-vapifault-worker-died", "error"),
    ("call.in-progress.error-providerfault-openai-llm-failed", "error"),
    ("call.in-progress.error-vapifault-openai-401-unauthorized", "error"),
    ("call.in-progress.error-pipeline-no-available-llm-model", "error"),
    ("call.in-progress.error-assistant-did-not-receive-customer-audio", "error"),
    ("call.in-progress.error-transfer-failed", "error"),
    ("call.in-progress.error-vapifault-playht-request-timed-out", "error"),
    ("call.in-progress.twilio-completed-call", "stop"),
    ("call.in-progress.sip-completed-call", "stop"),
    # --- a hang-up ends the call, and the agent's turn with it
    # RetellAI/retell-python-sdk src/retell/types/call_response.py (disconnection_reason;
    # call_status ended: "Either user or agent hanged up")
    ("user_hangup", "stop"),
    ("agent_hangup", "stop"),
    # WakoAI/voiceos-web dist/models/EndedReasons.js
    ("human_hangup", "stop"),
    # FreeClimbAPI/java-sdk docs/CallEndedReason.md
    ("appHangup", "stop"),
])
def test_call_end_states(reason: str, label: str) -> None:
    assert finish_reason_label(reason) == label


@pytest.mark.parametrize(("reason", "label"), [
    # guards: a status that is still in progress has no finish reason yet
    # (openai/openai-go responses/response.go ResponseStatusInProgress)
    ("in_progress", "none"),
    ("ResponseStatusInProgress", "none"),
    # ... and a run still in progress that hit a cap is the cap (unchanged)
    ("not_finished", "none"),
    # a hang-up inside an error is the error (Vapi pipeline-error-cartesia-socket-hang-up)
    ("pipeline-error-cartesia-socket-hang-up", "error"),
    # Vapi's other ends keep their readings
    ("customer-ended-call", "stop"),
    ("exceeded-max-duration", "length"),
    ("manually-canceled", "canceled"),
])
def test_call_end_guards(reason: str, label: str) -> None:
    assert finish_reason_label(reason) == label
