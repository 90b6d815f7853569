"""Tool errors that are a tool's own check of its arguments (batches 131-138 and the same
kinds in other agents and MCP servers), and what only looks like one: a credential or a
setting the tool's setup lacks, the answer of the API the tool called, what a server or a
platform cannot do.  Each string is a real program's or agent's text (source in the
comment), labelled by what it means."""

import pytest

from metricsd.core.facts import tool_error_label


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # "must specify" and its kin: mpfaffenberger/code_puppy browser_interactions.py;
        # github/github-mcp-server pkg/github (issue fields); argparse-based and FastAPI
        # checks found by code search.
        ("Must specify value, label, or index", "invalid_args"),
        ("issue field \"priority\" must specify either value or field_option_name",
         "invalid_args"),
        ("Must specify either (--baseline AND --followup) OR --data OR --demo", "invalid_args"),
        ("ValueError: Must specify either input_dir or train_files/test_files", "invalid_args"),
        # One bound after the other: hangwin/mcp-chrome history.ts; validators found by
        # code search.
        ("Start time cannot be after end time.", "invalid_args"),
        ("startDate cannot be after endDate", "invalid_args"),
        ("start_date cannot be after end_date.", "invalid_args"),
        ("end_date cannot be earlier than start_date", "invalid_args"),
        # A call that names the same thing twice: github-mcp-server issue_dependencies.go;
        # GNU coreutils mv and cp (captured here); gemini-cli trackerTools.ts.
        ("an issue cannot block or depend on itself", "invalid_args"),
        ("mv: cannot move '/tmp/d' to a subdirectory of itself, '/tmp/d/sub/x'",
         "invalid_args"),
        ("cp: cannot copy a directory, '/tmp/d', into itself, '/tmp/d/sub/d'", "invalid_args"),
        ("A task cannot depend on itself.", "invalid_args"),
        ("Self-referential dependency rejected.", "invalid_args"),
        # A parameter the tool does not take, and which to use: github-mcp-server issues.go.
        ("This tool uses cursor-based pagination. Use the 'after' parameter with the "
         "'endCursor' value from the previous response instead of 'page'.", "invalid_args"),
        # The shape an argument must have: anthropics/anthropic-sdk-go agenttoolset/fs.go;
        # validators found by code search; OpenHands/openhands-aci editor.py.
        ("read: view_range must be [start_line, end_line]", "invalid_args"),
        ("ranges must be [start, end] integer pairs", "invalid_args"),
        ("Time range must be [start_date, end_date]", "invalid_args"),
        # modelcontextprotocol/python-sdk _streamable_http_modern.py.
        ("Body must be a single JSON-RPC request or notification object", "invalid_args"),
        # An argument that needs another, or one of several: github-mcp-server pkg/github.
        ("comment_id can only be provided when reaction is provided", "invalid_args"),
        ("duplicate_of can only be used when state_reason is 'duplicate'", "invalid_args"),
        ("updated_field requires either id or name", "invalid_args"),
        ("update_project_view requires at least one of name, layout, filter, visible_fields, "
         "or visible_field_names", "invalid_args"),
        ("issue field \"x\" cannot specify 'delete' together with 'value' or "
         "'field_option_name'", "invalid_args"),
        ("issueNumber variable is missing or invalid", "invalid_args"),
        ("perPage value -1 cannot be negative", "invalid_args"),
        ("non-integer numeric value: 1.5", "invalid_args"),
        ("parameter labels could not be coerced to []string, is float64", "invalid_args"),
        ("invalid since timestamp: yesterday", "invalid_args"),
        ("invalid lastReadAt time format, should be RFC3339/ISO8601: x", "invalid_args"),
        ("project field \"Status\" is included more than once", "invalid_args"),
        # A schema check of a call's arguments: python-jsonschema _keywords.py; ajv-validator/
        # ajv; serde (duplicate field).
        ("0 is less than the minimum of 1", "invalid_args"),
        ("101 is greater than the maximum of 100", "invalid_args"),
        ("[] should be non-empty", "invalid_args"),
        ("'abc' is not valid under any of the given schemas", "invalid_args"),
        ("must NOT have more than 10 items", "invalid_args"),
        ("duplicate field `path` at line 1 column 40", "invalid_args"),
        # A patch whose format the tool could not parse: openai/codex apply-patch parser and
        # its ports (RooCodeInc/Roo-Code apply-patch/parser.ts); Roo-Code UpdateTodoListTool.
        ("The first line of the patch must be '*** Begin Patch'", "invalid_args"),
        ("Expected update hunk to start with a @@ context marker, got: 'def _cdot(a, b):'",
         "invalid_args"),
        ("'*** Modify File: a.py' is not a valid hunk header. Valid hunk headers: '*** Add "
         "File: {path}', '*** Delete File: {path}', '*** Update File: {path}'", "invalid_args"),
        ("The todos parameter is not valid markdown checklist or JSON", "invalid_args"),
        # A parameter the tool does not take, a value outside its choices, arguments that
        # go in pairs, a path or a URL that is not valid: boto/botocore validate.py (as logs
        # quote it); Claude Code's InputValidationError; encode/django-rest-framework
        # ChoiceField; github-mcp-server; checks found by code search.
        ("Unknown parameter in input: \"IfNoneMatch\"", "invalid_args"),
        ("An unexpected parameter `recursive` was provided", "invalid_args"),
        ("\"archived\" is not a valid choice.", "invalid_args"),
        ("item_owner, item_repo, and issue_number must all be provided together",
         "invalid_args"),
        ("Only absolute paths are supported", "invalid_args"),
        ("Url is not valid", "invalid_args"),
        ("Your provided URL is not valid", "invalid_args"),
        # MoonshotAI/kimi-cli tools (file/read.py, plan/__init__.py).
        ("Empty file path", "invalid_args"),
        ("Option labels must be unique. Found duplicate label(s).", "invalid_args"),
        # An argument of the wrong type, as Go MCP servers built on mark3labs/mcp-go return it.
        ("argument \"limit\" is not a string", "invalid_args"),
        ("argument \"per_page\" is not an int", "invalid_args"),
        # Arguments that do not parse: V8 JSON.parse (Node.js 20, captured here);
        # serde-rs/json error.rs.
        ("Unexpected non-whitespace character after JSON at position 57", "invalid_args"),
        ("Bad control character in string literal in JSON at position 8", "invalid_args"),
        ("EOF while parsing a string at line 1 column 30", "invalid_args"),
        ("trailing characters at line 1 column 12", "invalid_args"),
    ],
)
def test_round28_tool_argument_checks(text: str, label: str) -> None:
    assert tool_error_label(text) == label


