"""The command line: one module per command, and the parser that dispatches to them.

Exit codes: 0 ok, 2 usage error, 1 any other failure, always with one line saying why.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from importlib import import_module
from typing import TYPE_CHECKING, NoReturn

from metricsd import __version__
from metricsd.cli._common import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, Failure, UsageError
from metricsd.clock import Clock, system_clock
from metricsd.core.endpoint import EndpointError, choose_endpoint
from metricsd.settings import resolve

if TYPE_CHECKING:
    from metricsd.settings import Settings

#: What runs a command.  The parser names it as ``func=(module, name)``, and the module is
#: imported only when that command runs: `metricsd status` loads neither the daemon's nor
#: the uploader's code.
Command = Callable[[argparse.Namespace, "Settings"], int]

log = logging.getLogger("metricsd")

# --- parser -----------------------------------------------------------------------------

ENVIRONMENT_HELP = """\
environment:
  METRICSD_SOCKET      socket path (as --socket)
  METRICSD_STATE_DIR   database directory (as --state-dir)
  METRICSD_CONFIG      config.toml (as --config)
  METRICSD_ENDPOINT    upload endpoint (as --endpoint)
  METRICSD_DEV_BUILD   non-empty and not 0: a dev build (counts are never uploaded)
  DO_NOT_TRACK         non-empty and not 0: metrics off, whatever config.toml says
  METRICSD_METRICS     "off": metrics off, whatever config.toml says

defaults:
  socket      platformdirs user_runtime_dir("metricsd")/metricsd.sock
  database    platformdirs user_state_dir("metricsd")/metrics.sqlite3
  config      platformdirs user_config_dir("metricsd")/config.toml
  dev marker  DEV_BUILD beside config.toml

