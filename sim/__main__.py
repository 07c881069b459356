"""``python -m sim --scenario FILE``: the simulator without the ``kakashi`` command."""

import sys

from sim.cli import main

sys.exit(main())
