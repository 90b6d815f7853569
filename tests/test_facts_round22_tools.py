"""Tool-error kinds from batches 123-130 and their wordings elsewhere: each string a real
program's or agent's text (source in the comment), labelled by what it means.  Most are a
tool's own checks of its arguments worded without "invalid" or "required": a bound, a
range, a shape, a choice the call broke."""

import pytest

from metricsd.core.facts import tool_error_label


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # A bound written as a comparison with another argument, or as a range:
        # langchain-ai/open-swe agent/tools/add_finding.py; OpenBMB/ChatDev file.py;
        # DimazzzZ/openrouter-intellij-plugin; kyegomez/swarms tools/computer_use.py.
        ("end_line must be >= start_line", "invalid_args"),
        ("end_line must be >= start_line - 1", "invalid_args"),
        ("End port must be >= start port", "invalid_args"),
        ("timeout must be in [1, 600]", "invalid_args"),
        ("limit must be in range [1, 100]", "invalid_args"),
        # anthropics/claude-quickstarts computer-use-demo (vendored by Arize-ai/phoenix);
        # OpenInterpreter/open-interpreter computer.py and display.py.
        ("Coordinates 4000, 3000 are out of bounds", "invalid_args"),
        ("Invalid quadrant. Choose between 1 and 4.", "invalid_args"),
        # OpenBMB/ChatDev functions/function_calling/file.py.
        ("start_line is beyond the total number of lines in the file", "invalid_args"),
        ("edit ranges overlap; merge them before calling apply_text_edits", "invalid_args"),
        ("each edit entry must be a mapping object", "invalid_args"),
        ("Set recursive=True to delete directories", "invalid_args"),
        ("Provide exactly one of module or script", "invalid_args"),
        ("unsafe characters detected in package spec requests;rm", "invalid_args"),
        ("flags are not allowed in packages list: --index-url", "invalid_args"),
        # 64bit/async-openai (the same check in a client library's docs).
        ("Provide exactly one of `image_url` or `file_id`.", "invalid_args"),
        # kyegomez/swarms computer_use.py, base_tool.py, handoffs_tool.py.
        ("unknown mode 'replace'", "invalid_args"),
        ("/home/user/project/build is a directory; pass recursive=True to remove",
         "invalid_args"),
        ("argv has 300 tokens; cap is 256", "invalid_args"),
        ("glob '-rf' starts with '-' (flag injection risk)", "invalid_args"),
        ("Item parameter cannot be None", "invalid_args"),
        ("Error: handoffs must be a list of handoff requests.", "invalid_args"),
        # CoplayDev/unity-mcp; BrainBlend-AI/atomic-agents datetime_tool.py;
        # Doriandarko/claude-engineer; Cerebras/cerebras-cloud-sdk-python.
        ("Unknown mode 'x'. Valid: a, b", "invalid_args"),
        ("Unknown operation 'subtract'.", "invalid_args"),
        ("import_settings must be a dict, got str", "invalid_args"),
        ("Error: Each file must be a dictionary with 'path' and 'instructions'.",
         "invalid_args"),
        ("max_retries cannot be None. If you want to disable retries, pass `0`",
         "invalid_args"),
        # The same kinds in other tools (not in the corpus): agno-agi/agno; bhauman/clojure-mcp;
        # CoplayDev/unity-mcp manage_script_edits; agent0ai/agent-zero.
        ("Provide exactly one of agent_id, team_id, or workflow_id", "invalid_args"),
        ("Provide exactly one of :content or :file-path", "invalid_args"),
        ("Edits must be a list or JSON string of a list, got str", "invalid_args"),
        ("Error: Branch parameter is empty. Please provide a valid branch name.",
         "invalid_args"),
        # Arize-ai/phoenix; Skyvern-AI/skyvern; OpenHands/software-agent-sdk;
        # VRSEN/agency-swarm; Intelligent-Internet/ii-agent; PrefectHQ/ControlFlow;
        # browserbase/stagehand; NVIDIA/NeMo-Agent-Toolkit.
        ("x must be a tuple of length 2", "invalid_args"),
        ("files must be a JSON array", "invalid_args"),
        ("plan_path must be an absolute path, got: /x", "invalid_args"),
        ("Start date must be before end date.", "invalid_args"),
        ("indented_new_str should not be None", "invalid_args"),
        ("Time cannot be zero.", "invalid_args"),
        ("quality is only valid for jpeg screenshots", "invalid_args"),
        ("run requires exactly one of code or actions", "invalid_args"),
        ("since must be in ISO 8601 format: YYYY-MM-DDTHH:MM:SSZ", "invalid_args"),
        ("Remote file exceeds max inline size (500 bytes)", "too_large"),
        # HolmesGPT/holmesgpt; IBM/ibm-watsonx-orchestrate-adk; AstrBotDevs/AstrBot
        # cron_tools.py; NVIDIA/NeMo-Agent-Toolkit.
        ("At least one of the following argument is expected but none were set: namespace",
         "invalid_args"),
        ("Error: Incorrect date format 2026/01/01, should be YYYY-MM-DD", "invalid_args"),
        ("error: run_at must be ISO datetime, e.g., 2026-02-02T08:00:00+08:00", "invalid_args"),
        ("ERROR: Tool search requires a valid query. Provide a specific search term to "
         "continue.", "invalid_args"),
        # More of the same, from other agents' tools: xorbitsai/inference; mudler/LocalAI;
        # rikkahub/rikkahub (an action value with its choices); agno-agi/agno;
        # danny-avila/agents; kyegomez/swarms.
        ("top_p must be in (0, 1]", "invalid_args"),
        ("min_replicas must be <= max_replicas", "invalid_args"),
        ("unknown action: rename, must be one of [create, edit, delete]", "invalid_args"),
        ("File is 900000 bytes, exceeds max_read_size (100000). Use download_file instead.",
         "too_large"),
        ("Refusing to embed image attachment (9000000 bytes exceeds 5000000-byte cap).",
         "too_large"),
        ("Input parameter cannot be None", "invalid_args"),
        # CoplayDev/unity-mcp; IBM/watsonx-ai-java-sdk; Arize-ai/phoenix.
        ("aniso_level must be 0-16, got 20", "invalid_args"),
        ("color values must be numbers, got str", "invalid_args"),
        ("replace_range out of bounds", "invalid_args"),
        ("Output path cannot be null", "invalid_args"),
        ("ID must be numeric", "invalid_args"),
        # zhayujie/chatgpt-on-wechat env_config.py: an action value with its choices listed.
        ("Error: Unknown action 'rename'. Use 'set', 'get', 'list', or 'delete'.",
         "invalid_args"),
        # zhayujie/chatgpt-on-wechat scheduler_tool.py (missing task name).
        ("错误: 缺少任务名称 (name)", "invalid_args"),
        ("错误: 缺少调度类型 (schedule_type)", "invalid_args"),
        ("错误: 缺少任务ID (task_id)", "invalid_args"),
        ("错误: 必须提供 message\uff08固定消息\uff09或 ai_task\uff08AI任务\uff09之一",
         "invalid_args"),
        ("错误: message 和 ai_task 只能提供其中一个", "invalid_args"),
        # langchain-ai/open-swe add_finding.py and search_repo_code.py.
        ("Invalid severity: urgent", "invalid_args"),
        ("query rejected by GitHub code search", "invalid_args"),
        # AstrBotDevs/AstrBot knowledge_base_tools.py; QwenLM/Qwen-Agent base.py, storage.py.
        ("error: Query parameter is empty.", "invalid_args"),
        ("error: messages parameter is empty or invalid.", "invalid_args"),
        ("Parameters must be formatted as a valid JSON!", "invalid_args"),
        ("Scan Failed: The scan operation requires passing in a folder path as the key.",
         "invalid_args"),
        # neovateai/neovate-code src/tools/bash.ts; chatchat-space/Langchain-Chatchat
        # url_reader.py.
        ("Could not identify command root.", "invalid_args"),
        ("No URL", "invalid_args"),
        # Command lines a program refused, captured here (node, curl, GNU grep, jq, expr, bash).
        ("node: bad option: --nosuchflag", "invalid_args"),
        ("curl: option --nosuchflag: is unknown", "invalid_args"),
        ("grep: Unmatched [, [^, [:, [., or [=", "invalid_args"),
        ("grep: Unmatched ( or \\(", "invalid_args"),
        ("jq: error: syntax error, unexpected $end (Unix shell quoting issues?) at "
         "<top-level>, line 1:\n.a[  \njq: 1 compile error", "invalid_args"),
        ("expr: non-integer argument", "invalid_args"),
        ("bash: line 1: exit: abc: numeric argument required", "invalid_args"),
        ("bash: line 1: [: a: integer expression expected", "invalid_args"),
        ("timeout: invalid time interval \u2018abc\u2019", "invalid_args"),
        # The agent's own lists and rules: kyegomez/swarms computer_use.py; AstrBotDevs/AstrBot;
        # langchain-ai/open-swe admin_gate.py.
        ("path /home/user/project/.env is on the deny-list", "denied"),
        ("binary 'curl' is not on the allow-list", "denied"),
        ("argv contains forbidden substring 'rm -rf'", "denied"),
        ("Template contains forbidden pattern (exec).", "denied"),
        ("Only workspace admins can manage environments.", "denied"),
        # The agent's own guards in other agents: MervinPraison/PraisonAI; coder/mux;
        # bosun-ai/swiftide; NVIDIA/NeMo-Agent-Toolkit.
        ("Action denied: delete_file", "denied"),
        ("Capability denied", "denied"),
        ("This tool call was refused", "denied"),
        ("Input blocked: security verification unavailable", "denied"),
        ("PermissionMode.DONT_ASK: auto-denied prompt for shell", "denied"),
        # ThinkInAIXYZ/deepchat: a working directory outside what the workspace allows.
        ("Working directory is not allowed: /etc", "permission"),
        # HolmesGPT/holmesgpt; bhauman/clojure-mcp; MervinPraison/PraisonAI.
        ("File arguments are not allowed - tr can only process piped input", "invalid_args"),
        ("Error parameter must be number: timeout_ms", "invalid_args"),
        ("Error: Empty hunk in update for src/a.py", "invalid_args"),
        # The OS or a workspace boundary: git setup.c (captured here); swarms; ChatDev.
        ("fatal: detected dubious ownership in repository at '/tmp/tr/repo'", "permission"),
        ("cwd /tmp/work is outside /home/user/project and not in []", "permission"),
        ("Modifications to the attachments directory are not allowed", "permission"),
        # Size caps: bytedance/deer-flow sandbox/tools.py; langchain-ai/open-swe
        # http_request.py; swarms; EricLBuehler/mistral.rs; curl (63), captured here.
        ("Error: write_file content (2097152 bytes) exceeds the 1048576-byte single-call "
         "limit.", "too_large"),
        ("Response exceeded the inline limit and could not be saved to the sandbox",
         "too_large"),
        ("'old' exceeds content size cap", "too_large"),
        ("exceeds max output size (2000000 bytes; cap is 1000000 bytes)", "too_large"),
        ("curl: (63) Maximum file size exceeded", "too_large"),
        # kyegomez/swarms; GNU patch (captured here).
        ("match count mismatch", "edit_mismatch"),
        ("checking file t.txt\nReversed (or previously applied) patch detected!  Assume -R? "
         "[n] \nApply anyway? [n]", "edit_mismatch"),
        # GNU wget (captured here); langchain-ai/open-swe fetch_url.py.
        ("HTTP request sent, awaiting response... No data received.", "network"),
        ("Fetch URL error: no response received", "network"),
        # microsoft/RD-Agent rdagent/utils/env.py.
        ("The running time exceeds 3600 seconds, so the process is killed.", "timeout"),
        # coze-dev/coze-studio errno/workflow.go.
        ("workflow cancel by user", "canceled"),
        # AstrBotDevs/AstrBot astr_agent_tool_exec.py (unknown method name).
        ("未知的方法名: search_web", "unknown_tool"),
        # modelscope/ms-agent filesystem_tool.py; Kuberwastaken/claurst.
        ("rg exited 2", "exit_nonzero"),
        ("Plugin 'fmt' hook exited 1 (non-blocking)", "exit_nonzero"),
        # Other: what the tool fetched or read, a file's format, a program's own failure.
        # alvinunreal/tmuxai web_fetch.go; langchain-ai/open-swe read_repo_file.py;
        # Codium-ai/cover-agent; AstrBotDevs/AstrBot file_read_utils.py.
        ("cannot fetch: unsupported content type (PDF)", "other"),
        ("unsupported content type for docs/logo.png", "other"),
        ("File read 'src/app.py' failed: Unsupported encoding.", "other"),
        ("Error reading file: binary files are not supported by this tool.", "other"),
        # kyegomez/swarms handoffs_tool.py; AstrBotDevs/AstrBot; microsoft/RD-Agent.
        ("Error: No agent registry provided. Handoffs are not configured.", "other"),
        ("Tool must have a valid handler or override 'run' method.", "other"),
        ("Context7: Documentation search failed or no results found", "other"),
        # Captured here: CPython, make, unzip, bash with ulimit -n, sqlite3 (unreadable dir).
        ("json.decoder.JSONDecodeError: Expecting ',' delimiter: line 2 column 1 (char 7)",
         "other"),
        ("tomllib.TOMLDecodeError: Invalid value (at end of document)", "other"),
        ("Makefile2:2: *** missing separator.  Stop.", "other"),
        ("End-of-central-directory signature not found.  Either this file is not\n  a "
         "zipfile, or it constitutes one disk of a multi-part archive.", "other"),
        ("bash: line 1: /dev/null: Too many open files\ncat: error while loading shared "
         "libraries: libc.so.6: cannot open shared object file: Error 24", "other"),
        ('Error: unable to open database "/tmp/tr/ro/new.db": unable to open database file',
         "other"),
    ],
)
def test_round22_tool_kinds(text: str, label: str) -> None:
    assert tool_error_label(text) == label


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # Guards, right on main and here: a bare unknown action is an unknown tool
        # (stuartcrobinson/slupe#8); an exit status 0 is no failure; a path kept inside the
        # workspace is a permission; a timeout is not a size cap; a rate is not a size.
        ("Unknown action: str_replace", "unknown_tool"),
        # AgentOps-AI/agentops: a role check that says "Permission denied" keeps its word.
        ("Permission denied. Only owners and admins can manage licenses.", "permission"),
        ("Hook exited 0", "other"),
        ("path /etc/passwd is outside workspace /home/user/project", "permission"),
        ("Error: Output exceeded the time limit of 30 seconds", "timeout"),
        ("Invalid token: expired", "other"),
        ("Invalid response: 502 Bad Gateway", "other"),
        # Python's own errors in the code a tool ran stay other (batch 123, captured here).
        ("ValueError: invalid literal for int() with base 10: 'abc'", "other"),
        ("IndexError: list index out of range", "other"),
        ("cp: -r not specified; omitting directory 'sub'", "other"),
        # CPython's call-syntax TypeError in code a tool ran (FoundationAgents/MetaGPT data);
        # an agent that answered nothing (IBM/ibm-watsonx-orchestrate-adk) is no network.
        ("TypeError: CompletionUsage() argument after ** must be a mapping, not NoneType",
         "other"),
        ("No response received from agent. The agent may have failed to generate a response.",
         "other"),
        # HolmesGPT/holmesgpt: an allowlist of the agent's (denied, as on main).
        ("Command is not in the allowlist", "denied"),
        # A search with no results stays not_found as on main (huggingface/smolagents);
        # Tangerg/lynx: an override the call must fill stays an argument.
        ("No results found for 'metricsd'", "not_found"),
        ("tool argument override must contain at least one argument", "invalid_args"),
        # Kochava-Studios/witsy; aws/amazon-q-developer-cli: a context or a name over its
        # length is no output over a tool's cap.
        ("Context length exceeded (max 128000 tokens)", "other"),
        ("tool name exceeds max length of 64 when combined with server name", "other"),
        # A program's own exception or assertion stays other (corpus batches 64 and 70).
        ("I encountered an error while trying to use the tool. This was the error: string "
         "indices must be integers, not 'str'.", "other"),
        ("java.lang.IllegalArgumentException: text cannot be null", "other"),
        ("AssertionError: status must be 200, got 500", "other"),
        # VRSEN/agency-swarm: a redirect budget is no size cap.
        ("Exceeded max redirects (5) while downloading: https://example.com/f", "other"),
        ("Error: /home/user/project/src is a directory; use list_directory", "other"),
    ],
)
def test_round22_guards(text: str, label: str) -> None:
    assert tool_error_label(text) == label
