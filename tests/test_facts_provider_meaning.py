"""provider_error and finish_reason by meaning, on real wordings beyond the corpus rows the
rules were fixed for: each case is a kind of wording found in several public programs."""

from __future__ import annotations

import pytest

from metricsd.core.facts import finish_reason_label, provider_error_label


@pytest.mark.parametrize(("message", "label"), [
    # OpenAI's error type invalid_request_error comes with 400, 401 and 404: the message's
    # meaning decides, the type only where the words name nothing (OpenAI error codes;
    # OpenAI-compatible servers' model_not_found bodies).
    ('{"error": {"message": "Incorrect API key provided", "type": "invalid_request_error", '
     '"code": "invalid_api_key"}}', "auth"),
    ('{"error": {"message": "Model \'unknown-model\' not found in any enabled provider", '
     '"type": "invalid_request_error", "code": "model_not_found"}}', "not_found"),
    ('{"error": {"message": "The model `text-embedding-3-small` does not exist.", '
     '"type": "invalid_request_error"}}', "not_found"),
    ('{"error": {"message": "Invalid value for \'temperature\': expected a number.", '
     '"type": "invalid_request_error", "param": "temperature"}}', "bad_request"),
    ('{"error": {"message": "", "type": "invalid_request_error"}}', "bad_request"),
    ("InvalidRequestError", "bad_request"),
])
def test_a_generic_error_type_gives_way_to_the_meaning(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    # "invalid" names the server's answer, not the request (model clients that parse JSON).
    ("Invalid JSON response from AI", "other"),
    ("Invalid JSON response (attempt 1/3): Expecting value: line 1 column 1 (char 0)",
     "other"),
    ("Invalid JSON in request body", "bad_request"),
])
def test_an_invalid_response_is_no_bad_request(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    # The model's context holds no more tokens, in the words of local engines and servers.
    ("Input prompt is too big compared to KV size. Please try increasing KV size.",
     "context_length"),
    ("RuntimeError: KV cache is full!", "context_length"),
    ("KV cache is full - cannot add more tokens", "context_length"),
    ("ran out of context", "context_length"),
    # A parameter the request may only send with another; a request with nothing in it.
    ("The 'stream_options' parameter is only allowed when 'stream' is enabled.",
     "bad_request"),
    ("Stream options can only be defined when `stream=True`.", "bad_request"),
    ("'stream' and 'stream_options' must be set together", "bad_request"),
    ("Prompt is empty", "bad_request"),
])
def test_local_servers_and_validation_by_meaning(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    # A value the request sends that the API does not take; a body of the wrong shape.
    ("API Error: 400 ... Unexpected value(s) for the `anthropic-beta` header", "bad_request"),
    ("Unexpected value(s) `context-1m-2025-08-07` for the `anthropic-beta` header.",
     "bad_request"),
    ("messages.0.content: Input does not match the expected shape.", "bad_request"),
    ("The backend returned something that does not match the expected shape.", "other"),
])
def test_values_and_shapes_the_api_does_not_take(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    # A server whose model is not loaded yet is unavailable for now; one that failed to
    # load its model failed (the server's own failure, as the corpus labels it: batch 21).
    ('{"error":{"message":"Loading model","type":"unavailable_error"}}', "overloaded"),
    ('{"error":"Model is loading","estimated_time":45}', "overloaded"),
    ("Error loading model 'llama3' for API 'ollama'.", "server"),
    # A Rust server's framework rejecting the request body (axum's JsonRejection).
    ("Failed to deserialize the JSON body into the target type: messages[0]: unknown variant "
     "`image_url`, expected `text` at line 1 column 120", "bad_request"),
    ("Failed to parse the request body as JSON: key must be a string at line 1 column 2",
     "bad_request"),
])
def test_loading_servers_and_rejected_bodies(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    # A client checking the model's answer is no bad request of the caller's.
    ("agents.exceptions.ModelBehaviorError: Invalid JSON when parsing {\"a\": for "
     "TypeAdapter(Out); 1 validation error", "other"),
    ("AI_TypeValidationError: Type validation failed: Value: {\"x\":1}.", "other"),
    ("ValidationException: 1 validation error detected: Value at 'messages' failed to "
     "satisfy constraint", "bad_request"),
    # A key or account the gateway has blocked.
    ("Key is blocked. Update via `/key/unblock` if you're admin.", "auth"),
    ("The owner of this API key is blocked", "auth"),
])
def test_answers_checked_and_keys_blocked(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize("message", [
    "vllm.v1.engine.exceptions.EngineDeadError: EngineCore encountered an issue. See stack "
    "trace (above) for the root cause.",
    "AsyncEngineDeadError: Background loop has errored already.",
])
def test_a_dead_engine_is_a_server_failure(message: str) -> None:
    assert provider_error_label(message, None) == "server"


@pytest.mark.parametrize(("message", "label"), [
    # "not supported" in its other wordings (vLLM's OpenAI server and its forks).
    ("suffix is not currently supported", "bad_request"),
    ("best_of is not currently supported with streaming", "bad_request"),
    ("Echo is unsupported with prompt embeds.", "bad_request"),
    ("This model doesn't support tool calling", "bad_request"),
    # More names of a credential.
    ("Invalid or expired refresh token", "auth"),
    ("The provided authentication key is missing.", "auth"),
    # Nothing free to serve the request now.
    ("No available worker found", "overloaded"),
    # The conversation no longer fits.
    ("You have reached the conversation length limit.", "context_length"),
])
def test_gateways_and_openai_compatible_servers(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    # A gateway refusing what the request names; a parameter out of its range.
    ("Invalid provider passed", "bad_request"),
    ("Invalid config passed", "bad_request"),
    ("Unsupported content type: application/xml", "bad_request"),
    ("top_k cannot be negative", "bad_request"),
    ("max_tokens cannot be greater than 4096", "bad_request"),
    # The 501 reason phrase at the end of what the server said.
    ("Method not implemented!", "server"),
    ("Streaming Not Implemented", "server"),
])
def test_gateway_validation_and_not_implemented(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("reason", "label"), [
    ("tokenBudgetExhausted", "length"),
    ("step budget exceeded", "length"),
    ("BUDGET_EXCEEDED", "other"),  # a budget of money (OpenHands: out of LLM credits)
])
def test_a_run_budget_of_tokens_or_steps_is_length(reason: str, label: str) -> None:
    assert finish_reason_label(reason) == label


