#!/usr/bin/env bash
# Build the daemon for a desktop app bundle: PyInstaller onedir (packaging/metricsd.spec).
#
#   packaging/build-pyinstaller.sh [DISTDIR]     default DISTDIR: dist/pyinstaller
#   PYTHON=/path/to/python3.11 packaging/build-pyinstaller.sh
#
# Builds in a fresh virtual environment (in a temporary directory) that holds exactly the
# locked dependencies (packaging/requirements.lock) and PyInstaller
# (packaging/pyinstaller-tools.lock), every file hash-checked: nothing else installed on
# the build machine can end up in the bundle.  $PYTHON (default python3, >= 3.11) is the
# Python that gets bundled.  Builds for the OS and architecture it runs on (build on macOS
# for the macOS app).  Result: DISTDIR/metricsd/metricsd (run: DISTDIR/metricsd/metricsd run).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dist=$(realpath -m "${1:-$root/dist/pyinstaller}")
python=${PYTHON:-python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$python" -m venv "$work/venv"
pip=("$work/venv/bin/python" -m pip --quiet --disable-pip-version-check)
"${pip[@]}" install --require-hashes --only-binary :all: -r "$root/packaging/requirements.lock"
"${pip[@]}" install --require-hashes -r "$root/packaging/pyinstaller-tools.lock"
# metricsd itself comes from the source tree (pathex in the spec), not from an install.
"$work/venv/bin/python" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$dist" --workpath "$work/build" "$root/packaging/metricsd.spec"
echo "built $dist/metricsd ($(du -sk "$dist/metricsd" | cut -f1) KiB)"
