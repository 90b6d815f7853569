"""Tool-error wordings of coding agents, MCP clients and servers, web-fetch tools and shells
that the corpus did not draw on before round 29, each read by what it means: an MCP
client whose link to its server is down, a tool or command outside the agent's allow-list,
a rule or hook that blocked the call, a lookup in the past tense, a file outside the set the
tool was given, sudo's refusals, an HTTP client's cap on the body it reads, and the cause a
wrapper program names (coreutils timeout, fish).  Each string is a real program's text (its
source in the comment above it); the guards below keep the same words in other text from
being read so."""

from __future__ import annotations

import pytest

from metricsd.core.facts import tool_error_label


@pytest.mark.parametrize(("text", "label"), [
    # An MCP client whose connection to its server is down when the call is made.
    # modelcontextprotocol/typescript-sdk src/client/sse.ts and src/shared/protocol.ts
    ("Not connected", "network"),
    # agentscope-ai/agentscope src/agentscope/mcp/_mcp_client.py
    ("MCP 'github' is not connected. Call connect() first.", "network"),
    # glowingjade/obsidian-smart-composer src/core/mcp/mcpManager.ts (name filled in)
    ("MCP server github is not connected", "network"),
    # an MCP client found by code search (`MCP server is not connected: ${server}.`)
    ("MCP server is not connected: github.", "network"),
    # modelcontextprotocol/rust-sdk crates/rmcp, as Codex reports it
    ("Transport closed", "network"),
    # a Rust app-server client found by code search (bail!("transport closed before turn
    # completed"))
    ("transport closed before turn completed", "network"),
    # Cursor's MCP log (BrowserMCP/mcp#9, GLips/Figma-Context-MCP#77)
    ("Error in MCP: Client closed", "network"),
    # WebKit's fetch (Safari, iOS): every failed fetch
    ("TypeError: Load failed", "network"),
    # A tool or command the agent's settings do not allow.
    # google-gemini/gemini-cli packages/core/src/tools/shell.test.ts
    ('Command "echo "foo" && ls -l" is not in the list of allowed tools for non-interactive '
     "mode.", "denied"),
    # an agents' tool gate found by code search (cause: { allowedTools, requestedTool })
    ("Tool 'web_fetch' is not in the list of allowed tools", "denied"),
    # a Python validator found by code search (reason_code TOOL_ACCESS_DENIED)
    ("Tool 'shell' is not in the list of allowed tools for agent 'reviewer'.", "denied"),
    # hashicorp/terraform-mcp-server pkg/client/org_allowlist_tool_middleware.go (log line)
    ('Rejecting tool call "search_modules": organization "acme" is not in the configured '
     "allowlist", "denied"),
    # A rule or a hook the user set up stopped the call.
    # sst/opencode permission DeniedError, as transcripts found by code search quote it
    ("Error: The user has specified a rule which prevents you from using this specific tool "
     'call. Here are some of the relevant rules [{"permission":"*","pattern":"*","action":'
     '"allow"}]', "denied"),
    # Claude Code hooks, as transcripts found by code search quote them
    ("PreToolUse:Bash hook returned blocking error", "denied"),
    ("PostToolUse:Write hook returned blocking error", "denied"),
    # A lookup in the past tense.
    # voideditor/void src/vs/workbench/contrib/void/browser/toolsService.ts
    ("Kill Terminal: Terminal with ID 3 did not exist.", "not_found"),
    # smallcloudai/refact refact-agent/engine/src/tools (paths filled in)
    ("Failed to Add: /w/a/b.txt; Its parent dir /w/a did not exist and attempt to create it "
     "failed.", "not_found"),
    # The cause a wrapper program names: captured here (GNU coreutils timeout 1 x, exit 127;
    # fish 3.6 -c x)
    ("timeout: failed to run command \u2018nosuchcmd_xyz\u2019: No such file or directory",
     "not_found"),
    ("fish: Unknown command: nosuchcmd_xyz", "not_found"),
    # A file outside the set the tool was given.
    # microsoft/vscode-copilot-chat src/extension/tools/node/editFileToolUtils.tsx
    ("File /w/src/other.ts is not in the set of allowed files for this edit request.",
     "permission"),
    # sudo plugins/sudoers, as transcripts found by code search quote it
    ("evan is not in the sudoers file.  This incident will be reported.", "permission"),
    ("Sorry, user alice may not run sudo on host.", "permission"),
    ("Sorry, user alice is not allowed to execute '/bin/ls' as root on host.", "permission"),
    # An HTTP client's cap on the body it reads: axios lib/adapters/http.js, as a WebFetch
    # tool result in a public agent transcript found by code search quotes it
    ("Error: maxContentLength size of 10485760 exceeded", "too_large"),
    # An argument's type check that names the occurrences it would replace is not an edit
    # mismatch: smallcloudai/refact update_textdoc
    ("Error: The 'multiple' argument must be a boolean (true/false) indicating whether to "
     "replace all occurrences, but received: yes", "invalid_args"),
    # nor are settings a program failed to apply: smallcloudai/refact integrations
    ("failed to apply settings: invalid YAML", "other"),
])
def test_kind(text: str, label: str) -> None:
    assert tool_error_label(text) == label


@pytest.mark.parametrize(("text", "label"), [
    # nanobrowser/nanobrowser chrome-extension/src/background/browser/page.ts (corpus: other)
    ("Puppeteer page is not connected", "other"),
    # gemini-cli sandboxedFileSystemService.ts: a path, not a tool (corpus: permission)
    ("Access denied: Path '/etc/passwd' is outside the workspace and not in allowed paths.",
     "permission"),
    # already read: the MCP fetch server's robots.txt refusal and Amazon Q's denial
    ("Tool use was denied by the user.", "denied"),
    ("Tool use was cancelled by the user", "canceled"),
    # a provider or app account the setup lacks is not a lost link
    ("WhatsApp is not connected. Add your Phone Number ID and access token first.", "other"),
])
def test_guard(text: str, label: str) -> None:
    assert tool_error_label(text) == label


def test_not_a_choice() -> None:
    # a value outside an argument's choices is not a tool the settings do not allow
    assert tool_error_label("Value 'x' is not in the list of allowed values") != "denied"