@pytest.mark.parametrize(("message", "label"), [
    ("Authentication Error, Only proxy admin can be used to generate, delete, update info "
     "for new keys/users/teams.", "auth"),
    ("Model inference failed: CUDA error", "server"),
    # A stream whose data could not be decoded is no network failure.
    ("Stream error: failed to parse SSE event", "other"),
    ("stream error: stream ID 3; INTERNAL_ERROR", "network"),
])
def test_roles_inference_and_streams(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    ("You have insufficient permissions for this operation. Missing scopes: model.request.",
     "auth"),
    ("Missing Authorization header", "auth"),
    ("Cannot POST /v1/chat/completions", "not_found"),  # Express's 404: a wrong base URL
    ("Cannot post message to channel", "other"),
    ("dial tcp 10.0.0.2:443: connect: no route to host", "network"),
    ("http: server gave HTTP response to HTTPS client", "network"),
    ("Body exceeded 1mb limit", "too_large"),
])
def test_permissions_endpoints_routes_and_bodies(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    ("Inference failed: Connection refused", "network"),
    ("Inference failed: timed out", "timeout"),
])
def test_a_failed_inference_that_names_its_cause(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    ("GenerativeAIException: BAD_DATA", "bad_request"),  # on-device runtimes' codes
    ("REQUEST_TOO_SMALL", "bad_request"),
    ("Received bad data from server", "other"),
])
def test_on_device_codes_for_unusable_input(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    ("Error: gpt-3.5-turbo is not a vision model", "bad_request"),
    ("LanguageModelSession.GenerationError.assetsUnavailable", "other"),
    ("The model is temporarily unavailable", "overloaded"),
])
def test_vision_and_on_device_assets(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    ("Server is under maintenance. Please try again later.", "overloaded"),
    ("Error: ESOCKETTIMEDOUT", "timeout"),
])
def test_maintenance_and_socket_timeouts(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    ("The api_key client option must be set either by passing api_key to the client or by "
     "setting the OPENAI_API_KEY environment variable", "auth"),
    ("Could not resolve authentication method. Expected either apiKey or authToken to be "
     "set.", "auth"),
    ("The security token included in the request is expired", "auth"),
    ("You don't have access to the model with the specified model ID.", "auth"),
    ("The model `gpt-4` does not exist or you do not have access to it.", "not_found"),
    ("The provided model identifier is invalid.", "bad_request"),
])
def test_sdk_credentials_and_model_access(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    ("jsonResponse cannot be used with streaming", "bad_request"),
    ("Stream cannot be established", "other"),
])
def test_parameters_not_allowed_with_streaming(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


def test_a_busy_system_in_chinese_is_overloaded() -> None:
    assert provider_error_label("系统繁忙, 请稍后再试", None) == "overloaded"


@pytest.mark.parametrize(("message", "label"), [
    # OpenAI's 400 codes for a parameter out of range and for input it cannot read.
    ('{"error": {"message": "max_tokens is too large for this model.", "type": '
     '"invalid_request_error", "param": "max_tokens", "code": "integer_above_max_value"}}',
     "bad_request"),
    ("invalid_image_format", "bad_request"),
    ("image_parse_error", "bad_request"),
    ("The model returned an invalid image", "other"),
])
def test_openai_validation_codes(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize("message", ["TokenExpiredError: jwt expired",
                                     "InvalidSignatureError: Signature verification failed"])
def test_a_stale_or_broken_token_is_auth(message: str) -> None:
    assert provider_error_label(message, None) == "auth"


@pytest.mark.parametrize(("message", "label"), [
    # Chromium's console line for a failed fetch (Playwright suites filter the same line).
    ("Failed to load resource: the server responded with a status of 404 (Not Found)",
     "not_found"),
    ("console: Failed to load resource: the server responded with a status of 401 ()", "auth"),
    # gRPC core's debug_error_string: the status as its number, mapped as code.proto maps
    # it (9 FAILED_PRECONDITION -> 400, whatever the words say; 14 UNAVAILABLE -> 503).
    ('UNKNOWN:Error received from peer {created_time:"[TIMESTAMP]", grpc_status:9, '
     'grpc_message:"Cloud Pub/Sub did not have the necessary permissions configured to '
     'support this operation."}', "bad_request"),
    ('{grpc_message:"Session expired. Open a new session.", grpc_status:9}', "bad_request"),
    ('Error received from peer {grpc_message:"failed to connect to all addresses", '
     'grpc_status:14}', "overloaded"),
    ("grpc_status_code 9 was logged", "other"),
    # "X API responded with 401" (electron-updater, bots' logs), JVM clients' "response code".
    ("GitHub API responded with 401", "auth"),
    ("Telegram API responded with 429.", "rate_limit"),
    ("IOException: Response Code 400", "bad_request"),
    ("Got HTTP response code 403", "auth"),
    ("The server responded with 3 errors", "other"),
    # "failed with code N" (twitter-api-v2, API clients), "error code N" (Azure docs, logs):
    # only 400-599, as the same words name exit codes.
    ("ApiResponseError: Request failed with code 403 - Status is a duplicate.", "auth"),
    ("API call failed with code 401: Invalid Key", "auth"),
    ("Request was throttled. HTTP error code 529", "overloaded"),
    ("Command failed with error code 137", "other"),
    ("Command failed with code 130", "other"),
])
def test_a_status_in_chromium_and_grpc_wording(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    # pydantic v2's extra_forbidden in a FastAPI-based server's 422 body is no 403.
    ('{"detail":[{"type":"extra_forbidden","loc":["body","user"],"msg":"Extra inputs are '
     'not permitted","input":"x"}]}', "bad_request"),
    ("403 Forbidden", "auth"),
    # Bedrock's ValidationExceptions: a parameter over the model's bound, a model that needs
    # an inference profile.
    ("The maximum tokens you requested exceeds the model limit of "
     "10000. Try again with a maximum tokens value that is lower than 10000.", "bad_request"),
    ("Invocation of model ID amazon.nova-pro-v1:0 with on-demand "
     "throughput isn't supported. Retry your request with the ID or ARN of an inference "
     "profile that contains this model.", "bad_request"),
    # "Failed to authenticate" (Zed's providers; Express APIs' 401 bodies).
    ("Failed to authenticate token.", "auth"),
    ("Exception: Failed to authenticate with Monarch Money", "auth"),
])
def test_validation_and_authentication_wordings(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    # OpenAI names the parameter at fault by its path (also through Azure and SDK wrappers).
    ("Invalid 'messages[1].content': empty string", "bad_request"),
    ("Error: 400 Invalid 'messages[4]'. Image URLs are only allowed for messages with role "
     "'user'", "bad_request"),
    ("Invalid 'x' token", "other"),
    # Anthropic's tool_use / tool_result pairing, the commonest 400 of coding agents.
    ("`tool_use` ids were found without `tool_result` blocks immediately after: toolu_01A0.",
     "bad_request"),
    # A login the server invalidated (Codex's ChatGPT login); AWS SigV4's signature check.
    ("Your authentication token has been invalidated. Please try signing in again.", "auth"),
    ("SignatureDoesNotMatch: The request signature we calculated does not match the "
     "signature you provided. Check your AWS Secret Access Key and signing method.", "auth"),
])
def test_request_shape_and_login_wordings(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    # OkHttp's dropped connection, as JVM and Android apps print it.
    ("java.io.IOException: unexpected end of stream on https://api.openai.com/...", "network"),
    # aws-sdk-php's missing credentials file; a JavaScript TypeError is no credentials error.
    ("Aws\\Exception\\CredentialsException: Cannot read credentials from /root/.aws/credentials",
     "auth"),
    ("Cannot read properties of undefined (reading 'credentials')", "other"),
])
def test_jvm_and_php_client_wordings(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    # Kong's 504 body; 503 bodies that say "high load"; Stripe/OpenAI's 404 for a wrong path.
    ("The upstream server is timing out", "timeout"),
    ("The server is experiencing high load. Please retry.", "overloaded"),
    ("Unrecognized request URL (GET: /v1/missing).", "not_found"),
])
def test_gateway_and_wrong_path_wordings(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    # Gemini's 400s name the field by its path or the roles it takes; Google's 403 for a
    # call without a key; a Chinese API server's 503 "server busy".
    ("GenerateContentRequest.contents[2].parts[0].function_response.name: Name cannot be "
     "empty.", "bad_request"),
    ("GenerateContentRequest.contents is not specified", "bad_request"),
    ("Please use a valid role: user, model.", "bad_request"),
    ("[GoogleGenerativeAI Error]: Method doesn't allow unregistered callers", "auth"),
    ('{"detail": "服务器繁忙\uff0c请稍后重试"}', "overloaded"),
])
def test_gemini_and_busy_wordings(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    # Groq's retired model (400 model_decommissioned); Google's API not enabled (403).
    ("The model `mixtral-8x7b-32768` has been decommissioned and is no longer supported.",
     "bad_request"),
    ("Google Calendar API has not been used in project 123 before or it is disabled.", "auth"),
])
def test_retired_model_and_disabled_api(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    # grpc-js's HTTP/2 stream reset.
    ("Received RST_STREAM with code 2", "network"),
    # ECONNABORTED's strerror is a dropped connection, not a cancel.
    ("Software caused connection abort", "network"),
    ("java.net.SocketException: Software caused connection abort: recv failed", "network"),
])
def test_dropped_connection_wordings(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    # Claude Code's subscription window resets: a rate, unlike a monthly or billing-cycle cap.
    ("Claude AI usage limit reached|1755772800", "rate_limit"),
    ("5-hour limit reached \u2219 resets 3pm", "rate_limit"),
    ("weekly limit reached \u2219 resets Oct 9", "rate_limit"),
    ("You've reached your usage limit for this billing cycle", "billing"),
])
def test_a_subscription_window_is_a_rate(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    # The time allowed ran out, in words without 'timeout': Firebase AI's Kotlin SDK
    # (RequestTimeoutException), Supabase's edge runtime (chatgpt-your-files#2, #11).
    ("The request failed to complete in the allotted time.", "timeout"),
    ("InvalidWorkerCreation: worker did not respond in time", "timeout"),
    ("wall clock duration reached. isolate: d49cf7c6-5ea0-4197-828a-e474bcea6940", "timeout"),
    # Apple's FoundationModels (and its Rust binding): more requests at once than allowed.
    ("LanguageModelSession.GenerationError.concurrentRequests", "rate_limit"),
    ("ConcurrentRequests", "rate_limit"),
    # ... and a device that cannot run the model is no busy server.
    ("SystemLanguageModel.Availability.UnavailableReason.deviceNotEligible", "other"),
    ("SystemLanguageModel.Availability.UnavailableReason.appleIntelligenceNotEnabled", "other"),
])
def test_time_allowed_and_concurrent_requests(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    # Gemini answers its region restriction with 400 FAILED_PRECONDITION.
    ("User location is not supported for the API use.", "bad_request"),
    # Google's SERVICE_DISABLED (403) as gcloud and the Firebase AI SDKs word it.
    ("API [sqladmin.googleapis.com] not enabled on project [self-check-project].", "auth"),
    ("The Vertex AI for Firebase SDK requires the Firebase ML API `firebaseml.googleapis.com` "
     "to be enabled for your project.", "auth"),
])
def test_region_and_disabled_service_wordings(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    # An OS errno in an exception's repr is no HTTP status (requests, urllib3; reqwest/hyper).
    ("requests.exceptions.ConnectionError: ('Connection aborted.', ConnectionResetError(104, "
     "'Connection reset by peer'))", "network"),
    ('reqwest::Error { kind: Request, source: hyper::Error(Connect, ConnectError("tcp connect '
     'error", Os { code: 111, kind: ConnectionRefused, message: "Connection refused" })) }',
     "network"),
    # httpx raise_for_status with no reason phrase; Dio's bad response.
    ("httpx.HTTPStatusError: Server error '529 ' for url 'http://127.0.0.1:9110/v1/chat'",
     "overloaded"),
    ("DioException [bad response]: This exception was thrown because the response has a status "
     "code of 429 and RequestOptions.validateStatus was configured to throw for this status "
     "code.", "rate_limit"),
    # JDK HttpClient's closed connection; okhttp's HTTP/2 stream reset.
    ("java.io.IOException: HTTP/1.1 header parser received no bytes", "network"),
    ("stream was reset: PROTOCOL_ERROR", "network"),
])
def test_http_clients_in_other_runtimes(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    # A missing key named by its environment variable (simonw/llm-mistral#6; apps' checks).
    ("Error: You must set the 'mistral' key or the LLM_MISTRAL_KEY environment variable.",
     "auth"),
    ("Please set the GEMINI_API_KEY environment variable.", "auth"),
    # Firebase's iOS SDK failing to decode an answer is no server error (#14745).
    ('internalError(underlying: Swift.DecodingError.keyNotFound(CodingKeys(stringValue: '
     '"tokenCount", intValue: nil)))', "other"),
    ("An internal error has occurred", "server"),
    # A request that lacks a part it needs (Cloudflare Workers AI; OAuth's invalid_request),
    # unless the part is the credential.
    ("Request is missing headers or body: `{what}`", "bad_request"),
    ("Request is missing required authentication credential. Expected OAuth 2 access token, "
     "login cookie or other valid authentication credential.", "auth"),
])
def test_a_key_named_by_its_variable_and_a_decoding_failure(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("reason", "label"), [
    # Gemini's UNEXPECTED_TOOL_CALL is malformed_tool_call in every rendering: Swift's implicit
    # member (.unexpectedToolCall, Firebase AI's Swift FinishReason), a qualified Swift type,
    # and a Rust path, as the upper-case name already is.
    (".unexpectedToolCall", "malformed_tool_call"),
    ("FirebaseAI.FinishReason.unexpectedToolCall", "malformed_tool_call"),
    ("FinishReason::UnexpectedToolCall", "malformed_tool_call"),
    ("UNEXPECTED_TOOL_CALL", "malformed_tool_call"),
    (".maxTokens", "length"),
    ("FinishReason::Length", "length"),
])
def test_every_enum_rendering_reads_the_case(reason: str, label: str) -> None:
    assert finish_reason_label(reason) == label
