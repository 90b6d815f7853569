"""Tool-error kinds from batches 83-98 and their wordings elsewhere: each string a real
program's or agent's text (source in the comment), labelled by what it means."""

import pytest

from metricsd.core.facts import tool_error_label


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # julep-ai/julep agent_loop.py CallDenial; langchain ToolCallLimitMiddleware.
        ("tool 'fetch' exceeded maxCalls=5", "denied"),
        ("Tool call limit exceeded. Do not call 'search' again.", "denied"),
        # AutoGPT http_client.py; fetch tools found by code search (SSRF guards).
        ("Refusing to fetch local/private addresses", "denied"),
        # AutoGPT code_executor.py: a kind of file the tool takes is an argument error.
        ("Invalid file type. Only .sh files are allowed.", "invalid_args"),
        # Judges' verdicts as code-running tools report them.
        ("Sandbox execution time limit exceeded", "timeout"),
        # MCP routers found by code search (Rust anyhow!, Go fmt.Sprintf).
        ("unknown MCP server: jira", "unknown_tool"),
        # Agents' tool routers found by code search.
        ("dropping 2 tool_call(s) not in declared tools[]", "unknown_tool"),
        ("No handler registered for tool 'web_fetch'", "unknown_tool"),
        # aws/amazon-q-developer-cli#859: the tool's name may be long.
        ('Tool validation failed: \nThe tool, "ls -la /tmp/some dir" is not supported by '
         "the client", "unknown_tool"),
        # CherryHQ/stella#1122, cap for limit.
        ("read_file: /data/big.json: 90000000 bytes exceeds cap 33554432", "too_large"),
        # MetaGPT editor.py PermissionError.
        ("Could not access or create directories.", "permission"),
        # docs.aws.amazon.com IAM AccessDenied; Windows ERROR_ELEVATION_REQUIRED; GitHub REST.
        ("User: arn:aws:iam::123456789012:user/x is not authorized to perform: "
         "s3:GetObject on resource", "permission"),
        ("The requested operation requires elevation.", "permission"),
        ("Must have push access to repository", "permission"),
        ("Resource not accessible by personal access token", "permission"),
        # n8n Read/Write Files from Disk.
        ("Access to the file is not allowed. Allowed paths: /home/node/files", "permission"),
        # Programs' lookups found by code search; Debian apt.
        ("Could not locate file src/main.rs", "not_found"),
        ("E: Package 'python-foo' has no installation candidate", "not_found"),
        # ... and an edit's anchor that could not be located is an edit mismatch.
        ("Could not locate the text to replace in the file.", "edit_mismatch"),
        # MetaGPT editor.py; Claude Code's Edit (already right) and validators.
        ("`old_text` and `new_text` must be different.", "invalid_args"),
        ("Source and destination must be different.", "invalid_args"),
        # glibc getopt (captured); hermes-agent tool_call.
        ("grep: option requires an argument -- 'e'", "invalid_args"),
        ("tool_describe requires a 'name' argument", "invalid_args"),
        # GNU coreutils and sed, captured here.
        ("mv: missing destination file operand after 'a.txt'", "invalid_args"),
        ("sed: -e expression #1, char 3: unterminated `s' command", "invalid_args"),
        # GNU findutils find, captured here.
        ("find: unknown predicate `-foo'", "invalid_args"),
        ("find: paths must precede expression: `b'", "invalid_args"),
        # AutoGPT http_client.py and HTTP tools' request builders.
        ("Unsupported HTTP method: TRACE", "invalid_args"),
        # CPython argparse (captured); tools' argument checks.
        ("x: error: argument --b: not allowed with argument --a", "invalid_args"),
        ("Only one of 'path' or 'content' may be specified", "invalid_args"),
        ("Cannot specify both timeout and exit_code.", "invalid_args"),
        # CPython json and Go encoding/json on a call's arguments (captured).
        ("json.decoder.JSONDecodeError: Expecting property name enclosed in double quotes: "
         "line 1 column 2 (char 1)", "invalid_args"),
        ("unexpected end of JSON input", "invalid_args"),
        # python-jsonschema; pydantic v1.
        ("None is not of type 'string'", "invalid_args"),
        ("value is not a valid integer", "invalid_args"),
        # dify#21836: the wrapper blames the key, the cause shown is a refused connection.
        ('PluginInvokeError: {"error_type":"ToolProviderCredentialValidationError",'
         '"message":"API Key is invalid. HTTPSConnectionPool(host=\'api.example.com\', '
         "port=443): Max retries exceeded with url: / (Caused by NewConnectionError("
         "'Failed to establish a new connection: [Errno 111] Connection refused'))\"}",
         "network"),
        # libpq; http.client (captured); gorilla/websocket; Bun's fetch; curl (52).
        ("server closed the connection unexpectedly\n\tThis probably means the server "
         "terminated abnormally", "network"),
        ("http.client.RemoteDisconnected: Remote end closed connection without response",
         "network"),
        ("websocket: close 1006 (abnormal closure): unexpected EOF", "network"),
        ("WebSocket is not open: readyState 3 (CLOSED)", "network"),
        ("The socket connection was closed unexpectedly. For more information, pass "
         "`verbose: true` in the second argument to fetch()", "network"),
        ("curl: (52) Empty reply from server", "network"),
        # urllib3 ProxyError: a proxy that refused the tunnel is a connection failure.
        ("ProxyError('Unable to connect to proxy', OSError('Tunnel connection failed: 407 "
         "Proxy Authentication Required'))", "network"),
        # npm --offline (captured here).
        ("npm error code ENOTCACHED\nnpm error request to https://registry.npmjs.org/left-pad "
         "failed: cache mode is 'only-if-cached' but no cached response is available.",
         "network"),
        # Claude Code's cd guard (outside the workspace); GitHub over HTTPS.
        ("ERROR: cd to '/etc' was blocked. For security, Claude Code may only change "
         "directories to child directories of the original working directory (/app) for "
         "this session.", "permission"),
        ("remote: Invalid username or password.", "permission"),
        # openhands-aci editor.py; CPython urllib; requests; axios.
        ("The `view_range` parameter is not allowed when `path` points to a directory.",
         "invalid_args"),
        ("ValueError: unknown url type: 'example.com'", "invalid_args"),
        ("requests.exceptions.InvalidSchema: No connection adapters were found for "
         "'192.168.1.2:8766/hello'", "invalid_args"),
        # A code-running agent's confirm step, found by code search.
        ("The code block was not confirmed by the user and so was not run.", "denied"),
        # Waits on a server that did not come up in time, found by code search.
        ("Error: wrangler dev did not become ready within 30s", "timeout"),
        # auto-code-rover's edit wording, for a diff.
        ("Hunk 2 could not be matched to the original file.", "edit_mismatch"),
        # An exit status in parentheses after a failure.
        ("Git push failed (exit 1). Check the remote.", "exit_nonzero"),
        # docker/cli: an image name that does not parse is a bad argument, not a missing
        # revision (git's invalid reference stays not_found).
        ("docker: invalid reference format: repository name must be lowercase.",
         "invalid_args"),
        # .NET ArgumentException for E_INVALIDARG.
        ("System.ArgumentException: Value does not fall within the expected range.",
         "invalid_args"),
        # curl CURLE_URL_MALFORMAT (curl 8 lib/urlapi.c, CURLUE_BAD_PORT_NUMBER); ToolUniverse.
        ("curl: (3) URL rejected: Port number was not a decimal number between 0 and 65535",
         "invalid_args"),
        ("Invalid function call: Function name get_current_weather_in_city not found in "
         "loaded tools.", "unknown_tool"),
        # httpcore/anyio; Winsock as .NET prints it; .NET WebException; Apple NSURLError;
        # Go crypto/tls; undici.
        ("httpx.ConnectError: All connection attempts failed", "network"),
        ("System.Net.Sockets.SocketException (10061): No connection could be made because "
         "the target machine actively refused it.", "network"),
        ("An existing connection was forcibly closed by the remote host.", "network"),
        ("System.Net.WebException: The remote name could not be resolved: 'api.example.com'",
         "network"),
        ("A server with the specified hostname could not be found.", "network"),
        ("remote error: tls: handshake failure", "network"),
        # gemini-cli headless: the approval nobody could give; stream assemblers.
        ('Tool execution for "run_shell_command" requires user confirmation, which is not '
         "supported in non-interactive mode.", "denied"),
        ("Tool call arguments were truncated due to token limit. Re-issue the tool call.",
         "invalid_args"),
        # Batches 86 and 99-106, in other wordings of the same ideas (sources as in the rows).
        ("Process may still be running. Returning control to the agent after 60 seconds.",
         "timeout"),
        ("Error: container did not start in time", "timeout"),
        ("Error from MCP server: Error POSTing to endpoint (HTTP 504)", "timeout"),
        ("No such method: file.move", "unknown_tool"),
        ("function get_weather is not loaded", "unknown_tool"),
        ("Output is limited to 30000 characters", "too_large"),
        ("[3120 characters were elided]", "too_large"),
        ("cannot edit config.yaml because it is a read-only file.", "permission"),
        ("You are not subscribed to this plan.", "permission"),
        ('Builtin "enable" is denied.', "denied"),
        ("curl: (56) Recv failure: Connection was aborted", "network"),
        ("Database server is not responding", "network"),
        ("Error: invalid character in expression", "invalid_args"),
        # Schema validators' own words: zod v4, pydantic-core, serde.
        ("Too small: expected string to have >=1 characters", "invalid_args"),
        ("Too big: expected number to be <=100", "invalid_args"),
        ("1 validation error for call[search]\nquery\n  String should have at most 256 "
         "characters [type=string_too_long]", "invalid_args"),
        ("order\n  Input should be 'asc' or 'desc' [type=enum]", "invalid_args"),
        ("unknown variant `foo`, expected one of `read`, `write`", "invalid_args"),
        # Batches 107 and 109-114, in other wordings of the same ideas.
        ("Command exit with 2", "exit_nonzero"),
        ("exit status 0xc000007b", "exit_nonzero"),
        ("grep failed with exit-code 1", "exit_nonzero"),
        ("hunk 3 starts past EOF", "edit_mismatch"),
        ("No suitable match found for the SEARCH block", "edit_mismatch"),
        ("invalid unified diff: missing hunk header (diff line 3)", "invalid_args"),
        ("fetch tool requires url", "invalid_args"),
        ("limit must be a valid integer", "invalid_args"),
        ("'since' cannot be combined with 'until'", "invalid_args"),
        ("Not a GitHub URL: https://example.com", "invalid_args"),
        ("path escapes workdir: ../../etc/hosts", "permission"),
        ("OAuth token requires the repo scope", "permission"),
        ("Error: File /etc/shadow is not readable", "permission"),
        ("Error: Command \"rg\" not available", "not_found"),
        ("Request exceeded 30000 ms", "timeout"),
        # Batches 115-116 in other wordings: a hook's dangerous-command check, an unknown
        # skill, gemini-cli's path validator.
        ("Dangerous command detected: git push --force", "denied"),
        ("Unknown skill: deploy", "unknown_tool"),
        ("Path contains suspicious characters (double quotes or ellipses).", "invalid_args"),
        # Batches 119-120 in other wordings.
        ("Confirmation request rejected: Drop table users", "denied"),
        ("patch contains fuzzy matches (fuzz level: 1)", "edit_mismatch"),
        ("No value for argument --port", "invalid_args"),
        ("Unrecognized command rename. The allowed commands are: view, create", "invalid_args"),
        ("Error: Patch contains no operations", "invalid_args"),
        ("Cell index is out of bounds. Notebook has 2 cells.", "invalid_args"),
        ("OLD_STRING_NEW_STRING_IDENTICAL", "invalid_args"),
        # Batches 121-122 in other wordings.
        ("Unable to call tool `search` because it is not defined", "unknown_tool"),
        ("no tool calls found in the assistant message", "invalid_args"),
        # git diff --no-index on a path that is not there (captured here).
        ("error: Could not access 'missing.txt'", "not_found"),
        # Older batches' kinds in other wordings: an edit not applied, a PDF over the pages
        # a read takes, edits that cannot be parsed.
        ("src/a.ts: 2 mutations not applied", "edit_mismatch"),
        ("Error: PDF has 300 pages, more than 20. Provide the pages parameter.", "too_large"),
        ("Edits could not be parsed.", "invalid_args"),
        # Batch 108: Rust's Option in an exit; a shell policy on command substitution.
        ("tool execution failed: test exited with code Some(101)", "exit_nonzero"),
        ("shell arg contains command substitution: arg=\"$(id)\"", "denied"),
        # Travis CI's stalled build.
        ("No output has been received in the last 10m0s, this potentially indicates a "
         "stalled build or something wrong with the build itself.", "timeout"),
        # A script's echo "EXIT=$?" after its command.
        ("2 failed, 10 passed\nEXIT=1", "exit_nonzero"),
    ],
)
def test_round17_tool_kinds(text: str, label: str) -> None:
    assert tool_error_label(text) == label


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # A keyword counts only where it names the failure: ls's missing file (captured)...
        ("ls: cannot access '/nope': No such file or directory", "not_found"),
        ("Only one of 3 tests passed", "other"),
        ("error: expected expression before ')' token", "other"),
        ('  File "x.py", line 1\n    print("a)\n          ^\nSyntaxError: unterminated '
         "string literal (detected at line 1)", "other"),
        ("JSONDecodeError: Expecting value: line 1 column 1 (char 0)", "other"),
        ("EXIT=0", "other"),
        ("fatal: invalid reference: nosuch", "not_found"),
        # What a pipeline or a server said of itself, not the tool's failure.
        ("No code is executed due to code generation failure.", "other"),
        ("[ERROR] Pipeline failed on step 3: No code found in the response", "other"),
        ("The filename or extension is too long.", "other"),
        # A program the tool ran that failed on its own JSON or index: no argument of the
        # call (CPython traceback, captured here; Go's runtime panic).
        ('Traceback (most recent call last):\n  File "load.py", line 3, in <module>\n'
         "    data = json.load(f)\njson.decoder.JSONDecodeError: Expecting ',' delimiter: "
         "line 3 column 5 (char 20)", "other"),
        ("panic: runtime error: index out of range [3] with length 3", "other"),
        # A rate, not an output over a limit; a program's own syntax, not an argument.
        ("Free tier is limited to 1000 tokens per minute", "other"),
        ("SyntaxError: invalid character in identifier", "other"),
        # A rate limit's retry delay; a version requirement; a test double; a key lookup.
        ("Rate limit exceeded, retry in 30 seconds", "other"),
        ("Node.js version must be 18 or later", "other"),
        ("Unexpected call to *mocks.MockStore.Get([1]) because: there are no expected calls",
         "other"),
        ("KeyError: 'does_not_exist'", "other"),
        ("SSE error: Non-200 status code (405)", "other"),
        # PyTorch's own index error names no argument of the call; OCI's 404 is a 404.
        ("Server error: tensors used as indices must be long, byte or bool tensors", "other"),
        ("Error: Authorization failed or requested resource not found.", "not_found"),
        # A configuration the program read, not the call's argument; a generic access failure.
        ("Invalid configuration: missing httpUrl (for Streamable HTTP), url (for SSE), and "
         "command (for stdio).", "other"),
        ("Error: Failed to access path.", "other"),
        # A file's content, not an argument; a history the tool keeps, not a missing file.
        ("Notebook is not valid JSON.", "other"),
        ("No edit history found for src/app.ts.", "other"),
        # A hint that names a timeout is no timeout (oraios/serena#281).
        ("Error executing tool: No symbol with name x found. Consider restarting the language "
         "server (especially, if it's a timeout of a symbolic search)", "other"),
        # Windows' sharing violation is no permission (other on main too).
        ("The process cannot access the file because it is being used by another process.",
         "other"),
        # OpenSSL's TLS version refusal is a connection failure, not a URL argument.
        ("curl: (35) error:0A000102:SSL routines::unsupported protocol", "network"),
        ("Only read-only queries are allowed", "denied"),
    ],
)
def test_round17_not_where_the_word_sits_elsewhere(text: str, label: str) -> None:
    assert tool_error_label(text) == label
