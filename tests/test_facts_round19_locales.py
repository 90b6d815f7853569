# ruff: noqa: RUF001  (real localized strings: full-width punctuation and Cyrillic letters)
"""Round 19: error and stop messages in the languages agents' users run (Simplified and
Traditional Chinese, Japanese, Korean, German, French, Spanish, Portuguese, Russian), read by
the meaning of their words, and the words of a text in composed form (NFC).

Every string is real, copied from its public source (placeholders such as ``{{seconds}}``
filled in): each group names it. Locale files: RooCodeInc/Roo-Code
src/i18n/locales/<lang>/{common,tools,embeddings}.json (zh-TW at 003a2057c11a, the other
languages at cb83656718); lobehub/lobe-chat locales/<lang>/error.json (zh-TW at
4fce455c9906, fr-FR at 00e080c53901, es-ES at 02f346b84d99, pt-BR at 007485dcd029, ru-RU at
001d37c6514d, zh-CN at 0500a046ce8b); QuantumNous/new-api i18n/locales/<lang>.yaml, the
relay's own errors (zh-CN and zh-TW at 002f91220c7d, ja at 1779dd59487b, ko-KR at
6190d686c1e1, fr and ru at 221f50ea4961, pt-BR at 088b42fc517d). Providers' error tables:
api-docs.deepseek.com/zh-cn/quick_start/error_codes,
platform.minimaxi.com/docs/api-reference/errorcode,
help.aliyun.com/zh/model-studio/memory/errors. Windows messages (Winsock
10053/10054/10060/10061, ERROR_FILE_NOT_FOUND, ERROR_ACCESS_DENIED, cmd.exe and PowerShell
"not recognized", PowerShell's execution policy) as users pasted them in public code,
READMEs and agents' transcripts found by code search. glibc, coreutils, bash, git and GNU
make in zh_TW, captured here (LOCPATH with zh_TW.UTF-8 built by localedef). Every case here
was labelled wrongly on main before this round (``other`` for most)."""

from __future__ import annotations

import sys
import unicodedata

import pytest

from metricsd.core.facts import (
    NFC_TO_ASCII,
    composed,
    finish_reason_label,
    joined_words,
    provider_error_label,
    tool_error_label,
)

FINISH_REASONS = [
    # Roo-Code zh-TW (common.json, tools.json)
    ("回應被使用者中斷", "canceled"),
    ("回應被 API 錯誤中斷", "error"),
    ("（思考完成，但由於安全設定輸出被阻止。）", "content_filter"),
    ("（思考完成，但由於引用檢查輸出被阻止。）", "content_filter"),
    # Roo-Code zh-CN
    ("响应被 API 错误中断", "error"),
    ("（思考完成，但由于安全设置输出被阻止。）", "content_filter"),
    ("（思考完成，但由于引用检查输出被阻止。）", "content_filter"),
    # Roo-Code zh-TW
    ("回應被使用者中斷", "canceled"),
    ("回應被 API 錯誤中斷", "error"),
    ("（思考完成，但由於安全設定輸出被阻止。）", "content_filter"),
    ("（思考完成，但由於引用檢查輸出被阻止。）", "content_filter"),
    # Roo-Code ja
    ("APIエラーによって応答が中断されました", "error"),
    ("タスクエラー：ユーザーによって停止およびキャンセルされました。", "canceled"),
    # Roo-Code ko
    ("사용자에 의해 응답이 중단됨", "canceled"),
    ("API 오류로 인해 응답이 중단됨", "error"),
    ("(생각 완료, 토큰 제한으로 출력 잘림)", "length"),
    ("(생각 완료, 안전 설정으로 출력 차단됨)", "content_filter"),
    ("(생각 완료, 암송 확인으로 출력 차단됨)", "content_filter"),
    ("작업 오류: 사용자에 의해 중지 및 취소되었습니다.", "canceled"),
    # Roo-Code de
    ("Antwort vom Benutzer unterbrochen", "canceled"),
    ("Antwort durch API-Fehler unterbrochen", "error"),
    ("(Denken abgeschlossen, aber die Ausgabe wurde aufgrund von Sicherheitseinstellungen "
     "blockiert.)", "content_filter"),
    ("(Denken abgeschlossen, aber die Ausgabe wurde aufgrund der Rezitationsprüfung blockiert.)",
     "content_filter"),
    # Roo-Code fr
    ("Réponse interrompue par l'utilisateur", "canceled"),
    ("Réponse interrompue par une erreur d'API", "error"),
    ("(Réflexion terminée, mais la sortie a été tronquée en raison de la limite de jetons.)",
     "length"),
    ("(Réflexion terminée, mais la sortie a été bloquée en raison des paramètres de sécurité.)",
     "content_filter"),
    ("(Réflexion terminée, mais la sortie a été bloquée en raison de la vérification de "
     "récitation.)", "content_filter"),
    ("Erreur de tâche : Elle a été arrêtée et annulée par l'utilisateur.", "canceled"),
    # Roo-Code es
    ("Respuesta interrumpida por el usuario", "canceled"),
    ("(Pensamiento completado, pero la salida fue truncada debido al límite de tokens.)",
     "length"),
    ("(Pensamiento completado, pero la salida fue bloqueada debido a la configuración de "
     "seguridad.)", "content_filter"),
    ("(Pensamiento completado, pero la salida fue bloqueada debido a la comprobación de "
     "recitación.)", "content_filter"),
    ("Error de tarea: Fue detenida y cancelada por el usuario.", "canceled"),
    # Roo-Code pt-BR
    ("Resposta interrompida por erro da API", "error"),
    ("(Pensamento concluído, mas a saída foi truncada devido ao limite de tokens.)", "length"),
    ("(Pensamento concluído, mas a saída foi bloqueada devido às configurações de segurança.)",
     "content_filter"),
    ("(Pensamento concluído, mas a saída foi bloqueada devido à verificação de recitação.)",
     "content_filter"),
    # Roo-Code ru
    ("Ответ прерван ошибкой API", "error"),
]


@pytest.mark.parametrize(("reason", "label"), FINISH_REASONS)
def test_finish_reasons_in_other_languages(reason: str, label: str) -> None:
    assert finish_reason_label(reason) == label


