"""Tool-error wordings of the kinds held-out set 3 missed, read by what they mean, each also
in another agent's or library's wording: a hook or policy that blocked a call and an
approval a call could not get (denied), a site's robots.txt and a path outside the
session's allowed working directories (permission), a fuzzy edit with no close match and an
anchor "not found in the file. No changes made." (edit_mismatch), a called name missing from
the tool registry (unknown_tool), a tool's own argument checks (invalid_args), the code
execution tool's time limit (timeout) and git's missing source (not_found).  Each string is a
real program's text (its source in the comment above it); the guards keep the same words in
other text from being read so."""

from __future__ import annotations

import pytest

from metricsd.core.facts import tool_error_label


@pytest.mark.parametrize(("text", "label"), [
    # badlogic/pi-mono packages/agent/src/agent-loop.ts (beforeToolCall hook's default reason)
    ("Tool execution was blocked", "denied"),
    # shareAI-lab/Kode-cli src/utils/permissions/bashToolPermissionEngine.ts
    ("Dangerous rm operation detected: '/usr'\n\nThis command would remove a critical system "
     "directory. This requires explicit approval and cannot be auto-allowed by permission rules.",
     "denied"),
    # openclaw/openclaw#66524
    ("INVALID_REQUEST: SYSTEM_RUN_DENIED: approval cannot safely bind this interpreter/runtime "
     "command", "denied"),
    # tailcallhq/forgecode crates/forge_services/src/tool_services/fetch.rs
    ("URL https://example.com/admin/page cannot be fetched due to robots.txt restrictions",
     "permission"),
    # shareAI-lab/Kode-cli bashToolPermissionEngine.ts
    ("rm in '/etc/hosts' was blocked. For security, Kode may only remove files from the allowed "
     "working directories for this session: /home/user/project.", "permission"),
    # Claude Code, quoted in runs found by code search
    ("ls in '/Applications' was blocked. For security, Claude Code may only list files in the "
     "allowed working directories for this session: '/work/app'.", "permission"),
    # can1357/oh-my-pi packages/coding-agent/src/core/tools/edit-diff.ts
    ("Could not find a close enough match in src/index.ts.", "edit_mismatch"),
    # Doriandarko/claude-engineer tools/diffeditortool.py
    ("'def main():' not found in the file. No changes made.", "edit_mismatch"),
    # kagent-dev/kagent#1061 (google/adk-python functions.py, a name with leaked channel tokens)
    ("Function k8s_get_resources<|channel|>commentary is not found in the tools_dict.",
     "unknown_tool"),
    # canvascomputing/agentwerk crates/agentwerk/src/prompts/directives/fetch_url.md
    ("`url` names no scheme. Write the full address, starting with https://.", "invalid_args"),
    ("Scheme `ftp` cannot be fetched. Use http or https.", "invalid_args"),
    ("`url` carries embedded credentials, which are never sent. Remove the part before the @.",
     "invalid_args"),
    # nodejs/undici lib/web/fetch/request.js
    ("TypeError: Request cannot be constructed from a URL that includes credentials: "
     "https://user:pw@example.com/", "invalid_args"),
    # Node's fetch (undici) and Chromium's Request constructor, quoted in code found by search
    ("TypeError: Failed to parse URL from /api/v1/setup/status", "invalid_args"),
    # shareAI-lab/Kode-cli TodoWriteTool.tsx; a Go agent's TodoManager found by code search
    ("Only one task can be in_progress at a time", "invalid_args"),
    ("only one task can be in_progress at a time", "invalid_args"),
    # can1357/oh-my-pi packages/coding-agent/src/core/tools/git.ts
    ("Git commit requires a message to avoid an interactive editor. Provide `message`.",
     "invalid_args"),
    # can1357/oh-my-pi packages/coding-agent/src/core/tools/ssh.ts
    ("Unknown SSH host: staging. Available hosts: dev, prod", "invalid_args"),
    # anthropic docs agents-and-tools/tool-use/code-execution-tool (error_code)
    ("code_execution_exceeded", "timeout"),
    # git builtin/mv.c (captured here: git mv nothere.txt y.txt)
    ("fatal: bad source, source=nothere.txt, destination=y.txt", "not_found"),
    # zcaceres/fetch-mcp src/Fetcher.ts (the page came; its conversion failed)
    ("Failed to fetch https://example.com: Conversion error", "other"),
])
def test_round34_wording(text: str, label: str) -> None:
    assert tool_error_label(text) == label


@pytest.mark.parametrize(("text", "label"), [
    # an agent-guard policy skill found by code search (DENIED: ...): read so before too
    ("The tool call was blocked by policy.", "denied"),
    # A provider's safety check, not the user's policy (a recovery classifier's fixture).
    ("This tool call was blocked by OpenAI's safety checks.", "other"),
    # modelcontextprotocol/servers src/fetch (robots.txt unreadable: a network failure)
    ("Failed to fetch robots.txt https://www.example.com/robots.txt due to a connection issue",
     "network"),
    # A missing file named with "no changes made" stays a missing file.
    ("File not found: src/app.py. No changes made.", "not_found"),
])
def test_round34_guard(text: str, label: str) -> None:
    assert tool_error_label(text) == label
