"""What every command shares: exit codes, failures, logging, the consent authority,
the endpoint choice, and reading the database."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from metricsd.settings import Settings

if TYPE_CHECKING:  # imported when used: a command loads only what it needs
    from metricsd.consent import Authority
    from metricsd.store import Store

log = logging.getLogger("metricsd")



EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


class Failure(Exception):
    """A one-line reason to exit 1."""


class UsageError(Exception):
    """A one-line reason to exit 2."""


def setup_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("metricsd[%(process)d] %(levelname)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


def _authority(settings: Settings) -> Authority:
    from metricsd.consent import Authority

    return Authority(settings.config, settings.dev_marker, settings.environ,
                     endpoint_flag=settings.endpoint_flag, endpoint_env=settings.endpoint_env)


# --- reading the database -------------------------------------------------------------------

@contextlib.contextmanager
def _existing_store(settings: Settings) -> Iterator[Store | None]:
    from metricsd.store import Store, StoreError

    try:
        store = Store.open_existing(settings.db)
    except StoreError as exc:
        raise Failure(str(exc)) from None
    try:
        yield store
    finally:
        if store is not None:
            store.close()


def _bodies(store: Store | None, now: float) -> list[dict[str, Any]]:
    """Exactly what the next upload sends: pending batches, then the unbatched counts of
    completed UTC days."""
    from metricsd.core.batches import body_of, utc_day
    from metricsd.settings import this_host

    if store is None:
        return []
    host = this_host()
    bodies = [body_of(b, host) for b in store.batches()]
    bodies += [body_of(p, host) for p in store.pending(utc_day(now))]
    return bodies


def _held(store: Store | None, now: float) -> list[dict[str, Any]]:
    """Today's counts (UTC): uploaded after the day is over."""
    from metricsd.core.batches import body_of, utc_day
    from metricsd.settings import this_host

    if store is None:
        return []
    return [body_of(p, this_host()) for p in store.held(utc_day(now))]
