"""`metricsd disclosure`: generated from the facts tables, covering every counter and label,
and telling the truth about the consent state and where data would go."""

from __future__ import annotations

import json
from typing import Any

import pytest

from metricsd import disclosure
from metricsd.consent import Authority
from metricsd.core.endpoint import choose_endpoint
from metricsd.core.facts import (
    COUNTERS,
    FINISH_REASON_ALIASES,
    HEALTH_COUNTERS,
    LABEL_MEANINGS,
    PROVIDER_ERROR_KEYWORDS,
    PROVIDER_ERROR_REFINEMENTS,
    PROVIDER_STATUS_LABELS,
    TOOL_ERROR_KEYWORDS,
)
from tests.conftest import Home, clean_env, cli


def disclose(home: Home, *args: str, **env: str) -> dict[str, Any]:
    out = cli(home, "disclosure", "--json", *args, env=clean_env(**env))
    assert out.returncode == 0, out.stderr
    doc: dict[str, Any] = json.loads(out.stdout)
    return doc


def build(home: Home, *, endpoint: str | None = None, **environ: str) -> dict[str, Any]:
    """The document `disclosure` builds, from the real consent authority and endpoint rule."""
    return disclosure.build(
        config_path=home.config,
        decision=Authority(home.config, home.dev_marker, environ).decide(),
        endpoint=choose_endpoint(None, None, endpoint), dev_marker=home.dev_marker)


def test_json_covers_every_counter_and_label_of_the_facts_tables(home: Home) -> None:
    doc = disclose(home)
    assert doc["version"] == disclosure.SCHEMA_VERSION
    assert [c["name"] for c in doc["counters"]] == list(COUNTERS)
    for counter in doc["counters"]:
        assert [lb["label"] for lb in counter["labels"]] == list(COUNTERS[counter["name"]])
        for text in (counter["meaning"], *(lb["meaning"] for lb in counter["labels"])):
            assert text.strip() and "\n" not in text
    assert [h["name"] for h in doc["health"]] == list(HEALTH_COUNTERS)
    assert all(h["meaning"].strip() for h in doc["health"])
    assert doc["never_collected"] and all(doc["never_collected"])
    assert set(doc["sending"]) >= {"when", "where", "dev_builds", "environment_veto"}
    assert doc["opt_out"]["command"] == "metricsd consent off"
    assert doc["opt_out"]["config_key"] == "[desktop] metrics = false"
    assert doc["opt_out"]["env"] == ["DO_NOT_TRACK=1", "METRICSD_METRICS=off"]


def test_statuses_and_keywords_come_from_the_classification_tables(home: Home) -> None:
    doc = disclose(home)
    by_name = {c["name"]: {lb["label"]: lb for lb in c["labels"]} for c in doc["counters"]}
    for status, label in PROVIDER_STATUS_LABELS.items():
        assert status in by_name["provider_error"][label]["statuses"]
    for label, meanings in LABEL_MEANINGS.items():
        for lb, meaning in meanings.items():
            assert by_name[label][lb]["meaning"] == meaning
    for label, aliases in FINISH_REASON_ALIASES:
        assert by_name["finish_reason"][label]["aliases"] == [a for a, _ in aliases if a]
    expected: dict[tuple[str, str], list[str]] = {}
    for table, counter in ((PROVIDER_ERROR_REFINEMENTS, "provider_error"),
                           (PROVIDER_ERROR_KEYWORDS, "provider_error"),
                           (TOOL_ERROR_KEYWORDS, "tool_error")):
        for label, entries in table:
            expected.setdefault((counter, label), []).extend(e for e, _ in entries)
    for (counter, label), keywords in expected.items():
        assert by_name[counter][label]["keywords"] == keywords
    # The word families of facts v3, per label, from the same tables.
    for counter, tables in disclosure._FAMILIES.items():
        for table in tables:
            for label, entries in table:
                for e, _ in entries:
                    assert e in by_name[counter][label]["words"], (counter, label, e)
    # The refinement that beats the status comes first: context_length has no status.
    assert "statuses" not in by_name["provider_error"]["context_length"]


