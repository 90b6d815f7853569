"""finish_reason and provider_error by meaning, round 20: the kinds the corpus batches 115-122
missed at first sight (gemini-cli, claude-code, agent frameworks outside Python), and other
wordings of the same ideas in the same programs.  Each string is real; its source is in the
comment above it.  The cases marked "guard" were right before and must stay so."""

from __future__ import annotations

import pytest

from metricsd.core.facts import finish_reason_label, provider_error_label


@pytest.mark.parametrize(("reason", "label"), [
    # An end worded as a failure is an error.
    # anthropics/anthropic-sdk-go betasessiontoolrunner.go (ErrSessionTerminated, sent on
    # session.status_terminated: "The session encountered a terminal error")
    ("session terminated", "error"),
    # anthropics/anthropic-sdk-go tools/agenttoolset/bash.go
    ("bash session terminated", "error"),
    # cloudwego/eino adk/wrappers.go; adk/utils.go (StreamErr)
    ("no messages left in state after model call", "error"),
    ("no messages in MessageVariant.MessageStream", "error"),
    # Kurama622/llm.nvim lua/llm/common/io/streaming.lua (curl's exit code 28 is a timeout)
    ("Finished, duration: 30.02s (Curl exited abnormally with code 28)", "error"),
    # GNU Emacs src/process.c status_message
    ("exited abnormally with code 1", "error"),
    # guard: a bare terminated status may be a normal end (batch 51)
    ("terminated", "other"),
    # guard: anthropics/anthropic-sdk-go betasessiontoolrunner.go (ErrIdleTimeout)
    ("session idle after end_turn", "stop"),
    # Tool calls left for the app to run: tool_calls.
    # bosun-ai/swiftide swiftide-agents/src/errors.rs (AgentError::UnfulfilledToolCalls)
    ("Unfulfilled tool calls remain after invocation", "tool_calls"),
    # guard: windmill-labs/windmill agent_runner.rs, a run cut at its step limit
    ("AI agent reached max iterations, but there are still tool calls", "length"),
    # A stop that names a cause no family reads is other, not a natural stop.
    # google-gemini/gemini-cli packages/cli/src/ui/hooks/useGeminiStream.ts (NO_IMAGE)
    ("Response stopped because no image was generated.", "other"),
    # guards: the same table's causes that a family reads
    ("Response stopped due to prohibited image content.", "content_filter"),
    ("Response stopped due to malformed function call.", "malformed_tool_call"),
    # A turn the user stopped by hand.
    # langgenius/dify api/core/app/entities/queue_entities.py (QueueStopEvent.StopBy)
    ("user-manual", "canceled"),
    # guard: the enum member's name (its user and stop words)
    ("StopBy.USER_MANUAL", "canceled"),
])
def test_finish_reason_round20(reason: str, label: str) -> None:
    assert finish_reason_label(reason) == label


