"""Generate ``metricsd_receiver/schema.json`` from the daemon's own tables.

The receiver validates upload bodies against that file only; it never imports the daemon.
This script is the one bridge: it reads the allow-lists the daemon enforces and writes them
out as a JSON Schema (draft 2020-12), which is also what a receiver written in another
language can use.  The file is what the receiver's typed model
(``metricsd_receiver.model``, msgspec) emits when built from these tables.  Two body
schemas are accepted:

* schema 1 (v1.1 facts): ``COUNTERS_V1`` and the three v1 health counters, multi-day periods;
* schema 2 (v1.2 facts): ``COUNTERS`` and ``HEALTH_COUNTERS`` (with ``clipped``), one UTC
  day per batch, every count at most ``MAX_DAY_COUNT`` (bounded contribution).

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

from metricsd.core import batches as daemon_batches
from metricsd.core.batches import ARCH_LABELS, OS_LABELS, OTHER
from metricsd.core.facts import COUNTERS, COUNTERS_V1, HEALTH_COUNTERS, UNKNOWN_VERSION

OUT = Path(__file__).resolve().parent / "metricsd_receiver" / "schema.json"

#: Largest count in one schema 1 batch: the largest integer every JSON implementation
#: holds exactly.
MAX_COUNT: Final = 2**53 - 1
#: Largest value of one schema 2 (install-day) batch: the daemon clips at this bound and
#: counts the clipping in ``health.clipped``.
MAX_DAY_COUNT: Final = int(getattr(daemon_batches, "MAX_DAY_COUNT", 100_000))
#: The health counter schema 2 adds.
CLIPPED: Final = "clipped"
HEALTH_V1: Final = tuple(name for name in HEALTH_COUNTERS if name != CLIPPED)
HEALTH_V2: Final = HEALTH_COUNTERS if CLIPPED in HEALTH_COUNTERS else (*HEALTH_COUNTERS,
                                                                       CLIPPED)
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
            1: BodyTables({k: tuple(v) for k, v in COUNTERS_V1.items()}, HEALTH_V1, MAX_COUNT,
                          one_day=False),
            2: BodyTables({k: tuple(v) for k, v in COUNTERS.items()}, HEALTH_V2,
                          MAX_DAY_COUNT, one_day=True),
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
