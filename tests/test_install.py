"""`metricsd service install`: units and the LaunchAgent rendered for the real binary,
whatever its path holds, and checked by systemd-analyze where it is installed."""

from __future__ import annotations

import os
import plistlib
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from metricsd import install
from metricsd.settings import SOCKET_NAME, runtime_dir
from tests.conftest import Home, clean_env

ROOT = Path(__file__).resolve().parent.parent
VENV_METRICSD = Path(sys.executable).parent / "metricsd"
#: A directory name with everything that breaks naive XML, shell or unit-file quoting.
HOSTILE = 'we ird & <x> "q" \'s\' %h $HOME \\back;semi'
#: The same without quotes and backslashes, which systemd refuses in a program's path.
HOSTILE_PROGRAM = "we ird & <x> %h $HOME ;semi"

needs_analyze = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None and not os.environ.get("CI"),
    reason="systemd-analyze is not installed (apt-get install systemd)")


def service_install(home: Home, *args: str, env: dict[str, str] | None = None
                    ) -> subprocess.CompletedProcess[str]:
    """`python -m metricsd service install ARGS` with the home's paths."""
    return subprocess.run([sys.executable, "-m", "metricsd", "service", "install",
                           *home.args(), *args], capture_output=True, text=True,
                          env=env or clean_env(), timeout=60)


def executable(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)
    return path


def split_printed(text: str) -> dict[str, str]:
    """The `service install --print` output as {path: content}."""
    files: dict[str, str] = {}
    current = None
    for line in text.splitlines(keepends=True):
        if line.startswith("### "):
            current = line[4:].rstrip("\n")
            files[current] = ""
        else:
            assert current is not None, line
            files[current] += line
    return files


def verify(tmp_path: Path, files: dict[str, str]) -> tuple[bool, str]:
    """Write rendered units under tmp_path (keeping NAME.service.d/) and verify them."""
    written = []
    for path, content in files.items():
        p = Path(path)
        rel = Path(p.parent.name, p.name) if p.parent.name.endswith(".d") else Path(p.name)
        dest = tmp_path / "units" / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(content)
        written.append(dest)
    verdict = install.verify_systemd(written)
    assert verdict is not None
    return verdict


# --- which binary ---------------------------------------------------------------------

def test_daemon_command_for_each_kind_of_install(tmp_path: Path) -> None:
    script = executable(tmp_path / "venv" / "bin" / "metricsd")
    assert install.daemon_command(argv0=str(script), executable="/py", frozen=False) == \
        [str(script)]
    # pipx: ~/.local/bin/metricsd is a symlink into its venv; keep the link (upgrades).
    link = tmp_path / "local" / "bin" / "metricsd"
    link.parent.mkdir(parents=True)
    link.symlink_to(script)
    assert install.daemon_command(argv0=str(link), executable="/py", frozen=False) == \
        [str(link)]
    main = ROOT / "metricsd" / "__main__.py"
    assert install.daemon_command(argv0=str(main), executable="/usr/bin/python3",
                                  frozen=False) == ["/usr/bin/python3", "-m", "metricsd"]
    pyz = tmp_path / "metricsd.pyz"
    with zipfile.ZipFile(pyz, "w") as z:
        z.writestr("__main__.py", "")
    assert install.daemon_command(argv0=str(pyz), executable="/usr/bin/python3",
                                  frozen=False) == ["/usr/bin/python3", str(pyz)]
    bundle = tmp_path / "App" / "Contents" / "MacOS" / "metricsd"
    assert install.daemon_command(argv0="metricsd", executable=str(bundle), frozen=True) == \
        [str(bundle)]
    # python -c / an embedding host: metricsd from PATH, else a clear error.
    assert install.daemon_command(argv0="-c", executable="/py", frozen=False,
                                  which=lambda _: str(script)) == [str(script)]
    with pytest.raises(install.InstallError, match="cannot tell where"):
        install.daemon_command(argv0="-c", executable="/py", frozen=False,
                               which=lambda _: None)


