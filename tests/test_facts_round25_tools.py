"""Tool-error kinds from batches 131-136 and the wordings other agents, MCP servers and
shells print for the same failures.  Each string is a real program's or agent's text (its
source in the comment above it), labelled by what it means: a file too big to read whole,
a tool's own argument checks, a confined path, a token without access, a sub-agent that is
not there, an edit's text not found, an unclean exit, an unreachable upstream, and the
snake_case error codes agents return, read by their words."""

from __future__ import annotations

import pytest

from metricsd.core.facts import tool_error_label


@pytest.mark.parametrize(("text", "label"), [
    # A file too big to read whole: in tokens, or the advice to read it in parts.
    # mpfaffenberger/code_puppy code_puppy/tools/file_operations.py
    ("The file is massive, greater than 10,000 tokens which is dangerous to read entirely. "
     "Please read this file in chunks.", "too_large"),
    # Go agents' read tools found by code search; Google Drive MCP servers.
    ("file is 400000 bytes (limit 262144); pass offset and limit to read it in chunks",
     "too_large"),
    ("The file is massive, more than 25,000 tokens", "too_large"),
    # Argument checks worded as instructions or shapes.
    # mpfaffenberger/code_puppy code_puppy/tools/browser/browser_interactions.py
    ("Must specify value, label, or index", "invalid_args"),
    # command-line tools' own checks found by code search
    ("must specify either --all or --source", "invalid_args"),
    ("Must specify either --url or --file", "invalid_args"),
    # anthropics/anthropic-sdk-go tools/agenttoolset/fs.go
    ("read: view_range must be [start_line, end_line]", "invalid_args"),
    ("read: view_range end line 3 is before start line 9", "invalid_args"),
    # hangwin/mcp-chrome tools/browser/history.ts
    ("Start time cannot be after end time.", "invalid_args"),
    # github/github-mcp-server pkg/github/issues.go, issue_dependencies.go
    ("This tool uses cursor-based pagination. Use the 'after' parameter with the 'endCursor' "
     "value from the previous response instead of 'page'.", "invalid_args"),
    ("an issue cannot block or depend on itself", "invalid_args"),
    # GNU coreutils mv, captured here
    ("mv: cannot move 'a' to a subdirectory of itself, 'a/b'", "invalid_args"),
    # A path or pattern the tool's confinement refuses; a token the service will not serve.
    # anthropics/anthropic-sdk-go tools/agenttoolset/search.go
    ("glob: absolute pattern not permitted", "permission"),
    ("Absolute paths are not allowed", "permission"),
    # grafana/mcp-grafana tools/datasources.go
    ("checking datasource health is not supported on this Grafana deployment: the datasource "
     "metadata API is not accessible to this token, and health checks require it.",
     "permission"),
    # continuedev/continue core/util/errors.ts (ContinueErrorReason)
    ("file_is_security_concern", "permission"),
    # ollama/ollama-python ollama/_client.py, captured here without OLLAMA_API_KEY
    ("Authorization header with Bearer token is required for web search", "permission"),
    # MCP servers' auth middleware found by code search
    ("Missing Authorization header", "permission"),
    # continuedev/continue core/util/errors.ts (ContinueErrorReason) and its edit tools
    # google-gemini/gemini-cli packages/core/src/tools/tool-error.ts (ToolErrorType) and a
    # fork's shell codes found by code search
    ("execution_denied", "denied"),
    ("shell_command_permission_denied", "permission"),
    ("find_and_replace_missing_filepath", "invalid_args"),
    ("find_and_replace_identical_old_and_new_strings", "invalid_args"),
    ("multi_edit_edits_array_required", "invalid_args"),
    ("multi_edit_empty_old_string_not_first", "invalid_args"),
    ("invalid multi-edit args", "invalid_args"),
    ("Failed to resolve path", "other"),
    # A sub-agent the model named that is not there.
    # QwenLM/qwen-code#9509
    ('Subagent "non-existent" not found', "unknown_tool"),
    # Claude Code's Task tool, as users quote it
    ("Agent type 'sisyphus-junior' not found. Available agents: general-purpose, atlas",
     "unknown_tool"),
    # sst/opencode packages/opencode/src/tool/task.ts
    ("Unknown agent type: reviewer is not a valid agent type", "unknown_tool"),
    # The text an edit replaces not found.
    # MiniMax-AI/Mini-Agent mini_agent/tools, captured here
    ("Text not found in file: goodbye", "edit_mismatch"),
    # coder/xum#484
    ("EDIT FAILED - file was NOT modified. The old_string does not exist in the file.",
     "edit_mismatch"),
    # oraios/serena src/serena/util/text_utils.py
    ("Error: No matches of search expression found.", "edit_mismatch"),
    ("Match must be unique; found 3 matches for regex: def main\\(", "edit_mismatch"),
    ("No match found for regex: class\\s+Config", "edit_mismatch"),
    # An exit that was not clean; a tool that could not reach its upstream.
    # mpfaffenberger/code_puppy code_puppy/tools/command_runner.py
    ("The process didn't exit cleanly! If the user_interrupted flag is true,\n"
     "                please stop all execution and ask the user for clarification!",
     "exit_nonzero"),
    # GNU Emacs process sentinels
    ("Process grep exited abnormally", "exit_nonzero"),
    # 0xPlaygrounds/rig crates/rig-core/src/tool/result.rs
    ("the tool could not reach its upstream service", "network"),
    ("Unable to reach the MCP server", "network"),
    # MySQL client errors 2006 and 2013
    ("ERROR 2006 (HY000): MySQL server has gone away", "network"),
    ("ERROR 2013 (HY000): Lost connection to MySQL server during query", "network"),
    # Rules of the agent or server that refused the call.
    # anthropics/anthropic-sdk-csharp WebFetchToolResultErrorCode
    ("url_not_in_prior_context", "denied"),
    # ChromeDevTools/chrome-devtools-mcp src/McpContext.ts
    ("Blocked by blocklist: https://ads.example.com/pixel.js", "denied"),
    # github/github-mcp-server pkg/github/repositories.go
    ("Repository deletion was not confirmed. The repository was not deleted.", "denied"),
    ("Repository deletion confirmation expired. The repository was not deleted.", "timeout"),
    # huggingface/smolagents local_python_executor.py: the interpreter's sandbox
    ("InterpreterError: Forbidden access to module: os", "denied"),
    ("InterpreterError: It is not permitted to evaluate other functions than the provided "
     "tools or functions defined/imported in previous code", "denied"),
    # sst/opencode run, as jamesmurdza/background-agents#205 quotes it
    ("permission requested: external_directory; auto-rejecting", "denied"),
    # aws/language-servers agenticChatController.ts (ToolApprovalException)
    ("Command ignored: new prompt", "canceled"),
    # MoonshotAI/kimi-cli tools (plan mode)
    ("Blocked in plan mode", "denied"),
    ("TaskStop is not available in plan mode.", "denied"),
    # fish 3.6 after chmod -x, captured here
    ("fish: Unknown command. './noexec.sh' exists but is not an executable file.",
     "permission"),
    # PrefectHQ/marvin slackbot: a token the setup lacks
    ("GitHub token not found in any source", "other"),
    # Names that are not there.
    # github/github-mcp-server pkg/github/repositories_helper.go
    ('could not resolve ref "release-2.x" as a branch or a tag', "not_found"),
    # idosal/git-mcp fetch_url_content
    ("Content at https://raw.githubusercontent.com/acme/widgets/main/docs/llms.txt could not "
     "be retrieved. The resource may not exist or may require authentication.", "not_found"),
    # jlowin/fastmcp src/fastmcp/server/server.py
    ("Unknown resource: 'resource://config/settings'", "not_found"),
    ("Unknown prompt: 'summarize'", "not_found"),
    # A state the call needs first names no missing thing: ChromeDevTools/chrome-devtools-mcp
    # src/tools/pages.ts; github/github-mcp-server pkg/github/pullrequests.go.
    ("No open dialog found", "other"),
    ("No pending review found for the viewer", "other"),
    # Not the call's arguments: a setting the setup lacks, an upstream's reply, a capability
    # the tool lacks, a command the remote side does not offer.
    # perplexityai/modelcontextprotocol src/server.ts
    ("PERPLEXITY_API_KEY environment variable is required", "other"),
    ("Failed to parse JSON response from Perplexity Search API", "other"),
    # langchain4j/langchain4j GetResourceToolExecutor.java
    ("ERROR: binary content was requested, this is not supported yet", "other"),
    # continuedev/continue core/util/errors.ts (ContinueErrorReason)
    ("command_not_available_in_remote", "other"),
])
def test_round25_tool_kinds(text: str, label: str) -> None:
    assert tool_error_label(text) == label


