"""provider_error by meaning, round 27: the request-validation and capability wordings of
servers, gateways and SDKs (bad_request), local servers' model-load failures (server) and a
count of input over what a server can take (context_length), read from the message alone;
batches 131-138 missed them, and the same kinds in other programs' words.  Each string is
real; its source is in the comment above it."""

from __future__ import annotations

import pytest

from metricsd.core.facts import provider_error_label


@pytest.mark.parametrize(("message", "label"), [
    # Kong/kong kong/llm/plugin/shared-filters/normalize-request.lua, ai-prompt-decorator (400)
    ("this LLM route only supports application/json requests", "bad_request"),
    ("this LLM route only supports llm/chat type requests", "bad_request"),
    ("content-type header does not match request body, or bad JSON formatting", "bad_request"),
    # golang/go src/net/http/request.go (ErrNotMultipart, ErrMissingBoundary), as Go model
    # servers answer a request body they cannot read
    ("request Content-Type isn't multipart/form-data", "bad_request"),
    ("no multipart boundary param in Content-Type", "bad_request"),
    # Kong/kong kong/llm/drivers (400)
    ("cannot run raw 'prompt' and chat history 'messages' requests at the same time - refer "
     "to schema", "bad_request"),
    # Alibaba Cloud Model Studio error codes (400 InvalidParameter)
    ("This model only support stream mode, please enable the stream parameter to access the "
     "model.", "bad_request"),
    ("parameter.enable_thinking only support stream call", "bad_request"),
    # lidge-jun/opencodex#126 (NVIDIA NIM, 400)
    ("This model only supports single tool-calls at once!", "bad_request"),
    # huggingface/text-generation-inference router/src/validation.rs
    ("you must use sampling when `best_of` is > 1", "bad_request"),
    ("`best_of` != 1 is not allowed for this endpoint", "bad_request"),
    ("`top_n_tokens` != 0 is not allowed for this endpoint", "bad_request"),
    # triton-inference-server/client tritonclient _infer_input.py
    ("got unexpected datatype BYTES from numpy array, expected FP32.", "bad_request"),
    ("got unexpected numpy array shape [1,], expected [2]", "bad_request"),
    # triton-inference-server/server qa (a request without all of the model's inputs)
    ("expected 2 inputs but got 1 inputs for model 'add_sub'", "bad_request"),
    # JamePeng/llama-cpp-python#165 (ValueError)
    ("Image input detected, but the loaded model is not configured with a mmproj module.",
     "bad_request"),
    # openai/codex logs as an agent's report quotes them (an OpenAI-compatible server's 400)
    ("stream disconnected before completion: DeepSeek-V4-Flash-0731 is not a multimodal model",
     "bad_request"),
    # ggml-org/llama.cpp common/chat.cpp (std::invalid_argument, 400), as clients' docs and
    # an agent's warning quote llama-server's body
    ("Unable to generate parser for this template. Automatic parser generation failed: JSON "
     'schema conversion failed: Unrecognized schema: "object"', "bad_request"),
    ("Unable to generate parser for this template. Error: Object key of unhashable "
     "type: Array", "bad_request"),
    # ggml-org/llama.cpp src/llama-grammar.cpp via llama-server (400) and Ollama
    ("Failed to initialize samplers: failed to parse grammar", "bad_request"),
    ("parse: error parsing grammar: Undefined rule identifier 'keywords-Menschen'",
     "bad_request"),
    # Kimi Code error reference; Moonshot API 400 as clients quote it
    ("thinking is enabled but reasoning_content is missing", "bad_request"),
    ("thinking is enabled but reasoning_content is missing in assistant tool call message at "
     "index 2", "bad_request"),
    # api-docs.deepseek.com thinking mode (400), as users paste it
    ("Missing `reasoning_content` field in the assistant message at message index 2.",
     "bad_request"),
    # huggingface/huggingface.js packages/inference/src/lib/makeRequestOptions.ts
    ("Model URLs are no longer supported. Use endpointUrl instead.", "bad_request"),
    # Kimi Code error reference (400)
    ("unsupported image url", "bad_request"),
    # ml-explore/mlx-examples#1060 (Python http.server's log of a 501 it sent)
    ("code 501, message Unsupported method ('GET')", "bad_request"),
    # sashabaranov/go-openai reasoning_validator.go
    ("this model has beta-limitations, temperature, top_p and n are fixed at 1, while "
     "presence_penalty and frequency_penalty are fixed at 0", "bad_request"),
    # alibaba/page-agent#613 (LM Studio's local server)
    ('{"error": "Invalid tool_choice type: \'object\'. Supported string values: none, auto, '
     'required"}', "bad_request"),
    # ggml-org/llama.cpp tools/server and common/chat (400)
    ('Either "json_schema" or "grammar" can be specified, but not both', "bad_request"),
    ("Cannot have 2 or more assistant messages at the end of the list.", "bad_request"),
    # Mistral API 400 invalid_request_message_order, as users quote it
    ("Expected last role User or Tool (or Assistant with prefix True) for serving but got "
     "assistant", "bad_request"),
    # vllm-project/vllm entrypoints/chat_utils.py (400), as NVIDIA NIM users meet it
    ("At most 1 image(s) may be provided in one request.", "bad_request"),
    # mudler/LocalAI (500), as its issues show it
    ("failed to load model with internal loader: backend not found: "
     "/tmp/localai/backend_data/backend-assets/grpc/whisperx", "server"),
    ("failed to load model with internal loader: could not load model: rpc error: code = "
     "Unknown desc = failed loading model", "server"),
    # charmbracelet/mods (for a 500 from Ollama)
    ("Error loading model 'llama3' for API 'ollama'.", "server"),
    # edgenai/llama_cpp-rs crates/llama_cpp/src/model/mod.rs
    ("9000 were provided, but llama.cpp can only handle 4096", "context_length"),
    # IBM watsonx.ai Java SDK (ModelNotSupportedException): a model that is not there
    ("com.ibm.watsonx.ai.core.exception.ModelNotSupportedException: model_not_supported: "
     "Model 'openai/gpt-oss-120b' was not found. This model may be unsupported, deprecated, "
     "or removed.", "not_found"),
    # a server's answer that was not JSON is no bad request (batch 138)
    ('ERROR: ChatAPI responded with invalid json "illegal value"', "other"),
])
def test_message_alone(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "status", "label"), [
    # the status wins over the words where no refinement applies (Ollama's 500 for a grammar)
    ("parse: error parsing grammar: Undefined rule identifier 'keywords-Menschen'", 500,
     "server"),
    # llama.cpp's 500 for an image sent to a server started without --mmproj
    ("image input is not supported - hint: if this is unexpected, you may need to provide the "
     "mmproj", 500, "server"),
    # the status written in the message (llama-server behind a gateway)
    ("Error: API Error (500): image input is not supported - hint: if this is unexpected, you "
     "may need to provide the mmproj", None, "server"),
])
def test_with_status(message: str, status: int | None, label: str) -> None:
    assert provider_error_label(message, status) == label


