"""Run by the zipapp (shiv --preamble) before metricsd is imported: refuse a Python that is
too old with one line instead of a traceback, and say when msgpack has to fall back to
its pure-Python code.  Kept to syntax every Python 3 can parse (so: no f-strings)."""
# ruff: noqa: UP031, UP036

import sys

if sys.version_info < (3, 11):
    sys.exit("metricsd: this build needs Python 3.11 or newer; %s is Python %s"
             % (sys.executable or "this interpreter", sys.version.split()[0]))

try:
    import msgpack._cmsgpack  # noqa: F401 - the compiled extension
except ImportError:
    sys.stderr.write("metricsd: msgpack's compiled extension is not in this build for Python "
                     "%d.%d; using its pure-Python code (slower)\n" % sys.version_info[:2])