#: Provider errors, read from the message alone (no status).
PROVIDER_ERRORS = [
    # Windows socket errors, zh-CN / zh-TW / others (provider & tool network)
    ("[WinError 10060] 由于连接方在一段时间后没有正确答复或连接的主机没有反应，连接尝试失败。",
     "timeout"),
    ("[WinError 10061] 無法連線，因為目標電腦拒絕連線。", "network"),
    ("[WinError 10054] 現存的連線已被遠端主機強制關閉。", "network"),
    ("[WinError 10060] 連線嘗試失敗，因為連線對象有一段時間並未正確回應，或是連線建立失敗，因為"
     "連線的主機無法回應。", "timeout"),
    ("[WinError 10061] Es konnte keine Verbindung hergestellt werden, da der Zielcomputer die "
     "Verbindung verweigerte", "network"),
    ("[WinError 10061] 対象のコンピューターによって拒否されたため、接続できませんでした。",
     "network"),
    ("[WinError 10061] 대상 컴퓨터에서 연결을 거부했으므로 연결하지 못했습니다", "network"),
    ("[WinError 10061] No se puede establecer una conexión ya que el equipo de destino denegó "
     "expresamente dicha conexión", "network"),
    ("[WinError 10061] Aucune connexion n’a pu être établie car l’ordinateur cible l’a "
     "expressément refusée", "network"),
    ("[WinError 10061] Nenhuma conexão pôde ser feita porque a máquina de destino as recusou "
     "ativamente", "network"),
    ("[WinError 10061] Подключение не установлено, т.к. конечный компьютер отверг запрос на "
     "подключение", "network"),
    ("[WinError 10054] Eine vorhandene Verbindung wurde vom Remotehost geschlossen", "network"),
    ("[WinError 10054] 既存の接続はリモート ホストに強制的に切断されました。", "network"),
    ("[WinError 10054] 현재 연결은 원격 호스트에 의해 강제로 끊겼습니다", "network"),
    ("[WinError 10054] Se ha forzado la interrupción de una conexión existente por el host "
     "remoto", "network"),
    ("[WinError 10054] Удаленный хост принудительно разорвал существующее подключение", "network"),
    ("[WinError 10060] Ein Verbindungsversuch ist fehlgeschlagen, da die Gegenstelle nach einer "
     "bestimmten Zeitspanne nicht richtig reagiert hat", "timeout"),
    ("[WinError 10060] 接続済みの呼び出し先が一定の時間を過ぎても正しく応答しなかったため、接続"
     "できませんでした。", "timeout"),
    ("[WinError 10060] 연결된 구성원으로부터 응답이 없어 연결하지 못했거나, 호스트로부터 응답이 "
     "없어 연결이 끊어졌습니다", "timeout"),
    ("[WinError 10060] Se produjo un error durante el intento de conexión ya que la parte "
     "conectada no respondió adecuadamente tras un periodo de tiempo", "timeout"),
    ("[WinError 10060] Попытка установить соединение была безуспешной, т.к. от другого "
     "компьютера за требуемое время не получен нужный отклик", "timeout"),
    # Roo-Code zh-TW (common.json, tools.json)
    ("Cerebras API 驗證失敗。請檢查您的 API 金鑰是否有效且未過期。", "auth"),
    ("Cerebras API 存取被拒絕。您的 API 金鑰可能無法存取所請求的模型或功能。", "auth"),
    # lobe-chat zh-TW error.json response
    ("抱歉，伺服器無法理解您的請求。請確認您的請求參數是否正確。", "bad_request"),
    ("抱歉，伺服器已拒絕您的請求，可能是因為權限不足或身分驗證無效。", "auth"),
    ("抱歉，伺服器已拒絕您的請求。您沒有權限存取此內容。", "auth"),
    ("抱歉，伺服器無法找到您請求的頁面或資源。請確認您的 URL 是否正確。", "not_found"),
    ("很抱歉，伺服器在等待請求時超時，請檢查您的網路連線後再試", "timeout"),
    ("很抱歉，您的請求資料量過大，伺服器無法處理", "too_large"),
    ("很抱歉，您的請求太多，伺服器有點累了，請稍後再試", "rate_limit"),
    ("抱歉，伺服器似乎遇到一些困難，暫時無法完成您的請求。請稍後再試。", "server"),
    ("抱歉，伺服器目前無法處理您的請求，可能是因為過載或正在進行維護。請稍後再試。", "overloaded"),
    ("Anthropic API 金鑰不正確或為空，請檢查 Anthropic API 金鑰後重試", "auth"),
    ("Ollama 服務暫時無法使用，請檢查 Ollama 是否運作正常，或是否正確設定 Ollama 的跨域配置",
     "overloaded"),
    ("您的訂閱額度已用盡，無法使用該功能，請升級到更高的計劃，或購買資源包後繼續使用", "billing"),
    # DeepSeek zh-cn error codes (api-docs.deepseek.com/zh-cn/quick_start/error_codes)
    ("服务器故障：服务器内部故障", "server"),
    # MiniMax zh (platform.minimaxi.com/docs/api-reference/errorcode)
    ("1026 输入内容涉敏", "bad_request"),
    ("1033 系统错误/下游服务错误", "server"),
    # Aliyun model studio memory errors (help.aliyun.com/zh/model-studio/memory/errors)
    ("无权限或服务未开通", "auth"),
    # Windows error codes, with a text in a language no family holds (Italian, Polish)
    ("<urlopen error [WinError 10061] Impossibile stabilire la connessione. Rifiuto persistente "
     "del computer di destinazione>", "network"),
    # lobe-chat fr-FR (00e080c53901)
    ("Désolé, le serveur ne comprend pas votre requête. Veuillez vérifier la validité de vos "
     "paramètres de requête", "bad_request"),
    ("Désolé, le serveur a refusé votre requête. Vous n'avez pas l'autorisation d'accéder à ce "
     "contenu", "auth"),
    ("Désolé, le serveur n'a pas pu trouver la page ou la ressource demandée. Veuillez vérifier "
     "l'URL", "not_found"),
    ("Désolé, le serveur a expiré en attendant la demande, veuillez vérifier votre connexion "
     "réseau et réessayer", "timeout"),
    ("Désolé, votre demande contient une quantité de données trop importante pour être traitée "
     "par le serveur", "too_large"),
    ("Désolé, votre requête est trop fréquente et le serveur est un peu fatigué. Veuillez "
     "réessayer plus tard", "rate_limit"),
    ("Nous sommes désolés, votre demande a été interrompue de manière inattendue lors du "
     "traitement par le serveur, peut-être en raison d'une annulation de votre part ou d'une "
     "connexion réseau instable. Veuillez vérifier l'état de votre réseau et réessayer.",
     "canceled"),
    ("Désolé, le serveur semble rencontrer des difficultés et ne peut temporairement pas "
     "traiter votre requête. Veuillez réessayer plus tard", "server"),
    ("Désolé, le serveur ne peut actuellement pas traiter votre requête, probablement en raison "
     "d'une surcharge ou de travaux de maintenance. Veuillez réessayer plus tard", "overloaded"),
    ("Le contenu de la demande actuelle dépasse la longueur que le modèle peut traiter. "
     "Veuillez réduire la quantité de contenu et réessayer.", "context_length"),
    ("Désolé, le quota de cette clé a atteint sa limite. Veuillez vérifier si le solde de votre "
     "compte est suffisant ou augmenter le quota de la clé avant de réessayer.", "billing"),
    ("Désolé, il n'est pas possible de demander le modèle correspondant, il se peut que le "
     "modèle n'existe pas ou que vous n'ayez pas les droits d'accès. Veuillez changer la clé "
     "API ou ajuster les droits d'accès, puis réessayez.", "not_found"),
    ("Le service Ollama n'est pas disponible. Veuillez vérifier si Ollama fonctionne "
     "correctement ou si la configuration de la communication inter-domaines d'Ollama est "
     "correcte.", "overloaded"),
    ("Désolé, vous n'avez pas la permission d'accéder à ce service. Veuillez vérifier si votre "
     "clé a les droits d'accès.", "auth"),
    ("Désolé, l'utilisation actuelle des tokens ou le nombre de requêtes a atteint la limite de "
     "quota de cette clé. Veuillez augmenter le quota de cette clé ou réessayer plus tard.",
     "rate_limit"),
    ("Votre quota d'abonnement est épuisé, vous ne pouvez pas utiliser cette fonctionnalité. "
     "Veuillez passer à un plan supérieur ou configurer l'API du modèle personnalisé pour "
     "continuer à l'utiliser.", "billing"),
    # es-ES (02f346b84d99)
    ("Lo sentimos, el servidor no comprende su solicitud. Por favor, asegúrese de que los "
     "parámetros de su solicitud sean correctos", "bad_request"),
    ("Lo sentimos, el servidor ha rechazado su solicitud. No tiene permiso para acceder a este "
     "contenido", "auth"),
    ("Lo sentimos, el servidor no puede encontrar la página o recurso solicitado. Por favor, "
     "verifique si la URL es correcta", "not_found"),
    ("Lo sentimos, el servidor ha agotado el tiempo de espera mientras esperaba la solicitud. "
     "Por favor, verifique su conexión de red e inténtelo de nuevo", "timeout"),
    ("Lo sentimos, su solicitud es demasiado grande para ser procesada por el servidor",
     "too_large"),
    ("Lo sentimos, ha realizado demasiadas solicitudes y el servidor está un poco cansado. Por "
     "favor, inténtelo de nuevo más tarde", "rate_limit"),
    ("Lo sentimos, el servidor parece estar experimentando dificultades y no puede completar su "
     "solicitud en este momento. Por favor, inténtelo de nuevo más tarde", "server"),
    ("Lo sentimos, el servidor no puede procesar su solicitud en este momento, posiblemente "
     "debido a una sobrecarga o mantenimiento. Por favor, inténtelo de nuevo más tarde",
     "overloaded"),
    ("{{provider}} API Key incorrecta o vacía, por favor revisa tu {{provider}} API Key e "
     "intenta de nuevo", "auth"),
    ("El servicio Ollama no está disponible. Por favor, verifica si Ollama está funcionando "
     "correctamente o si la configuración de Ollama para el acceso entre dominios está "
     "configurada correctamente.", "overloaded"),
    ("Lo sentimos, no tienes permiso para acceder a este servicio. Por favor, verifica si tu "
     "clave tiene los permisos necesarios.", "auth"),
    ("Lo sentimos, el uso actual de tokens o el número de solicitudes ha alcanzado el límite de "
     "cuota de esta clave. Por favor, aumenta la cuota de esta clave o intenta de nuevo más "
     "tarde.", "rate_limit"),
    ("Has alcanzado el límite de tu suscripción y no puedes utilizar esta función. Por favor, "
     "actualiza a un plan superior o compra un paquete de recursos para seguir utilizando.",
     "billing"),
    # pt-BR (007485dcd029)
    ("Desculpe, o servidor não entendeu sua solicitação. Verifique se os parâmetros da sua "
     "solicitação estão corretos", "bad_request"),
    ("Desculpe, o servidor recusou sua solicitação. Você não tem permissão para acessar este "
     "conteúdo", "auth"),
    ("Desculpe, o servidor não encontrou a página ou recurso solicitado. Verifique se a URL "
     "está correta", "not_found"),
    ("Desculpe, o servidor excedeu o tempo de espera pela solicitação, verifique sua conexão de "
     "rede e tente novamente", "timeout"),
    ("Desculpe, sua solicitação contém uma quantidade de dados muito grande e o servidor não "
     "pode processá-la", "too_large"),
    ("Desculpe, sua solicitação é muito frequente e o servidor está um pouco sobrecarregado, "
     "por favor, tente novamente mais tarde", "rate_limit"),
    ("Desculpe, sua solicitação foi interrompida inesperadamente durante o processamento no "
     "servidor, possivelmente porque você cancelou a operação ou a conexão de rede está "
     "instável. Verifique a condição da rede e tente novamente.", "canceled"),
    ("Desculpe, o servidor parece estar enfrentando algumas dificuldades e não pode concluir "
     "sua solicitação no momento. Por favor, tente novamente mais tarde", "server"),
    ("Desculpe, o servidor não pode processar sua solicitação no momento, possivelmente devido "
     "a sobrecarga ou manutenção. Por favor, tente novamente mais tarde", "overloaded"),
    ("O conteúdo da solicitação atual excede o comprimento que o modelo pode processar. Por "
     "favor, reduza a quantidade de conteúdo e tente novamente.", "context_length"),
    ("Desculpe, a cota dessa chave atingiu o limite. Verifique se o saldo da conta é suficiente "
     "ou aumente a cota da chave e tente novamente.", "billing"),
    ("Senha de acesso inválida ou em branco. Por favor, insira a senha de acesso correta ou "
     "adicione uma Chave de API personalizada.", "auth"),
    ("{{provider}} API Key inválido ou em branco, por favor, verifique o {{provider}} API Key e "
     "tente novamente", "auth"),
    ("Desculpe, não foi possível solicitar o modelo correspondente. Isso pode ser devido ao "
     "modelo não existir ou a falta de permissões de acesso. Por favor, troque a chave da API "
     "ou ajuste as permissões de acesso e tente novamente.", "not_found"),
    ("O serviço Ollama não está disponível. Verifique se o Ollama está em execução corretamente "
     "ou se a configuração de CORS do Ollama está correta", "overloaded"),
    ("Desculpe, você não tem permissão para acessar este serviço. Verifique se sua chave tem as "
     "permissões necessárias.", "auth"),
    ("Desculpe, o uso atual de tokens ou o número de solicitações atingiu o limite de quota da "
     "chave. Por favor, aumente a quota dessa chave ou tente novamente mais tarde.", "rate_limit"),
    # ru-RU (001d37c6514d)
    ("Извините, сервер не понимает ваш запрос. Убедитесь в правильности параметров запроса",
     "bad_request"),
    ("Извините, сервер отклонил ваш запрос. У вас нет разрешения на доступ к этому содержимому",
     "auth"),
    ("Извините, сервер не может найти запрошенную вами страницу или ресурс. Убедитесь, что ваш "
     "URL-адрес указан правильно.", "not_found"),
    ("Извините, ваш запрос слишком велик, сервер не может его обработать", "too_large"),
    ("Извините, ваш запрос слишком частый, и сервер немного устал. Повторите попытку позже.",
     "rate_limit"),
    ("К сожалению, сервер, похоже, испытывает некоторые трудности и временно не может выполнить "
     "ваш запрос. Повторите попытку позже.", "server"),
    ("К сожалению, сервер в настоящее время не может обработать ваш запрос, возможно, из-за "
     "перегрузки или технического обслуживания. Повторите попытку позже.", "overloaded"),
    ("Anthropic API Key недействителен или отсутствует. Пожалуйста, проверьте Anthropic API Key "
     "и повторите попытку", "auth"),
    ("Неверный или пустой ключ API Azure, пожалуйста, проверьте ключ API Azure и повторите "
     "попытку", "auth"),
    ("Аутентификация Bedrock не прошла, пожалуйста, проверьте AccessKeyId/SecretAccessKey и "
     "повторите попытку", "auth"),
    # zh-CN (0500a046ce8b)
    ("很抱歉，服务器不明白您的请求，请确认您的请求参数是否正确", "bad_request"),
    ("很抱歉，服务器拒绝了您的请求，您没有访问此内容的权限 ", "auth"),
    ("很抱歉，您的请求数据量过大，服务器无法处理", "too_large"),
    ("很抱歉，您的请求太多，服务器有点累了，请稍后再试", "rate_limit"),
    ("很抱歉，服务器似乎遇到了一些困难，暂时无法完成您的请求，请稍后再试", "server"),
    ("很抱歉，服务器当前无法处理您的请求，可能是由于过载或正在进行维护，请稍后再试", "overloaded"),
    ("很抱歉，当前 Token 用量/请求次数已达该秘钥的配额(quota)上限，请增加该秘钥的配额或稍后再试",
     "rate_limit"),
    ("Bedrock 鉴权未通过，请检查 AccessKeyId/SecretAccessKey 后重试", "auth"),
    ("文件上传失败，请检查网络连接或稍后再试", "network"),
    # new-api i18n/locales/zh-CN.yaml (relay path)
    ("未提供令牌", "auth"),
    ("该令牌状态不可用", "auth"),
    ("无有效上游渠道", "overloaded"),
    ("该渠道已被禁用", "auth"),
    ("未指定模型名称，模型名称不能为空", "bad_request"),
    ("分组 default 下模型 gpt-4 无可用渠道（distributor）", "overloaded"),
    ("无效的请求，无法解析模型", "bad_request"),
    ("您已达到请求数限制：1分钟内最多请求60次", "rate_limit"),
    ("您已达到总请求数限制：1分钟内最多请求100次，包括失败次数", "rate_limit"),
    ("该用户已被禁用", "auth"),
    ("用户已被封禁", "auth"),
    # new-api i18n/locales/zh-TW.yaml (relay path)
    ("無效的令牌", "auth"),
    ("未提供令牌", "auth"),
    ("該令牌已過期", "auth"),
    ("該令牌額度已用盡 TokenStatusExhausted[sk-abc***xyz]", "billing"),
    ("該令牌狀態不可用", "auth"),
    ("額度不足", "billing"),
    ("當前分組上游負載已飽和，請稍後再試", "overloaded"),
    ("無有效上游管道", "overloaded"),
    ("該管道已被禁用", "auth"),
    ("該令牌無權存取任何模型", "auth"),
    ("該令牌無權存取模型 gpt-4", "auth"),
    ("未指定模型名稱，模型名稱不能為空", "bad_request"),
    ("無權存取該分組", "auth"),
    ("分組 default 下模型 gpt-4 無可用管道（distributor）", "overloaded"),
    ("無效的請求，無法解析模型", "bad_request"),
    ("您已達到請求數限制：1分鐘內最多請求60次", "rate_limit"),
    ("該使用者已被禁用", "auth"),
    ("使用者已被封禁", "auth"),
    # new-api i18n/locales/ja.yaml (relay path)
    ("無効なトークン", "auth"),
    ("トークンが提供されていません", "auth"),
    ("このトークンは有効期限が切れています", "auth"),
    ("このトークンのクォータは使い果たされました TokenStatusExhausted[sk-abc***xyz]", "billing"),
    ("このトークンのステータスは利用不可です", "auth"),
    ("クォータ不足", "billing"),
    ("残高不足", "billing"),
    ("現在のグループのアップストリーム負荷が飽和しています。後でもう一度お試しください",
     "overloaded"),
    ("有効なアップストリームチャンネルがありません", "overloaded"),
    ("このチャンネルは無効化されています", "auth"),
    ("このトークンはどのモデルにもアクセスできません", "auth"),
    ("このトークンはモデルgpt-4にアクセスできません", "auth"),
    ("モデル名が指定されていません。モデル名は空にできません", "bad_request"),
    ("グループdefaultのモデルgpt-4に利用可能なチャンネルがありません（ディストリビューター）",
     "overloaded"),
    ("リクエスト制限に達しました：1分間で最大60リクエスト", "rate_limit"),
    ("このユーザーは無効化されています", "auth"),
    ("現在のグループは最大負荷に達しています。後でもう一度お試しいただくか、アカウントをアップグ"
     "レードしてください。", "overloaded"),
    ("あなたのIPはトークンのアクセス許可リストにありません", "auth"),
    # new-api i18n/locales/ru.yaml (relay path)
    ("Недопустимый токен", "auth"),
    ("Токен не предоставлен", "auth"),
    ("Этот токен истёк", "auth"),
    ("Квота этого токена исчерпана TokenStatusExhausted[sk-abc***xyz]", "billing"),
    ("Статус этого токена недоступен", "auth"),
    ("Недостаточно квоты", "billing"),
    ("Нет действительного вышестоящего канала", "overloaded"),
    ("Нагрузка вышестоящего канала текущей группы насыщена, пожалуйста, повторите попытку позже",
     "overloaded"),
    ("Этот канал отключён", "auth"),
    ("Этот токен не имеет доступа к модели gpt-4", "auth"),
    ("Имя модели не указано, имя модели не может быть пустым", "bad_request"),
    ("Нет прав доступа к этой группе", "auth"),
    ("Нет доступного канала для модели gpt-4 в группе default (distributor)", "overloaded"),
    ("Недопустимый запрос, невозможно разобрать модель", "bad_request"),
    ("Вы достигли лимита запросов: максимум 60 запросов за 1 минут", "rate_limit"),
    ("Пользователь заблокирован", "auth"),
    ("Этот пользователь отключён", "auth"),
    # new-api i18n/locales/ko-KR.yaml (relay path)
    ("유효하지 않은 토큰", "auth"),
    ("토큰이 제공되지 않았습니다.", "auth"),
    ("이 토큰은 만료되었습니다.", "auth"),
    ("이 토큰의 할당량이 소진되었습니다. TokenStatusExhausted[sk-abc***xyz]", "billing"),
    ("이 토큰 상태는 사용할 수 없습니다.", "auth"),
    ("할당량이 부족합니다.", "billing"),
    ("유효한 업스트림 채널이 없습니다.", "overloaded"),
    ("현재 그룹의 업스트림 부하가 포화 상태입니다. 나중에 다시 시도해 주세요.", "overloaded"),
    ("이 채널은 비활성화되었습니다.", "auth"),
    ("이 토큰은 gpt-4 모델에 접근할 권한이 없습니다.", "auth"),
    ("모델 이름이 지정되지 않았습니다. 모델 이름은 비워둘 수 없습니다.", "bad_request"),
    ("이 그룹에 접근할 권한이 없습니다.", "auth"),
    ("그룹 default의 모델 gpt-4에 사용 가능한 채널이 없습니다(distributor)", "overloaded"),
    ("잘못된 요청, 모델을 분석할 수 없습니다.", "bad_request"),
    ("요청 수 제한에 도달했습니다: 1분 내에 최대 60회 요청 가능", "rate_limit"),
    ("사용자가 차단되었습니다.", "auth"),
    ("이 작업을 수행할 권한이 없습니다. 액세스 토큰이 유효하지 않습니다.", "auth"),
    # new-api i18n/locales/fr.yaml (relay path)
    ("Jeton invalide", "auth"),
    ("Jeton non fourni", "auth"),
    ("Ce jeton a expiré", "auth"),
    ("Le statut de ce jeton est indisponible", "auth"),
    ("Quota insuffisant", "billing"),
    ("Aucun canal amont valide", "overloaded"),
    ("La charge amont du groupe actuel est saturée, veuillez réessayer plus tard", "overloaded"),
    ("Ce canal a été désactivé", "auth"),
    ("Ce jeton n'a pas accès au modèle gpt-4", "auth"),
    ("Nom du modèle non spécifié, le nom du modèle ne peut pas être vide", "bad_request"),
    ("Pas de permission pour accéder à ce groupe", "auth"),
    ("Aucun canal disponible pour le modèle gpt-4 dans le groupe default (distributor)",
     "overloaded"),
    ("Vous avez atteint la limite de requêtes : maximum 60 requêtes en 1 minutes", "rate_limit"),
    ("L'utilisateur a été banni", "auth"),
    # new-api i18n/locales/pt-BR.yaml (relay path)
    ("Token inválido", "auth"),
    ("Token não fornecido", "auth"),
    ("Este token expirou", "auth"),
    ("A cota deste token está esgotada TokenStatusExhausted[sk-abc***xyz]", "billing"),
    ("O status deste token está indisponível", "auth"),
    ("Cota insuficiente", "billing"),
    ("Nenhum canal upstream válido", "overloaded"),
    ("A carga upstream do grupo atual está saturada, tente novamente mais tarde", "overloaded"),
    ("Este canal foi desativado", "auth"),
    ("Este token não tem acesso ao modelo gpt-4", "auth"),
    ("Nome do modelo não especificado, o nome do modelo não pode estar vazio", "bad_request"),
    ("Sem permissão para acessar este grupo", "auth"),
    ("Você atingiu o limite de requisições: máximo de 60 requisições em 1 minutos", "rate_limit"),
    ("O usuário foi banido", "auth"),
    ("Não autorizado, token de acesso inválido", "auth"),
    # glibc, coreutils, bash, git and GNU make in zh_TW, captured here
    ("連線超過時間", "timeout"),
    ("連線被拒絕", "network"),
    ("連線被對方重設", "network"),
    # Roo-Code zh-CN embeddings.json
    ("连接嵌入器服务失败。请检查您的连接设置并确保服务正在运行。", "network"),
    ("未找到 Ollama 模型：nomic-embed-text", "not_found"),
    ("访问 Amazon Bedrock 服务被拒绝。请检查您的 IAM 权限。", "auth"),
    # Roo-Code zh-TW embeddings.json
    ("連線至內嵌服務失敗。請檢查您的連線設定並確保服務正在執行。", "network"),
    ("無效的 API 金鑰。請檢查您的 API 金鑰組態。", "auth"),
    ("Ollama 服務不可用（狀態：503）", "overloaded"),
    ("存取 Amazon Bedrock 服務遭拒。請檢查您的 IAM 權限。", "auth"),
    ("內嵌服務不可用。請確保它正在執行且可存取。", "overloaded"),
    # Roo-Code ja embeddings.json
    ("エンベッダーサービスへの接続に失敗しました。接続設定を確認し、サービスが実行されていること"
     "を確認してください。", "network"),
    ("無効なAPIキーです。APIキー構成を確認してください。", "auth"),
    ("Ollamaモデルが見つかりません：nomic-embed-text", "not_found"),
    ("Ollamaサービスは利用できません（ステータス：503）", "overloaded"),
    ("エンベッダーサービスは利用できません。実行中でアクセス可能であることを確認してください。",
     "overloaded"),
    # Roo-Code ko embeddings.json
    ("임베더 서비스에 연결하지 못했습니다. 연결 설정을 확인하고 서비스가 실행 중인지 확인하세요.",
     "network"),
    ("잘못된 API 키입니다. API 키 구성을 확인하세요.", "auth"),
    ("Ollama 모델을 찾을 수 없습니다: nomic-embed-text", "not_found"),
    ("Ollama 서비스를 사용할 수 없습니다 (상태: 503)", "overloaded"),
    ("Amazon Bedrock 서비스에 대한 액세스가 거부되었습니다. IAM 권한을 확인하세요.", "auth"),
    ("임베더 서비스를 사용할 수 없습니다. 실행 중이고 액세스 가능한지 확인하세요.", "overloaded"),
    # Roo-Code de embeddings.json
    ("Verbindung zum Embedder-Dienst fehlgeschlagen. Bitte überprüfe deine "
     "Verbindungseinstellungen und stelle sicher, dass der Dienst läuft.", "network"),
    ("Ungültiger API-Schlüssel. Bitte überprüfe deine API-Schlüssel-Konfiguration.", "auth"),
    ("Zugriff auf den Amazon Bedrock-Dienst verweigert. Bitte überprüfe deine "
     "IAM-Berechtigungen.", "auth"),
    # Roo-Code fr embeddings.json
    ("Échec de la connexion au service d'embedding. Veuillez vérifier vos paramètres de "
     "connexion et vous assurer que le service est en cours d'exécution.", "network"),
    ("Clé API invalide. Veuillez vérifier votre configuration de clé API.", "auth"),
    ("Modèle Ollama introuvable : nomic-embed-text", "not_found"),
    ("Le service Ollama est indisponible (statut : 503)", "overloaded"),
    ("Accès refusé au service Amazon Bedrock. Veuillez vérifier vos permissions IAM.", "auth"),
    ("Le service d'embedding n'est pas disponible. Veuillez vous assurer qu'il est en cours "
     "d'exécution et accessible.", "overloaded"),
    # Roo-Code es embeddings.json
    ("Error al conectar con el servicio de embedder. Comprueba los ajustes de conexión y "
     "asegúrate de que el servicio esté funcionando.", "network"),
    ("Clave de API no válida. Comprueba la configuración de tu clave de API.", "auth"),
    ("No se encuentra el modelo Ollama: nomic-embed-text", "not_found"),
    ("El servicio Ollama no está disponible (estado: 503)", "overloaded"),
    ("Acceso denegado al servicio de Amazon Bedrock. Por favor, verifica tus permisos de IAM.",
     "auth"),
    ("El servicio de embedder no está disponible. Asegúrate de que esté funcionando y sea "
     "accesible.", "overloaded"),
    # Roo-Code pt-BR embeddings.json
    ("Falha ao conectar ao serviço do embedder. Verifique suas configurações de conexão e "
     "garanta que o serviço esteja em execução.", "network"),
    ("Chave de API inválida. Verifique sua configuração de chave de API.", "auth"),
    ("Modelo Ollama não encontrado: nomic-embed-text", "not_found"),
    ("O serviço do embedder não está disponível. Garanta que ele esteja em execução e acessível.",
     "overloaded"),
    # Roo-Code ru embeddings.json
    ("Не удалось подключиться к службе эмбеддера. Проверьте настройки подключения и убедитесь, "
     "что служба запущена.", "network"),
    ("Неверный ключ API. Проверьте конфигурацию ключа API.", "auth"),
    ("Модель Ollama не найдена: nomic-embed-text", "not_found"),
    ("Сервис Ollama недоступен (статус: 503)", "overloaded"),
    ("Служба эмбеддера недоступна. Убедитесь, что она запущена и доступна.", "overloaded"),
    # lobe-chat error.json 405 and 409 (zh-TW, zh-CN, fr-FR, es-ES, pt-BR, ru-RU)
    ("抱歉，伺服器不支援您正在使用的請求方法。請確認您的請求方法是否正確。", "http_other"),
    ("很抱歉，請求存在衝突無法處理，可能是因為資源狀態與請求不相容", "http_other"),
    ("很抱歉，服务器不支持您使用的请求方法，请确认您的请求方法是否正确", "http_other"),
    ("很抱歉，请求存在冲突无法处理，可能是因为资源状态与请求不兼容", "http_other"),
    ("Désolé, le serveur ne prend pas en charge la méthode de requête que vous utilisez. "
     "Veuillez vérifier votre méthode de requête", "http_other"),
    ("Désolé, la demande ne peut être traitée en raison d'un conflit, peut-être que l'état de "
     "la ressource est incompatible avec la demande", "http_other"),
    ("Lo sentimos, el servidor no admite el método de solicitud que está utilizando. Por favor, "
     "verifique si el método de solicitud es correcto", "http_other"),
    ("Lo sentimos, la solicitud no se puede procesar debido a un conflicto, posiblemente porque "
     "el estado del recurso es incompatible con la solicitud", "http_other"),
    ("Desculpe, o servidor não suporta o método de solicitação que você está usando. Verifique "
     "se o método de solicitação está correto", "http_other"),
    ("Desculpe, a solicitação não pôde ser processada devido a um conflito, possivelmente "
     "devido à incompatibilidade entre o estado do recurso e a solicitação", "http_other"),
    ("К сожалению, сервер не поддерживает используемый вами метод запроса. Убедитесь, что ваш "
     "метод запроса правильный.", "http_other"),
    ("Извините, запрос не может быть обработан из-за конфликта, возможно, из-за несовместимости "
     "состояния ресурса и запроса", "http_other"),
]