def test_systemd_quoting() -> None:
    assert install.systemd_quote("/opt/md/bin/metricsd") == "/opt/md/bin/metricsd"
    assert install.systemd_quote("/a b/%h/$X") == '"/a b/%%h/$$X"'
    assert install.systemd_quote('/a"b\\c') == '"/a\\"b\\\\c"'
    # The program is not variable-expanded, and may not hold quotes or backslashes.
    assert install.exec_line(["/a b/$X/py", "/c d/$Y.pyz", "run"]) == \
        '"/a b/$X/py" "/c d/$$Y.pyz" run'
    with pytest.raises(install.InstallError, match="quote or a backslash"):
        install.exec_line(['/a"b/metricsd'])
    assert install.systemd_path('/s "t"/%h/$X') == '"/s \\"t\\"/%%h/$X"'
    for bad in ("/a\nb", "/a\tb", ""):
        with pytest.raises(install.InstallError):
            install.systemd_quote(bad)


# --- systemd ------------------------------------------------------------------------

def test_rendered_service_runs_the_real_binary(tmp_path: Path) -> None:
    files = install.render_systemd(["/opt/md/bin/metricsd"], unit_dir=tmp_path)
    assert [f.path.name for f in files] == ["metricsd.socket", "metricsd.service"]
    socket_text = files[0].content.decode()
    assert socket_text == (ROOT / "systemd" / "metricsd.socket").read_text()
    service = files[1].content.decode()
    assert "ExecStart=/opt/md/bin/metricsd run\n" in service
    assert install.PIPX_EXEC not in service and "NotifyAccess=main" in service
    # Only the ExecStart line and its comment differ from the committed unit.
    committed = (ROOT / "systemd" / "metricsd.service").read_text().splitlines()
    changed = [line for line in service.splitlines() if line not in committed]
    assert [line for line in changed if not line.startswith("#")] == \
        ["ExecStart=/opt/md/bin/metricsd run"]
    onefile = install.render_systemd(["/opt/md/metricsd"], unit_dir=tmp_path, onefile=True)
    assert "NotifyAccess=all" in onefile[1].content.decode()


@needs_analyze
def test_hostile_path_survives_quoting_and_verifies(tmp_path: Path) -> None:
    binary = executable(tmp_path / HOSTILE_PROGRAM / "metricsd")
    files = install.render_systemd([str(binary)], unit_dir=tmp_path / "units",
                                   hardening=True, state_dir=tmp_path / HOSTILE / "state")
    rendered = {str(f.path): f.content.decode() for f in files}
    clean, output = verify(tmp_path, rendered)
    assert clean, output
    # The control: the same path written naively is caught by the same check.
    naive = {p: c.replace(install.exec_line([str(binary)]), str(binary))
             for p, c in rendered.items()}
    assert naive != rendered
    clean, output = verify(tmp_path / "naive", naive)
    assert not clean and "metricsd" in output


@needs_analyze
def test_print_output_passes_systemd_analyze_verify(tmp_path: Path, home: Home) -> None:
    out = service_install(home, "--print", "--hardening",
              env=clean_env(XDG_CONFIG_HOME=str(tmp_path / "cfg")))
    assert out.returncode == 0, out.stderr
    files = split_printed(out.stdout)
    unit_dir = tmp_path / "cfg" / "systemd" / "user"
    assert list(files) == [str(unit_dir / "metricsd.socket"),
                           str(unit_dir / "metricsd.service"),
                           str(unit_dir / "metricsd.service.d" / "hardening.conf")]
    service = files[str(unit_dir / "metricsd.service")]
    # `python -m metricsd` (how cli() runs it) renders as this interpreter with -m.
    assert f"ExecStart={sys.executable} -m metricsd run\n" in service
    drop_in = files[str(unit_dir / "metricsd.service.d" / "hardening.conf")]
    assert f"ReadWritePaths={home.state_dir} %t/metricsd\n" in drop_in
    for line in ("PrivateUsers=yes", "PrivateTmp=yes", "ProtectSystem=strict",
                 "ProtectHome=read-only", "MemoryDenyWriteExecute=yes"):
        assert line + "\n" in drop_in
    assert "no complaints about the units" in out.stderr, out.stderr
    assert not (tmp_path / "cfg").exists()  # --print writes nothing
    clean, output = verify(tmp_path, files)
    assert clean, output
    # The drop-in is read by the check: a misspelt option in it is reported.
    files[str(unit_dir / "metricsd.service.d" / "hardening.conf")] += "ProtectHomme=yes\n"
    clean, output = verify(tmp_path / "bad", files)
    assert not clean and "ProtectHomme" in output


