#!/usr/bin/env bash
# Build the standalone single-file daemon: a shiv zipapp with every dependency inside.
#
#   packaging/build-zipapp.sh [OUTPUT]        default OUTPUT: dist/metricsd.pyz
#   PYTHON=/path/to/python3.11 packaging/build-zipapp.sh
#
# Everything comes from the hashed lock files (packaging/requirements.lock for the
# dependencies, packaging/zipapp-tools.lock for shiv), installed into a fresh virtual
# environment in a temporary directory; it needs pip access to them (PyPI, or a wheel cache
# / --find-links through the usual PIP_* settings).  $PYTHON (default python3, >= 3.11)
# only builds; the artifact runs on CPython 3.11 or newer on the same OS and architecture.
#
# msgpack is the one compiled dependency.  Its extension module is built per Python minor
# version, and msgpack silently falls back to its slower pure-Python code when none
# matches; so the build puts the extension of every minor version in MSGPACK_PYTHONS
# (default 3.11 to 3.14, from the same locked release, hash-checked) beside each other in
# the archive, and the artifact says so on stderr when it runs on a Python none of them
# fits.  On Python < 3.11 it exits 1 with one line saying which Python it needs.
#
# Run it with: python3 metricsd.pyz run   (or ./metricsd.pyz run; the shebang is
# /usr/bin/env python3).  On first start it unpacks itself under $SHIV_ROOT (default
# ~/.shiv); set SHIV_ROOT to a per-app directory when bundling.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$root/dist/metricsd.pyz}")
python=${PYTHON:-python3}
msgpack_pythons=${MSGPACK_PYTHONS:-3.11 3.12 3.13 3.14}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The tools' environment is thrown away after the build, so nothing is byte-compiled
# (--no-compile) and it gets no bundled pip of its own: the locked shiv brings the locked
# pip, installed by $PYTHON's pip (pip >= 22.3 has --python).  With an older pip, the
# environment bootstraps its bundled pip first (ensurepip), which takes longer.
"$python" -m venv --without-pip "$work/tools"
tools_lock=(install --quiet --disable-pip-version-check --no-compile --require-hashes
            -r "$root/packaging/zipapp-tools.lock")
if "$python" -m pip --python "$work/tools/bin/python" --version >/dev/null 2>&1; then
    "$python" -m pip --python "$work/tools/bin/python" "${tools_lock[@]}"
else
    "$work/tools/bin/python" -m ensurepip --default-pip >/dev/null
    "$work/tools/bin/python" -m pip "${tools_lock[@]}"
fi
pip=("$work/tools/bin/python" -m pip --quiet --disable-pip-version-check)

# The dependencies, exactly as locked (binary wheels only, every file hash-checked).
site="$work/site"
"${pip[@]}" install --no-compile --require-hashes --only-binary :all: --target "$site" \
    -r "$root/packaging/requirements.lock"
# msgpack's extension for the other Python versions, from the same locked release.
awk '/^msgpack==/{p=1; print; next} p && /^    /{print; next} {p=0}' \
    "$root/packaging/requirements.lock" > "$work/msgpack.lock"
own=$("$work/tools/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
for v in $msgpack_pythons; do
    [ "$v" = "$own" ] && continue
    if "${pip[@]}" download --require-hashes --no-deps --only-binary :all: \
            --python-version "$v" --dest "$work/wheels-$v" -r "$work/msgpack.lock"; then
        "$work/tools/bin/python" - "$work/wheels-$v" "$site" <<'PY'
import pathlib, sys, zipfile
wheels, site = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
for wheel in wheels.glob("*.whl"):
    with zipfile.ZipFile(wheel) as z:
        for name in z.namelist():
            if name.startswith("msgpack/_cmsgpack.") and name.endswith((".so", ".pyd")):
                (site / name).write_bytes(z.read(name))
PY
    else
        echo "build-zipapp.sh: no msgpack wheel for Python $v here; that Python would use" \
             "msgpack's pure-Python code" >&2
    fi
done

# Linux wheels ship their extension modules with debug information (msgpack's: 1.6 MB
# each, 0.2 MB stripped).  Not on macOS, where stripping would break code signatures.
if [ "$(uname -s)" = Linux ] && command -v strip >/dev/null; then
    strip --strip-unneeded "$site"/msgpack/_cmsgpack.*.so
fi

# metricsd itself, its client package (clients/python), and the unit templates
# `metricsd service install` renders.
cp -r "$root/metricsd" "$site/metricsd"
cp -r "$root/clients/python/metricsd_client" "$site/metricsd_client"
mkdir -p "$site/metricsd/units"
cp -r "$root/systemd" "$site/metricsd/units/systemd"
mkdir -p "$site/metricsd/units/launchd"
cp "$root/launchd/org.metricsd.agent.plist" "$site/metricsd/units/launchd/"
find "$site" -name __pycache__ -prune -exec rm -rf {} +

mkdir -p "$(dirname "$out")"
"$work/tools/bin/python" -m shiv --site-packages "$site" --entry-point metricsd.cli:main \
    --preamble "$root/packaging/zipapp_preamble.py" --output-file "$out" \
    --python '/usr/bin/env python3' --reproducible --compressed
echo "built $out ($(du -k "$out" | cut -f1) KiB)"