@pytest.mark.parametrize(("text", "label"), [
    # What the new rows must leave alone.
    # Edit wordings read before this round (agents' edit tools found by code search;
    # oraios/serena).
    ("Error: targetContent not found in file: src/a.ts. Please ensure the string matches "
     "exactly.", "edit_mismatch"),
    ("Expression matches 2 occurrences. Please revise the expression to be more specific or "
     "enable allow_multiple_occurrences if this is expected.", "edit_mismatch"),
    # git pull's advice (captured here): no argument of a tool call.
    ("There is no tracking information for the current branch.\nPlease specify which branch "
     "you want to merge with.", "other"),
    # A skill the corpus's readers take for a missing file (continuedev/continue).
    ('Skill "deploy" not found. Available skills: none', "not_found"),
    # A setup the user must do, not an argument (You.com tools).
    ("You must supply ydc_api_key or set environment variable YDC_API_KEY", "other"),
    # An argument that is required stays invalid_args (continuedev/continue).
    ("filepath (string) is required", "invalid_args"),
    # A real user interrupt stays canceled (Claude Code).
    ("[Request interrupted by user for tool use]", "canceled"),
    # A regex that does not parse is an invalid argument (ripgrep, captured here).
    ("regex parse error:\n    (\n    ^\nerror: unclosed group", "invalid_args"),
    # A host that does not resolve stays network (curl).
    ("curl: (6) Could not resolve host: nosuchhost.invalid", "network"),
    # A rate is not a size (provider text inside a tool result).
    ("Rate limit reached: more than 30000 tokens per minute", "other"),
    # A missing file stays not_found.
    ("Error: File not found: /x/a.txt", "not_found"),
    # Words of the new rows in other senses.
    # cline/cline responses.ts: a loop guard, not an argument the call got wrong
    ("Tool [x] has been called 3 times consecutively with identical arguments. This is not "
     "making progress. Please use a different tool or different arguments instead of "
     "repeating the same call.", "other"),
    ("Cannot connect: the server itself is down", "network"),
    ("Content not found in cache", "not_found"),
    ("You must provide authentication to use this endpoint", "other"),
    # anthropics/anthropic-sdk-csharp WebFetchToolResultErrorCode (the corpus reads a use
    # budget as other)
    ("max_uses_exceeded", "other"),
])
def test_round25_guards(text: str, label: str) -> None:
    assert tool_error_label(text) == label
