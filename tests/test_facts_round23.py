# ruff: noqa: RUF001  (real Chinese strings: full-width punctuation)
"""finish_reason and provider_error by meaning, round 23: the kinds the corpus batches 127-130
missed at first sight (provider SDKs: Qianfan, DashScope, watsonx, AI21, Voyage; Chinese
apps: LangBot, chatgpt-on-wechat, MaxKB, ragflow), and wordings of the same ideas in those
SDKs and apps that the corpus does not hold.  Each string is real; its source is in the
comment above it."""

from __future__ import annotations

import pytest

from metricsd.core.facts import finish_reason_label, provider_error_label, status_in_message


@pytest.mark.parametrize(("message", "label"), [
    # An SDK set up without its credentials: auth, not a bad argument.
    # AI21Labs/ai21-python ai21/clients/vertex/ai21_vertex_client.py
    ("Could not get access token for GCP project my-project", "auth"),
    ("Could not get credentials for GCP project", "auth"),
    # AI21Labs/ai21-python ai21/clients/azure/ai21_azure_client.py
    ("Must provide either api_key or azure_ad_token_provider or azure_ad_token", "auth"),
    # AI21Labs/ai21-python ai21/clients/common/auth/gcp_authorization.py
    ("Mismatch between credentials project id and 'project_id'", "auth"),
    # IBM/watsonx-ai-node-sdk src/authentication/utils/get-authenticator-from-environment.ts
    ("authType and apiKey cannot be undefined! Please specify an authType or an apikey", "auth"),
    ("Unable to create an authenticator from the environment.", "auth"),
    ("requestToken function not provided. This function is necessary for zen authentication.",
     "auth"),
    ("requestToken function is only valid for zen authentication", "auth"),
    # baidubce/bce-qianfan-sdk python/qianfan/resources/auth/oauth.py, resources/console/utils.py
    ("both ak and sk must be provided, otherwise access_token should be provided", "auth"),
    ("access_key and secret_key must be provided! 未提供 access_key 或 secret_key ！", "auth"),
    # MetaGLM/zhipuai-sdk-python-v4 zhipuai/_client.py
    ("未提供api_key，请通过参数或环境变量提供", "auth"),
    # Error-code enums rendered by str(): baidubce/bce-qianfan-sdk python/qianfan/consts.py
    ("APIErrorCode.GetServiceTokenFailed", "auth"),
    ("APIErrorCode.IAMCertificationFailed", "auth"),
    ("APIErrorCode.AppNotExist", "not_found"),
    ("APIErrorCode.APINameNotExist", "not_found"),
    ("APIErrorCode.QPSLimitReached", "rate_limit"),
    ("APIErrorCode.InvalidHTTPMethod", "bad_request"),
    # infiniflow/ragflow rag/llm/chat_model.py (LLMErrorCode)
    ("AUTH_ERROR", "auth"),
    # A vendor's code that is no HTTP status: the words decide (bce-qianfan-sdk errors.py)
    ("api return error, req_id: as-... code: 111, msg: Access token expired", "auth"),
    ("api return error, req_id: as-... code: 110, msg: Access token invalid or no longer valid",
     "auth"),
    # SDK argument checks: bad_request.
    # IBM/watsonx-ai-node-sdk src/gateway/ratelimit.ts, src/vml_v1.ts
    ("Parameter validation errors: Missing parameter `modelId` for `type: 'model'`",
     "bad_request"),
    ("Either projectId or spaceId need to be provided", "bad_request"),
    # AI21Labs/ai21-python ai21/clients/studio/resources/chat/base_chat_completions.py
    ("model should be provided 'create' method call", "bad_request"),
    # dashscope/dashscope-sdk-python (asr_phrase_manager.py, application.py, conversation.py,
    # api_request_factory.py)
    ("phrases is empty!", "bad_request"),
    ("training_type is empty!", "bad_request"),
    ("doc_tag_codes is not a List[str]", "bad_request"),
    ("auto_history is True, history must None", "bad_request"),
    ("There is no input data and form data", "bad_request"),
    # baidubce/bce-qianfan-sdk python/qianfan/resources/llm (ArgumentNotFoundError,
    # InvalidArgumentError)
    ("input not found in kwargs", "bad_request"),
    ("Invalid version", "bad_request"),
    # IBM/watsonx-ai-node-sdk src/gateway/policies.ts
    ("Policy with provided id: policy-1 does not exist", "not_found"),
    # dashscope/dashscope-sdk-python dashscope/audio/tts_v2/speech_synthesizer.py
    ("start speech synthesizer failed within 5s.", "timeout"),
    # dashscope/dashscope-sdk-python dashscope/api_entities/websocket_request.py (aiohttp's name)
    ("ClientConnectorError", "network"),
    # Chinese apps: RockChinQ/LangBot requesters (chatcmpl.py, anthropicmsgs.py)
    ("上文过长，请重置会话", "context_length"),
    ("请求路径错误", "not_found"),
    ("模型无效", "not_found"),
    ("请求地址无效", "not_found"),
    # zhayujie/chatgpt-on-wechat models/chatgpt/chat_gpt_bot.py, models/deepseek/deepseek_bot.py
    ("提问太快啦，请休息一下再问我吧", "rate_limit"),
    ("我连接不到你的网络", "network"),
    ("授权失败，请检查API Key是否正确", "auth"),
    # 1Panel-dev/MaxKB apps/locales/zh_Hant/LC_MESSAGES/django.po
    ("認證失敗，請檢查參數是否正確", "auth"),
])
def test_provider_errors_of_batches_127_to_130(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


def test_the_server_that_failed_to_process() -> None:
    # voyage-ai/voyageai-python voyageai/api_resources/api_requestor.py (raised for 500)
    assert provider_error_label("The server failed to process the request.", None) == "server"


@pytest.mark.parametrize(("message", "label"), [
    # baidubce/bce-qianfan-sdk python/qianfan/resources (the same SDK, other checks)
    ("(bearer_token) must be provided", "auth"),
    # an API key left empty is no key to send (the checks above, for an API key)
    ("API key is empty", "auth"),
    ("(ak, sk), access_token must be provided", "auth"),
    ("provided ak and sk are not registered", "auth"),
    ("Console request requires IAM authentication", "auth"),
    ("Missing type parameter.", "bad_request"),
    ("no param has been provided", "bad_request"),
    ("maxTokens should be positive", "bad_request"),
    ("similarity_threshold should be between 0 to 1", "bad_request"),
    ("Invalid API version", "bad_request"),
    # MetaGLM/zhipuai-sdk-python-v4 zhipuai/api_resource/batches.py
    ("Expected a non-empty value for `batch_id` but received ''", "bad_request"),
    # voyage-ai/voyageai-python voyageai/chunking.py
    ("chunk_fn cannot be combined with enable_auto_chunking=True", "bad_request"),
    # a limit's own setting is an argument check, not a rate
    ("qpsLimit and rpmLimit must be non-negative", "bad_request"),
    # baidubce/bce-qianfan-sdk javascript (the JS SDK's Chinese messages)
    ("请设置QIANFAN_ACCESS_KEY/QIANFAN_SECRET_KEY或BEARER_TOKEN", "auth"),
    ("生成 BearerToken 出错，请设置正确的QIANFAN_ACCESS_KEY/QIANFAN_SECRET_KEY", "auth"),
    # dashscope/dashscope-sdk-python dashscope/api_entities/websocket_request.py
    ("websocket connection could not established within 5s. ", "timeout"),
    # aio-libs/aiohttp aiohttp/client_exceptions.py
    ("ClientOSError", "network"),
    # zhayujie/chatgpt-on-wechat models (the same replies in other bots)
    ("请求太快了，请休息一下再问我吧", "rate_limit"),
    ("授权失败，请检查 Qianfan API Key 是否正确", "auth"),
    ("抱歉，对话历史过长导致上下文溢出。我已清空历史记录，请重新描述你的需求。", "context_length"),
    ("[BAIDU] access token 获取失败", "auth"),
    # RockChinQ/LangBot requesters/chatcmpl.py (APIConnectionError; cut before ': {str(e)}')
    ("连接错误", "network"),
])
def test_wordings_of_the_same_sdks_not_in_the_corpus(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    # Error-code names of other Chinese providers' SDKs, read by their words:
    # TencentCloud/tencentcloud-sdk-python tencentcloud/hunyuan/v20230901/errorcodes.py
    ("FailedOperation.FreeResourcePackExhausted", "billing"),
    ("ResourceInsufficient.ChargeResourceExhaust", "billing"),
    ("FailedOperation.EngineServerLimitExceeded", "rate_limit"),
    ("FailedOperation.ServiceNotActivated", "auth"),
    ("资源包余量已用尽，请购买资源包或开通后付费。", "billing"),
    ("服务未开通，请前往控制台申请试用。", "auth"),
    # TencentCloud/tencentcloud-sdk-python tencentcloud/common (TencentCloudSDKException.__str__)
    ("[TencentCloudSDKException] code:InvalidCredential message:secret id should not be none "
     "or empty requestId:None", "auth"),
    ("no valid credentail.", "auth"),
    # 1Panel-dev/MaxKB apps/locales/{zh_CN,zh_Hant}/LC_MESSAGES/django.po (the Chinese of
    # messages whose English the tables read already)
    ("模型类型不能为空", "bad_request"),
    ("App ID 是必填项", "bad_request"),
    ("消息类型暂不支持", "bad_request"),
    ("模型不支持", "bad_request"),
    ("获取企业微信访问令牌失败", "auth"),
    ("獲取 WeCom 訪問權杖失敗", "auth"),
    ("未登录，请先登录", "auth"),
    # volcengine/volcengine-python-sdk volcenginesdkcore (ApiException reason)
    ("InternalServiceError", "server"),
])
def test_error_codes_of_other_chinese_sdks(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    # A token of the answer is no credential (corpus batch 28: 64bit/async-openai users)
    ("failed to get token: failed to deserialize api response: unknown variant ``, expected "
     "one of `stop`, `length`, `tool_calls`, `content_filter`, `function_call`", "other"),
    # A TLS certification path is no identity check (corpus batch 74)
    ("javax.net.ssl.SSLHandshakeException: PKIX path building failed: sun.security.provider."
     "certpath.SunCertPathBuilderException: unable to find valid certification path to "
     "requested target", "network"),
    # A reply that came back empty is no empty argument (corpus batch 129: AstrBotDevs/AstrBot
    # gemini_source.py; baidubce/bce-qianfan-sdk: Response is empty)
    ("Gemini request failed: candidates is empty.", "other"),
    ("Response is empty", "other"),
    # ... nor a list of models that came back empty (the same kind of reply)
    ("Model list is empty", "other"),
])
def test_false_positives_stay_out(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


def test_a_1xx_that_no_registry_holds_is_no_status() -> None:
    # bce-qianfan-sdk's codes 110/111 are its own; 100-103 are registered HTTP statuses
    assert status_in_message("api return error, code: 111, msg: Access token expired") is None
    assert status_in_message("api return error, code: 110, msg: Access token invalid") is None
    assert status_in_message("unexpected status code: 101") == 101


@pytest.mark.parametrize(("reason", "label"), [
    # bytedance/deer-flow backend/packages/harness/deerflow/subagents/status_contract.py
    ("token_capped", "length"),
    ("turn_capped", "length"),
    # a loop guard is no length (the same file; the corpus labels it other)
    ("loop_capped", "other"),
])
def test_capped_runs(reason: str, label: str) -> None:
    assert finish_reason_label(reason) == label
