"""Tool-error kinds from batches 115-122, read by meaning in the wordings of other tools:
each string a real program's or agent's text (source in the comment), labelled by what it
means.  The strings that fail on main are the point; the guards keep what was right."""

import pytest

from metricsd.core.facts import tool_error_label


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # An edit block whose parser names the marker it expected (the markers make no
        # words): Aider-AI/aider aider/coders/editblock_coder.py; entropy-research/Devon
        # devon_agent/tools/editorblock.py.
        ("Expected `=======`", "invalid_args"),
        ("Expected `>>>>>>> REPLACE` or `=======`", "invalid_args"),
        ("<<<<<<< SEARCH\nfoo = 1\n^^^ Expected `=======`", "invalid_args"),
        ("Expected `>>>>>>> REPLACE` not `=======", "invalid_args"),
        # ... and other parse failures of an edit block: Devon (Error parsing SEARCH/REPLACE
        # block; Missing filename; No closing fence found), aider (Bad/missing filename),
        # Doriandarko/claude-engineer Claude-Eng-v2/main.py, MervinPraison/PraisonAI
        # praisonaiagents/tools/edit_tools.py.
        ("<<<<<<< SEARCH\nfoo\n^^^ Error parsing SEARCH/REPLACE block: bad marker",
         "invalid_args"),
        ("Missing filename", "invalid_args"),
        ("No closing fence found", "invalid_args"),
        ("Bad/missing filename. The filename must be alone on the line before the opening "
         "fence ```", "invalid_args"),
        ("AI response does not contain any <SEARCH> blocks", "invalid_args"),
        ("Error: Empty hunk in update for 'src/app.py'", "invalid_args"),
        # An edit that would change nothing, a range past the file's end:
        # charmbracelet/crush internal/agent/tools/edit.go, multiedit.go,
        # lsp_replace_symbol.go.
        ("new content is the same as old content. No changes made.", "invalid_args"),
        ("no changes made - all edits resulted in identical content", "invalid_args"),
        ("symbol range exceeds file length", "invalid_args"),
        # CPython Lib/argparse.py, captured here (python3 -c 'argparse ... parse_args').
        ("prog: error: argument --count: expected one argument", "invalid_args"),
        ("prog: error: argument --n: expected at least one argument", "invalid_args"),
        ("prog: error: argument --n: expected at most one argument", "invalid_args"),
        ("prog: error: argument --n: expected 2 arguments", "invalid_args"),
        ("prog: error: argument --x: ignored explicit argument 'y'", "invalid_args"),
        ("prog: error: ambiguous option: --c could match --count, --color", "invalid_args"),
        ("prog: error: unexpected option string: --x", "invalid_args"),
        # A tool's check of the shape of its arguments: evalstate/fast-agent
        # filesystem_tool_args.py; aphrodite-engine tool_parsers/utils.py; trycua/cua
        # browser-sdk-commands.ts; OpenBMB/ChatDev uv_related.py; agnaistic/agnai.
        ("Error: arguments must be a dict", "invalid_args"),
        ("Tool call arguments must be literals", "invalid_args"),
        ("arguments must be a JSON array", "invalid_args"),
        ("extra args must be flags, got --x", "invalid_args"),
        ("volume parameter out of range 200", "invalid_args"),
        # JetBrains/koog: a value the call left out is no missing file.
        ('Required tool argument value not found: "path"', "invalid_args"),
        # A value outside the list the tool then gives: cased/kit priority_utils.py;
        # MervinPraison/PraisonAI thinking.py, jobs/router.py; cline/cline createHook.ts.
        ("Invalid priority levels: ['critical']. Valid levels: ['high', 'medium', 'low']",
         "invalid_args"),
        ("Invalid level: debug2. Valid levels: off, low, medium, high", "invalid_args"),
        ("Invalid status: done. Valid values: ['queued', 'running']", "invalid_args"),
        # modelcontextprotocol/servers src/git/src/mcp_server_git/server.py.
        ("Invalid end_timestamp: '-1' - cannot start with '-'", "invalid_args"),
        # modelcontextprotocol/servers src/everything/tools/gzip-file-as-resource.ts.
        ("Response from https://example.com/big.bin exceeds 10485760 bytes", "too_large"),
        # embabel/embabel-agent hitl/ConfirmationRequest.kt (the other word order).
        ("Rejected confirmation request: Delete 3 files", "denied"),
        # microsoft/agent-framework python/samples/02-agents/middleware.
        ("Request was blocked by security middleware", "denied"),
        # dnakov/anon-kode BashTool.tsx's guard, under another product's name and wording
        # of the allowed directories.
        ("ERROR: cd to '/etc' was blocked. For security, Acme Agent may only change "
         "directories to the allowed working directories for this session.", "permission"),
        # A path past the base directory a tool may touch: modelcontextprotocol/python-sdk
        # mcp/shared/path_security.py; agentscope-ai/agentscope bubblewrap workspace manager.
        ("PathEscapeError: Path ../../etc/passwd escapes base /srv/app", "permission"),
        ("Bubblewrap workdir escapes basedir.", "permission"),
        # Not the kinds their words suggest: an ignore file the tool could not parse
        # (entropy-research/Devon), a conversation message's shape (inngest/agent-kit), the
        # type check of a result generated code returned (sinaptik-ai/pandas-ai), CPython's
        # own TypeError in code a tool ran.
        ("Error parsing .gitignore file: [Errno 21] Is a directory: '.gitignore'", "other"),
        ("Tool call message must have at least one tool", "other"),
        ("pandasai.exceptions.InvalidOutputValueMismatch: Value must match with type string",
         "other"),
        ("exec() arg 1 must be a string, bytes or code object", "other"),
    ],
)
def test_round21_kinds(text: str, label: str) -> None:
    assert tool_error_label(text) == label


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # Guards, right on main and here: a missing fence with a multiline argument
        # (Devon), argparse's own other wordings, a rejected call, a blocked ignore-file
        # path, a compiler's count of a function's arguments (TypeScript TS2554, as the
        # older 'expected ... but got' row reads it), a diff marker that was not found
        # (Roo-Code multi-search-replace.ts: an edit mismatch, as the contract says).
        ("No closing fence (>>>) found for multiline argument.", "invalid_args"),
        ("prog: error: unrecognized arguments: --zz", "invalid_args"),
        ("prog: error: argument --mode: invalid choice: 'c' (choose from 'a', 'b')",
         "invalid_args"),
        ("Confirmation request rejected: Delete 3 files", "denied"),
        ("Access to src/x.py is blocked by the .gitignore file", "permission"),
        ("ERROR: Unexpected end of sequence: Expected '>>>>>>> REPLACE' was not found.",
         "edit_mismatch"),
        ("Invalid API key. Please provide a valid API key.", "other"),
        # CPython's own TypeErrors in code a tool ran; cline createHook.ts and mcp-server-git
        # (right on main by other rows).
        ("TypeError: super() argument 1 must be type, not None", "other"),
        ("TypeError: update expected at most 1 arguments, got 2", "other"),
        ('Invalid hook type: "PreCommit". Valid hook types are: PreToolUse, PostToolUse',
         "invalid_args"),
        ("Invalid target: '--output=/tmp/x' - cannot start with '-'", "invalid_args"),
        ("File is too large (1048577 bytes). Maximum size is 262144 bytes", "too_large"),
    ],
)
def test_round21_guards(text: str, label: str) -> None:
    assert tool_error_label(text) == label
