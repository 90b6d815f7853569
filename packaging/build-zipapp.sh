#!/usr/bin/env bash
# Build the standalone single-file daemon: a shiv zipapp with every dependency inside.
#
#   packaging/build-zipapp.sh [OUTPUT]        default OUTPUT: dist/metricsd.pyz
#   PYTHON=/path/to/python3.11 packaging/build-zipapp.sh
#
# Needs shiv (pip install -e '.[package]') in $PYTHON, and pip access to the dependencies
# (PyPI, or a wheel cache / --find-links via the usual PIP_* settings).  msgpack ships a
# compiled extension, so the artifact is for one OS, architecture and Python minor version
# (that of $PYTHON); it falls back to msgpack's pure-Python code nowhere else.
# Run it with: python3 metricsd.pyz run   (or ./metricsd.pyz run; the shebang is
# /usr/bin/env python3).  On first start it unpacks itself under $SHIV_ROOT (default
# ~/.shiv); set SHIV_ROOT to a per-app directory when bundling.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$root/dist/metricsd.pyz}")
python=${PYTHON:-python3}

# Build from a clean copy of the sources, so that no build/ or *.egg-info lands in the
# work tree (and concurrent edits cannot end up half in the artifact).
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp "$root/pyproject.toml" "$root/README.md" "$stage/"
cp -r "$root/metricsd" "$stage/metricsd"
mkdir -p "$stage/clients/python" && cp -r "$root/clients/python/metricsd_client" "$stage/clients/python/"
find "$stage" -name __pycache__ -prune -exec rm -rf {} +

mkdir -p "$(dirname "$out")"
"$python" -m shiv --console-script metricsd --output-file "$out" \
    --python '/usr/bin/env python3' --reproducible --compressed \
    --quiet "$stage"
echo "built $out ($(du -k "$out" | cut -f1) KiB)"
