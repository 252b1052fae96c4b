"""``python -m analysis``: the same as the ``analysis`` command."""

from analysis.cli import main

raise SystemExit(main())
