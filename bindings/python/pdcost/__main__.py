"""``python -m pdcost``: the command line (see :mod:`pdcost.cli`)."""

import sys

from .cli import main

sys.exit(main())
