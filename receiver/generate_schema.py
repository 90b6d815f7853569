"""Generate ``metricsd_receiver/schema.json`` from the daemon's own tables.

The receiver validates upload bodies against that file only; it never imports the daemon.
This script is the one bridge: it reads the allow-lists the daemon enforces and writes them
out as a JSON Schema (draft 2020-12), which is also what a receiver written in another
language can use.  The file is what the receiver's typed model
(``metricsd_receiver.model``, msgspec) emits when built from these tables.  Two body
schemas are accepted:

* schema 1 (v1.1 facts): ``COUNTERS_V1`` and the three v1 health counters, multi-day periods,
  every count at most ``CONTRIBUTION_BOUND`` too (what a schema 1 body adds goes into the
  same totals as schema 2 counts);
* schema 2 (v1.2 facts): ``COUNTERS`` and ``HEALTH_COUNTERS`` (with ``clipped``), one UTC
  day per batch, every count at most ``CONTRIBUTION_BOUND`` (bounded contribution).

    python receiver/generate_schema.py            # rewrite the file
    python receiver/generate_schema.py --check    # exit 1 if the committed file is stale

``tests/receiver/test_schema.py`` runs the check, so a label added to the daemon and not
regenerated here fails the suite.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Final

from metricsd_receiver.model import BodyTables, Tables, schema_document

from metricsd.core.batches import (
    ARCH_LABELS,
    CONTRIBUTION_BOUND,
    OS_LABELS,
    OTHER,
    SCHEMA,
    SCHEMA_TABLES,
    SCHEMA_V1,
)
from metricsd.core.facts import UNKNOWN_VERSION

OUT = Path(__file__).resolve().parent / "metricsd_receiver" / "schema.json"

#: Largest health counter (the daemon's own losses, never added to counts): the largest
#: integer every JSON implementation holds exactly.
MAX_COUNT: Final = 2**53 - 1
#: A number as metricsd.core.facts.client_version_label renders it: no leading zeros, <= 9999.
_NUM = "(?:0|[1-9][0-9]{0,3})"
#: Every string metricsd.core.facts.is_rendered_version accepts (checked by the tests).
CLIENT_VERSION_PATTERN = (f"^(?:{UNKNOWN_VERSION}|{_NUM}\\.{_NUM}\\.{_NUM}"
                          f"(?:-dev|-(?:alpha|beta|rc)\\.{_NUM})?)$")
#: The daemon's own version (it is not client input): x.y.z with an optional suffix.
DAEMON_VERSION_PATTERN = r"^[0-9]{1,4}\.[0-9]{1,4}\.[0-9]{1,4}(?:[-+][0-9A-Za-z.]{1,32})?$"
UUID4_PATTERN = "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"


def _labels(values: Any) -> list[str]:
    out: list[str] = []
    for v in [*values, OTHER]:
        if v not in out:
            out.append(v)
    return out


def tables() -> Tables:
    """The daemon's tables, as the receiver's model takes them."""
    return Tables(
        bodies={
            # Schema 1: the v1.1 labels, periods of several days, the same per-value bound
            # as schema 2 (its counts go into the same totals).
            SCHEMA_V1: BodyTables({k: tuple(v) for k, v in SCHEMA_TABLES[SCHEMA_V1][0].items()},
                                  SCHEMA_TABLES[SCHEMA_V1][1], CONTRIBUTION_BOUND,
                                  one_day=False),
            # Schema 2: one install-day per batch, every value within the daemon's bound
            # (clipped beyond it, and counted in health.clipped).
            SCHEMA: BodyTables({k: tuple(v) for k, v in SCHEMA_TABLES[SCHEMA][0].items()},
                               SCHEMA_TABLES[SCHEMA][1], CONTRIBUTION_BOUND, one_day=True),
        },
        os=tuple(sorted(_labels(OS_LABELS.values()))),
        arch=tuple(sorted(_labels(ARCH_LABELS.values()))),
        batch_id=UUID4_PATTERN, daemon_version=DAEMON_VERSION_PATTERN,
        client_version=CLIENT_VERSION_PATTERN, max_health=MAX_COUNT)


def schema() -> dict[str, Any]:
    return schema_document(tables())


def render() -> str:
    return json.dumps(schema(), indent=2) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} is stale: run python receiver/generate_schema.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