@pytest.mark.parametrize(("message", "label"), [
    # google-gemini/gemini-cli packages/core/src/utils/retry.ts (RETRYABLE_NETWORK_CODES: EPROTO,
    # a generic protocol error, often TLS) and retry.test.ts (error.code = 'EPROTO')
    ("EPROTO", "network"),
    # The sign-in's own setup: auth.
    # google-gemini/gemini-cli packages/core/src/code_assist/setup.ts (ProjectIdRequiredError)
    ("This account requires setting the GOOGLE_CLOUD_PROJECT or GOOGLE_CLOUD_PROJECT_ID env var. "
     "See https://goo.gle/gemini-cli-auth-docs#workspace-gca", "auth"),
    # guard: google-gemini/gemini-cli packages/cli/src/config/auth.ts (validateAuthMethod)
    ("When using Vertex AI, you must specify either:\n• GOOGLE_CLOUD_PROJECT and "
     "GOOGLE_CLOUD_LOCATION environment variables.\n• GOOGLE_API_KEY environment variable (if "
     "using express mode).\nUpdate your environment and try again (no reload needed if using "
     ".env)!", "auth"),
    # google-gemini/gemini-cli packages/core/src/code_assist/server.ts (on PERMISSION_DENIED)
    ("Access to the default Cloud Shell Gemini project was denied.", "auth"),
    ("Access to the default Cloud Shell Gemini project was denied.\nPlease set your own Google "
     "Cloud project by running:\ngcloud config set project [PROJECT_ID]\nor setting export "
     "GOOGLE_CLOUD_PROJECT=...", "auth"),
    # anthropics/claude-code CHANGELOG.md
    ("Session token not found or invalid", "auth"),
    # The user's choice to switch sign-in method is no credential failure.
    # google-gemini/gemini-cli packages/core/src/utils/errors.ts (ChangeAuthRequestedError)
    ("User requested to change authentication method", "other"),
    # guard: anthropic-sdk-typescript src/client.ts
    ("Could not resolve authentication method. Expected either apiKey or authToken to be set.",
     "auth"),
    # A chunk of the answer that could not be read is not a bad request.
    # google-gemini/gemini-cli packages/core/src/code_assist/server.ts (InvalidChunkEvent)
    ("Malformed JSON chunk", "other"),
    # guard: botocore bedrock-runtime ValidationException
    ("Malformed input request: #: extraneous key [x] is not permitted, please reformat your "
     "input and try again.", "bad_request"),
    # A block of the streamed message the client lost track of is no missing model or route.
    # anthropics/claude-code CHANGELOG.md
    ("Content block not found", "other"),
    # guards: google-gemini/gemini-cli googleQuotaErrors.ts; vercel/ai#7331
    ("Model not found", "not_found"),
    ("AI_APICallError: Not Found", "not_found"),
    # A realtime model's session closed under the request: network.
    # livekit/agents livekit-plugins-openai realtime_model.py
    ("pending response discarded due to session reconnection", "network"),
    # livekit/agents livekit-plugins-aws experimental realtime
    ("Session closed while waiting for generation", "network"),
    # HTTP 405's reason phrase without its number: http_other.
    # n8n-io/n8n packages/workflow/src/errors/node-api.error.ts (STATUS_CODE_MESSAGES)
    ("Method not allowed - please check you are using the right HTTP method", "http_other"),
])
def test_provider_error_round20(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    # Local servers' terse wordings of a request they cannot serve: bad_request.
    # NexaAI/nexa-sdk runner/server/handler/chat.go
    ("model type not support", "bad_request"),
    ("not support content part type", "bad_request"),
    # guard: lobehub/lobe-chat AgentRuntimeErrorType (a place the provider does not serve)
    ("LocationNotSupportError", "other"),
    # triton-inference-server/server python/openai/openai_frontend; NexaAI/nexa-sdk images.go
    ("only single string input is supported", "bad_request"),
    ("only 'b64_json' response format is supported", "bad_request"),
    ("`stream_options` can only be used when `stream` is True", "bad_request"),
    ("`top_logprobs` can only be used when `logprobs` is True", "bad_request"),
    # ml-explore/mlx-lm mlx_lm/server.py; Mozilla-Ocho/llamafile llamafile/server/client.cpp
    ("Invalid Content-Length header", "bad_request"),
    ("Bad Content-Length", "bad_request"),
    # Mozilla-Ocho/llamafile llamafile/server/v1_chat_completions.cpp
    ("JSON missing messages array", "bad_request"),
    ("JSON missing model string", "bad_request"),
    # mostlygeek/llama-swap internal/server/filters.go
    ("could not read request body", "bad_request"),
    # ml-explore/mlx-lm mlx_lm/server.py; NexaAI/nexa-sdk runner/server/handler/chat.go
    ("Request should be a JSON dictionary", "bad_request"),
    ("unknown content type", "bad_request"),
    # triton-inference-server/server openai_frontend; mudler/LocalAI core/http
    ("Named tool choice requires CreateChatCompletionRequest.tools to be provided",
     "bad_request"),
    ("streaming completions require exactly one prompt string", "bad_request"),
    # mostlygeek/llama-swap internal/swaputil/http.go: nothing serves the requested model
    ("no local server found for requested model", "not_found"),
    ("no peer found for requested model", "not_found"),
    # mostlygeek/llama-swap internal/process/process_command.go (503)
    ("[qwen-coder] process is not ready", "overloaded"),
    # gpustack/gpustack gpustack/api/auth.py (401)
    ("Invalid gateway token", "auth"),
])
def test_local_server_provider_errors_round20(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label
