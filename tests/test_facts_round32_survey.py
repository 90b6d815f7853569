"""provider_error by meaning, round 32: a survey of provider errors as agent frameworks wrap
them and as HTTP clients in many languages print a failed model call, read from the message
alone.  Kinds the classifier missed: an HTTP/2 stream or connection reset whose code is
INTERNAL_ERROR (network, not a server error), .NET's TLS AuthenticationException (network, not
auth), reqwest's Kind::Request (a request that could not be sent: network), a status whose
reason phrase the printer did not know (Rust's ``<unknown status code>``, Guzzle's empty one)
or written as reqwest's ``Status(nnn)``, a framework's missing credential variables (auth), and
a field missing from the model's answer (no bad request).  Each string is real; its source is
in the comment above it.  The guards keep the neighbouring readings."""

from __future__ import annotations

import pytest

from metricsd.core.facts import provider_error_label


@pytest.mark.parametrize(("message", "label"), [
    # square/okhttp StreamResetException, as Android agents' HTTP/2 workarounds quote it
    ("okhttp3.internal.http2.StreamResetException: stream was reset: INTERNAL_ERROR",
     "network"),
    ("StreamResetException: stream was reset: INTERNAL_ERROR", "network"),
    # hyperium/h2 Reason::INTERNAL_ERROR as reqwest/tonic print it (influxdb IOx docs; an
    # OpenAI-compatible gateway's issue about codex)
    ("h2 protocol error: error reading a body from connection: stream error received: "
     "unexpected internal error encountered", "network"),
    ("error decoding response body\nstream error received: unexpected internal error "
     "encountered", "network"),
    ("http2 error: stream error received: unexpected internal error encountered", "network"),
    # dotnet/runtime SslStream, as PolarProxy logs and ASP.NET setup notes quote it
    ("System.IO.IOException: Authentication failed because the remote party has closed the "
     "transport stream.", "network"),
    ("System.Security.Authentication.AuthenticationException: Authentication failed because "
     "the remote party sent a TLS alert: 'HandshakeFailure'.", "network"),
    # NuGet restore troubleshooting docs (.NET HttpClient behind a corporate TLS proxy)
    ("The SSL connection could not be established, see inner exception. ---> "
     "System.Security.Authentication.AuthenticationException: The remote certificate is "
     "invalid because of errors in the certificate chain: UntrustedRoot", "network"),
    # reqwest error_for_status Display with hyperium/http's reason phrase for a status it has
    # no name for (529 <unknown status code>, as codex and Rust agents print it)
    ("HTTP status server error (529 <unknown status code>) for url "
     "(https://api.anthropic.com/v1/messages)", "overloaded"),
    # reqwest Error Debug, Kind::Status (an OpenTelemetry exporter's log line)
    ("InternalFailure(\"reqwest::Error { kind: Status(400, None), url: "
     "\"https://otel-mobile.doordash.com/v1/logs\" }\")", "bad_request"),
    # reqwest Error Debug, Kind::Request (warpdotdev/warp#7335; vtcode log)
    ("Request failed with error: Transport(reqwest::Error { kind: Request, url: "
     "\"https://app.warp.dev/ai/multi-agent\"", "network"),
    # Guzzle RequestException with an empty reason phrase (a PumaPay adapter's test: 530)
    ("Server error: `POST https://api.anthropic.com/v1/messages` resulted in a `529 ` "
     "response", "overloaded"),
    # TooTallNate/proxy-agents https-proxy-agent (a user's note on a wrong proxy port)
    ("Proxy connection ended before receiving CONNECT response", "network"),
    # deepset-ai/haystack haystack/utils/auth.py EnvVarSecret
    ("None of the following authentication environment variables are set: "
     "('OPENAI_API_KEY',)", "auth"),
    # pydantic/pydantic-ai models/gemini.py UnexpectedModelBehavior, as apps catch it
    ("Content field missing from Gemini response", "other"),
])
def test_round32_kind(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label


@pytest.mark.parametrize(("message", "label"), [
    # Google APIs' 500 INTERNAL wording stays a server error
    ("Internal error encountered.", "server"),
    ("An unexpected internal error occurred", "server"),
    # an HTTP/2 PROTOCOL_ERROR reset was network already (corpus, lysine-dev/okhttp#3955)
    ("okhttp3.internal.http2.StreamResetException: stream was reset: PROTOCOL_ERROR",
     "network"),
    # an SDK's authentication error is still auth
    ("AuthenticationException: Authentication failed", "auth"),
    ("openai.AuthenticationError: invalid api key", "auth"),
    # a Guzzle status with its reason phrase, and a 5xx the table has no name for
    ("Client error: `POST https://api.openai.com/v1/chat/completions` resulted in a `429 Too "
     "Many Requests` response", "rate_limit"),
    ("Server error: `POST https://x.example/api` resulted in a `530 ` response", "server"),
    # reqwest's timeout is a timeout, not a network failure
    ("reqwest::Error { kind: Request, source: TimedOut }", "timeout"),
    # a 2xx in the status form is no failure's status
    ("process status(200) ok then failed", "other"),
    # a parameter missing from the request is still a bad request
    ("Required input parameter missing from request.", "bad_request"),
    # the same phrase after a status form read already (codex; Rust agents' retry tests)
    ("unexpected status 529 <unknown status code>: backend overloaded", "overloaded"),
    ("HTTP 529 <unknown status code>: {\"error\":{\"type\":\"overloaded_error\"}}",
     "overloaded"),
    # a port or an errno is no status
    ("Cannot connect to host api.openai.com:443 ssl:default [Connection reset by peer]",
     "network"),
    ("cURL error 28: Operation timed out after 30001 milliseconds with 0 bytes received",
     "timeout"),
])
def test_round32_guard(message: str, label: str) -> None:
    assert provider_error_label(message, None) == label
