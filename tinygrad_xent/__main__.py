"""``python -m tinygrad_xent``: the same command line as ``tinygrad-xent``."""

import sys

from .cli import main

sys.exit(main())
