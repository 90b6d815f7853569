"""finish_reason and provider_error by meaning, round 18: the kinds the corpus batches 83-98
missed at first sight, and wordings of the same ideas by SDKs, gateways and agents that the
corpus does not hold yet.  Each string is real; its source is in the comment above it."""

from __future__ import annotations

import pytest

from metricsd.core.facts import finish_reason_label, provider_error_label, status_in_message


@pytest.mark.parametrize(("reason", "label"), [
    # An agent loop's own cap ends the run: length, not tool_calls, though it names tools.
    # grapeot/devin.cursorrules#75 (Cursor's stop message)
    ("Note: we default stop the agent after 25 tool calls. Please ask the agent to continue "
     "manually.", "length"),
    # github/CopilotForXcode#767
    ("Oops, maximum tool attempts reached. You can update the max tool requests in settings.",
     "length"),
    # pydantic/pydantic-ai tests (UsageLimitExceeded for UsageLimits(tool_calls_limit=0))
    ("The next tool call(s) would exceed the tool_calls_limit of 0 (tool_calls=1).", "length"),
    # langchain-ai/langgraph errors.py (GraphRecursionError)
    ("GraphRecursionError", "length"),
    # apache/airflow#71461 (Anthropic managed agents' budget stops)
    ("AnthropicSessionBudgetExceeded", "length"),
    ("Session ... is idle but did not complete (budget_reached); configure an autonomous agent "
     "or use an outcome run.", "length"),
    # TulipFarm/tulipfarm#587
    ("repair_budget_exhausted", "length"),
    # Nothing came back, or a reason nobody can read: none.
    # microsoft/vscode-copilot-release#11432
    ("Sorry, no response was returned.", "none"),
    # anomalyco/opencode#44092
    ("The provider response ended with an unknown finish reason.", "none"),
    # Enum renderings: googleapis/go-genai types.go; firebase-android-sdk LiveContentResponse
    ("BlockedReasonModelArmor", "content_filter"),
    ("Status.TURNCOMPLETE", "stop"),
    # google-gemini/gemini-cli#8928: a loop the client halted is no call for a tool
    ("A potential loop was detected. This can happen due to repetitive tool calls or other "
     "model behavior. The request has been halted.", "other"),
    # docs.devin.ai FinishedOutcome; n8n ExecutionStatus
    ("crashed", "error"),
    # browser-use/web-ui#660: a run ended on its failures is an error, not a stop
    ("Stopping due to 3 consecutive failures", "error"),
    # agent0ai/agent-zero plugins/_infection_check: a guard's screen
    ("Threat detected — agent execution terminated.", "content_filter"),
    # google-gemini/gemini-cli useGeminiStream.ts: a stop that names its cause
    ("Response stopped due to forbidden terms.", "content_filter"),
    ("Response stopped due to unsupported language.", "other"),
    ("Response stopped for other reasons.", "other"),
    # Azure OpenAI content_filter_results categories; Replicate's NSFW stop
    ("protected_material_text", "content_filter"),
    ("indirect_attack", "content_filter"),
    ("NSFW content detected. Try running it again, or try a different prompt.",
     "content_filter"),
    # guidance-ai/llguidance parser/src/api.rs (StopReason): no stop yet
    ("NotStopped", "none"),
    # botpress/botpress llmz errors/catalog.ts
    ("TOKEN_OVERFLOW", "length"),
    ("MEMORY_CAPACITY", "insufficient_system_resource"),
])
def test_finish_reasons_by_meaning(reason: str, label: str) -> None:
    assert finish_reason_label(reason) == label


@pytest.mark.parametrize(("reason", "label"), [
    # The same families must keep what they read before (alias table and families).
    ("tool_calls", "tool_calls"),
    ("StopReasonToolUse", "tool_calls"),
    ("requires_action", "tool_calls"),
    # OpenHands/OpenHands#7584: a bare budget exceeded is money, not the run's own cap
    ("BUDGET_EXCEEDED", "other"),
    # anthropics/anthropic-sdk-go message.go: a paused turn is no end
    ("StopReasonPauseTurn", "other"),
    # a stop that names a cause a family reads keeps that cause's label
    ("Response stopped due to safety reasons.", "content_filter"),
    ("stop_sequence", "stop"),
    ("Stopped due to stop sequence", "stop"),
])
def test_finish_reasons_that_stay(reason: str, label: str) -> None:
    assert finish_reason_label(reason) == label


