"""pyproject.toml as a dict, on every Python the package supports."""

import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the test extra installs tomli, the library tomllib was made from
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def pyproject() -> dict:
    """The whole of the repository's pyproject.toml, parsed."""
    return tomllib.loads((ROOT / "pyproject.toml").read_text())
