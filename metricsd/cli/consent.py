"""`metricsd consent [on|off]`: show or set the opt-in; `off` purges."""

from __future__ import annotations

import argparse
import sqlite3

from metricsd.cli._common import (
    EXIT_OK,
    Failure,
    _authority,
)
from metricsd.settings import Settings

# --- consent ----------------------------------------------------------------------------

def cmd_consent(args: argparse.Namespace, settings: Settings) -> int:
    if args.value is None:
        decision = _authority(settings).decide()
        print(f"metrics {decision.describe()} ({settings.config})")
        if decision.file.problem:
            print(decision.file.problem)
        return EXIT_OK
    if args.value == "on":
        return _consent_on(settings)
    return _consent_off(settings)


def _consent_on(settings: Settings) -> int:
    from metricsd.consent import ConfigWriteError, set_consent

    try:
        set_consent(settings.config, True)
    except ConfigWriteError as exc:
        raise Failure(str(exc)) from None
    except OSError as exc:
        raise Failure(f"cannot write {settings.config} ({exc.strerror or exc})") from None
    decision = _authority(settings).decide()
    print(f"metrics on ({settings.config})")
    why = decision.why_nothing_is_sent()
    if decision.endpoint is not None and why is None:
        print(f"each completed UTC day's counts are sent to {decision.endpoint.where} (at "
              "daemon start, shortly after midnight UTC, or on metricsd flush); "
              "see them first with: metricsd show")
        return EXIT_OK
    print(f"note: {why}")
    if decision.why_not_uploading() is None and decision.endpoint_problem is None:
        print("counts are kept on this machine until one is set (the first set wins):\n"
              "  --endpoint https://HOST/PATH   (on the daemon's command line)\n"
              "  METRICSD_ENDPOINT=https://HOST/PATH   (in the daemon's environment)\n"
              f"  endpoint = \"https://HOST/PATH\"   (in the [metrics] table of "
              f"{settings.config})")
    return EXIT_OK


def _consent_off(settings: Settings) -> int:
    from metricsd.consent import ConfigWriteError, EgressLock, EgressLockUnsafe, set_consent
    from metricsd.store import StoreError, purge_database

    notes = []
    try:
        set_consent(settings.config, False)
    except ConfigWriteError as exc:
        # Unreadable or ambiguous: that already means off.  Never overwrite it; purge.
        notes.append(f"{exc} (it already means metrics are off)")
    except OSError as exc:
        raise Failure(f"cannot write {settings.config} ({exc.strerror or exc}); "
                      "nothing was deleted") from None

    def purge() -> None:
        purge_database(settings.db)

    try:
        try:
            with EgressLock(settings.state_dir).exclusive():
                purge()
        except EgressLockUnsafe as exc:
            # Nobody can take an unusable lock, so no egress runs: purge without it.
            notes.append(f"{exc.strerror}")
            purge()
    except TimeoutError:
        raise Failure("metrics are off in config.toml, but an upload in progress did not "
                      "end, so stored counts were not deleted yet; run `metricsd consent "
                      "off` again") from None
    except (StoreError, OSError, sqlite3.Error) as exc:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise Failure(f"metrics are off in config.toml, but stored counts could not be "
                      f"deleted ({reason})") from None
    for note in notes:
        print(f"note: {note}")
    print("metrics off: stored counts and pending batches were deleted")
    return EXIT_OK
