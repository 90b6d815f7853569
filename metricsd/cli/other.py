"""`metricsd disclosure` and `metricsd service install`."""

from __future__ import annotations

import argparse
import json

from metricsd.cli._common import (
    EXIT_OK,
    Failure,
    _authority,
)
from metricsd.settings import Settings

# --- disclosure / service install (metricsd/disclosure.py, metricsd/install.py) --------

def cmd_disclosure(args: argparse.Namespace, settings: Settings) -> int:
    from metricsd import disclosure

    decision = _authority(settings).decide()
    doc = disclosure.build(config_path=settings.config, decision=decision,
                           endpoint=decision.endpoint,
                           endpoint_problem=decision.endpoint_problem,
                           dev_marker=settings.dev_marker)
    print(json.dumps(doc, indent=2) if args.json else disclosure.render_text(doc))
    return EXIT_OK


def cmd_service_install(args: argparse.Namespace, settings: Settings) -> int:
    from metricsd import install

    try:
        return install.main(manager=args.manager, print_only=args.print, enable=args.enable,
                            hardening=args.hardening, state_dir=settings.state_dir,
                            bundle_program=args.bundle_program)
    except install.InstallError as exc:
        raise Failure(str(exc)) from None
