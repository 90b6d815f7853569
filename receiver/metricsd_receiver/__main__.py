from metricsd_receiver.cli import main

raise SystemExit(main())
