"""Kinds found in the held-out batches 53-58 (workflow platforms, regional SDKs, niche
agents), each in another program's wording than the corpus row that showed it."""
from __future__ import annotations

import pytest

from metricsd.core.facts import finish_reason_label, provider_error_label


@pytest.mark.parametrize(("reason", "label"), [
    # Python's repr() of an enum member: python-genai's FinishReason (a str enum).
    ("<FinishReason.FINISH_REASON_UNSPECIFIED: 'FINISH_REASON_UNSPECIFIED'>", "none"),
    ("<FinishReason.MAX_TOKENS: 'MAX_TOKENS'>", "length"),
    # proto-plus (google-cloud-aiplatform) enums are IntEnums: Candidate.FinishReason's repr.
    ("<FinishReason.FINISH_REASON_UNSPECIFIED: 0>", "none"),
    # An agent loop stopped at its iteration limit (LangChain AgentExecutor).
    ("Agent stopped due to iteration limit or time limit.", "length"),
    ("iteration_limit_exceeded", "length"),
    # A run that failed on a rate limit (OpenAI Assistants run last_error.code).
    ("rate_limit_exceeded", "error"),
])
def test_run_end_states(reason: str, label: str) -> None:
    assert finish_reason_label(reason) == label


@pytest.mark.parametrize(("text", "label"), [
    # Azure Resource Manager's error code.
    ("AuthorizationFailed: The client 'x' does not have authorization to perform action 'y'",
     "auth"),
    # openai-python's UnprocessableEntityError, printed without its status.
    ("UnprocessableEntityError: Unprocessable Entity", "bad_request"),
    ("Unprocessable Content", "bad_request"),
    # ASP.NET Web API's 400 for an invalid model state, and ASP.NET's 404 page.
    ("The request is invalid.", "bad_request"),
    ("The resource cannot be found.", "not_found"),
    # The OpenAI API's 400 for a request without a model: not a missing model.
    ("you must provide a model parameter", "bad_request"),
])
def test_provider_wordings(text: str, label: str) -> None:
    assert provider_error_label(text, None) == label
