"""What a newcomer reads in the first hour is true: `show`, `status` and `consent` say what
will happen to the counts and, when nothing will be sent, why.  Real daemons, real
commands."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.conftest import DaemonFactory, Home, clean_env, cli, make_home, stream


def test_show_under_the_veto_does_not_present_bodies_as_the_next_upload(
        home: Home, daemons: DaemonFactory) -> None:
    d = daemons.start(home)
    stream(d)
    assert d.stop() == 0
    veto = clean_env(DO_NOT_TRACK="1")
    endpoint = ("--endpoint", "https://metrics.example.com/v1/metrics")
    plain = cli(home, "show", *endpoint)
    assert plain.stdout.startswith("not yet in a batch"), plain.stdout  # without the veto
    out = cli(home, "show", *endpoint, env=veto)
    assert out.returncode == 0, out.stderr
    first = out.stdout.splitlines()[0]
    assert first.startswith("nothing will be uploaded") and "DO_NOT_TRACK" in first, first
    assert "not sent" in out.stdout and "gets its batch id at the next upload" not in out.stdout
    listed = cli(home, "show", "--json", env=veto)
    assert json.loads(listed.stdout) == [] and "DO_NOT_TRACK" in listed.stderr
    status = cli(home, "status", env=veto)
    assert "uploads:     no: metrics are off (DO_NOT_TRACK" in status.stdout, status.stdout


def test_after_a_dev_build_session_show_and_status_agree_the_counts_stay_local(
        home: Home, daemons: DaemonFactory) -> None:
    d = daemons.start(home, env=clean_env(METRICSD_DEV_BUILD="1"))
    stream(d)  # three turns
    running = cli(home, "status")
    assert "uploads:     no: dev build" in running.stdout, running.stdout
    assert "never uploads them" in running.stdout
    assert d.stop() == 0
    for env in (clean_env(METRICSD_DEV_BUILD="1"), clean_env()):
        shown = cli(home, "show", env=env).stdout
        status = cli(home, "status", env=env).stdout
        assert "turns 3" in status
        assert "dev counts:  turns 3" in status and "never uploaded" in status, status
        assert "counted under a dev build: kept on this machine and never uploaded" in shown
        assert "turns" in shown.split("counted under a dev build")[1]
    dev_show = cli(home, "show", env=clean_env(METRICSD_DEV_BUILD="1")).stdout
    assert dev_show.startswith("nothing will be uploaded: dev build"), dev_show


def test_consent_on_without_an_endpoint_says_how_to_set_one(home: Home) -> None:
    home.opt_in(False)
    out = cli(home, "consent", "on")
    assert out.returncode == 0, out.stderr
    assert "no endpoint is configured" in out.stdout
    for way in ("--endpoint", "METRICSD_ENDPOINT", "[metrics] table", str(home.config)):
        assert way in out.stdout, way
    status = cli(home, "status").stdout
    assert "uploads:     no: no endpoint is configured (--endpoint" in status, status


# --- docs written for their readers, checked against the code -------------------------------

ROOT = Path(__file__).resolve().parent.parent


def read(path: str) -> str:
    return (ROOT / path).read_text(encoding="utf-8")


def test_docs_speak_to_users_not_of_their_authors() -> None:
    packaging = read("packaging/README.md")
    for diary in ("old build", "before →", "size before", "\"before\"", "\"after\""):
        assert diary not in packaging, diary
    running = read("docs/RUNNING.md")
    assert "these docs were written" not in running and "verified here" not in running


def test_privacy_starts_with_a_plain_language_page_and_keeps_the_test_map() -> None:
    text = read("docs/PRIVACY.md")
    plain, _, rest = text.partition("## For reviewers")
    assert "## In plain words" in plain and rest
    assert "tests/" not in plain and "::" not in plain  # no test ids for end users
    for must in ("off until you turn it on", "metricsd consent off", "DO_NOT_TRACK=1",
                 "never collected", "metricsd show", "metricsd disclosure"):
        assert must in plain, must
    assert "tests/test_privacy.py::" in rest  # the map is still there


def test_the_readme_and_upload_md_agree_on_when_uploads_happen() -> None:
    from metricsd.core.batches import MIDNIGHT_SPREAD_SECONDS

    assert MIDNIGHT_SPREAD_SECONDS == 3600  # "up to an hour" below
    intro = read("README.md").split("## ", 1)[0]
    upload = read("docs/UPLOAD.md")
    when = upload.split("## When the daemon uploads", 1)[1].split("\n## ", 1)[0]
    for text in (intro, when):
        assert "completed UTC day" in text
        assert "UTC midnight" in text and "metricsd flush" in text and "start" in text
        assert "Today's counts wait until" in text or "today's counts wait until" in text
        assert "24 hours" not in text and "next start uploads" not in text
    assert "random" in when and "up to an hour" in when


def test_no_doc_claims_k_cannot_single_out_an_installation() -> None:
    for path in ("README.md", "docs/PRIVACY.md", "docs/UPLOAD.md"):
        text = read(path)
        assert "cannot single out" not in text, path
        assert "folds" not in text, path
    assert "forged" in read("docs/PRIVACY.md") and "forged" in read("README.md")


def test_the_unit_files_link_no_placeholder_url() -> None:
    units = [*(ROOT / "systemd").iterdir(), *(ROOT / "launchd").iterdir()]
    assert len(units) >= 4
    for unit in units:
        for url in re.findall(r"https?://[^\s\"'<>]+", unit.read_text(encoding="utf-8")):
            assert url == "http://www.apple.com/DTDs/PropertyList-1.0.dtd", (unit, url)


def test_the_pyinstaller_spec_leaves_out_platformdirs_windows_off_windows() -> None:
    spec = read("packaging/metricsd.spec")
    m = re.search(r'if sys.platform != "win32":\n(?:\s+#.*\n)*\s+excludes \+= \[([^\]]*)\]', spec)
    assert m is not None and '"platformdirs.windows"' in m.group(1)
    doc = read("packaging/README.md")
    assert "platformdirs.windows" in doc and "ole32" in doc and "shell32" in doc


def test_the_local_testing_mode_is_documented_where_a_first_operator_reads() -> None:
    for path in ("README.md", "receiver/README.md"):
        text = read(path)
        assert "--k 1" in text and "LOCAL TESTING MODE" in read("receiver/README.md")
        assert "loopback" in text, path


def test_consent_on_with_an_endpoint_says_when_counts_are_sent(home: Home) -> None:
    home.opt_in(False)
    out = cli(home, "consent", "on", "--endpoint", "https://metrics.example.com/v1/metrics")
    assert out.returncode == 0, out.stderr
    assert "completed UTC day" in out.stdout and "metrics.example.com" in out.stdout
    assert "midnight UTC" in out.stdout and "metricsd flush" in out.stdout


def test_the_node_install_line_in_clients_md_gives_a_client_that_loads(tmp_path: Path) -> None:
    """The exact line docs/CLIENTS.md gives, run in a new app folder with an empty npm
    cache (as on a fresh machine): the client loads with `require` and with `import`.  A
    plain folder install (`npm install ./clients/node`) links the folder and never installs
    its dependency, so `require` failed with "Cannot find module '@msgpack/msgpack'"."""
    import shutil
    import subprocess

    from tests.conftest import unavailable

    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        unavailable("npm and node are needed to run the documented install line")
        return
    text = (Path(__file__).parents[1] / "docs" / "CLIENTS.md").read_text(encoding="utf-8")
    lines = re.findall(r"`(npm install [^`]*/path/to/metricsd/clients/node)`", text)
    assert len(lines) == 1, lines
    client = Path(__file__).parents[1] / "clients" / "node"
    argv = lines[0].replace("/path/to/metricsd/clients/node", str(client)).split()
    app = tmp_path / "app"
    app.mkdir()
    (app / "package.json").write_text('{"name": "app", "version": "1.0.0", "private": true}\n')
    env = clean_env(npm_config_cache=str(tmp_path / "npm-cache"), npm_config_audit="false",
                    npm_config_fund="false", npm_config_update_notifier="false")
    subprocess.run(argv, cwd=app, env=env, check=True, capture_output=True, timeout=120)
    for script in ("require('metricsd-client').Client",
                   "import('metricsd-client').then((m) => m.Client)"):
        out = subprocess.run(
            [node, "-e", f"Promise.resolve({script}).then((f) => console.log(typeof f))"],
            cwd=app, env=env, capture_output=True, text=True, timeout=60)
        assert out.stdout.strip() == "function", (script, out.stdout, out.stderr)


def test_without_an_endpoint_show_says_nothing_is_sent_and_flush_fails(home: Home) -> None:
    """Opted in, a completed day waiting, no endpoint anywhere: `show` says first that
    nothing will be uploaded and why, and `flush` exits 1 (a report is still pending), not
    0 as if everything had been delivered."""
    from tests.inprocess import seed_for_next_daemon

    seed_for_next_daemon(home, {("turns", ""): 3})
    shown = cli(home, "show")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("nothing will be uploaded: no endpoint is configured"), \
        shown.stdout
    assert "turns" in shown.stdout
    listed = cli(home, "show", "--json")
    assert len(json.loads(listed.stdout)) == 1
    assert "no endpoint is configured" in listed.stderr
    out = cli(home, "flush")
    assert out.returncode == 1, out.stdout
    assert "no endpoint is configured" in out.stdout
    assert "1 report(s) wait to be sent" in out.stdout
    # Nothing stored: nothing to flush, exit 0.
    empty = make_home()
    empty.config.parent.mkdir(mode=0o700)
    empty.opt_in(True)
    assert cli(empty, "flush").returncode == 0