def test_text_names_every_counter_label_and_what_is_never_collected(home: Home) -> None:
    out = cli(home, "disclosure", env=clean_env())
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    for name, labels in COUNTERS.items():
        assert any(line.startswith(f"  {name} ") for line in lines), name
        for label in labels:
            assert any(line.startswith(f"      {label} ") for line in lines), (name, label)
    for name in HEALTH_COUNTERS:
        assert any(line.startswith(f"  {name} ") for line in lines), name
    assert "Never collected:" in lines
    assert "Metrics are ON." in out.stdout  # the home fixture opted in
    assert "metricsd consent off" in out.stdout and "DO_NOT_TRACK" in out.stdout


def test_a_counter_or_label_without_a_meaning_fails_the_import_check(
        monkeypatch: pytest.MonkeyPatch) -> None:
    disclosure.check_meanings()
    grown = dict(COUNTERS, tool_error=(*COUNTERS["tool_error"], "segfault"))
    monkeypatch.setattr(disclosure, "COUNTERS", grown)
    with pytest.raises(AssertionError, match=r"missing.*tool_error:segfault"):
        disclosure.check_meanings()
    monkeypatch.setattr(disclosure, "COUNTERS", COUNTERS)
    monkeypatch.setattr(disclosure, "HEALTH_COUNTERS", HEALTH_COUNTERS[:-1])
    with pytest.raises(AssertionError, match=rf"extra.*{HEALTH_COUNTERS[-1]}"):
        disclosure.check_meanings()


def test_consent_state_env_veto_and_dev_build(home: Home) -> None:
    on = build(home)["state"]
    assert on["enabled"] and on["env_veto"] is None and on["why_off"] is None
    assert on["uploads"] is False and "no endpoint" in on["why_not_uploaded"]
    assert build(home, endpoint="https://m.example.com/v1")["state"]["uploads"] is True
    for env, veto in (({"DO_NOT_TRACK": "1"}, "DO_NOT_TRACK"),
                      ({"DO_NOT_TRACK": "true"}, "DO_NOT_TRACK"),
                      ({"METRICSD_METRICS": "off"}, "METRICSD_METRICS")):
        state = build(home, endpoint="https://m.example.com/v1", **env)["state"]
        assert state["enabled"] is False and state["uploads"] is False, env
        assert state["env_veto"] == veto and veto in state["why_off"], env
        assert state["why_off"].startswith("the environment turns metrics off"), env
    for env in ({"DO_NOT_TRACK": "0"}, {"DO_NOT_TRACK": ""}, {"METRICSD_METRICS": "on"}):
        assert build(home, **env)["state"]["enabled"] is True, env  # no variable turns it on
    home.dev_marker.touch()
    dev = build(home, endpoint="https://m.example.com/v1")["state"]
    assert dev["enabled"] and dev["dev_build"] and dev["uploads"] is False
    assert "dev build" in dev["why_not_uploaded"]
    home.opt_in(False)
    off = build(home)["state"]
    assert off["enabled"] is False and off["why_off"] == "you have not opted in"
    home.config.write_text("[desktop\nmetrics = true\n")
    broken = build(home)["state"]
    assert broken["enabled"] is False and "not valid TOML" in broken["why_off"]


def test_cli_reports_the_veto_from_its_environment(home: Home) -> None:
    doc = disclose(home, DO_NOT_TRACK="1")
    assert doc["state"]["env_veto"] == "DO_NOT_TRACK" and not doc["state"]["enabled"]
    text = cli(home, "disclosure", env=clean_env(METRICSD_METRICS="off")).stdout
    assert "Metrics are OFF: the environment turns metrics off (METRICSD_METRICS=off)" \
        in text


@pytest.mark.parametrize(("endpoint", "where"), [
    ("https://metrics.example.com/v1/metrics?token=s3cret", "https://metrics.example.com"),
    ("https://metrics.example.com:8443/v1/metrics", "https://metrics.example.com"),
    ("http://127.0.0.1:8080/v1/metrics", "http://127.0.0.1"),
    ("http://[::1]:9/x", "http://[::1]"),
])
def test_where_is_only_scheme_and_host(home: Home, endpoint: str, where: str) -> None:
    doc = build(home, endpoint=endpoint)
    assert doc["sending"]["where"] == where
    assert "s3cret" not in json.dumps(doc) and "/v1" not in json.dumps(doc)


