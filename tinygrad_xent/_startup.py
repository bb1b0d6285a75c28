"""A Ctrl-C while ``tinygrad-xent`` starts is one line, as it is once the command runs.

The package's imports take most of a second (numpy's above all), and an interrupt during them
would print Python's traceback before the command line's own handling exists. Imported first by
the package's ``__init__``: started as the command (``tinygrad-xent``, or ``python -m
tinygrad_xent``, whose ``argv[0]`` is still ``-m`` while the package is imported), it sets
``sys.excepthook`` to print ``tinygrad-xent: interrupted`` for a KeyboardInterrupt. Imported as
a library, it changes nothing.
"""

import os
import sys


def _interrupted_at_start(kind, value, traceback) -> None:
    """Python's own excepthook, except that a KeyboardInterrupt is one line."""
    if issubclass(kind, KeyboardInterrupt):
        print("tinygrad-xent: interrupted", file=sys.stderr)
        return
    sys.__excepthook__(kind, value, traceback)


if sys.argv and os.path.basename(sys.argv[0]) in ("tinygrad-xent", "-m"):
    sys.excepthook = _interrupted_at_start