@pytest.mark.parametrize(("message", "label"), PROVIDER_ERRORS)
def test_provider_errors_in_other_languages(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


TOOL_ERRORS = [
    # Windows socket errors, zh-CN / zh-TW / others (provider & tool network)
    ("urllib.error.URLError: <urlopen error [WinError 10061] 由于目标计算机积极拒绝，无法连接。>",
     "network"),
    ("Unable to write data to the transport connection: 你的主机中的软件中止了一个已建立的连接。",
     "network"),
    ("連線已被您主機上的軟體中止。", "network"),
    # Windows file / access, zh-TW and others (tool)
    ("'install.bat' 不是內部或外部命令、可執行的程式或批次檔。", "not_found"),
    ("PermissionError: [WinError 5] 存取被拒。: 'C:\\\\x'", "permission"),
    ("[WinError 2] O sistema não pode encontrar o arquivo especificado", "not_found"),
    ("[WinError 2] Не удается найти указанный файл", "not_found"),
    ("Системе не удается найти указанный путь.", "not_found"),
    ("[WinError 5] Accès refusé", "permission"),
    ("[WinError 5] Acesso negado", "permission"),
    ("無法辨識 'foo' 詞彙是否為 Cmdlet、函數、指令檔或可執行程式的名稱。", "not_found"),
    ("Имя \"foo\" не распознано как имя командлета, функции, файла сценария или выполняемой "
     "программы.", "not_found"),
    ("'foo' não é reconhecido como um comando interno ou externo, um programa operável ou um "
     "arquivo em lotes.", "not_found"),
    ("\"foo\" не является внутренней или внешней командой, исполняемой программой или пакетным "
     "файлом.", "not_found"),
    # Roo-Code zh-TW (common.json, tools.json)
    ("命令執行超時，30 秒後", "timeout"),
    ("網站載入超時。這可能是由於網路連線緩慢、網站負載過重或暫時無法使用。你可以稍後重試或檢查 "
     "URL 是否正確。", "timeout"),
    ("無網路連線。請檢查網路連線並重試。", "network"),
    ("圖片檔案過大 (25 MB)。允許的最大大小為 20 MB。", "too_large"),
    ("Roo 嘗試使用未知工具：「foo」。正在重試...", "unknown_tool"),
    ("由於政策限制，無法建立新工作。", "denied"),
    # Windows error codes, with a text in a language no family holds (Italian, Polish)
    ("ldap error: [WinError 10061] Impossibile stabilire la connessione. Rifiuto persistente "
     "del computer di destinazione", "network"),
    ("Running `cl /?` gave \"[WinError 2] Nie można odnaleźć określonego pliku\"", "not_found"),
    ("PermissionError: [WinError 5] Accesso negato: 'esercitazione'", "permission"),
    ("[WinError 5] Accesso negato: <venv>/Lib/site-packages/rpds/rpds.cp314-win_amd64.pyd",
     "permission"),
    # Roo-Code zh-CN
    ("找不到网站地址。请检查 URL 是否正确并重试。", "network"),
    ("无网络连接。请检查网络连接并重试。", "network"),
    ("访问此网站被禁止。该网站可能阻止自动访问或需要身份验证。", "permission"),
    ("Roo 尝试使用未知工具：\"foo\"。正在重试...", "unknown_tool"),
    ("由于策略限制，无法创建新任务。", "denied"),
    # Roo-Code zh-TW
    ("命令執行超時，30 秒後", "timeout"),
    ("網站載入超時。這可能是由於網路連線緩慢、網站負載過重或暫時無法使用。你可以稍後重試或檢查 "
     "URL 是否正確。", "timeout"),
    ("找不到網站位址。請檢查 URL 是否正確並重試。", "network"),
    ("無網路連線。請檢查網路連線並重試。", "network"),
    ("存取此網站被禁止。該網站可能封鎖自動存取或需要身分驗證。", "permission"),
    ("圖片檔案過大 (25 MB)。允許的最大大小為 20 MB。", "too_large"),
    ("Roo 嘗試使用未知工具：「foo」。正在重試...", "unknown_tool"),
    ("由於政策限制，無法建立新工作。", "denied"),
    # Roo-Code ja
    ("画像ファイルが大きすぎます（25 MB）。最大許可サイズは 20 MB です。", "too_large"),
    ("Rooが不明なツールを使用しようとしました:「foo」。再試行中...", "unknown_tool"),
    ("ポリシー制限により新しいタスクを作成できませんでした。", "denied"),
    # Roo-Code ko
    ("명령 실행 시간이 30초 후 초과되었습니다", "timeout"),
    ("웹사이트 로딩이 너무 오래 걸렸습니다(타임아웃). 느린 연결, 무거운 웹사이트 또는 "
     "일시적으로 사용할 수 없는 상태일 수 있습니다. 나중에 다시 시도하거나 URL이 올바른지 "
     "확인해 주세요.", "timeout"),
    ("웹사이트 주소를 찾을 수 없습니다. URL이 올바른지 확인하고 다시 시도해 주세요.", "network"),
    ("인터넷 연결이 없습니다. 네트워크 연결을 확인하고 다시 시도해 주세요.", "network"),
    ("이 웹사이트에 대한 접근이 금지되었습니다. 사이트가 자동 접근을 차단하거나 인증이 필요할 "
     "수 있습니다.", "permission"),
    ("페이지를 찾을 수 없습니다. URL이 올바른지 확인해 주세요.", "not_found"),
    ("이미지 파일이 너무 큽니다 (25 MB). 최대 허용 크기는 20 MB입니다.", "too_large"),
    ("Roo가 알 수 없는 도구를 사용하려고 했습니다: \"foo\". 다시 시도 중...", "unknown_tool"),
    ("정책 제한으로 인해 새 작업을 생성하지 못했습니다.", "denied"),
    # Roo-Code de
    ("Zeitüberschreitung bei der Befehlsausführung nach 30 Sekunden", "timeout"),
    ("Die Website-Adresse konnte nicht gefunden werden. Bitte prüfe, ob die URL korrekt ist und "
     "versuche es erneut.", "network"),
    ("Keine Internetverbindung. Bitte prüfe deine Netzwerkverbindung und versuche es erneut.",
     "network"),
    ("Zugriff auf diese Website ist verboten. Die Seite könnte automatisierten Zugriff "
     "blockieren oder eine Authentifizierung erfordern.", "permission"),
    ("Die Bilddatei ist zu groß (25 MB). Die maximal erlaubte Größe beträgt 20 MB.", "too_large"),
    ("Roo hat versucht, ein unbekanntes Tool zu verwenden: \"foo\". Wiederhole Versuch...",
     "unknown_tool"),
    ("Neue Aufgabe konnte aufgrund von Richtlinienbeschränkungen nicht erstellt werden.",
     "denied"),
    # Roo-Code fr
    ("L'exécution de la commande a expiré après 30 secondes", "timeout"),
    ("L'adresse du site web n'a pas pu être trouvée. Vérifie si l'URL est correcte et réessaie.",
     "network"),
    ("Pas de connexion internet. Vérifie ta connexion réseau et réessaie.", "network"),
    ("L'accès à ce site web est interdit. Le site peut bloquer l'accès automatisé ou nécessiter "
     "une authentification.", "permission"),
    ("La page n'a pas été trouvée. Vérifie si l'URL est correcte.", "not_found"),
    ("Le fichier image est trop volumineux (25 MB). La taille maximale autorisée est 20 MB.",
     "too_large"),
    ("Roo a tenté d'utiliser un outil inconnu : \"foo\". Nouvelle tentative...", "unknown_tool"),
    ("Impossible de créer une nouvelle tâche en raison de restrictions de politique.", "denied"),
    # Roo-Code es
    ("La ejecución del comando superó el tiempo de espera de 30 segundos", "timeout"),
    ("No se pudo encontrar la dirección del sitio web. Por favor verifica si la URL es correcta "
     "e inténtalo de nuevo.", "network"),
    ("Sin conexión a internet. Por favor verifica tu conexión de red e inténtalo de nuevo.",
     "network"),
    ("El acceso a este sitio web está prohibido. El sitio puede bloquear el acceso automatizado "
     "o requerir autenticación.", "permission"),
    ("La página no fue encontrada. Por favor verifica si la URL es correcta.", "not_found"),
    ("El archivo de imagen es demasiado grande (25 MB). El tamaño máximo permitido es 20 MB.",
     "too_large"),
    ("Roo intentó usar una herramienta desconocida: \"foo\". Reintentando...", "unknown_tool"),
    ("No se pudo crear una nueva tarea debido a restricciones de política.", "denied"),
    # Roo-Code pt-BR
    ("A execução do comando excedeu o tempo limite após 30 segundos", "timeout"),
    ("O endereço do site não pôde ser encontrado. Verifique se a URL está correta e tente "
     "novamente.", "network"),
    ("Sem conexão com a internet. Verifique sua conexão de rede e tente novamente.", "network"),
    ("O acesso a este site está proibido. O site pode bloquear acesso automatizado ou exigir "
     "autenticação.", "permission"),
    ("A página não foi encontrada. Verifique se a URL está correta.", "not_found"),
    ("Arquivo de imagem é muito grande (25 MB). O tamanho máximo permitido é 20 MB.", "too_large"),
    ("Roo tentou usar uma ferramenta desconhecida: \"foo\". Tentando novamente...",
     "unknown_tool"),
    ("Falha ao criar nova tarefa devido a restrições de política.", "denied"),
    # Roo-Code ru
    ("Время выполнения команды истекло через 30 секунд", "timeout"),
    ("Файл изображения слишком большой (25 МБ). Максимально допустимый размер 20 МБ.",
     "too_large"),
    ("Roo попытался использовать неизвестный инструмент: \"foo\". Повторная попытка...",
     "unknown_tool"),
    ("Не удалось создать новую задачу из-за ограничений политики.", "denied"),
    # PowerShell's execution policy in zh-TW, fr, es, pt-BR, ru (READMEs found by code search)
    ("npx : 因為這個系統上已停用指令碼執行，所以無法載入 ...", "permission"),
    ("npm : Impossible de charger le fichier C:\\Program Files\\nodejs\\npm.ps1, car "
     "l'exécution de scripts est désactivée sur ce système.", "permission"),
    ("No se puede cargar el archivo C:\\Program Files\\nodejs\\npx.ps1 porque la ejecución de "
     "scripts está deshabilitada en este sistema.", "permission"),
    ("npm : O arquivo C:\\Program Files\\nodejs\\npm.ps1 não pode ser carregado porque a "
     "execução de scripts foi desabilitada neste sistema.", "permission"),
    ("npm : Невозможно загрузить файл C:\\Program Files\\nodejs\\npm.ps1, так как выполнение "
     "сценариев отключено в этой системе.", "permission"),
    # glibc, coreutils, bash, git and GNU make in zh_TW, captured here
    ("ls: 無法存取 '/nonexistent': 沒有此一檔案或目錄", "not_found"),
    ("cat: /nonexistent: 沒有此一檔案或目錄", "not_found"),
    ("touch: 無法建立 '/root/x': 拒絕不符權限的操作", "permission"),
    ("此項操作並不被允許", "permission"),
    ("連線超過時間", "timeout"),
    ("連線被拒絕", "network"),
    ("無法接觸網路", "network"),
    ("連線被對方重設", "network"),
    ("找不到通往該主機的路由路徑", "network"),
    ("ls：無法識別「--nosuch」選項\n請嘗試執行「ls --help」取得更多訊息。", "invalid_args"),
    ("head: 無效的列數: 「x」", "invalid_args"),
    ("致命錯誤: 不是一個 git 版本庫（或者任何父目錄）：.git", "not_found"),
    ("致命錯誤: 路徑規格 “nosuch.txt” 未符合任何檔案", "not_found"),
    ("錯誤: 路徑規格 'nosuch' 未符合任何 git 已知檔案", "not_found"),
    ("錯誤: 修補失敗：a.txt:1\n錯誤: a.txt：未套用修補檔", "edit_mismatch"),
    ("make: *** 沒有規則可製作目標「nosuchtarget」。 停止。", "not_found"),
]


@pytest.mark.parametrize(("error", "label"), TOOL_ERRORS)
def test_tool_errors_in_other_languages(error: str, label: str) -> None:
    assert tool_error_label(error) == label


@pytest.mark.parametrize(("error", "label"), [
    # A negative errno is no Windows code: EAI_NONAME ([Errno -2]) is a host not found.
    ("socket.gaierror: [Errno -2] Name or service not known", "network"),
    # Roo-Code zh-TW/ja errors.update_server_timeout ("Failed to update server timeout") and
    # ja nested_git_repos_warning (checkpoints "have been disabled", 無効になっています):
    # a setting's name and a switch, not a timeout or an invalid argument.
    ("更新伺服器超時設定失敗", "other"),
    ("/x でネストされたgitリポジトリが検出されたため、チェックポイントが無効になっています。"
     "チェックポイントを使用するには、このネストされたgitリポジトリを削除または無効にしてください。",
     "other"),
])
def test_neighbours_keep_their_labels(error: str, label: str) -> None:
    assert tool_error_label(error) == label


@pytest.mark.parametrize("message", [
    # Roo-Code ko errors.nested_git_repos_warning (checkpoints disabled), ru
    # gemini.thinking_complete_safety (output blocked by safety settings) and
    # condense_handler_invalid (a handler that is invalid): something disabled, blocked or
    # invalid that is no credential, user or channel of a relay.
    "/x에서 중첩된 git 저장소가 감지되어 체크포인트가 비활성화되었습니다. 체크포인트를 사용하려면 "
    "이 중첩된 git 저장소를 제거하거나 이동해주세요.",
    "(Размышление завершено, но вывод заблокирован настройками безопасности.)",
    "Обработчик API для сжатия контекста недействителен",
])
def test_provider_neighbours_are_no_auth(message: str) -> None:
    assert provider_error_label(message, None) != "auth"


@pytest.mark.parametrize("message", [
    # Roo-Code zh-CN and ru embeddings ollama.invalidResponseStructure: an array missing from
    # a response is no model that was not found.
    'Ollama API 响应结构无效：未找到 "embeddings" 数组或不是数组。',
    'Неверная структура ответа от API Ollama: массив "embeddings" не найден или не является '
    "массивом",
])
def test_provider_neighbours_are_no_missing_model(message: str) -> None:
    assert provider_error_label(message, None) != "not_found"


# --- composed form -----------------------------------------------------------------------

@pytest.mark.parametrize(("error", "label"), [
    # glibc strerror(EACCES) in French, and coreutils in Korean and Vietnamese (the corpus'
    # captured messages), written decomposed as macOS file names and some input methods do.
    ("touch: impossible de faire un touch '/x': Permission non accordée", "permission"),
    ("ls: '/x'에 접근할 수 없습니다: 그런 파일이나 디렉터리가 없습니다", "not_found"),
    ("ls: không thể truy cập '/x': Không có tập tin hoặc thư mục như vậy", "not_found"),
])
def test_decomposed_text_reads_as_composed(error: str, label: str) -> None:
    decomposed = unicodedata.normalize("NFD", error)
    assert decomposed != error
    assert tool_error_label(decomposed) == tool_error_label(error) == label
    assert joined_words(decomposed) == joined_words(error)


def test_no_character_becomes_ascii_in_composed_form() -> None:
    # Exactly these characters compose to ASCII (every code point with a decomposition).
    to_ascii = {c for c in map(chr, range(0x80, sys.maxunicode + 1))
                if unicodedata.decomposition(c)
                and any(x.isascii() for x in unicodedata.normalize("NFC", c))}
    assert to_ascii == set(NFC_TO_ASCII)
    # They stay as they are, even beside combining marks that compose around them.
    text = "\u212a\u0301 e\u0301 \u037e \u1fef"
    assert composed(text) == "\u212a\u0301 \u00e9 \u037e \u1fef"
    assert sum(c.isascii() and c.isalpha() for c in joined_words(text)) == 0