def test_an_unusable_endpoint_in_config_means_nothing_is_sent(home: Home) -> None:
    home.opt_in(True, '[metrics]\nendpoint = "http://metrics.example.com/v1"\n')
    doc = disclose(home)
    assert doc["sending"]["where"] is None and doc["state"]["uploads"] is False
    assert "https://" in doc["state"]["why_not_uploaded"]
    assert "metrics.example.com" not in json.dumps(doc)  # the rule never quotes the URL
    # On the command line the same is a usage error, as for every command.
    out = cli(home, "disclosure", "--endpoint", "http://metrics.example.com/v1",
              env=clean_env())
    assert out.returncode == 2 and out.stdout == "", out.stderr


def test_cli_shows_where_from_flag_env_or_config_without_path_or_query(home: Home) -> None:
    home.opt_in(True, '[metrics]\nendpoint = "https://cfg.example.com/v1/m?k=hidden"\n')
    doc = disclose(home)
    assert doc["sending"]["where"] == "https://cfg.example.com"
    assert "hidden" not in json.dumps(doc) and "/v1/m" not in json.dumps(doc)
    assert doc["state"]["uploads"] is True
    flag = disclose(home, "--endpoint", "https://flag.example.com/x")
    assert flag["sending"]["where"] == "https://flag.example.com"
    env = disclose(home, METRICSD_ENDPOINT="https://env.example.com/x")
    assert env["sending"]["where"] == "https://env.example.com"
    text = cli(home, "disclosure", env=clean_env()).stdout
    assert "To: https://cfg.example.com." in text and "hidden" not in text



# --- the text a person reads ---------------------------------------------------------------

def test_the_text_never_splits_a_path_or_a_command(tmp_path: Any) -> None:
    config = tmp_path / "jean-luc-picard" / "a directory-with-hyphens" / "config.toml"
    home = Home(root=tmp_path, socket=tmp_path / "s", state_dir=tmp_path / "st",
                config=config, dev_marker=config.parent / "DEV_BUILD")
    doc = build(home)
    for width in (40, 60, 78):
        text = disclosure.render_text(doc, width)
        flat = " ".join(text.split())
        lines = text.splitlines()
        for whole in (str(config), "metricsd consent off", "metricsd consent on",
                      "[desktop] metrics = false", "DO_NOT_TRACK=1", "METRICSD_METRICS=off"):
            assert whole in flat, whole
            assert any(whole in line for line in lines), (width, whole)  # on one line
        assert not any(line.rstrip().endswith("-") for line in lines), width


def test_the_state_line_says_each_reason_once(home: Home) -> None:
    text = disclosure.render_text(build(home, endpoint=None))  # the home opted in
    state = text.splitlines()[2]
    assert state == "Metrics are ON. Nothing is sent: no endpoint is configured.", state
    assert text.lower().count("nothing is sent") == 1


@pytest.mark.parametrize("version", ["1.4.0", "1.4.0-dev", "1.4.0-alpha.2", "1.4.0-beta.3",
                                     "1.4.0-rc.1"])
def test_the_client_version_sentence_claims_what_the_code_keeps(version: str) -> None:
    from metricsd.core.facts import UNKNOWN_VERSION, client_version_label

    (meaning,) = [m for f, m in disclosure.SENT_WITH_EACH_BATCH if f == "client.version"]
    kept = client_version_label(version) == version
    assert kept
    suffix = version.partition("-")[2].rstrip("0123456789")
    claimed = "MAJOR.MINOR.PATCH" in meaning and (
        not suffix or f"-{suffix.replace('.', '')}" in meaning.replace(".N", ""))
    assert claimed, (version, meaning)
    # What the sentence does not list is not kept.
    for other in ("1.4.0-preview.1", "1.4.0+build.5", "v1.4.0", "1.4"):
        assert client_version_label(other) == UNKNOWN_VERSION
        assert "preview" not in meaning and "+" not in meaning