def test_install_writes_the_units_and_says_what_to_run(tmp_path: Path, home: Home) -> None:
    cfg = tmp_path / "cfg"
    out = service_install(home, "--systemd", env=clean_env(XDG_CONFIG_HOME=str(cfg)))
    assert out.returncode == 0, out.stderr
    unit_dir = cfg / "systemd" / "user"
    service = (unit_dir / "metricsd.service").read_text()
    assert f"ExecStart={sys.executable} -m metricsd run\n" in service
    assert (unit_dir / "metricsd.socket").is_file()
    assert not (unit_dir / "metricsd.service.d").exists()  # the sandbox is opt-in
    assert "systemctl --user daemon-reload && systemctl --user enable --now metricsd.socket" \
        in out.stdout
    if shutil.which("systemd-analyze"):
        assert "no complaints about the units" in out.stdout, out.stdout
    out = service_install(home, "--hardening", env=clean_env(XDG_CONFIG_HOME=str(cfg)))
    assert out.returncode == 0, out.stderr
    assert (unit_dir / "metricsd.service.d" / "hardening.conf").is_file()
    assert home.state_dir.is_dir()  # created: ReadWritePaths= must exist at start


def test_the_console_script_renders_its_own_path(tmp_path: Path, home: Home) -> None:
    if not VENV_METRICSD.is_file():
        pytest.skip("no metricsd console script beside this interpreter")
    out = subprocess.run([str(VENV_METRICSD), "service", "install", "--print", *home.args()],
                         capture_output=True, text=True, timeout=60,
                         env=clean_env(XDG_CONFIG_HOME=str(tmp_path)))
    assert out.returncode == 0, out.stderr
    assert f"ExecStart={VENV_METRICSD} run\n" in out.stdout


# --- launchd ------------------------------------------------------------------------

def test_plist_with_hostile_paths_round_trips(tmp_path: Path) -> None:
    home = Path("/U") / HOSTILE  # short: the socket path must fit macOS's sun_path
    command = [str(tmp_path / HOSTILE / "My App.app" / "Contents" / "MacOS" / "metricsd")]
    text = install.render_launchd(command, home=home, environ={})
    plist = plistlib.loads(text)
    assert plist["ProgramArguments"] == [*command, "run"]
    entry = plist["Sockets"]["Listeners"]
    assert entry["SockPathName"] == \
        f"{home}/Library/Caches/TemporaryItems/metricsd/{SOCKET_NAME}"
    assert entry["SockPathMode"] == 0o600
    assert plist["StandardErrorPath"] == f"{home}/Library/Logs/metricsd/metricsd.log"
    assert b"@METRICSD@" not in text and b"we ird &amp; &lt;x&gt;" in text
    template = plistlib.loads((ROOT / "launchd" / "org.metricsd.agent.plist").read_bytes())
    for key in template:
        if key not in ("ProgramArguments", "Sockets", "StandardErrorPath"):
            assert plist[key] == template[key], key
    if shutil.which("plutil"):  # macOS
        path = tmp_path / "agent.plist"
        path.write_bytes(text)
        subprocess.run(["plutil", "-lint", str(path)], check=True, timeout=30)


