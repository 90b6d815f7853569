"""Tool-error wordings of agent frameworks, shells and package managers, and browser tools
that the corpus did not draw on before round 31, each read by what it means: a tool the
model called that the app never gave it (Semantic Kernel, CrewAI, the OpenAI Agents SDK), a
sandbox's refusals (smolagents), a page element or a path a browser tool cannot use
(browser-use), a value outside a tool's listed options, a package or module a package
manager cannot find (Go, Homebrew), coreutils' missing operand, and Firefox's network error
names.  Each string is a real program's text (its source in the comment above it); the
guards below keep the same words in other text from being read so."""

from __future__ import annotations

import pytest

from metricsd.core.facts import tool_error_label


@pytest.mark.parametrize(("text", "label"), [
    # A tool the model called that the app did not give it.
    # microsoft/semantic-kernel python/semantic_kernel/kernel.py (tool result)
    ("The tool call with name `get_weather` is not part of the provided tools, please try again "
     "with a supplied tool call name and make sure to validate the name.", "unknown_tool"),
    # microsoft/semantic-kernel, older releases (tool result)
    ("The tool call could not be found, please try again and make sure to validate the name.",
     "unknown_tool"),
    # microsoft/semantic-kernel python/semantic_kernel/kernel.py (logged; the cause filled in)
    ("The function `get_weather` is not part of the provided functions: KeyError('get_weather').",
     "unknown_tool"),
    # openai/openai-agents-python src/agents/run_internal (ModelBehaviorError)
    ("Model produced shell call without a shell tool.", "unknown_tool"),
    ("Model produced computer action without a computer tool.", "unknown_tool"),
    # crewAIInc/crewAI lib/crewai/src/crewai/translations/en.json (wrong_tool_name, filled in)
    ("You tried to use the tool Search, but it doesn't exist. You must use one of the following "
     "tools, use one at time: Read, Write.", "unknown_tool"),
    # The code sandbox refused the code (huggingface/smolagents local_python_executor.py).
    ("InterpreterError: Forbidden access to dunder attribute: __class__", "denied"),
    ("InterpreterError: Forbidden access to function: eval", "denied"),
    ("InterpreterError: Forbidden call to dunder function: __import__", "denied"),
    # browser-use/browser-use browser_use/tools/service.py, and its ports found by code search.
    ("Element index 12 not available - page may have changed. Try refreshing browser state.",
     "not_found"),
    ("Element ref e1 is not available - page may have changed.", "not_found"),
    ("File path /tmp/a.pdf is not available. To fix: The user must add this file path to the "
     "available_file_paths parameter when creating the Agent.", "permission"),
    ("Unsupported search engine: yahoo. Options: duckduckgo, google, bing", "invalid_args"),
    # Package managers that cannot find what the command names.
    # golang/go cmd/go 1.19, captured here (go build in a module importing two missing packages)
    ("m.go:3:8: package foo/bar is not in GOROOT (/usr/lib/go-1.19/src/foo/bar)", "not_found"),
    ("m.go:2:8: no required module provides package github.com/x/y; to add it:\n"
     "\tgo get github.com/x/y", "not_found"),
    # captured here: go run ./nosuchdir
    ("go: no packages loaded from ./nosuchdir", "not_found"),
    # Homebrew/brew, as transcripts found by code search quote it
    ('Error: No available formula with the name "java8"', "not_found"),
    ("Error: No formulae or casks found for steghide.", "not_found"),
    # GNU coreutils, captured here (cp and ln with no arguments)
    ("cp: missing file operand\nTry 'cp --help' for more information.", "invalid_args"),
    ("ln: missing file operand\nTry 'ln --help' for more information.", "invalid_args"),
    # Firefox's network error names, as a Go scraper's test found by code search expects them
    ("Error getting page: NS_ERROR_UNKNOWN_HOST", "network"),
])
def test_survey_wording(text: str, label: str) -> None:
    assert tool_error_label(text) == label


@pytest.mark.parametrize(("text", "label"), [
    # A call that lacks its own parts is no missing tool.
    ("Tool call without a tool_call_id", "other"),
    # A value outside an argument's choices stays an argument error.
    ("Value x is not one of the provided options", "invalid_args"),
    # A platform no argument fixes is not a value outside the options.
    ("Unsupported platform: win32. Supported values: linux", "other"),
    # The corpus reads an element missing from a screen by its kind as other.
    ("No hit-reachable element found", "other"),
    # A service that is down is no missing element.
    ("The service is not available", "other"),
    # Files still read as files.
    ("ls: cannot access '/nonexistent': No such file or directory", "not_found"),
    ("mkdir: missing operand\nTry 'mkdir --help' for more information.", "invalid_args"),
])
def test_survey_guard(text: str, label: str) -> None:
    assert tool_error_label(text) == label
