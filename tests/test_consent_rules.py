"""The pure consent and endpoint rules (metricsd.core.consent, metricsd.core.endpoint)."""

from __future__ import annotations

import pytest

from metricsd.core.consent import (
    MAX_CONFIG_BYTES,
    ConfigFile,
    Decision,
    dev_from_env,
    env_veto,
    parse_config,
)
from metricsd.core.endpoint import EndpointError, choose_endpoint, validate_endpoint

ON = b"[desktop]\nmetrics = true\n"


def test_only_an_unambiguous_true_opts_in() -> None:
    assert parse_config(ON, "c").opted_in is True
    assert parse_config(b"# mine\n[desktop] # x\nmetrics = true  # yes\nzoom = 1.5\n",
                        "c").opted_in is True
    assert parse_config(b"[desktop]\nmetrics = false\n", "c") == ConfigFile(opted_in=False)
    assert parse_config(b"", "c") == ConfigFile(opted_in=False)
    assert parse_config(b"[other]\nmetrics = true\n", "c").opted_in is False


@pytest.mark.parametrize(("text", "problem"), [
    (ON + b"metrics = false\n", "not valid TOML"),                 # duplicate key
    (ON + b"[desktop]\nmetrics = false\n", "not valid TOML"),      # table defined twice
    (b"desktop.metrics = true\n[desktop]\nx = 1\n", "not valid TOML"),
    (b"[desktop]\nmetrics = \"true\"\n", "must be true or false"),
    (b"[desktop]\nmetrics = 1\n", "must be true or false"),
    (b"desktop = 1\n", "must be a table"),
    (ON + b"[metrics]\nendpoint = 42\n", "must be a string"),
    (b"metrics = 1\n" + ON, "must be a table"),
    (b"\xff\xfe" + ON, "not UTF-8"),
    (ON + b"#" * MAX_CONFIG_BYTES, "larger than"),
    (b"[desktop\nmetrics = true\n", "line 1"),
])
def test_anything_unreadable_or_ambiguous_means_off_with_a_reason(text: bytes,
                                                                   problem: str) -> None:
    got = parse_config(text, "config.toml")
    assert got.opted_in is False
    assert got.problem is not None and problem in got.problem
    assert got.problem.endswith("metrics are off")


def test_problem_text_never_quotes_the_file() -> None:
    got = parse_config(b"[desktop]\nmetrics = sk-SECRET-token\n", "config.toml")
    assert got.problem is not None and "SECRET" not in got.problem


def test_endpoint_from_the_file() -> None:
    got = parse_config(ON + b"[metrics]\nendpoint = \" https://x.example/v1 \"\n", "c")
    assert got == ConfigFile(opted_in=True, endpoint="https://x.example/v1")


@pytest.mark.parametrize(("env", "veto"), [
    ({}, None), ({"DO_NOT_TRACK": ""}, None), ({"DO_NOT_TRACK": "0"}, None),
    ({"DO_NOT_TRACK": "1"}, "DO_NOT_TRACK is set"),
    ({"DO_NOT_TRACK": "true"}, "DO_NOT_TRACK is set"),
    ({"METRICSD_METRICS": "off"}, "METRICSD_METRICS=off"),
    ({"METRICSD_METRICS": "OFF"}, "METRICSD_METRICS=off"),
    ({"METRICSD_METRICS": "on"}, None),
])
def test_environment_veto(env: dict[str, str], veto: str | None) -> None:
    assert env_veto(env) == veto


def test_nothing_in_the_environment_turns_metrics_on() -> None:
    off = ConfigFile(opted_in=False)
    for env in ({"METRICSD_METRICS": "on"}, {"DO_NOT_TRACK": "0"}):
        assert Decision(off, env_veto(env), False).counting is False


def test_decision_table() -> None:
    on, off = ConfigFile(opted_in=True), ConfigFile(opted_in=False)
    assert (Decision(on, None, False).counting, Decision(on, None, False).uploading) == (
        True, True)
    assert (Decision(on, None, True).counting, Decision(on, None, True).uploading) == (
        True, False)
    assert Decision(on, "DO_NOT_TRACK is set", False).counting is False
    assert Decision(off, None, False).counting is False
    assert "DO_NOT_TRACK" in (Decision(on, "DO_NOT_TRACK is set", False).why_not_uploading()
                              or "")
    assert Decision(on, None, False).why_not_uploading() is None


def test_dev_flag_from_the_environment() -> None:
    assert dev_from_env({"METRICSD_DEV_BUILD": "1"}) is True
    assert dev_from_env({"METRICSD_DEV_BUILD": "0"}) is False
    assert dev_from_env({}) is False


@pytest.mark.parametrize("url", [
    "https://metrics.example.com/v1/metrics", "http://127.0.0.1:8080/v1/metrics",
    "http://127.3.4.5/x", "http://[::1]:9/x", "http://localhost/v1",
])
def test_acceptable_endpoints(url: str) -> None:
    assert validate_endpoint(url, "--endpoint").url == url


@pytest.mark.parametrize(("url", "why"), [
    ("http://metrics.example.com/v1", "must be https://"),
    ("http://10.0.0.1/v1", "must be https://"),
    ("https://u:p@example.com/", "user info"),
    ("https://@example.com/", "user info"),
    ("https://example.com/#x", "fragment"),
    ("ftp://example.com/", "https://"),
    ("example.com/v1", "https://"),
    ("https://", "no host"),
    ("https://example.com:99999/", "not a valid URL"),
])
def test_unacceptable_endpoints(url: str, why: str) -> None:
    with pytest.raises(EndpointError, match=why.replace("/", ".")):
        validate_endpoint(url, "--endpoint")


def test_endpoint_precedence_and_where() -> None:
    got = choose_endpoint("https://a.example/x", "https://b.example/y", "https://c.example")
    assert got is not None and got.source == "--endpoint" and got.where == "https://a.example"
    got = choose_endpoint(None, "https://b.example/y", "https://c.example")
    assert got is not None and got.source == "METRICSD_ENDPOINT"
    got = choose_endpoint(None, None, "http://[::1]:8/v1")
    assert got is not None and got.source == "config.toml" and got.where == "http://[::1]"
    assert choose_endpoint(None, None, None) is None


def test_the_decision_carries_the_endpoint_and_one_reason() -> None:
    """The endpoint is resolved once per decision (flag, environment, config.toml), and
    one sentence says why nothing is sent: consent first, then the endpoint."""
    from metricsd.core.consent import NO_ENDPOINT, ConfigFile, Decision, with_endpoint

    on = Decision(ConfigFile(opted_in=True, endpoint="https://config.example/v1"), None,
                  False)
    config = with_endpoint(on, None, None).endpoint
    assert config is not None and config.where == "https://config.example"
    flag = with_endpoint(on, "https://flag.example/v1", "https://env.example/v1")
    assert flag.endpoint is not None and flag.endpoint.where == "https://flag.example"
    assert flag.why_nothing_is_sent() is None
    bad = with_endpoint(on, None, "http://example.com/v1")  # plain http off loopback
    assert bad.endpoint is None and bad.endpoint_problem
    assert str(bad.why_nothing_is_sent()).startswith("the endpoint cannot be used")
    none = with_endpoint(Decision(ConfigFile(opted_in=True), None, False), None, None)
    assert none.why_nothing_is_sent() == NO_ENDPOINT
    vetoed = with_endpoint(Decision(ConfigFile(opted_in=True), "DO_NOT_TRACK is set", False),
                           None, None)
    assert "DO_NOT_TRACK" in str(vetoed.why_nothing_is_sent())
