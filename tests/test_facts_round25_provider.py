"""provider_error and finish_reason by meaning, round 25: kinds the training batches 131-138
missed at first sight (SDK pre-flight checks in Java/Go/R/Rust/.NET, wrapped status renderings
in other languages, less common providers, gateways and local servers), and other programs'
wordings of the same failures, read from the message alone.  Each string is real; its source is
in the comment above it (or in the row of metricsd/core/facts.py that reads it)."""

from __future__ import annotations

import pytest

from metricsd.core.facts import finish_reason_label, provider_error_label


@pytest.mark.parametrize(("message", "label"), [
    # --- auth: no credential found or resolved before anything is sent
    # openai/openai-java openai-java-bedrock BedrockAuth.kt
    ("Failed to resolve a bearer credential for Bedrock.", "auth"),
    ("Failed to resolve AWS credentials for Bedrock. Verify your AWS profile, environment "
     "variables, or runtime identity configuration and try again.", "auth"),
    # anthropics/anthropic-sdk-go bedrock/bedrock.go
    ("expected AWS credentials to be set", "auth"),
    # awslabs/aws-sdk-rust aws-config (as Rust programs print CredentialsNotLoaded)
    ("no providers in chain provided credentials", "auth"),
    ("the credential provider was not enabled", "auth"),
    # tensorzero/tensorzero crates/tensorzero-error
    ("Autopilot credentials unavailable", "auth"),
    # mlverse/chattr#52 (R); huggingface/huggingface_hub utils/_headers.py
    ("! No token found", "auth"),
    ("Token is required (`token=True`), but no token found. You need to provide a token or be "
     "logged in to Hugging Face with `huggingface-cli login` or `huggingface_hub.login`.", "auth"),
    # langchain-ai/langchain utils/env.py; cohere-ai/cohere-python client.py
    ("Did not find openai_api_key, please add an environment variable `OPENAI_API_KEY` which "
     "contains it, or pass `openai_api_key` as a named parameter.", "auth"),
    ("The client must be instantiated be either passing in token or setting CO_API_KEY", "auth"),
    # continuedev/continue core/llm/llms/Replicate.ts
    ("You need to use an API key", "auth"),
    # huggingface/huggingface.js providerHelper.ts (InferenceClientRoutingError)
    ("Cannot select auto-router when using non-Hugging Face API key.", "auth"),
    # openai/openai-dotnet (ArgumentNullException for a missing credential)
    ("Value cannot be null. (Parameter 'credential')", "auth"),
    # --- auth: access to a model the account may not use
    # Alibaba Cloud Model Studio (AccessDenied.Unpurchased)
    ("Access to model denied. Please make sure you are eligible for using the model.", "auth"),
    # OpenAI API (unverified organization), as openai/openai-agents-python#1050 quotes it
    ("Your organization must be verified to use the model `o3`. Please go to: "
     "https://platform.openai.com/settings/organization/general and click on Verify "
     "Organization.", "auth"),
    # Amazon Bedrock via theopenco/llmgateway#3393
    ("openai.gpt-5.6-luna is not available for this account. You can explore other available "
     "models on Amazon Bedrock.", "auth"),
    # Vertex AI / Gemini API PERMISSION_DENIED
    ("Permission 'aiplatform.endpoints.predict' denied on resource "
     "'//aiplatform.googleapis.com/projects/x/locations/us-central1/publishers/google/models/"
     "gemini-pro' (or it may not exist).", "auth"),
    # --- bad_request: the request's own parameters (written before the split of labels)
    # docs.z.ai api-code 1210; Alibaba Cloud Model Studio error codes
    ("Incorrect API call parameters, please check the documentation", "bad_request"),
    ("Required input parameter missing from request.", "bad_request"),
    ("Invalid URL provided in your request.", "bad_request"),
    ("Database schema is invalid for text2sql.", "bad_request"),
    # openai/openai-go azure/azure.go
    ("azure: deployment routing requires a non-empty model field", "bad_request"),
    # Node.js WHATWG URL; golang/go net/http; psf/requests; encode/httpx
    ("TypeError [ERR_INVALID_URL]: Invalid URL", "bad_request"),
    ('Post "api.openai.com/v1/chat/completions": unsupported protocol scheme ""', "bad_request"),
    ("Request URL is missing an 'http://' or 'https://' protocol.", "bad_request"),
    # serde-rs/serde, as Rust servers print a body they cannot read
    ("missing field `model` at line 1 column 20", "bad_request"),
    # boto/botocore NoRegionError; openai-python lib/azure.py
    ("You must specify a region.", "bad_request"),
    # --- not_found: nobody serves the model named
    # huggingface/huggingface.js packages/inference/src (InferenceClientInputError)
    ("No Inference Provider available for model meta-llama/Llama-3.1-8B-Instruct.", "not_found"),
    # awslabs/multi-model-server
    ("Model is not being served on model server", "not_found"),
    # --- billing and rate_limit: an allowance used up, or a limit that resets
    # huggingface/autotrain-advanced#943; voiceflow/general-runtime
    ("Inference usage has reached the max", "billing"),
    ("Exceeded token usage.", "billing"),
    # AI gateways' monthly allowance, SaaS 402s
    ("Token limit exceeded for this month", "billing"),
    ("Your free trial has ended. Choose a plan to continue.", "billing"),
    ("This feature is not available on your current plan.", "billing"),
    # AI gateways' token limiters (daily token limit exceeded); Acumatica REST API 429
    ("daily token limit exceeded", "rate_limit"),
    ("The number of requests has exceeded the limit imposed by the license", "rate_limit"),
    # BerriAI/litellm router (RouterRateLimitError, 429), microsoft/agent-lightning#290
    ("Exception occured - No deployments available for selected model, Try again in 5 seconds. "
     "Passed model=Qwen/Qwen2.5-0.5B-Instruct. pre-call-checks=False,", "rate_limit"),
    # --- overloaded, timeout, network in other languages' clients
    # envoyproxy/envoy (503 UO); ollama/ollama server/sched.go (ErrMaxQueue)
    ("upstream connect error or disconnect/reset before headers. reset reason: overflow",
     "overloaded"),
    # ruby/timeout lib/timeout.rb
    ("execution expired", "timeout"),
    # erlang/otp inet atoms in Elixir clients; r-lib/httr2; JuliaWeb/HTTP.jl; openai-java
    ("%HTTPoison.Error{reason: :nxdomain}", "network"),
    ("Failed to perform HTTP request.", "network"),
    ("HTTP.Exceptions.RequestError", "network"),
    ("com.openai.errors.OpenAIIoException: Request failed", "network"),
    # --- a status in a constructor rendering: JuliaWeb/HTTP.jl StatusError (PromptingTools.jl#232)
    ('caused by: HTTP.Exceptions.StatusError(429, "POST", "/api/v1/chat/completions", '
     "HTTP.Messages.Response:", "rate_limit"),
    ('HTTP.Exceptions.StatusError(401, "POST", "/v1/chat/completions", HTTP.Messages.Response:',
     "auth"),
])
def test_provider_message_alone(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    # Guards: the same words where they name something else.
    # OpenAI's 404 for a route that does not exist stays not_found
    ("Invalid URL (POST /v1/chat/completions)", "not_found"),
    # an errno in a double-quoted repr is no HTTP status
    ('ConnectionResetError(104, "Connection reset by peer")', "network"),
    # a tensor's shape, a client's reading of the answer: no bad request
    ("shape '[2, 512]' is invalid for input of size 524288", "other"),
    ("Error: failed to deserialize api response: error:missing field `status`", "other"),
    # a usage limit that resets is a rate, a machine's memory no allowance
    ("You have reached your usage limit. Resets at 5pm", "rate_limit"),
    ("GPU memory usage exceeded", "other"),
    # a rate limit that also says upgrade stays a rate limit
    ("You've hit your rate limit. Upgrade your plan for higher limits.", "rate_limit"),
    # ollama's full queue stays overloaded (it says busy too)
    ("server busy, please try again.  maximum pending requests exceeded", "overloaded"),
    # java.io.IOException: canceled stays canceled
    ("java.io.IOException: canceled", "canceled"),
    # Databricks' provisioned-throughput eligibility is no account matter
    ("databricks.sdk.errors.platform.InvalidParameterValue: Served entity "
     "system.ai.gpt-oss-120b is not eligible for Provisioned Throughput.", "bad_request"),
])
def test_provider_guards(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("status", "message", "label"), [
    # Guard: a 429 with a quota per minute is a rate, with a monthly allowance billing
    (429, "quota exceeded for this minute", "rate_limit"),
    (429, "Token limit exceeded for this month", "billing"),
])
def test_provider_with_status(status: int, message: str, label: str) -> None:
    assert provider_error_label(message, status) == label


