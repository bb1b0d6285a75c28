"""The command line run as a user runs it: a Python of its own, output captured."""

import subprocess
import sys


def run_cli(*args: str, cwd=None) -> subprocess.CompletedProcess:
    """``python -m tinygrad_xent ARGS`` in ``cwd``, with its status, stdout and stderr."""
    return subprocess.run(
        [sys.executable, "-m", "tinygrad_xent", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