exit codes: 0 ok, 2 usage error, 1 any other failure (one line on stderr says why)
"""


def _common_options(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("common options")
    s = argparse.SUPPRESS
    g.add_argument("--socket", metavar="PATH", default=s, help="Unix socket path")
    g.add_argument("--state-dir", metavar="DIR", default=s, help="where the database lives")
    g.add_argument("--config", metavar="PATH", default=s, help="config.toml")
    g.add_argument("--endpoint", metavar="URL", default=s,
                   help="upload endpoint: https://, or http:// to a loopback host")
    g.add_argument("--dev-marker", metavar="PATH", default=s,
                   help="dev-build marker file (default: DEV_BUILD beside config.toml)")


COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("run the daemon in the foreground",
            "Run the daemon in the foreground.  Prints READY <socket> on stdout once it "
            "accepts connections; logs to stderr.  A second run on a socket a live daemon "
            "serves says so and exits 0."),
    "status": ("daemon, consent and pending state",
               "Whether a daemon serves the socket (its own view, asked over the socket), "
               "opt-in and dev state, the endpoint, whether it uploads (and when, or why "
               "not), the other connections, pending counts and the last upload."),
    "show": ("exactly what the next upload would send",
             "Exactly what the next upload would send: pending batches first, then the "
             "committed counts of completed UTC days not yet in a batch (batch_id null "
             "until they are batched).  The text also lists today's counts (held until the "
             "day is over) and counts made under a dev build (never uploaded), and says why "
             "nothing will be sent under DO_NOT_TRACK, with metrics off or in a dev build "
             "(--json then prints [])."),
    "consent": ("show or set [desktop] metrics in config.toml",
                "Show or set [desktop] metrics in config.toml, keeping its comments and "
                "layout.  'off' also deletes every stored count and pending batch."),
    "flush": ("upload now, under the usual rules",
              "Upload now, under the same rules as at daemon start: one line per batch; "
              "exit 0 only if every batch was delivered or there was nothing to send."),
}


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    parser = argparse.ArgumentParser(
        prog="metricsd", epilog=ENVIRONMENT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Privacy-first metrics sidecar for desktop AI coding agents: counts "
                    "enumerated facts about agent turns, never what anyone typed.")
    parser.add_argument("--version", action="version", version=f"metricsd {__version__}")
    _common_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    subs: dict[str, argparse.ArgumentParser] = {}
    for name, (summary, description) in COMMANDS.items():
        p = sub.add_parser(name, help=summary, description=description, epilog=ENVIRONMENT_HELP,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        _common_options(p)
        subs[name] = p
    p = subs["run"]
    p.add_argument("--idle-exit", type=_positive_float, metavar="SECONDS",
                   help="exit after this long with no client connected")
    p.add_argument("--watch-stdin", action="store_true",
                   help="exit cleanly when stdin reaches EOF (for a spawning parent)")
    p.add_argument("--listen", choices=("unix", "tcp"), default=None,
                   help="unix: the Unix socket (the default where the platform has them); "
                        "tcp: 127.0.0.1 on a free port, written with a secret token to "
                        "endpoint.json beside the socket path (the default on Windows)")
    p.add_argument("--max-connections", type=_positive_int, default=1000, metavar="N",
                   help="connections served at once; at the cap the longest-idle one is "
                        "closed to admit a new one (default 1000)")
    p.set_defaults(func=("metricsd.cli.run", "cmd_run"))
    subs["status"].set_defaults(func=("metricsd.cli.status", "cmd_status"))
    subs["show"].add_argument("--json", action="store_true",
                              help="print the request bodies as a JSON array")
    subs["show"].set_defaults(func=("metricsd.cli.show", "cmd_show"))
    subs["consent"].add_argument("value", nargs="?", choices=("on", "off"),
                                 help="omit to show the current state")
    subs["consent"].set_defaults(func=("metricsd.cli.consent", "cmd_consent"))
    subs["flush"].set_defaults(func=("metricsd.cli.flush", "cmd_flush"))

    p = sub.add_parser(
        "disclosure", help="what is collected, where it is sent, how to opt out",
        description="What metricsd collects (every counter and label with its meaning), what "
                    "it never collects, when and where it sends data and how to opt out, "
                    "generated from the tables the daemon enforces: the text of a desktop "
                    "app's first-run dialog.  --json for the app itself.",
        epilog=ENVIRONMENT_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    _common_options(p)
    p.add_argument("--json", action="store_true", help="machine-readable, for an app's dialog")
    p.set_defaults(func=("metricsd.cli.other", "cmd_disclosure"))
    subs["disclosure"] = p

    p = sub.add_parser("service", help="install the systemd units or the LaunchAgent",
                       description="Service-manager integration.")
    service_sub = p.add_subparsers(dest="service_command", metavar="SUBCOMMAND", required=True)
    p = service_sub.add_parser(
        "install", help="install the units for this metricsd binary",
        description="Write the systemd user units (Linux) or the LaunchAgent (macOS) for the "
                    "metricsd binary running this command, verify them with systemd-analyze "
                    "where it is installed, and say how to start them (or start them, with "
                    "--enable).")
    _common_options(p)
    p.add_argument("--print", action="store_true",
                   help="print the rendered files instead of writing them")
    managers = p.add_mutually_exclusive_group()
    managers.add_argument("--systemd", dest="manager", action="store_const", const="systemd",
                          help="systemd user units (default on Linux)")
    managers.add_argument("--launchd", dest="manager", action="store_const", const="launchd",
                          help="a LaunchAgent (default on macOS)")
    p.add_argument("--enable", action="store_true",
                   help="also load and start it (systemctl --user / launchctl bootstrap)")
    p.add_argument("--hardening", action="store_true",
                   help="systemd: add the stricter sandbox drop-in (needs unprivileged user "
                        "namespaces)")
    p.add_argument("--bundle-program", metavar="PATH",
                   help="launchd, with --print: a static plist for SMAppService naming this "
                        "path inside the app bundle (e.g. Contents/MacOS/metricsd)")
    p.set_defaults(func=("metricsd.cli.other", "cmd_service_install"), manager=None)
    subs["service"] = p
    return parser, subs


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError("must be greater than 0")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser, subs = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        subs[args.command].error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def _usage_exit(message: str) -> NoReturn:
    print(f"metricsd: {message}", file=sys.stderr)
    raise SystemExit(EXIT_USAGE)


def main(argv: Sequence[str] | None = None, *, environ: Mapping[str, str] | None = None,
         wall_clock: Clock = system_clock) -> int:
    """Run one command.  ``environ`` (default: the process's) and ``wall_clock`` are
    arguments for a caller in the same process, a test: no flag or variable moves the
    dates of the command or of the daemon it starts."""
    os.umask(0o077)  # everything metricsd creates is private to the user
    args = _parse(argv)
    settings = resolve(socket=getattr(args, "socket", None),
                       state_dir=getattr(args, "state_dir", None),
                       config=getattr(args, "config", None),
                       endpoint=getattr(args, "endpoint", None),
                       dev_marker=getattr(args, "dev_marker", None),
                       environ=os.environ if environ is None else environ,
                       wall_clock=wall_clock)
    module, name = args.func
    func: Command = getattr(import_module(module), name)
    try:
        # An unacceptable --endpoint / METRICSD_ENDPOINT is a usage error for every command.
        choose_endpoint(settings.endpoint_flag, settings.endpoint_env, None)
        return func(args, settings)
    except EndpointError as exc:
        _usage_exit(str(exc))
    except UsageError as exc:
        _usage_exit(str(exc))
    except Failure as exc:
        print(f"metricsd: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return EXIT_FAILURE
    except BrokenPipeError:
        # The reader went away (`metricsd show | head -1`): not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK


def run() -> None:
    """Console-script entry point."""
    raise SystemExit(main())