@pytest.mark.parametrize(("reason", "label"), [
    # openai/openai-java ChatCompletion.kt (Choice.FinishReason.Value._UNKNOWN), as
    # spring-projects/spring-ai and apps print Value.name()
    ("FinishReason.Value._UNKNOWN", "none"),
    ("Value._UNKNOWN", "none"),
    # protobuf Java enums (Candidate.FinishReason.UNRECOGNIZED)
    ("FinishReason.UNRECOGNIZED", "none"),
    # MiniMax-AI/Mini-Agent mini_agent/agent.py (max_steps reached)
    ("Task couldn't be completed after 50 steps.", "length"),
])
def test_finish_reason(reason: str, label: str) -> None:
    assert finish_reason_label(reason) == label


@pytest.mark.parametrize(("reason", "label"), [
    # Guards: the member sets of the same SDKs hide no reason; a task that completed is a stop
    ("StopReason.Known.END_TURN", "stop"),
    ("FinishReason.Value.MAX_TOKENS", "length"),
    ("Task completed after 5 steps", "stop"),
])
def test_finish_reason_guards(reason: str, label: str) -> None:
    assert finish_reason_label(reason) == label


@pytest.mark.parametrize(("message", "label"), [
    # grpc/grpc-go status.Error, hyperium/tonic Status (Debug and Display), elixir-grpc
    # RPCError: a gRPC code printed by another language's library, where the words name nothing
    ("rpc error: code = Internal desc = x", "server"),
    ('Status { code: Internal, message: "boom", source: None }', "server"),
    ('status: Internal, message: "boom", details: [], metadata: MetadataMap { headers: {} }',
     "server"),
    ('%GRPC.RPCError{status: 8, message: "x"}', "rate_limit"),
])
def test_grpc_code_in_other_languages(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    # Guards: the words after desc = decide first; Unknown names no status
    ("could not load model: rpc error: code = Unknown desc = stat /build/models/x.gguf: no such "
     "file or directory", "not_found"),
    ("rpc error: code = Unknown desc = x", "other"),
    ("Task status: unknown", "other"),
    # a CamelCase code name was read before, as a status-shaped name
    ("rpc error: code = FailedPrecondition desc = x", "bad_request"),
])
def test_grpc_code_guards(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    # OpenRouter (400: x is not a valid model ID), as clients quote it
    ("openrouter/foo is not a valid model ID", "not_found"),
    # zed-industries/zed crates/language_model_core; a stream cut short
    ("stream from Anthropic ended unexpectedly", "network"),
    ("Stream ended unexpectedly", "network"),
])
def test_more_message_alone(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


def test_a_stream_that_ended_is_no_failure_named() -> None:
    # Guard: "Stream ended" alone does not say it ended early
    assert provider_error_label("Stream ended", None) == "other"


@pytest.mark.parametrize(("reason", "label"), [
    # java.util.Optional.toString of an absent finish reason; R's NA; Julia's nothing and
    # missing; Haskell's Nothing
    ("Optional.empty", "none"),
    ("NA", "none"),
    ("nothing", "none"),
    ("Nothing", "none"),
    ("missing", "none"),
])
def test_absent_values_of_other_languages(reason: str, label: str) -> None:
    assert finish_reason_label(reason) == label


def test_a_present_optional_is_its_value() -> None:
    # Guard: anthropic-java's stopReason() printed when present
    assert finish_reason_label("Optional[end_turn]") == "stop"


@pytest.mark.parametrize(("message", "label"), [
    # tidyverse/ellmer (R); apps' checks of a key not configured
    ("Can't find env var `OPENAI_API_KEY`.", "auth"),
    ("API key not configured", "auth"),
    # API clients' OAuth refresh
    ("Unable to refresh access token", "auth"),
    # nginx / Apache 401 page in front of a model
    ("<html><head><title>401 Authorization Required</title></head></html>", "auth"),
])
def test_auth_wordings_of_other_clients(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    # model and HTTP servers' 503 while loading, starting or draining
    ("Model is being loaded, please wait...", "overloaded"),
    ("Server is starting up, please retry in a moment.", "overloaded"),
    ("the server is shutting down", "overloaded"),
])
def test_not_up_yet_or_going_down(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    # tokio-rs/tokio time::error::Elapsed; php/php-src Zend/zend_execute_API.c
    ("deadline has elapsed", "timeout"),
    ("PHP Fatal error:  Maximum execution time of 30 seconds exceeded in "
     "/var/www/vendor/guzzlehttp/guzzle/src/Handler/CurlHandler.php on line 44", "timeout"),
])
def test_timeouts_of_other_runtimes(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label



@pytest.mark.parametrize(("message", "label"), [
    # lobehub/lobe-chat locales/{de-DE,es-ES}/error.json (NoOpenAIAPIKey, FreePlanLimit)
    ("Der OpenAI-API-Schlüssel ist leer. Bitte fügen Sie einen benutzerdefinierten "
     "OpenAI-API-Schlüssel hinzu", "auth"),
    ("La clave de API de OpenAI está vacía. Agregue una clave de API de OpenAI personalizada",
     "auth"),
    ("Actualmente eres un usuario gratuito y no puedes utilizar esta función. Por favor, "
     "actualiza a un plan de pago para seguir utilizando.", "billing"),
])
def test_localized_key_and_plan(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label