@pytest.mark.parametrize(("message", "label"), [
    # guards: the same words where they name something else
    # a client that could not read the answer (JavaScript's JSON.parse; Python's json)
    ('Unexpected token \'<\', "<html> <h"... is not valid JSON', "other"),
    ("json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)", "other"),
    # a client that got an answer of the wrong type
    ("unexpected content-type in response: text/html", "other"),
    # an app's or library's own load of a model file (LM Studio, llama-cpp-python)
    ("Error: Error: Failed to load the model", "other"),
    ("Failed to load model '/home/user/models/mistral-7b-instruct.Q4_K_M.gguf'", "other"),
    # a backend not ready yet (a busy server's), and a load the gRPC call canceled
    # (mudler/LocalAI)
    ("Error: failed to load model with internal loader: grpc service not ready", "overloaded"),
    ("failed to load model with internal loader: could not load model: rpc error: code = "
     "Canceled desc = ", "canceled"),
    # a server without a chat template, and a template engine out of memory
    ('{\n    "error": "Template error: template not found",\n    "error_type": '
     '"template_error"\n}', "other"),
    ("Error: Failed to parse chat template: 1:1: error: Unexpected exception occurred during "
     "template processing. Exception: std::bad_alloc", "other"),
    # the template's own raise_exception (llama-server 400 as a client's test quotes it)
    ("Unable to generate parser for this template. Automatic parser generation failed: \n"
     "------------\nWhile executing CallExpression at line 110\nError: Jinja Exception: "
     "System message must be at the beginning.", "bad_request"),
    # a count of tokens over the model's size is not a request the server refuses by kind
    ("Input was too large: 70000 were provided, but llama.cpp only supports up to 65536",
     "context_length"),
    # an "only supports up to" of tokens stays the context's (Vertex AI)
    ("Unable to submit request because the input token count is 40000 but model only "
     "supports up to 32768", "context_length"),
])
def test_guards(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label
