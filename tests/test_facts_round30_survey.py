"""provider_error by meaning, round 30: a survey of real provider errors from sources the
corpus does not draw on, read from the message alone.  Kinds the classifier missed: a usage
limit or quota that names when it resets (a window, so a rate: rate_limit, not billing or
other), and a router with no endpoint available for the model (not_found).  Each string is
real; its source is in the comment above it.  The guards keep the neighbouring readings."""

from __future__ import annotations

import pytest

from metricsd.core.facts import provider_error_label


@pytest.mark.parametrize(("message", "label"), [
    # anthropics/claude-code#30399 (Claude Code, subscription window)
    ("You've hit your limit · resets 7pm (Europe/Madrid)", "rate_limit"),
    # anthropics/claude-code#41495
    ("You've hit your limit · resets 4pm (Europe/London)", "rate_limit"),
    # anthropics/claude-code#8675
    ("Claude usage limit reached. Your limit will reset at 10am (America/Los_Angeles).",
     "rate_limit"),
    # google-gemini/gemini-cli#13004 (429 RESOURCE_EXHAUSTED body, message field)
    ("You have exhausted your capacity on this model. Your quota will reset after 8h44m7s.",
     "rate_limit"),
    # truefoundry/models#826 (OpenRouter 404 as the openai SDK quotes it)
    ("openrouter error: No endpoints available matching your guardrail restrictions and data "
     "policy. Configure: https://openrouter.ai/settings/privacy", "not_found"),
    # googleapis/google-auth-library-python google/oauth2/_client.py (RefreshError), as
    # users paste it (a gspread README, a CollabIQ troubleshooting guide)
    ("google.auth.exceptions.RefreshError: ('invalid_grant: Token has been expired or "
     "revoked.', {'error': 'invalid_grant', 'error_description': 'Token has been expired or "
     "revoked.'})", "auth"),
    ("google.auth.exceptions.RefreshError: ('invalid_grant: Bad Request', {'error': "
     "'invalid_grant', 'error_description': 'Bad Request'})", "auth"),
    # RFC 6749 section 5.2 (invalid_client), Google's token endpoint text
    ("invalid_client: The OAuth client was not found.", "auth"),
    # AWS Signature Version 4, 403 as an API answers it (a clock skewed by hours)
    ("Signature expired: 20191205T142350Z is now earlier than 20191205T211850Z "
     "(20191205T212350Z - 5 min.)", "auth"),
    # Gemini API 400 INVALID_ARGUMENT, as agents quote it (Vertex AI SDK tests, agents'
    # history sanitizers found by code search)
    ("Please ensure that function response turn comes immediately after a function call "
     "turn.", "bad_request"),
    ("Please ensure that function call turn comes immediately after a user turn or after a "
     "function response turn.", "bad_request"),
    ("Please ensure that the number of function response parts is equal to the number of "
     "function call parts of the function call turn.", "bad_request"),
    # mistralai/mistral-common validator (3230), Venice and ollama.com as agents quote them
    ("Not the same number of function calls and responses", "bad_request"),
    ("Unexpected role 'user' after role 'tool'", "bad_request"),
    ("Unexpected role 'tool' after role 'system'", "bad_request"),
    # Anthropic Messages API 400 invalid_request_error, as agents' comments quote it
    ("Requests which include `tool_use` or `tool_result` blocks must define tools.",
     "bad_request"),
    ("messages: final assistant content cannot end with trailing whitespace", "bad_request"),
    # OpenAI Chat Completions 400
    ("Image URLs are only allowed for messages with role 'user', but this message with role "
     "'assistant' contains an image URL.", "bad_request"),
    # Anthropic 400 (an image format outside png/jpeg/gif/webp), Gemini 400
    ("Could not process image", "bad_request"),
    ("Unable to process input image. Please retry or report in "
     "https://developers.generativeai.google/guide/troubleshooting", "bad_request"),
    # ollama/ollama (Go image.Decode of an attachment it cannot read)
    ("image: unknown format", "bad_request"),
    # an OpenAI-compatible server's parameter check (corpus row with status 500)
    ("Unsupported param: tools", "bad_request"),
    # Gemini API 400 (a feature the model does not have)
    ("JSON mode is not enabled for models/gemini-pro", "bad_request"),
    # vllm-project/vllm entrypoints/openai protocol.py (and its Rust/C++ ports)
    ("`prompt_logprobs` are not available when `stream=True`.", "bad_request"),
    ("tool_choice param requires --enable-auto-tool-choice", "bad_request"),
    ("The tool specified in `tool_choice` does not match any of the specified `tools`",
     "bad_request"),
    ("You can only use one kind of guided decoding ('guided_json', 'guided_regex' or "
     "'guided_choice').", "bad_request"),
    ("Expected 'json_schema' to be provided when response_format type is 'json_schema'",
     "bad_request"),
    # OpenAI-compatible gateways (Rust, Python, Elixir) found by code search, 400
    ("Cannot specify both max_tokens and max_completion_tokens", "bad_request"),
    # chat routes' 400 for a request without its conversation (code search)
    ("No messages provided", "bad_request"),
    ("empty messages", "bad_request"),
    # LLM gateways' model_not_available errors (TypeScript and Python routers, code search)
    ("Requested model is not available", "not_found"),
    ("The requested model is not available on the configured endpoint.", "not_found"),
])
def test_round30_kinds(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    # corpus rows and other real strings whose reading must not move
    # (a monthly allowance with no reset named stays billing: corpus)
    ("The monthly usage limit has been reached", "billing"),
    # platform.openai.com error codes (insufficient_quota)
    ("You exceeded your current quota, please check your plan and billing details.",
     "billing"),
    # continuedev/continue#9942 (DeepSeek 402)
    ("402 Insufficient Balance", "billing"),
    # chatboxai/chatbox#2743 (OpenRouter 404)
    ("No endpoints found for deepseek/deepseek-chat-v3.1:free.", "not_found"),
    # elizaOS/eliza#4040 (Groq, a rate by the minute)
    ("Request too large for model `llama-3.1-8b-instant` in organization `xxxx` service tier "
     "`on_demand` on tokens per minute (TPM): Limit 6000, Requested 6294, please reduce your "
     "message size and try again.", "rate_limit"),
    # continuedev/continue#6185 (Mistral)
    ("Service tier capacity exceeded for this model.", "overloaded"),
    # BerriAI/litellm router (a cool-down, not a missing model)
    ("No deployments available for selected model, Try again in 60 seconds", "rate_limit"),
    # a revoked TLS certificate is a network failure (Go crypto/x509 wording)
    ("x509: certificate has been revoked", "network"),
    # Anthropic Messages API 400 (a thinking block's signature), Gemini thought_signature
    ("messages.1.content.0: Invalid `signature` in `thinking` block", "bad_request"),
    # an image over a size limit stays too_large (Anthropic Messages API)
    ("image exceeds 5 MB maximum: 6291456 bytes > 5242880 bytes", "too_large"),
    # an account's entitlement stays auth (Bedrock via theopenco/llmgateway#3393)
    ("anthropic.claude-x is not available for this account.", "auth"),
    # an answer without messages, a client that could not read the answer: not the request
    ("No messages returned from the model", "other"),
    ("Unexpected response format type from API", "other"),
    # a plan that does not cover it is not a request's fault (the plan rows read billing)
    ("This feature is not available on your current plan.", "billing"),
    # a model kept from an account stays auth; one refused in a region is not a missing one
    ("This model is not available for your account", "auth"),
    ("Model not available This model provider doesn't serve your region.", "other"),
])
def test_round30_guards(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label