def test_plist_socket_path_over_the_macos_limit_is_refused(tmp_path: Path) -> None:
    with pytest.raises(install.InstallError, match="over macOS's limit"):
        install.render_launchd(["/opt/metricsd"], home=tmp_path / ("h" * 80), environ={})


def test_install_sh_renders_through_the_binary(tmp_path: Path, home: Home) -> None:
    if not VENV_METRICSD.is_file():
        pytest.skip("no metricsd console script beside this interpreter")
    # A link with a hostile name: the plist must carry exactly that path.
    link = tmp_path / HOSTILE / "metricsd"
    link.parent.mkdir()
    link.symlink_to(VENV_METRICSD)
    env = clean_env(HOME=str(home.root), METRICSD=str(link))
    out = subprocess.run(["sh", str(ROOT / "launchd" / "install.sh"), "--print"],
                         capture_output=True, timeout=60, env=env)
    assert out.returncode == 0, out.stderr
    plist = plistlib.loads(out.stdout)
    assert plist["ProgramArguments"] == [str(link), "run"]
    # Where the daemon and the clients look in that environment (XDG_RUNTIME_DIR, when this
    # machine's session has a private one, else ~/Library/Caches/TemporaryItems).
    expected = runtime_dir("darwin", env, home.root) / "metricsd.sock"
    assert plist["Sockets"]["Listeners"]["SockPathName"] == str(expected)


def test_smappservice_plist_is_static_and_names_the_bundle_program(home: Home) -> None:
    out = service_install(home, "--launchd", "--print", "--bundle-program",
              "Contents/MacOS/metricsd")
    assert out.returncode == 0, out.stderr
    plist = plistlib.loads(out.stdout.encode())
    assert plist["BundleProgram"] == "Contents/MacOS/metricsd"
    assert plist["Label"] == "org.metricsd.agent"
    assert "Sockets" not in plist  # no per-user path can be written into a static file
    assert plist["RunAtLoad"] is True
    assert not any(isinstance(v, str) and v.startswith("/") for v in plist.values())
    bad = service_install(home, "--launchd", "--print", "--bundle-program",
              "/Applications/X.app/Contents/MacOS/metricsd")
    assert bad.returncode == 1 and "inside the app bundle" in bad.stderr


def test_unwritable_unit_directory_is_one_line_exit_1(tmp_path: Path, home: Home) -> None:
    blocker = tmp_path / "cfg"
    blocker.write_text("a file where the directory should be\n")
    out = service_install(home, env=clean_env(XDG_CONFIG_HOME=str(blocker)))
    assert out.returncode == 1, out.stderr
    assert out.stderr.startswith("metricsd: cannot write ") and "Traceback" not in out.stderr
    assert len(out.stderr.splitlines()) == 1


# --- under a real systemd user manager (where there is one) -------------------------

