"""Tool-error wordings of the kinds held-out set 4 missed, read by what they mean, each also
in another program's wording where one was found: a tool the session does not offer now
(unknown_tool), an MCP tool the host blocked (denied), edit-block failure codes and
search/replace blocks of which none applied (edit_mismatch), a database role the user is not
a member of, a system directory, a directory not accessible, a path outside the app
(permission), things that are not there: a jar file, a manual page, a toolchain, a POM, a
user (not_found), and a shell tool's own argument checks and command-line argument errors
(invalid_args).  Each string is a real program's text (its source in the comment above it);
the guards keep the same words in other text from being read so."""

from __future__ import annotations

import pytest

from metricsd.core.facts import tool_error_label


@pytest.mark.parametrize(("text", "label"), [
    # CodebuffAI/codebuff backend (the streaming variant of the tool-executor message)
    ("Tool `read_files` is not currently available. Make sure to only use tools provided at "
     "the start of the conversation AND that you most recently have permission to use.",
     "unknown_tool"),
    # hAcKlyc/MyAgents#73
    ("MCP tool blocked: mcp__claude_ai_Notion__notion-search - MCP 工具已被禁用", "denied"),
    # BrokkAi/brokk app/src/main/java/ai/brokk/EditBlock.java (EditBlockFailureReason)
    ("NO_MATCH", "edit_mismatch"),
    ("AMBIGUOUS_MATCH", "edit_mismatch"),
    # a Python edit tool found by code search (_tool_error_response)
    ("[TOOL_ERROR: EDIT_FILE_NO_BLOCKS_APPLIED]\nNo SEARCH/REPLACE blocks could be applied.",
     "edit_mismatch"),
    # PostgreSQL acl.c (ALTER TABLE ... OWNER TO a role the user is not a member of)
    ('ERROR:  must be member of role "new_user"', "permission"),
    # cockroachdb/cockroach pkg/sql (ALTER ... OWNER TO)
    ('pq: current user must be member of role "admin"', "permission"),
    # supabase/cli#3823 (PostgreSQL 16 check_can_set_role)
    ('ERROR: must be able to SET ROLE "supabase_admin" (SQLSTATE 42501)', "permission"),
    # BeehiveInnovations/pal-mcp-server utils/file_utils.py
    ("Access to system directory denied: /etc", "permission"),
    # tumf/mcp-shell-server src/mcp_shell_server/directory_manager.py
    ("Error executing command: Directory is not accessible: /root", "permission"),
    # dyad-sh/dyad src/ipc/utils/path_utils.ts
    ("Cannot modify files outside the app: ../shared/config.ts", "permission"),
    # mandoc main.c, captured from a BSD man
    ("No entry for nosuchcmd in the manual.", "not_found"),
    # man-db src/man.c, captured here (man nosuchcmd)
    ("No manual entry for nosuchcmd", "not_found"),
    # OpenJDK launcher, captured here (java -jar nofile.jar)
    ("Error: Unable to access jarfile nofile.jar", "not_found"),
    # rust-lang/rustup, captured here (rustup toolchain uninstall nosuch-toolchain)
    ("info: no toolchain installed for 'nosuch-toolchain'", "not_found"),
    # apache/maven MissingProjectException, captured here (mvn -o -q nosuchgoal)
    ("[ERROR] The goal you specified requires a project to execute but there is no POM in "
     "this directory (/tmp/hj/s). Please verify you invoked Maven from the correct directory.",
     "not_found"),
    # lsof, captured here (lsof -u nosuchuser)
    ("lsof: can't get UID for nosuchuser", "not_found"),
    # livekit/agents-js agents/src/workflows/warm_transfer.ts
    ("caller hung up before the transfer completed", "canceled"),
    # Asterisk app_directory (DIRECTORY_RESULT HANGUP)
    ("HANGUP - The channel hung up before the application finished", "canceled"),
    # tumf/mcp-shell-server src/mcp_shell_server/command_validator.py
    ("Unexpected shell operator: |", "invalid_args"),
    # lsof and procps ps, captured here (lsof -p abc; ps -p abc; ps --nosuchopt)
    ("lsof: illegal process ID: abc", "invalid_args"),
    ("error: process ID list syntax error", "invalid_args"),
    ("error: unknown gnu long option", "invalid_args"),
    # GNU bash builtins/source.def, captured here (bash -c '.')
    ("bash: line 1: .: filename argument required", "invalid_args"),
    # tumf/mcp-text-editor src/mcp_text_editor/text_editor.py
    ("Line number 120 is beyond end of file (total lines: 87)", "invalid_args"),
    # systemd journalctl, captured here (journalctl --since foo --no-pager)
    ("Failed to parse timestamp: foo", "invalid_args"),
    # dyad-sh/dyad search_replace_processor.ts: the block does not parse, no failed match
    ("Failed to apply search-replace: Invalid diff format - empty SEARCH block is not allowed",
     "invalid_args"),
])
def test_round36_wording(text: str, label: str) -> None:
    assert tool_error_label(text) == label


@pytest.mark.parametrize(("text", "label"), [
    # OpenJDK launcher: a jar that is there but unreadable is no missing jar
    ("Error: Invalid or corrupt jarfile app.jar", "other"),
    # git parse-options: an ambiguous option is no edit that matched twice
    ("error: ambiguous option: ver (could be --verbose or --version)", "invalid_args"),
])
def test_round36_guard(text: str, label: str) -> None:
    assert tool_error_label(text) == label
