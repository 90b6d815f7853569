"""The consent rules, pure: config.toml bytes and the environment in, a decision out.

Reading the file (and deciding that a FIFO or a 2 GiB file means "off") is done by the
authority in :mod:`metricsd.consent`; everything here takes values and returns values,
so each rule is tested in microseconds.  Every rule fails closed: anything but a
complete, unambiguous read that says ``[desktop] metrics = true`` means *opted out*.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Final

import tomlkit

from metricsd.core.endpoint import Endpoint, EndpointError, choose_endpoint

#: ``[desktop] metrics = true`` in config.toml is the opt-in.
CONSENT_TABLE: Final = "desktop"
CONSENT_KEY: Final = "metrics"
#: ``[metrics] endpoint = "https://..."`` in config.toml names the upload endpoint.
ENDPOINT_TABLE: Final = "metrics"
ENDPOINT_KEY: Final = "endpoint"
#: A config.toml larger than this is not read at all: metrics are off.
MAX_CONFIG_BYTES: Final = 1024 * 1024

#: Environment variables.  The vetoes can only turn metrics off, never on.
ENV_DO_NOT_TRACK: Final = "DO_NOT_TRACK"
ENV_METRICS: Final = "METRICSD_METRICS"
ENV_DEV_BUILD: Final = "METRICSD_DEV_BUILD"


@dataclass(frozen=True, slots=True)
class ConfigFile:
    """What config.toml says, read fail-closed.  ``problem`` is daemon-written text
    (never file content) saying why the file could not be used."""

    opted_in: bool
    endpoint: str | None = None
    problem: str | None = None
    #: The file does not exist: the normal state before anyone opted in.
    missing: bool = False


def parse_config(data: bytes, where: str) -> ConfigFile:
    """Decide from the complete bytes of config.toml.

    The text must parse both with tomlkit (the reader that also writes the file) and
    with the standard library's strict TOML 1.0 parser, and both must agree: a duplicate
    key, a table defined twice or anything else one parser tolerates and the other does
    not means the file is ambiguous, hence *opted out*."""
    if len(data) > MAX_CONFIG_BYTES:
        return _off(f"{where} is larger than {MAX_CONFIG_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return _off(f"{where} is not UTF-8")
    try:
        strict = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # The message names a line and column, never the offending text.
        return _off(f"{where} is not valid TOML ({_position(exc)})")
    except Exception:
        return _off(f"{where} could not be read as TOML")
    try:
        lenient = tomlkit.parse(text).unwrap()
    except Exception:
        # tomlkit raises KeyAlreadyPresent (not a ParseError) for a duplicate key.
        return _off(f"{where} is ambiguous (a key or table is defined twice)")
    if lenient != strict:
        return _off(f"{where} is ambiguous (the TOML readers disagree)")
    return _decide(strict, where)


class _Unusable(Exception):
    """The file holds a value of the wrong shape: off, with this reason."""


def _lookup(doc: Mapping[str, Any], table: str, key: str, kind: type, what: str,
            where: str) -> Any:
    """``doc[table][key]`` if it is a ``kind`` (None if absent), else :class:`_Unusable`."""
    section = doc.get(table)
    if section is None:
        return None
    if not isinstance(section, dict):
        raise _Unusable(f"{where}: '{table}' must be a table")
    value = section.get(key)
    if value is not None and type(value) is not kind:
        raise _Unusable(f"{where}: [{table}] {key} must be {what}")
    return value


def _decide(doc: Mapping[str, Any], where: str) -> ConfigFile:
    try:
        flag = _lookup(doc, CONSENT_TABLE, CONSENT_KEY, bool, "true or false", where)
        endpoint = _lookup(doc, ENDPOINT_TABLE, ENDPOINT_KEY, str, "a string", where)
    except _Unusable as exc:
        return _off(str(exc))
    return ConfigFile(opted_in=flag is True,
                      endpoint=endpoint.strip() if endpoint and endpoint.strip() else None)


def _off(problem: str) -> ConfigFile:
    return ConfigFile(opted_in=False, problem=f"{problem}: metrics are off")


def _position(exc: tomllib.TOMLDecodeError) -> str:
    # Python 3.14 has lineno/colno; earlier versions end the message with them.
    line = getattr(exc, "lineno", None)
    col = getattr(exc, "colno", None)
    if isinstance(line, int) and isinstance(col, int):
        return f"line {line}, column {col}"
    text = str(exc)
    marker = text.rfind("(at ")
    return text[marker + 4:-1] if marker >= 0 and text.endswith(")") else "syntax error"


def missing_config(where: str) -> ConfigFile:
    return ConfigFile(opted_in=False, problem=f"{where} does not exist: metrics are off",
                      missing=True)


def unreadable_config(where: str, reason: str) -> ConfigFile:
    return _off(f"cannot read {where} ({reason})")


def _flag(value: str | None) -> bool:
    """The cross-tool convention: set, non-empty and not ``0``."""
    return value is not None and value not in ("", "0")


def env_veto(environ: Mapping[str, str]) -> str | None:
    """The environment variable that turns metrics off whatever config.toml says, or None."""
    if _flag(environ.get(ENV_DO_NOT_TRACK)):
        return f"{ENV_DO_NOT_TRACK} is set"
    if environ.get(ENV_METRICS, "").strip().lower() == "off":
        return f"{ENV_METRICS}=off"
    return None


def dev_from_env(environ: Mapping[str, str]) -> bool:
    return _flag(environ.get(ENV_DEV_BUILD))


#: Why nothing is sent when consent allows it but no endpoint is set (one wording).
NO_ENDPOINT: Final = ("no endpoint is configured (--endpoint, METRICSD_ENDPOINT, or endpoint "
                      "in the [metrics] table of config.toml)")


# --- the one vocabulary: every command, log line and status reply renders these ----------

def why_not_uploading(*, veto: str | None, opted_in: bool, dev: bool) -> str | None:
    """The one sentence saying why nothing is uploaded, or None when uploads may run."""
    if veto is not None:
        return f"metrics are off ({veto}): nothing is counted or uploaded"
    if not opted_in:
        return "metrics are off: nothing is counted or uploaded"
    if dev:
        return "dev build: counts stay local and are never uploaded"
    return None


def why_nothing_is_sent(*, veto: str | None, opted_in: bool, dev: bool, has_endpoint: bool,
                        endpoint_problem: str | None) -> str | None:
    """The one sentence saying why no count leaves this machine (consent first, then the
    endpoint), or None when uploads run."""
    why = why_not_uploading(veto=veto, opted_in=opted_in, dev=dev)
    if why is not None:
        return why
    if endpoint_problem is not None:
        return f"the endpoint cannot be used: {endpoint_problem}"
    return None if has_endpoint else NO_ENDPOINT


def describe(*, veto: str | None, opted_in: bool, dev: bool) -> str:
    """``on``/``off`` with the reason, for logs and ``status``."""
    if veto is not None:
        return f"off ({veto})"
    if not opted_in:
        return "off"
    return "on (dev build: nothing is uploaded)" if dev else "on"


@dataclass(frozen=True, slots=True)
class Decision:
    """The one answer to "may data leave memory, and where to?", as of one read."""

    file: ConfigFile
    #: Why the environment vetoes metrics (e.g. "DO_NOT_TRACK is set"), or None.
    veto: str | None
    dev: bool
    #: The endpoint in effect (flag, environment, then config.toml), resolved once.
    endpoint: Endpoint | None = None
    #: Why the configured endpoint cannot be used (daemon-written), or None.
    endpoint_problem: str | None = None

    @property
    def counting(self) -> bool:
        """Counts may be kept in memory and committed."""
        return self.file.opted_in and self.veto is None

    @property
    def uploading(self) -> bool:
        """Committed counts may be sealed into batches and sent."""
        return self.counting and not self.dev

    def why_not_uploading(self) -> str | None:
        return why_not_uploading(veto=self.veto, opted_in=self.file.opted_in, dev=self.dev)

    def why_nothing_is_sent(self) -> str | None:
        return why_nothing_is_sent(veto=self.veto, opted_in=self.file.opted_in, dev=self.dev,
                                   has_endpoint=self.endpoint is not None,
                                   endpoint_problem=self.endpoint_problem)

    def describe(self) -> str:
        return describe(veto=self.veto, opted_in=self.file.opted_in, dev=self.dev)


#: Decided before anything was read: off.
CLOSED: Final = Decision(ConfigFile(opted_in=False, problem="not read yet"), None, False)


def with_endpoint(decision: Decision, flag: str | None, env: str | None) -> Decision:
    """``decision`` with the endpoint in effect resolved: ``--endpoint``, then
    ``METRICSD_ENDPOINT``, then ``[metrics] endpoint`` of the file just read."""
    try:
        return replace(decision, endpoint=choose_endpoint(flag, env, decision.file.endpoint))
    except EndpointError as exc:
        return replace(decision, endpoint_problem=str(exc))