def user_manager_available() -> bool:
    if shutil.which("systemctl") is None or not os.environ.get("XDG_RUNTIME_DIR"):
        return False
    try:
        probe = subprocess.run(["systemctl", "--user", "is-system-running"],
                               capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.stdout.strip() in ("running", "degraded")


@pytest.mark.skipif(not user_manager_available(),
                    reason="no systemd user manager to talk to (systemctl --user)")
@pytest.mark.parametrize("hardening", [False, True], ids=["default", "hardened"])
def test_units_serve_under_the_user_manager(hardening: bool) -> None:
    """The rendered units, under unique names, started by the user's own manager: the
    socket unit listens, the first connection starts the daemon, which counts, commits
    and stops cleanly.  With the drop-in, that needs unprivileged user namespaces."""
    import uuid

    from tests.rawclient import Client

    name = f"metricsd-test-{uuid.uuid4().hex[:8]}"
    runtime = Path(os.environ["XDG_RUNTIME_DIR"])
    unit_dir = runtime / "systemd" / "user"  # runtime units: gone at logout at the latest
    # Not under /tmp: PrivateTmp= would hide it from the daemon.
    data = Path.home() / ".cache" / name
    state, config = data / "state", data / "config.toml"
    data.mkdir(parents=True, mode=0o700)
    state.mkdir(mode=0o700)
    config.write_text("[desktop]\nmetrics = true\n")
    command = [str(VENV_METRICSD)] if VENV_METRICSD.is_file() else \
        [sys.executable, "-m", "metricsd"]
    files = install.render_systemd(
        command, unit_dir=unit_dir, hardening=hardening, state_dir=data,
        run_args=["--state-dir", str(state), "--config", str(config),
                  "--dev-marker", str(data / "DEV_BUILD")])
    written = []
    for f in files:
        def rename(text: str) -> str:
            return (text.replace("metricsd.socket", f"{name}.socket")
                    .replace("metricsd.service", f"{name}.service")
                    .replace("%t/metricsd", f"%t/{name}"))
        dest = unit_dir / rename(str(f.path.relative_to(unit_dir)))
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(rename(f.content.decode()))
        written.append(dest)
    sock = runtime / name / "metricsd.sock"

    def systemctl(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["systemctl", "--user", *args], capture_output=True, text=True,
                              timeout=60)

    try:
        assert systemctl("daemon-reload").returncode == 0
        started = systemctl("start", f"{name}.socket")
        assert started.returncode == 0, started.stderr
        with Client(sock, timeout=20) as c:
            c.hello("1.0.0")
            c.turn("stop")
            c.sync()
        active = systemctl("show", "-p", "ActiveState", "--value", f"{name}.service")
        assert active.stdout.strip() == "active", active.stdout
        assert systemctl("stop", f"{name}.service", f"{name}.socket").returncode == 0
        result = systemctl("show", "-p", "Result", "--value", f"{name}.service")
        assert result.stdout.strip() == "success", result.stdout
        assert (state / "metrics.sqlite3").is_file()
    finally:
        systemctl("stop", f"{name}.service", f"{name}.socket")
        for path in written:
            path.unlink(missing_ok=True)
        drop_dir = unit_dir / f"{name}.service.d"
        if drop_dir.is_dir():
            drop_dir.rmdir()
        systemctl("daemon-reload")
        shutil.rmtree(data, ignore_errors=True)


def test_onefile_detection(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not install.is_onefile()  # not frozen
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", "/opt/App/metricsd/_internal", raising=False)
    assert not install.is_onefile()  # onedir
    monkeypatch.setattr(sys, "_MEIPASS", "/Applications/X.app/Contents/Frameworks",
                        raising=False)
    assert not install.is_onefile()  # onedir inside a macOS .app
    monkeypatch.setattr(sys, "_MEIPASS", "/tmp/_MEIa1b2c3", raising=False)
    assert install.is_onefile()


@pytest.mark.parametrize("xdg", [False, True])
def test_the_launchagent_listens_where_daemon_and_clients_look(tmp_path: Path, xdg: bool) -> None:
    """One address rule: with a private XDG_RUNTIME_DIR (which platformdirs prefers on macOS
    too) the LaunchAgent's socket is there, as the daemon's and the clients' default is;
    without it, ~/Library/Caches/TemporaryItems.  The plist hard-coded the latter, so on a
    Mac with XDG_RUNTIME_DIR set launchd listened where nobody looked."""
    import tempfile

    short = Path(tempfile.mkdtemp(prefix="md-", dir="/tmp"))  # the path must fit sun_path
    home = short / "h"
    home.mkdir()
    runtime = short / "x"
    runtime.mkdir(mode=0o700)
    environ = {"XDG_RUNTIME_DIR": str(runtime)} if xdg else {}
    plist = plistlib.loads(install.render_launchd(["/opt/metricsd"], home=home,
                                                  environ=environ))
    expected = (runtime / "metricsd" if xdg
                else home / "Library" / "Caches" / "TemporaryItems" / "metricsd")
    assert plist["Sockets"]["Listeners"]["SockPathName"] == f"{expected}/{SOCKET_NAME}"
    assert runtime_dir("darwin", environ, home) == expected
    shutil.rmtree(short)