@pytest.mark.parametrize(
    "text",
    [
        # Not an argument: a credential or setting the setup lacks
        # (perplexityai/modelcontextprotocol server.ts; ollama-python, captured here).
        "PERPLEXITY_API_KEY environment variable is required",
        "BRAVE_API_KEY environment variable is required",
        "Missing required environment variable: TAVILY_API_KEY",
        "Authorization header with Bearer token is required for web search",
        # nor the answer of the API the tool called (perplexityai/modelcontextprotocol).
        "Failed to parse JSON response from Perplexity Search API",
        # nor what the server, the deployment or the platform cannot do
        # (langchain4j-mcp GetResourceToolExecutor.java; grafana/mcp-grafana datasources.go).
        "ERROR: binary content was requested, this is not supported yet",
        "checking datasource health is not supported on this Grafana deployment",
        "This feature is not supported on Windows",
        # nor a plugin the configuration needs (terraform validate before init, captured
        # here), nor a server's broken HTTP (OpenJDK, captured here), nor a Java object in
        # the wrong state (langchain4j/langchain4j#5087).
        ("Error: Missing required provider\n\nThis configuration requires provider "
         "registry.terraform.io/hashicorp/aws, but\nthat provider isn't available."),
        "java.net.ProtocolException: Invalid status line: \"hello there\"",
        ("IllegalStateException: One of resultText, resultTextSupplier, or resultContents "
         "must be provided"),
        # Guards (not invalid_args on main either; kept so by the vetoes of the new rows):
        # a credential or a session, a node's own SyntaxError from JSON.parse (captured
        # here), a plan or a privilege the user lacks, a resource that is not an argument
        # (spctl).
        "You must provide an API key to use this tool",
        "SyntaxError: Expected property name or '}' in JSON at position 1",
        "This action can only be used when logged in",
        "Requires either a Pro or Team plan",
        "a sealed resource is missing or invalid",
        "Your session is not valid. Please sign in again.",
        "The certificate is not valid for this host name",
    ],
)
def test_round28_not_an_argument(text: str) -> None:
    """What only looks like an argument check (the label it does get belongs to other
    rows: other, permission, not_found)."""
    assert tool_error_label(text) != "invalid_args"


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # Guards: what the tables read as invalid_args before stays so.
        ("Invalid `view_range` parameter: [0, 5]. It should be a list of two integers.",
         "invalid_args"),
        ("params/paths must NOT have fewer than 1 items", "invalid_args"),
        ("Missing required parameter: path", "invalid_args"),
        ("query is required", "invalid_args"),
        ("path and content are required", "invalid_args"),
        ("end_time must be after start_time", "invalid_args"),
        ("failed to parse function arguments: missing field `command`", "invalid_args"),
        ("Expected ',' or '}' after property value in JSON at position 12", "invalid_args"),
        ("Invalid start_timestamp: '-x' - cannot start with '-'", "invalid_args"),
        ("MCP error -32602: Invalid arguments for tool read_file", "invalid_args"),
        # and what it read as something else stays so.
        ("cp: -r not specified; omitting directory 'sub'", "other"),
        ("Expecting value: line 1 column 1 (char 0)", "other"),
        ("EOF while parsing a value at line 1 column 0", "other"),
        ("cat: /tmp: Is a directory", "other"),
        ("Permission denied", "permission"),
    ],
)
def test_round28_guards(text: str, label: str) -> None:
    assert tool_error_label(text) == label
