"""provider_error and finish_reason by meaning, round 35: the kinds held-out set 3 found
missing, each read in the wording of more than one program.  An access-control refusal
(AWS IAM, Azure RBAC) is auth even where it names a subscription; a request body over the
server's limit is too_large; a request field that does not match its pattern and a request
without messages are bad requests; a fetch wrapper without a status is a network failure;
a model pool without memory budget is overloaded, not a machine out of memory; generated
content blocked for safety is no blocked account; an enum's NOT_SET is no finish reason.
Each string is real; its source is in the comment above it.  The guards keep the
neighbouring readings."""

from __future__ import annotations

import pytest

from metricsd.core.facts import finish_reason_label, provider_error_label


@pytest.mark.parametrize(("message", "label"), [
    # ministryofjustice/modernisation-platform-environments#18323 (litellm, Bedrock)
    ('litellm.APIConnectionError: BedrockException - {"message":"Model access is denied due '
     'to IAM user or service role is not authorized to perform the required AWS Marketplace '
     'actions (aws-marketplace:ViewSubscriptions, aws-marketplace:Subscribe) to enable access '
     'to this model. Refer to the Amazon Bedrock documentation for further details. Your AWS '
     'Marketplace subscription for this model cannot be completed at this time. If you '
     'recently fixed this issue, try again after 5 minutes."}', "auth"),
    # Azure OpenAI RBAC refusal, as azure-core's ClientAuthenticationError quotes it (a
    # Japanese setup note found by find_string) and AI Foundry workshop docs quote it
    ("The principal `9c5b2c13-c3d4-43aa-982b-b4ce6c556fac` lacks the required data action "
     "`Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action` to "
     "perform `POST /openai/deployments/{deployment-id}/chat/completions` operation.", "auth"),
    ("Error: lacks the required data action "
     "Microsoft.CognitiveServices/accounts/AIServices/agents/write", "auth"),
    # anthropics/claude-agent-sdk-typescript CHANGELOG.md (StopFailure error_details)
    ("request_body_over_limit: …", "too_large"),
    # BoltAI/BoltAI#72 (OpenAI's jsonschema check of a function name)
    ("Sorry, OpenAI has rejected your request. Here is the error message from OpenAI: "
     "'vector_store_getData' does not match '^[a-zA-Z0-9_-]{1,64}$'-"
     "'messages.9.function_call.name'", "bad_request"),
    # RooCodeInc/Roo-Code#1492 (@google/generative-ai makeRequest around undici's error)
    ("[GoogleGenerativeAI Error]: Error fetching from https://generativelanguage.googleapis"
     ".com/v1beta/models/gemini-2.0-flash-001:streamGenerateContent?alt=sse: Invalid URL "
     "protocol: the URL must start with `http:` or `https:`.", "network"),
    # ardanlabs/kronk sdk/kronk/model/chat.go (ErrMessagesMissing)
    ("validate-document: no messages found in request", "bad_request"),
    # ardanlabs/kronk sdk/kronk/pool/pool.go (ErrNoCapacity)
    ("pool: insufficient memory budget", "overloaded"),
    # jeffstric/ZJT#494 (a gateway's error body; request id replaced)
    ("{'error': {'message': 'Gemini image generation blocked [IMAGE_SAFETY]: The generated "
     "image was blocked due to safety policy violation, please modify your prompt and try "
     "again (request id: 00000000000000000000000000000000)', 'type': 'channel_error', "
     "'param': '', 'code': 'channel:image_generation_failed'}}", "other"),
])
def test_kinds(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    # google-gemini/deprecated-generative-ai-js#330: the wrapper's written status reads first
    ("[GoogleGenerativeAI Error]: Error fetching from https://generativelanguage.googleapis"
     ".com/v1beta/models/gemini-2.0-flash-exp:generateContent: [400 Bad Request] Unable to "
     "submit request because Please use google_search field instead of google_search_"
     "retrieval field..", "bad_request"),
    # ollama.com cloud models: a subscription that is required stays billing
    ("this model requires a subscription, upgrade for access", "billing"),
    # litellm proxy auth: a blocked key stays auth
    ("Key is blocked. Update via `/key/unblock` if you're admin.", "auth"),
    # a machine out of memory stays server (ollama/ollama)
    ("model requires more system memory (8.0 GiB) than is available (4.0 GiB)", "server"),
    # a TLS name mismatch is no request field (Go crypto/x509)
    ("x509: certificate is valid for a.example.com, not b.example.com; hostname does not "
     "match", "network"),
    # an answer without messages is no request error (chat endpoints' row, above)
    ("No messages found in response", "other"),
])
def test_guards(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("reason", "label"), [
    # aws/aws-sdk-cpp Aws::BedrockRuntime::Model::StopReason (zero value)
    ("NOT_SET", "none"),
    # aws/aws-sdk-cpp BedrockAgentCore HarnessStopReason::NOT_SET, printed with its type
    ("HarnessStopReason::NOT_SET", "none"),
    # guards: a limit that is not set is no empty reason; real reasons stay
    ("max_tokens", "length"),
    ("stop_sequence", "stop"),
])
def test_finish_not_set(reason: str, label: str) -> None:
    assert finish_reason_label(reason) == label
