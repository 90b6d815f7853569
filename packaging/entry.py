"""Entry script of the PyInstaller build (metricsd.spec): the same as `python -m metricsd`."""

from metricsd.cli import main

raise SystemExit(main())
