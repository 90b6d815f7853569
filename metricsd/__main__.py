from metricsd.cli import main

raise SystemExit(main())
