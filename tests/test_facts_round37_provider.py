"""provider_error and finish_reason by meaning, round 37: the kinds held-out set 4 found
missing, mostly voice agents' end reasons and pipeline codes.  A user, customer or caller
who ended the call, asked for its end or hung up before it connected canceled it; an end
reason that names a missing part, an unavailable provider, a failed payment or an invalid
message is an error; a status and its reason phrase joined into a hyphenated code read as
that status; a text over a character limit is too large; an unparsable message is a bad
request; "did not join in time" is a timeout; a usage cap that resets in hours is a rate;
an agent app's catch-all "agent stream error" prefix is no HTTP/2 stream error.  Each string
is real; its source is in the comment above it.  The guards keep the neighbouring
readings."""

from __future__ import annotations

import pytest

from metricsd.core.facts import finish_reason_label, provider_error_label


@pytest.mark.parametrize(("reason", "label"), [
    # elevenlabs/elevenlabs-swift-sdk Sources/ElevenLabs/Public/Conversation/Models/EndReason.swift
    ("userEnded", "canceled"),
    # livekit/agents-js agents/src/voice/events.ts (CloseReason)
    ("user_initiated", "canceled"),
    # eigent-ai/eigent src/store/chatStore.ts (task stop_reason)
    ("user_requested", "canceled"),
    # VapiAI/server-sdk-csharp src/Vapi.Net/Types/CampaignEndedReason.cs
    ("campaign.in-progress.ended-by-user", "canceled"),
    # https://docs.retellai.com/api-references/get-call (disconnection_reason)
    ("manual_stopped", "canceled"),
    # VapiAI/server-sdk-csharp src/Vapi.Net/Types/CallEndedReason.cs
    ("call.ringing.sip-inbound-caller-hungup-before-call-connect", "canceled"),
    # microsoft/botbuilder-js EndOfConversationCodes
    ("botIssuedInvalidMessage", "error"),
    # https://docs.retellai.com/api-references/get-call (disconnection_reason)
    ("telephony_provider_unavailable", "error"),
    ("no_valid_payment", "error"),
    # VapiAI/server-sdk-csharp src/Vapi.Net/Types/CallEndedReason.cs
    ("assistant-not-found", "error"),
])
def test_round37_finish_kinds(reason: str, label: str) -> None:
    assert finish_reason_label(reason) == label


@pytest.mark.parametrize(("reason", "label"), [
    # the agent's own end stays a normal end; a hang-up stays as facts33 read it
    ("assistant-ended-call", "stop"),  # VapiAI CallEndedReason.cs
    ("agent_hangup", "stop"),  # Retell disconnection_reason
    ("user_hangup", "stop"),  # Retell (facts33's sourced reading, left as is)
    ("call.in-progress.error-vapifault-worker-died", "error"),  # VapiAI CallEndedReason.cs
    ("end_turn", "stop"),
])
def test_round37_finish_guards(reason: str, label: str) -> None:
    assert finish_reason_label(reason) == label


@pytest.mark.parametrize(("message", "label"), [
    # VapiAI/server-sdk-csharp src/Vapi.Net/Types/CallEndedReason.cs (pipeline error codes)
    ("pipeline-error-deepgram-returning-404-not-found", "not_found"),
    ("pipeline-error-playht-504-gateway-error", "timeout"),
    ("pipeline-error-openai-401-account-not-in-organization", "auth"),
    ("pipeline-error-eleven-labs-max-character-limit-exceeded", "too_large"),
    # ElevenLabs detail.status, as apps read it (a TTS adapter's error map)
    ("max_character_limit_exceeded", "too_large"),
    # https://developers.deepgram.com/docs/voice-agent-errors-warnings
    ("UNPARSABLE_CLIENT_MESSAGE", "bad_request"),
    # elevenlabs/elevenlabs-swift-sdk .../Conversation/ConversationError.swift
    ("Agent did not join in time.", "timeout"),
    # NanmiCoder/cc-haha#1266 (Zhipu GLM code 1308)
    ('"message": "[1308][已达到 5 小时的使用上限。您的限额将在 2026-08-24 00:09:21 重置。]',
     "rate_limit"),
    # dyad-sh/dyad#2973
    ('Local agent stream error: {"type":"error","sequence_number":0,"error":{"type":'
     '"invalid_request_error","code":"unknown_error","message":"There was an issue with your '
     'request. Please check your inputs and try again","param":null}}', "bad_request"),
    # xllm-go/bypass#138 (a gateway's 400 body)
    ('{\n    "error": {\n        "message": "model \'windsurf/claude-3-7-sonnet\' is not not '
     'yet supported"\n    }\n}', "bad_request"),
    # mastra-ai/mastra#9870
    ("Error in agent stream { error: undefined, runId: 'AshimeAgent' }", "other"),
])
def test_round37_provider_kinds(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    # golang/go src/net/http/h2_bundle.go: a real HTTP/2 stream error stays network, also
    # behind an app's prefix
    ("stream error: stream ID 3; INTERNAL_ERROR", "network"),
    ("Agent stream error: stream error: stream ID 1; PROTOCOL_ERROR", "network"),
    ("Error in agent stream: TypeError: fetch failed", "network"),
    # VapiAI CallEndedReason.cs neighbours keep their readings
    ("pipeline-error-openai-401-incorrect-api-key", "auth"),
    ("pipeline-error-playht-request-timed-out", "timeout"),
    ("pipeline-error-eleven-labs-quota-exceeded", "billing"),
])
def test_round37_provider_guards(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label
