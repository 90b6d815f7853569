"""The kinds read from batches 79-82 (voice and realtime agents, RAG stacks), each checked
in other programs' wordings than the corpus rows they came from."""
from __future__ import annotations

import pytest

from metricsd.core.facts import finish_reason_label, provider_error_label, tool_error_label


@pytest.mark.parametrize(("message", "label"), [
    # A WebSocket that closed or never opened: websockets/ws, a browser's WebSocket,
    # python-websockets when the TCP connection dropped without a close frame.
    ("WebSocket is not open: readyState 3 (CLOSED)", "network"),
    ("Failed to execute 'send' on 'WebSocket': Still in CONNECTING state. WebSocket is closed",
     "network"),
    ("sent 1000 (OK); no close frame received", "network"),
    # ... unless the server closed it with a policy or auth code (the reason names the fault).
    ("received 1008 (policy violation) API key not valid. Please pass a valid API key.; "
     "WebSocket closed", "auth"),
    # The Gemini API's 404 for a model name, with and without its status.
    ("models/gemini-pro is not found for API version v1, or is not supported for "
     "generateContent. Call ListModels to see the list of available models and their "
     "supported methods.", "not_found"),
    # OpenAI's free-tier 429 asks for a payment method: still a rate limit.
    ("Rate limit reached for default-gpt-3.5-turbo in organization org-abc on requests per "
     "min. Limit: 3 / min. Please try again in 20s. Contact us through our help center at "
     "help.openai.com if you continue to have issues. Please add a payment method to your "
     "account to increase your rate limit. Visit https://platform.openai.com/account/billing "
     "to add a payment method.", "rate_limit"),
    ("402 Payment Required", "billing"),
    # A tool call's ID the conversation does not hold; a Realtime event the session refuses.
    ("Invalid tool_call_id: call_abc123", "bad_request"),
    ("Conversation already has an active response in progress: resp_abc. Wait until the "
     "response is finished before creating a new one.", "bad_request"),
    ("Cancellation failed: no active response found", "bad_request"),
])
def test_provider_errors_of_realtime_sessions(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("reason", "label"), [
    # Gemini Live's TurnCompleteReason: a turn blocked for the people an image shows.
    ("GENERATED_IMAGE_CELEBRITY", "content_filter"),
    ("TurnCompleteReason.GENERATED_IMAGE_IDENTIFIABLE_PEOPLE", "content_filter"),
    ("INPUT_IMAGE_PHOTO_REALISTIC_CHILD_PROHIBITED", "content_filter"),
    # The client went away and the server stopped generating.
    ("client_disconnected", "canceled"),
    ("499 Client Closed Request", "canceled"),
])
def test_finish_reasons_of_realtime_sessions(reason: str, label: str) -> None:
    assert finish_reason_label(reason) == label


@pytest.mark.parametrize(("error", "label"), [
    # An array library's index error inside a model is no invalid argument.
    ("IndexError: index 10 is out of bounds for axis 0 with size 5", "other"),
    ("IndexError: index 4096 is out of bounds for dimension 0 with size 2048", "other"),
    # ... a tool's own index argument out of range still is.
    ("Cell index 12 is out of range", "invalid_args"),
    # A name that breaks its naming rule (Kubernetes RFC 1123, Pinecone).
    ("metadata.name: Invalid value: \"My_Index\": a lowercase RFC 1123 subdomain must consist "
     "of lower case alphanumeric characters, '-' or '.', and must start and end with an "
     "alphanumeric character", "invalid_args"),
    ("Name must consist of lower case alphanumeric characters or '-'", "invalid_args"),
    # A RAG pipeline's chunk/embedding count mismatch is no failed edit.
    ("Embedding failed: chunk count mismatch (12 chunks, 11 embeddings)", "other"),
    # ... an edit whose chunk did not match still is.
    ("Failed to find expected lines in chunk", "edit_mismatch"),
])
def test_tool_errors_of_rag_stacks(error: str, label: str) -> None:
    assert tool_error_label(error) == label
