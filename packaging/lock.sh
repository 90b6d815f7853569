#!/usr/bin/env bash
# Regenerate the hashed lock files (universal: every OS, Python >= 3.11) with uv:
#   packaging/requirements.lock        metricsd's runtime dependencies (from pyproject.toml)
#   packaging/zipapp-tools.lock        shiv, for build-zipapp.sh
#   packaging/pyinstaller-tools.lock   PyInstaller, for build-pyinstaller.sh
# Run after changing dependencies in pyproject.toml or the *.in files; add --upgrade to
# move every pin to the newest release.  Needs uv (pip install uv) on PATH or in $UV.
set -euo pipefail
cd "$(dirname "$0")/.."
uv=${UV:-uv}
compile() {
    "$uv" pip compile "$1" --universal --python-version 3.11 --generate-hashes --quiet \
        --custom-compile-command "packaging/lock.sh" -o "$2" "${@:3}"
}
# The daemon's third-party dependencies: metricsd-client is this repository's own
# (clients/python), installed from the tree beside the daemon, never from an index.
runtime_in=$(mktemp --suffix=.in)
trap 'rm -f "$runtime_in"' EXIT
python3 -c 'import sys, tomllib; deps = tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]; print("\n".join(d for d in deps if not d.startswith("metricsd-client")))' > "$runtime_in"
compile "$runtime_in" packaging/requirements.lock "$@"
compile packaging/zipapp-tools.in packaging/zipapp-tools.lock "$@"
compile packaging/pyinstaller-tools.in packaging/pyinstaller-tools.lock "$@"
echo "locked: packaging/requirements.lock packaging/zipapp-tools.lock packaging/pyinstaller-tools.lock"
