#!/usr/bin/env bash
# Build the daemon for a desktop app bundle: PyInstaller onedir (packaging/metricsd.spec).
#
#   packaging/build-pyinstaller.sh [DISTDIR]     default DISTDIR: dist/pyinstaller
#   PYTHON=/path/to/python packaging/build-pyinstaller.sh
#
# Needs PyInstaller and metricsd's dependencies in $PYTHON (pip install -e '.[package]').
# Builds for the OS and architecture it runs on (build on macOS for the macOS app).
# Result: DISTDIR/metricsd/metricsd (run: DISTDIR/metricsd/metricsd run).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dist=$(realpath -m "${1:-$root/dist/pyinstaller}")
python=${PYTHON:-python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$python" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$dist" --workpath "$work" "$root/packaging/metricsd.spec"
echo "built $dist/metricsd ($(du -sk "$dist/metricsd" | cut -f1) KiB)"
