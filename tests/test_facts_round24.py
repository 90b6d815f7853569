"""provider_error and tool_error by meaning, round 24: kinds the held-out batches 90-97 missed
(ollama, gemini_ex, witsy, llama-cpp-python, adk-go, jsonschema-go, oh-my-pi, autogen, fish),
and wordings of the same ideas from those sources that the corpus does not hold.  Each string
is real; its source is in the comment above it."""

from __future__ import annotations

import pytest

from metricsd.core.facts import provider_error_label, tool_error_label


@pytest.mark.parametrize(("message", "label"), [
    # ollama/ollama server/routes.go (401)
    ("you are not currently signed in", "auth"),
    # nshkrdotcom/gemini_ex lib/gemini/auth/gemini_strategy.ex, lib/gemini/config.ex
    ("API key is nil", "auth"),
    ("Gemini API key is nil", "auth"),
    # Kochava-Studios/witsy locales/en.json (generator.errors.missingApiKey)
    ("You need to enter your API key in the Models tab of [Settings](#settings_models) in "
     "order to chat.", "auth"),
    # Kochava-Studios/witsy locales/en.json (common apiKeyReminder)
    ("Make sure you enter your API key in the Models pane of Witsy Settings.", "auth"),
    # ollama/ollama server/prompt.go, server/routes.go (400)
    ("this model only supports one image while more than one image requested", "bad_request"),
    # Kochava-Studios/witsy locales/en.json (tooManyTools, pluginDescriptionTooLong,
    # onlyThinkingMode)
    ("Sorry, it seems you have selected too many plugins for this model. Try to reduce the "
     "number of plugins.", "bad_request"),
    ("Sorry, it seems that one of the plugins description is too long. If you tweaked them in "
     "Settings | Advanced, please try again.", "bad_request"),
    ("Sorry, this model only works in thinking mode. Leave the thinking budget empty or enter "
     "a valid value.", "bad_request"),
    # Kochava-Studios/witsy locales/en.json (invalidModel)
    ("Sorry, it seems this model is not available.", "not_found"),
    # abetlen/llama-cpp-python llama_cpp/server/app.py (503; detail when the client goes away)
    ('{"detail":"Service is not available"}', "overloaded"),
    ('{"detail":"Client closed request"}', "canceled"),
])
def test_provider_message_alone(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    # google/adk-go internal/llminternal/agent_transfer.go, workflowinternal/finish_task_tool.go
    ("unexpected args type, got: string", "invalid_args"),
    ("unexpected args type: string, expected map[string]any", "invalid_args"),
    # google/jsonschema-go jsonschema/validate.go, as modelcontextprotocol/go-sdk mcp/server.go
    # wraps it
    ('validating "arguments": validating root: validating /properties/environment: enum: '
     "STAGING does not equal any of: [DEV PROD]", "invalid_args"),
    # google/adk-java core/src/main/java/com/google/adk/tools/FunctionTool.java
    ("The parameter 'city' was not found in the arguments provided by the model.",
     "invalid_args"),
    # can1357/oh-my-pi packages/agent/src/agent-loop.ts
    ("Skipped due to queued user message.", "canceled"),
    # microsoft/autogen autogen_agentchat/agents/_code_executor_agent.py
    ("The script ran but produced no output to console. The POSIX exit code was: 3. If you "
     "were expecting output, consider revising the script to ensure content is printed to "
     "stdout.", "exit_nonzero"),
    # captured here: fish 3.6.0, fish -c 'frobnicate --help'
    ("fish: Unknown command: frobnicate\nfish: \nfrobnicate --help\n^~~~~~~~~^", "not_found"),
])
def test_tool(message: str, label: str) -> None:
    assert tool_error_label(message) == label


@pytest.mark.parametrize(("message", "label"), [
    # Guard: exit code 0 is no failure (autogen prints the same sentence with 0).
    ("The script ran but produced no output to console. The POSIX exit code was: 0. If you "
     "were expecting output, consider revising the script to ensure content is printed to "
     "stdout.", "other"),
])
def test_tool_guards(message: str, label: str) -> None:
    assert tool_error_label(message) == label
