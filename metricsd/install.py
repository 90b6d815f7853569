"""``metricsd service install``: the systemd user units or the LaunchAgent, rendered for the
metricsd binary that runs this command.

The templates are the files in ``systemd/`` and ``launchd/`` (the committed units work
as they are for a pipx install, whose binary is ``~/.local/bin/metricsd``); rendering
replaces only the daemon's command line — quoted for systemd, set as an array with
``plistlib`` for launchd — and, for the optional sandbox drop-in, the state directory.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

#: What the committed units run: pipx's (and pip --user's) place for the command.
PIPX_EXEC: Final = "%h/.local/bin/metricsd"
#: The state directory the committed drop-in names (platformdirs' default on Linux).
DEFAULT_STATE_DIR: Final = "%h/.local/state/metricsd"
SOCKET_UNIT: Final = "metricsd.socket"
SERVICE_UNIT: Final = "metricsd.service"
HARDENING: Final = "hardening.conf"
LAUNCHD_LABEL: Final = "org.metricsd.agent"
#: Placeholders of the plist template (launchd expands neither ~ nor $HOME).
PLIST_PROGRAM: Final = "@METRICSD@"
PLIST_SOCKET_DIR: Final = "@SOCKET_DIR@"
PLIST_LOG_DIR: Final = "@LOG_DIR@"
VERIFY_TIMEOUT: Final = 60.0
#: sun_path on macOS, terminating NUL included.
DARWIN_SUN_PATH_MAX: Final = 104


class InstallError(Exception):
    """A one-line reason the units cannot be rendered or installed."""


# --- where the templates are --------------------------------------------------------------

def template_path(kind: str, name: str) -> Path:
    """``systemd/NAME`` or ``launchd/NAME``: beside the package in a source tree or an
    editable install, under ``metricsd/units/`` in a wheel, zipapp or PyInstaller bundle."""
    here = Path(__file__).resolve().parent
    candidates = [here / "units" / kind / name, here.parent / kind / name]
    meipass = getattr(sys, "_MEIPASS", None)
    if meipass:
        candidates.insert(0, Path(meipass) / "metricsd" / "units" / kind / name)
    for path in candidates:
        if path.is_file():
            return path
    raise InstallError(f"the {kind} template {name} is missing from this installation")


def _read_template(kind: str, name: str) -> str:
    return template_path(kind, name).read_text(encoding="utf-8")


# --- the command that runs the daemon ----------------------------------------------------

def daemon_command(*, argv0: str | None = None, executable: str | None = None,
                   frozen: bool | None = None,
                   which: Callable[[str], str | None] = shutil.which) -> list[str]:
    """The absolute command line (without ``run``) of the metricsd running this code.

    A PyInstaller bundle: its executable.  A zipapp: this interpreter and the archive.
    ``python -m metricsd``: this interpreter with ``-m metricsd``.  A console script
    (venv, pipx, pip --user): the script's absolute path, not resolved through symlinks
    (pipx's ``~/.local/bin/metricsd`` link survives upgrades).  Else ``metricsd`` on PATH.
    """
    argv0 = sys.argv[0] if argv0 is None else argv0
    executable = sys.executable if executable is None else executable
    frozen = bool(getattr(sys, "frozen", False)) if frozen is None else frozen
    if frozen:
        return [os.path.abspath(executable)]
    if argv0:
        path = Path(os.path.abspath(argv0))
        if path.name == "__main__.py" and path.parent.name == "metricsd":
            return [os.path.abspath(executable), "-m", "metricsd"]
        if path.is_file() and zipfile.is_zipfile(path):
            return [os.path.abspath(executable), str(path)]
        if path.is_file() and os.access(path, os.X_OK) and path.name.startswith("metricsd"):
            return [str(path)]
    found = which("metricsd")
    if found:
        return [os.path.abspath(found)]
    raise InstallError("cannot tell where the metricsd command is; run this as "
                       "/path/to/metricsd service install")


def is_onefile() -> bool:
    """True in a PyInstaller onefile build: the main process is the bootloader, the daemon
    its child (so systemd needs NotifyAccess=all).  Such a build runs from the directory it
    unpacked itself into, ``_MEIxxxxxx`` in the temporary directory."""
    meipass = getattr(sys, "_MEIPASS", None)
    return bool(getattr(sys, "frozen", False) and meipass
                and Path(meipass).name.startswith("_MEI"))


# --- systemd -----------------------------------------------------------------------------

_SAFE_ARG: Final = re.compile(r"[A-Za-z0-9_./+,:=@-]+")


def systemd_quote(arg: str, *, program: bool = False) -> str:
    """One word of an ``Exec*=`` line, quoted with C escapes when it holds anything but
    plain characters; specifiers (``%``) doubled everywhere and variables (``$``) in the
    arguments.  The program itself (``program=True``) is never variable-expanded, and
    systemd refuses one whose path holds a quote or a backslash."""
    if not arg or not arg.isprintable():
        raise InstallError("a path with control characters cannot go into a systemd unit")
    try:
        arg.encode("utf-8")
    except UnicodeEncodeError:
        raise InstallError("a path that is not UTF-8 cannot go into a systemd unit") from None
    if program and any(c in arg for c in "\"'\\"):
        raise InstallError(f"systemd cannot run a program whose path contains a quote or a "
                           f"backslash ({arg}); move it or link it from a plain path")
    escaped = arg.replace("%", "%%")
    if not program:
        escaped = escaped.replace("$", "$$")
    if _SAFE_ARG.fullmatch(arg):
        return escaped
    return '"' + escaped.replace("\\", "\\\\").replace('"', '\\"') + '"'


def exec_line(command: Sequence[str]) -> str:
    """The words of ``ExecStart=`` for ``command``."""
    return " ".join(systemd_quote(a, program=i == 0) for i, a in enumerate(command))


def systemd_path(path: str) -> str:
    """A path in a space-separated path list (``ReadWritePaths=``): specifiers are
    expanded there, variables are not."""
    if not path or not path.isprintable():
        raise InstallError("a path with control characters cannot go into a systemd unit")
    escaped = path.replace("%", "%%")
    if _SAFE_ARG.fullmatch(path):
        return escaped
    return '"' + escaped.replace("\\", "\\\\").replace('"', '\\"') + '"'


_PIPX_COMMENT: Final = (
    "# As committed, ExecStart is where pipx (and pip --user) put metricsd; for any other\n"
    "# install run `metricsd service install`, which writes these units with the real path.\n")
_RENDERED_COMMENT: Final = (
    "# Written by `metricsd service install` for the metricsd binary below.\n")


@dataclass(frozen=True)
class Rendered:
    """One file to install: where, and its content."""

    path: Path
    content: bytes


def systemd_unit_dir(environ: Mapping[str, str] = os.environ) -> Path:
    config = environ.get("XDG_CONFIG_HOME", "")
    base = Path(config) if config and os.path.isabs(config) else Path.home() / ".config"
    return base / "systemd" / "user"


def render_systemd(command: Sequence[str], *, unit_dir: Path, hardening: bool = False,
                   state_dir: Path | None = None, onefile: bool = False,
                   run_args: Sequence[str] = ()) -> list[Rendered]:
    """The socket and service units (and the sandbox drop-in) for ``command``; the service
    runs ``command run *run_args``."""
    if not command or not os.path.isabs(command[0]):
        raise InstallError("the daemon's command must be an absolute path")
    socket_text = _read_template("systemd", SOCKET_UNIT)
    service_text = _read_template("systemd", SERVICE_UNIT)
    committed = f"ExecStart={PIPX_EXEC} run"
    if service_text.count(committed) != 1:
        raise InstallError(f"the template {SERVICE_UNIT} has no line {committed!r}")
    service_text = service_text.replace(
        committed, "ExecStart=" + exec_line([*command, "run", *run_args]))
    service_text = service_text.replace(_PIPX_COMMENT, _RENDERED_COMMENT)
    if onefile:
        # The PyInstaller onefile bootloader is the main process; READY=1 comes from its child.
        service_text = service_text.replace("NotifyAccess=main", "NotifyAccess=all")
    out = [Rendered(unit_dir / SOCKET_UNIT, socket_text.encode()),
           Rendered(unit_dir / SERVICE_UNIT, service_text.encode())]
    if hardening:
        drop_in = _read_template("systemd", HARDENING)
        if state_dir is not None:
            drop_in = drop_in.replace(f"ReadWritePaths={DEFAULT_STATE_DIR} ",
                                      f"ReadWritePaths={systemd_path(str(state_dir))} ")
        out.append(Rendered(unit_dir / f"{SERVICE_UNIT}.d" / HARDENING, drop_in.encode()))
    return out


def verify_systemd(unit_files: Sequence[Path], *, environ: Mapping[str, str] | None = None
                   ) -> tuple[bool, str] | None:
    """Run ``systemd-analyze --user verify`` on the units; None where it is not installed.

    Returns (clean, output): clean when it exits 0 and says nothing about our units (it
    exits 0 even for unknown keys)."""
    tool = shutil.which("systemd-analyze")
    if tool is None:
        return None
    units = [str(p) for p in unit_files if p.suffix in (".socket", ".service")]
    env = dict(os.environ if environ is None else environ)
    with tempfile.TemporaryDirectory(prefix="metricsd-verify-") as runtime:
        # Offline verification needs a runtime directory to resolve %t, but no manager:
        # without XDG_RUNTIME_DIR (an ssh or su session) a private stand-in does.
        if not os.path.isdir(env.get("XDG_RUNTIME_DIR", "") or "/nonexistent"):
            env["XDG_RUNTIME_DIR"] = runtime
        try:
            proc = subprocess.run([tool, "--user", "verify", *units], capture_output=True,
                                  text=True, timeout=VERIFY_TIMEOUT, env=env)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return False, f"systemd-analyze could not run: {exc}"
    output = (proc.stdout + proc.stderr).strip()
    about_us = [line for line in output.splitlines() if "metricsd" in line]
    return proc.returncode == 0 and not about_us, output


# --- launchd -----------------------------------------------------------------------------

def launchd_paths(home: Path | None = None,
                  environ: Mapping[str, str] | None = None) -> tuple[Path, Path]:
    """(socket directory, log directory) of the LaunchAgent: the daemon's default socket
    directory on macOS — the one address rule the daemon and every client follow
    (:func:`metricsd.settings.runtime_dir`: a private ``XDG_RUNTIME_DIR`` wins, else
    ~/Library/Caches/TemporaryItems) — and ~/Library/Logs/metricsd."""
    from metricsd.settings import runtime_dir

    home = Path.home() if home is None else home
    return (runtime_dir("darwin", os.environ if environ is None else environ, home),
            home / "Library" / "Logs" / "metricsd")


def _plist_template() -> dict[str, Any]:
    path = template_path("launchd", f"{LAUNCHD_LABEL}.plist")
    try:
        import plistlib  # needs pyexpat, which Linux bundles leave out
        value = plistlib.loads(path.read_bytes())
    except ImportError:
        raise InstallError("this build has no XML parser, so it cannot render a "
                           "LaunchAgent (build it on macOS)") from None
    except Exception:
        raise InstallError(f"the plist template {path} is not a valid plist") from None
    if not isinstance(value, dict):
        raise InstallError(f"the plist template {path} is not a dictionary")
    return value


def render_launchd(command: Sequence[str], *, home: Path | None = None,
                   environ: Mapping[str, str] | None = None) -> bytes:
    """The LaunchAgent plist for ``command``, built with plistlib (any path is safe)."""
    if not command or not os.path.isabs(command[0]):
        raise InstallError("the daemon's command must be an absolute path")
    sock_dir, log_dir = launchd_paths(home, environ)
    plist = _plist_template()
    if plist.get("ProgramArguments") != [PLIST_PROGRAM, "run"]:
        raise InstallError("the plist template's ProgramArguments are not "
                           f"[{PLIST_PROGRAM!r}, 'run']")
    plist["ProgramArguments"] = [*command, "run"]
    sock_path = sock_dir / "metricsd.sock"
    if len(os.fsencode(sock_path)) >= DARWIN_SUN_PATH_MAX:
        raise InstallError(f"the socket path would be {len(os.fsencode(sock_path))} bytes, "
                           f"over macOS's limit of {DARWIN_SUN_PATH_MAX - 1}")
    for entry in plist.get("Sockets", {}).values():
        entry["SockPathName"] = entry["SockPathName"].replace(PLIST_SOCKET_DIR, str(sock_dir))
    plist["StandardErrorPath"] = plist["StandardErrorPath"].replace(PLIST_LOG_DIR,
                                                                    str(log_dir))
    import plistlib  # imported by _plist_template already

    text = plistlib.dumps(plist, sort_keys=False)
    if any(p.encode() in text for p in (PLIST_PROGRAM, PLIST_SOCKET_DIR, PLIST_LOG_DIR)):
        raise InstallError("the plist template has a placeholder this version cannot fill")
    return text


def render_smappservice(bundle_program: str) -> bytes:
    """A static LaunchAgent for ``SMAppService.agent(plistName:)`` in an app bundle.

    Such a plist is copied as it is (no per-user paths), names the binary with
    ``BundleProgram`` relative to the bundle, and has no ``Sockets`` entry — launchd
    cannot create a socket at a per-user path from a static file — so the daemon binds
    its default socket itself, started at login and kept alive while it fails."""
    if os.path.isabs(bundle_program) or ".." in Path(bundle_program).parts:
        raise InstallError("--bundle-program is a path inside the app bundle, "
                           "e.g. Contents/MacOS/metricsd")
    template = _plist_template()
    plist: dict[str, Any] = {"Label": template["Label"], "BundleProgram": bundle_program,
                             "ProgramArguments": ["metricsd", "run"], "RunAtLoad": True,
                             "KeepAlive": {"SuccessfulExit": False}}
    for key in ("ProcessType", "LowPriorityIO", "Nice", "SoftResourceLimits", "ExitTimeOut",
                "ThrottleInterval"):
        if key in template:
            plist[key] = template[key]
    import plistlib  # imported by _plist_template already

    return plistlib.dumps(plist, sort_keys=False)


def launch_agents_dir(home: Path | None = None) -> Path:
    return (Path.home() if home is None else home) / "Library" / "LaunchAgents"


# --- the command ------------------------------------------------------------------------

def default_manager() -> str:
    return "launchd" if sys.platform == "darwin" else "systemd"


def _write(files: Sequence[Rendered]) -> None:
    for f in files:
        try:
            _write_one(f)
        except OSError as exc:
            raise InstallError(f"cannot write {f.path}: {exc.strerror or exc}") from None


def _write_one(f: Rendered) -> None:
    f.path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{f.path.name}.", dir=f.path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(f.content)
        os.chmod(tmp, 0o644)
        os.replace(tmp, f.path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _run(cmd: Sequence[str]) -> None:
    print("$ " + " ".join(cmd), flush=True)
    try:
        proc = subprocess.run(list(cmd), timeout=60)
    except FileNotFoundError:
        raise InstallError(f"{cmd[0]} not found") from None
    except subprocess.TimeoutExpired:
        raise InstallError(f"{' '.join(cmd)} did not finish within 60 s") from None
    if proc.returncode != 0:
        raise InstallError(f"{' '.join(cmd)} failed (exit {proc.returncode})")


def main(*, manager: str | None, print_only: bool, enable: bool, hardening: bool = False,
         state_dir: Path | None = None, bundle_program: str | None = None) -> int:
    """``metricsd service install``; returns the exit status (InstallError: exit 1)."""
    manager = manager or default_manager()
    if bundle_program is not None:
        if manager != "launchd" or not print_only:
            raise InstallError("--bundle-program goes with --launchd --print (the plist is "
                               "copied into the app bundle, not installed)")
        sys.stdout.buffer.write(render_smappservice(bundle_program))
        sys.stdout.flush()
        return 0
    command = daemon_command()
    if manager == "launchd":
        return _launchd(command, print_only=print_only, enable=enable)
    return _systemd(command, print_only=print_only, enable=enable, hardening=hardening,
                    state_dir=state_dir)


def _systemd(command: list[str], *, print_only: bool, enable: bool, hardening: bool,
             state_dir: Path | None) -> int:
    unit_dir = systemd_unit_dir()
    files = render_systemd(command, unit_dir=unit_dir, hardening=hardening,
                           state_dir=state_dir, onefile=is_onefile())
    if print_only:
        with tempfile.TemporaryDirectory(prefix="metricsd-units-") as tmp:
            staged = [Rendered(Path(tmp) / f.path.relative_to(unit_dir), f.content)
                      for f in files]
            _write(staged)
            verdict = verify_systemd([f.path for f in staged])
        for f in files:
            sys.stdout.write(f"### {f.path}\n")
            sys.stdout.write(f.content.decode())
        sys.stdout.flush()
        _report_verify(verdict, sys.stderr)
        return 0
    if hardening and state_dir is not None:
        try:
            state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise InstallError(f"cannot create {state_dir}: {exc.strerror or exc}") from None
    _write(files)
    for f in files:
        print(f"wrote {f.path}")
    print(f"ExecStart runs: {shlex.join([*command, 'run'])}")
    _report_verify(verify_systemd([f.path for f in files]), sys.stdout)
    steps = [["systemctl", "--user", "daemon-reload"],
             ["systemctl", "--user", "enable", "--now", SOCKET_UNIT]]
    if hardening:
        steps.append(["systemctl", "--user", "try-restart", SERVICE_UNIT])
    if enable:
        for step in steps:
            _run(step)
        print("enabled: systemd listens on the socket and starts metricsd on the first "
              "connection")
    else:
        print("to start it now and at every login, run:")
        print("  " + " && ".join(" ".join(s) for s in steps))
    return 0


def _report_verify(verdict: tuple[bool, str] | None, out: Any) -> None:
    if verdict is None:
        print("systemd-analyze not found: the units were not verified", file=out)
        return
    clean, output = verdict
    if clean:
        print("systemd-analyze --user verify: no complaints about the units", file=out)
    else:
        print("systemd-analyze --user verify reported:", file=out)
        for line in output.splitlines():
            print(f"  {line}", file=out)


def _launchd(command: list[str], *, print_only: bool, enable: bool) -> int:
    content = render_launchd(command)
    if print_only:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return 0
    sock_dir, log_dir = launchd_paths()
    try:
        for d in (sock_dir, log_dir):
            d.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(sock_dir, 0o700)
    except OSError as exc:
        raise InstallError(f"cannot create {exc.filename}: {exc.strerror or exc}") from None
    dest = launch_agents_dir() / f"{LAUNCHD_LABEL}.plist"
    _write([Rendered(dest, content)])
    print(f"wrote {dest}")
    print(f"ProgramArguments: {shlex.join([*command, 'run'])}")
    if sys.platform == "win32":  # launchd exists on macOS only
        raise InstallError("launchd does not exist on this platform")
    domain = f"gui/{os.getuid()}"
    if enable:
        subprocess.run(["launchctl", "bootout", f"{domain}/{LAUNCHD_LABEL}"],
                       capture_output=True, timeout=60, check=False)
        _run(["launchctl", "bootstrap", domain, str(dest)])
        print(f"enabled: launchd listens on {sock_dir}/metricsd.sock and starts metricsd on "
              "demand")
    else:
        print("to load it now (and at every login), run:")
        print(f"  launchctl bootout {domain}/{LAUNCHD_LABEL} 2>/dev/null; "
              f"launchctl bootstrap {domain} {shlex.quote(str(dest))}")
    return 0
