"""The typed upload body (msgspec) and the JSON Schema it emits, built from tables.

``schema.json`` is written by ``receiver/generate_schema.py``: it takes the daemon's facts
tables, builds this module's model from them (:func:`build_model`) and writes what the model
emits (:func:`schema_document`, msgspec's JSON Schema).  At import the receiver reads the
tables back from the shipped file (:func:`tables_from_document`) and builds the same model,
so every allow-list lives once, in the daemon, and nothing here repeats one.

This module reads no file: the generator uses it before ``schema.json`` exists.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Final, Literal, Union

import msgspec

#: Our keyword in a body's definition: "one-day" (from == to) or "from-to" (from <= to).
PERIOD_KEY: Final = "x-period"

@dataclass(frozen=True)
class BodyTables:
    """What one body schema allows."""

    #: counter -> labels in order (``()`` = unlabelled)
    counters: Mapping[str, tuple[str, ...]]
    health: tuple[str, ...]
    max_count: int
    #: schema 2: ``period.from == period.to``
    one_day: bool


@dataclass(frozen=True)
class Tables:
    bodies: Mapping[int, BodyTables]
    os: tuple[str, ...]
    arch: tuple[str, ...]
    batch_id: str
    daemon_version: str
    client_version: str
    max_health: int


def py_pattern(pattern: str) -> str:
    # msgspec matches with re.search, where ``$`` also matches before a final newline;
    # ``$(?!\n)`` means end of string in Python and in the JSON Schema (ECMA) dialect alike.
    return pattern if pattern.endswith("$(?!\\n)") else pattern.removesuffix("$") + "$(?!\\n)"


def _literal(values: tuple[str, ...]) -> Any:
    return Literal[values]


def build_model(t: Tables) -> dict[int, type[msgspec.Struct]]:
    """One msgspec Struct per body schema, tagged by the ``schema`` field."""
    opts: dict[str, Any] = {"forbid_unknown_fields": True}

    def pattern(p: str) -> Any:
        return Annotated[str, msgspec.Meta(pattern=py_pattern(p))]

    daemon = msgspec.defstruct("Daemon", [("version", pattern(t.daemon_version)),
                                          ("os", _literal(t.os)), ("arch", _literal(t.arch))],
                               **opts)
    client = msgspec.defstruct("Client", [("version", pattern(t.client_version))], **opts)
    period = msgspec.defstruct("Period", [("from_", datetime.date), ("to", datetime.date)],
                               rename={"from_": "from"}, **opts)
    health_count = Annotated[int, msgspec.Meta(ge=0, le=t.max_health)]
    out: dict[int, type[msgspec.Struct]] = {}
    for version, b in t.bodies.items():
        count = Annotated[int, msgspec.Meta(ge=1, le=b.max_count)]
        fields: list[tuple[str, Any, Any]] = []
        for name, labels in b.counters.items():
            if labels:
                sub = msgspec.defstruct(
                    f"{name.title().replace('_', '')}V{version}",
                    [(f"l{i}", count | msgspec.UnsetType, msgspec.UNSET)
                     for i in range(len(labels))],
                    rename={f"l{i}": label for i, label in enumerate(labels)}, **opts)
                fields.append((name, sub | msgspec.UnsetType, msgspec.UNSET))
            else:
                fields.append((name, count | msgspec.UnsetType, msgspec.UNSET))
        counts = msgspec.defstruct(f"CountsV{version}", fields, **opts)
        health = msgspec.defstruct(f"HealthV{version}", [(n, health_count) for n in b.health],
                                   **opts)
        out[version] = msgspec.defstruct(
            f"BodyV{version}",
            [("batch_id", pattern(t.batch_id)), ("daemon", daemon), ("client", client),
             ("period", period), ("counts", counts), ("health", health)],
            tag_field="schema", tag=version, **opts)
    return out


def union(model: Mapping[int, type[msgspec.Struct]]) -> Any:
    return Union[tuple(model[v] for v in sorted(model))]  # noqa: UP007


def schema_document(t: Tables) -> dict[str, Any]:
    """The JSON Schema the model emits (what ``schema.json`` holds), with the two rules
    msgspec does not write down (non-empty objects) added."""
    # through JSON: the document is compared with its file (int keys become strings)
    doc: dict[str, Any] = msgspec.json.decode(msgspec.json.encode(
        msgspec.json.schema(union(build_model(t)))))
    defs = doc["$defs"]
    for version, b in t.bodies.items():
        counts = defs[f"CountsV{version}"]
        counts["minProperties"] = 1
        for name, labels in b.counters.items():
            if labels:
                defs[counts["properties"][name]["$ref"].rsplit("/", 1)[1]]["minProperties"] = 1
        defs[f"BodyV{version}"]["$comment"] = (
            "one UTC day: period.from == period.to" if b.one_day
            else "period.from <= period.to")
        defs[f"BodyV{version}"][PERIOD_KEY] = "one-day" if b.one_day else "from-to"
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$comment": "GENERATED by receiver/generate_schema.py from metricsd.core.facts "
                        "and metricsd.core.batches; do not edit by hand.",
            "title": "metricsd upload body", **doc}


def tables_from_document(doc: Mapping[str, Any]) -> Tables:
    """The tables back from a document :func:`schema_document` wrote."""
    defs = doc["$defs"]

    def ref(node: Mapping[str, Any]) -> Mapping[str, Any]:
        return defs[str(node["$ref"]).rsplit("/", 1)[1]]  # type: ignore[no-any-return]

    bodies: dict[int, BodyTables] = {}
    first: Mapping[str, Any] = {}
    for option in doc["anyOf"]:
        body = ref(option)
        first = first or body
        version = int(body["properties"]["schema"]["enum"][0])
        counters: dict[str, tuple[str, ...]] = {}
        max_count = 0
        for name, node in ref(body["properties"]["counts"])["properties"].items():
            if "$ref" in node:
                props = ref(node)["properties"]
                counters[name] = tuple(props)
                max_count = max(int(p["maximum"]) for p in props.values())
            else:
                counters[name] = ()
                max_count = int(node["maximum"])
        health = ref(body["properties"]["health"])
        bodies[version] = BodyTables(counters, tuple(health["properties"]), max_count,
                                     body[PERIOD_KEY] == "one-day")
        max_health = max(int(p["maximum"]) for p in health["properties"].values())
    props = first["properties"]
    daemon = ref(props["daemon"])["properties"]

    def pattern(node: Mapping[str, Any]) -> str:
        return str(node["pattern"]).removesuffix("(?!\\n)")

    return Tables(bodies=bodies, os=tuple(daemon["os"]["enum"]),
                  arch=tuple(daemon["arch"]["enum"]),
                  batch_id=pattern(props["batch_id"]),
                  daemon_version=pattern(daemon["version"]),
                  client_version=pattern(ref(props["client"])["properties"]["version"]),
                  max_health=max_health)