@pytest.mark.parametrize(("message", "label"), [
    # MoonshotAI/kimi-code#242 (Kimi's 400 content_filter, api_error type in front)
    ("Error: [provider.api_error] 400 The request was rejected because it was considered high "
     "risk", "bad_request"),
    # docs.sambanova.ai api-error-codes
    ("Decimal above maximum value. Expected a value between 0 and 1, but got 100 instead.",
     "bad_request"),
    # groq/groq-typescript#28 (tool_use_failed)
    ("Failed to call a function. Please adjust your prompt. See 'failed_generation' for more "
     "details.", "bad_request"),
    # microsoft/vscode-copilot-release#12851 (a Chinese wrapper, the English reason decides)
    ("很抱歉，你的请求已失败。请重试。\n\n原因: You may not include more than 128 tools in your "  # noqa: RUF001
     "request.", "bad_request"),
    # esengine/DeepSeek-Reasonix#1906: messages[158] is a JSON path, not a status 158
    ("请求错误（DeepSeek 400）：Failed to parse the request body as JSON: messages[158].content: "  # noqa: RUF001
     "unexpected end of hex escape at line 1 column 350781", "bad_request"),
    # FoundationAgents/MetaGPT#458 (openai-python 0.x APIConnectionError)
    ("Retry attempts exhausted. Last exception: Error communicating with OpenAI", "network"),
    # augmentcode/augment.vim#50 and #51
    ("Error signing in: Failed to process user code. Please try again.", "auth"),
    ('Sign in failed. If you have a firewall, please add "https://i1.api.augmentcode.com/" to '
     "your allowlist.", "network"),
    # kirodotdev/Kiro#9464: the user's input, not the provider's server
    ("An unexpected error occurred while processing your input.", "other"),
    # dwgx/WindsurfAPI#143: a deadline exceeded while reading a body is no body too large
    ("Stream error after retries: Encountered retryable error from model provider: context "
     "deadline exceeded (Client.Timeout or context cancellation while reading body)", "timeout"),
    # mostlygeek/llama-swap#92
    ("unable to start process: health check failed after 15s", "timeout"),
    # exo-explore/exo#106 (huggingface/transformers utils/hub.py)
    ("Failed to load processor for llama3-8b-sfr. Error: llama3-8b-sfr is not a local folder "
     "and is not a valid model identifier listed on 'https://huggingface.co/models'", "not_found"),
])
def test_provider_errors_of_batches_83_to_98(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    # Google APIs' 403 ACCESS_TOKEN_SCOPE_INSUFFICIENT; the Gemini API's leaked-key 403
    ("Request had insufficient authentication scopes.", "auth"),
    ("Your API key was reported as leaked. Please use another API key.", "auth"),
    # Amazon API Gateway's MissingAuthenticationTokenException; OpenRouter's 401
    ("Missing Authentication Token", "auth"),
    ("No cookie auth credentials found", "auth"),
    # googleapis/google-auth-library-python (DefaultCredentialsError); botocore ProfileNotFound;
    # Microsoft Entra ID AADSTS7000215; GitHub Copilot
    ("Could not automatically determine credentials. Please set GOOGLE_APPLICATION_CREDENTIALS "
     "or explicitly create credentials and re-run the application.", "auth"),
    ("The config profile (dev) could not be found", "auth"),
    ("AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the "
     "request is the client secret value, not the client secret ID", "auth"),
    ("You are not signed in to GitHub", "auth"),
    # Gemini/Mistral capability 400s; Azure OpenAI OperationNotSupported; Google JSON payloads
    ("Function calling is not enabled for models/gemma-3-27b-it", "bad_request"),
    ("Please ensure that multiturn requests alternate between user and model.", "bad_request"),
    ("The chatCompletion operation does not work with the specified model, gpt-4o-realtime. "
     "Please choose different model and try again.", "bad_request"),
    ('Unknown name "tools": Cannot find field.', "bad_request"),
    # Vertex AI's 400 prefix, and its 429 that is no validation error
    ("Unable to submit request because it has an empty text parameter. Add a value to the "
     "parameter and try again.", "bad_request"),
    ("Unable to submit request because the input token count is 1200000 but model only "
     "supports up to 1048576. Reduce the input token count and try again.", "context_length"),
    # jsonschema-style 400 bodies (OpenAI, ollama's OpenAI layer); Anthropic/Bedrock 400
    ("[] is too short - 'messages'", "bad_request"),
    ("'auto' is not one of ['none', 'required'] - 'tool_choice'", "bad_request"),
    ("`temperature` and `top_p` cannot both be specified for this model. Please use only one.",
     "bad_request"),
    # Cohere's trial-key 429: a rate written with a slash
    ("You are using a Trial key, which is limited to 10 API calls / minute.", "rate_limit"),
    # Kong's 502 body; Cloudflare's 520 page; Bedrock's ServiceUnavailableException text
    ("An invalid response was received from the upstream server", "server"),
    ("Web server is returning an unknown error", "server"),
    ("Bedrock is unable to process your request.", "server"),
    # PyTorch CUDA errors in model servers' 500s
    ("CUDA error: an illegal memory access was encountered", "server"),
    # anthropics/claude-code#25084 (Node.js TLS error code behind a TLS-inspecting proxy)
    ("SELF_SIGNED_CERT_IN_CHAIN", "network"),
    # Felix3322/PotPlayer_ChatGPT_Translate#62 (Qwen API)
    ("API Error: You exceeded your current requests list.", "rate_limit"),
    # .NET WebException NameResolutionFailure; WinHTTP 12029; EHOSTDOWN's strerror
    ("The remote name could not be resolved: 'api.openai.com'", "network"),
    ("A connection with the server could not be established", "network"),
    ("Host is down", "network"),
    # google-gemini/gemini-cli#15576: a daily quota resets, so it is a rate
    ("[API Error: You have exhausted your daily quota on this model.]", "rate_limit"),
    # dart-lang/sdk SocketException; gai_strerror (EAI_NODATA, macOS EAI_NONAME); aiohttp
    # ClientPayloadError; urllib3 ProtocolError through requests' ChunkedEncodingError
    ("SocketException: Failed host lookup: 'api.openai.com' (OS Error: No address associated "
     "with hostname, errno = 7)", "network"),
    ("nodename nor servname provided, or not known", "network"),
    ("aiohttp.client_exceptions.ClientPayloadError: Response payload is not completed",
     "network"),
    ("('Connection broken: IncompleteRead(0 bytes read, 512 more expected)', "
     "IncompleteRead(0 bytes read, 512 more expected))", "network"),
    # AI gateways' error bodies: Portkey (412 Budget exhausted; 446 Guardrail checks failed),
    # langfuse.com ai-gateway-error-codes, nutrient.io dws-ai-gateway errors
    ("Budget exhausted", "billing"),
    ("Guardrail checks failed (request denied)", "bad_request"),
    ("Invalid gateway credential", "auth"),
    ("model_not_allowed", "auth"),
    ("Key lacks permission.", "auth"),
    # ollama/ollama llm/server.go: the runner failed; its queue is full (503)
    ("an error was encountered while running the model: CUDA out of memory", "server"),
    ("server busy, please try again.  maximum pending requests exceeded", "overloaded"),
    # providers' own wordings: DeepSeek's and OpenAI's content 400s, Groq's restricted org,
    # Together's missing model, Vertex AI's and the Gemini API's request quotas (429)
    ("Content Exists Risk", "bad_request"),
    ("Sorry! We've encountered an issue with repetitive patterns in your prompt. Please try "
     "again with a different prompt.", "bad_request"),
    ("Organization has been restricted. Please reach out to support if you believe this was "
     "in error.", "auth"),
    ("Unable to access model x. Please visit https://api.together.ai/models to view the list "
     "of supported models.", "not_found"),
    ("Online prediction request quota exceeded for gemini-pro. Please try again later with "
     "backoff.", "rate_limit"),
    ("Quota exceeded for metric: generativelanguage.googleapis.com/"
     "generate_content_free_tier_requests, limit: 0", "rate_limit"),
    # gptscript-ai/gptscript#508; a bare Invalid URL is a client's check of the request's
    # address (continuedev/continue#12923): bad_request since round 25 (SDK pre-flight checks
    # of the request are bad_request); OpenAI's 404 names the route
    ("failed to find a model provider for model [gpt-4o]", "not_found"),
    ("Invalid URL", "bad_request"),
    ("// API ERROR: Invalid URL (POST /v1/chat/completions)", "not_found"),
    # laravel/framework ThrottleRequests (429)
    ("Too Many Attempts.", "rate_limit"),
    # ChatGPT's web client, as browser-session wrappers pass it on
    ("The message you submitted was too long, please reload the conversation and submit "
     "something shorter.", "context_length"),
    # google/rpc/code.proto DEADLINE_EXCEEDED
    ("Deadline expired before operation could complete.", "timeout"),
])
def test_provider_wordings_not_in_the_corpus(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    # QuantumNous/new-api i18n/locales/en.yaml and middleware/distributor.go (relays)
    ("Token not provided", "auth"),
    ("This token status is unavailable", "auth"),
    ("This channel has been disabled", "auth"),
    ("No permission to access this group", "auth"),
    ("Current group upstream load is saturated, please try again later", "overloaded"),
    ("No available channel for model gpt-4o under group default", "not_found"),
    # songquanpeng/one-api relay/controller/helper.go; stanford-crfm/helm accounts.py
    ("user quota is not enough", "billing"),
    ("No quota for gpt4", "billing"),
    # aws/nova-act act_errors.py: quota limits that keep capacity are a rate
    ("We have quota limits to ensure sufficient capacity for all users.", "rate_limit"),
    # janhq/jan#6961; open-webui/open-webui#1229; mlfoundations/evalchemy#54
    ("LLAMA_CPP_PROCESS_ERROR The model process encountered an unexpected error.", "server"),
    ("Uh-oh! There was an issue connecting to Ollama", "network"),
    ("ValueError: Please set OPENAI_API_KEY", "auth"),
    # langchain-ai/open_deep_research deep_researcher.py
    ("Report generation failed due to token limits", "context_length"),
    # tatsu-lab/alpaca_eval#168: a field saying there was no stream error names none
    ("error_code=None error_message='OpenAI response error' error_param=prompt "
     "error_type=invalid_request_error message='OpenAI API error received' stream_error=False",
     "bad_request"),
    # xtekky/gpt4free g4f/errors.py ResponseStatusError: a status after "Response"
    ("g4f.errors.ResponseStatusError: Response 429: HTML content", "rate_limit"),
    # MCP servers' and Stripe's access messages; xAI's OAuth login
    ("Invalid authorization token for MCP server 'notion'. Please check your token and try "
     "again.", "auth"),
    ("Stripe AI SDK Provider Access Required\n\nYou are probably seeing this error because "
     "you have not been granted access to the Stripe AI SDK Provider private preview.", "auth"),
    ("xAI OAuth login expired", "auth"),
    # the 128-tool cap in other words; jsonschema's maximum; OpenAI's unparsable body
    ("Cannot have more than 128 tools per request.", "bad_request"),
    ("// API ERROR: 14 is greater than the maximum of 1 - 'top_p'", "bad_request"),
    ('"message": "We could not parse the JSON body of your request."', "bad_request"),
    # malformed JSON in the response is the client's reading of the answer, not the request
    ("ChatGPT error (nil): Malformed JSON in response.", "other"),
])
def test_relay_and_harness_wordings(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    # a quota the request exceeds is spent, not a rate (Gemini Live close reason, batch 79)
    ("received 1002 (protocol error) This request exceeds your quota limit.", "billing"),
])
def test_quota_spent_stays_billing(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    # A gateway's firewall product is no network failure; a sign-in through one is
    # (augmentcode/augment.vim#51 above); a 429 of Vertex stays a rate limit.
    ("429 Unable to submit request because the service is temporarily out of capacity.",
     "rate_limit"),
    # OpenAI's insufficient_quota stays billing
    ("You exceeded your current quota, please check your plan and billing details.",
     "billing"),
    # cloudflare-docs workers-ai errors: a daily allowance of credit stays billing
    ("You have used up your daily free allocation of 10,000 neurons. Please upgrade to "
     "Cloudflare's Workers Paid plan if you would like to continue usage.", "billing"),
    # retries are no time: a failure after N attempts names no timeout
    ("health check failed after 3 attempts", "other"),
])
def test_false_positives_stay_out(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


def test_a_json_path_index_is_no_status() -> None:
    # serde's error path (DeepSeek's 400 through axum), and a real bracketed status beside it
    assert status_in_message("Failed to parse: messages[158].content: bad escape") is None
    assert status_in_message("request failed [429] rate limited") == 429


def test_a_budget_of_tokens_is_no_money() -> None:
    # MoonshotAI/kimi-cli kosong _generate.py (APIEmptyResponseError)
    message = ("The API returned a response containing only thinking content without any text "
               "or tool calls. This usually indicates the stream was interrupted or the output "
               "token budget was exhausted during reasoning.")
    assert provider_error_label(message, None) != "billing"
